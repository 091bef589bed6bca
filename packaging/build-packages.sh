#!/usr/bin/env bash
# Builds the server packages of the agent from its shaded jar:
#   vspam-agent_<version>_amd64.deb, vspam-agent-<version>-1.x86_64.rpm, vspam-agent-<version>-linux-amd64.tar.gz
# Each carries the same tree: a launcher, the jar, the image's JVM flags, a Java runtime made by
# jlink with only the modules the jar needs (there is no Java 25 package to depend on), and the AOT
# cache of that runtime and jar, which more than halves the time to the first answer.
#
#   build-packages.sh --jar JAR --jvm-options FILE --version MAVEN_VERSION --work DIR --out DIR
#
# The Maven build runs it in the packaging module's package phase. Needs a JDK 25 (JAVA_HOME),
# dpkg-deb, rpmbuild (Debian's rpm package) and tar.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar="" jvm_options="" version="" work="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar=$2; shift 2 ;;
    --jvm-options) jvm_options=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "build-packages.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
for required in jar jvm_options version work out; do
  [ -n "${!required}" ] || { echo "build-packages.sh: --${required//_/-} is required" >&2; exit 64; }
done
for tool in dpkg-deb rpmbuild tar gzip; do
  command -v "$tool" >/dev/null || {
    echo "build-packages.sh: $tool not found; on Debian: apt-get install dpkg-dev rpm (see .ci/run)" >&2; exit 69; }
done
java_home=${JAVA_HOME:?build-packages.sh: JAVA_HOME must name a JDK 25}
mkdir -p "$work" "$out"
jar=$(readlink -f "$jar") jvm_options=$(readlink -f "$jvm_options") work=$(readlink -f "$work") out=$(readlink -f "$out")

# Package versions: Maven's 0.3.0-SNAPSHOT sorts before 0.3.0 as 0.3.0~SNAPSHOT in dpkg and rpm.
package_version=${version//-/\~}
# Reproducible archives: every file dated by the last commit (or SOURCE_DATE_EPOCH).
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}

step() { printf '[packages] %s\n' "$*"; }

# --- the runtime: jlink with the modules jdeps finds in the jar -------------------------------------
runtime=$work/runtime
# Found at run time, not by jdeps: the zip file system (Micronaut reads its service files inside the
# jar through it) and the DNS provider of JNDI (dnsjava's resolver configuration).
JAVA_HOME=$java_home bash "$here/build-runtime.sh" --jar "$jar" --out "$runtime" --add-modules jdk.zipfs,jdk.naming.dns

# --- the tree shared by all three packages -----------------------------------------------------------
# stage ROOT SYSTEMD_UNIT_DIR ENVIRONMENT_FILE: the files as installed under ROOT.
stage() {
  local root=$1 unit_dir=$2 environment_file=$3
  rm -rf "$root"
  install -d -m 0755 "$root/usr/lib/vspam-agent" "$root/usr/bin" "$root$unit_dir" "$root/etc/vspam" \
    "$root$(dirname "$environment_file")" "$root/var/lib/vspam"
  install -m 0755 "$here/files/vspam-agent" "$root/usr/lib/vspam-agent/vspam-agent"
  install -m 0644 "$jar" "$root/usr/lib/vspam-agent/vspam-agent.jar"
  # The AOT cache is only used with a jar of the time it was recorded with: every tree's jar has one.
  touch -d "@$epoch" "$root/usr/lib/vspam-agent/vspam-agent.jar"
  if [ -f "$work/vspam-agent.aot" ]; then
    install -m 0644 "$work/vspam-agent.aot" "$root/usr/lib/vspam-agent/vspam-agent.aot"
    touch -d "@$epoch" "$root/usr/lib/vspam-agent/vspam-agent.aot"
  fi
  install -m 0644 "$jvm_options" "$root/usr/lib/vspam-agent/jvm.options"
  cp -a "$runtime" "$root/usr/lib/vspam-agent/runtime"
  ln -s ../lib/vspam-agent/vspam-agent "$root/usr/bin/vspam-agent"
  install -m 0644 "$here/files/vspam-agent.service" "$root$unit_dir/vspam-agent.service"
  install -m 0644 "$here/files/agent.yml" "$root/etc/vspam/agent.yml"
  install -m 0644 "$here/files/vspam-agent.default" "$root$environment_file"
  # Plain modes: the private ones (0640 agent.yml, 0750 /etc/vspam and /var/lib/vspam, a 0600
  # environment file) are set on install, by dpkg-statoverride in the postinst and %attr in the spec.
  chmod -R u+w,go-w,go+rX "$root"
}

# --- the AOT cache: recorded by running the staged tree, its runtime, jar and flags ---------------------
# The JVM takes the cache wherever the tree is installed or unpacked, as long as the runtime, the jar
# (its size and time) and the flags are the ones it was recorded with.
rm -f "$work/vspam-agent.aot"
stage "$work/aot" /lib/systemd/system /etc/default/vspam-agent
step "recording the AOT cache with the bundled runtime"
lib=$work/aot/usr/lib/vspam-agent
JAVA_HOME=$lib/runtime bash "$here/../images/aot-training.sh" "$lib/vspam-agent.jar" "$work/vspam-agent.aot" "$lib/jvm.options" \
  > "$work/aot-training.log" 2>&1 \
  || { cat "$work/aot-training.log" >&2; echo "build-packages.sh: the AOT training failed" >&2; exit 70; }
rm -rf "$work/aot"

# --- .deb ---------------------------------------------------------------------------------------------
deb_root=$work/deb
step "staging the .deb"
stage "$deb_root" /lib/systemd/system /etc/default/vspam-agent
install -d -m 0755 "$deb_root/usr/share/doc/vspam-agent" "$deb_root/DEBIAN"
install -m 0644 "$here/debian/copyright" "$deb_root/usr/share/doc/vspam-agent/copyright"
install -D -m 0644 "$here/debian/lintian-overrides" "$deb_root/usr/share/lintian/overrides/vspam-agent"
sed -e "s/@VERSION@/$package_version/" -e "s/@DATE@/$(date -u -R -d "@$epoch")/" "$here/debian/changelog" \
  | gzip -9n > "$deb_root/usr/share/doc/vspam-agent/changelog.gz"
chmod 0644 "$deb_root/usr/share/doc/vspam-agent/changelog.gz"
installed_size=$(du -sk --apparent-size "$deb_root" | cut -f1)
sed -e "s/@VERSION@/$package_version/" -e "s/@INSTALLED_SIZE@/$installed_size/" "$here/debian/control" \
  > "$deb_root/DEBIAN/control"
install -m 0644 "$here/debian/conffiles" "$deb_root/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "$here/debian/$script" "$deb_root/DEBIAN/$script"; done
(cd "$deb_root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort \
  | xargs md5sum > DEBIAN/md5sums)
chmod 0644 "$deb_root/DEBIAN/md5sums"
find "$deb_root" -exec touch --no-dereference -d "@$epoch" {} +
deb=$out/vspam-agent_${package_version}_amd64.deb
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz -z3 --build "$deb_root" "$deb" >/dev/null
step "$(basename "$deb"): $(du -h "$deb" | cut -f1), installed $((installed_size / 1024)) MiB"

# --- .rpm ---------------------------------------------------------------------------------------------
rpm_root=$work/rpm-root
step "staging the .rpm"
stage "$rpm_root" /usr/lib/systemd/system /etc/sysconfig/vspam-agent
install -D -m 0644 "$here/debian/copyright" "$rpm_root/usr/share/licenses/vspam-agent/LICENSE"
rpm_top=$work/rpmbuild
rm -rf "$rpm_top"
mkdir -p "$rpm_top"
SOURCE_DATE_EPOCH=$epoch rpmbuild -bb --quiet \
  --define "_topdir $rpm_top" --define "_rpmdir $out" --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
  --define "vspam_version $package_version" --define "vspam_root $rpm_root" \
  --define "_binary_payload w3.xzdio" --define "use_source_date_epoch_as_buildtime 1" \
  --define "_dbpath $rpm_top/db" --define "_build_id_links none" \
  "$here/rpm/vspam-agent.spec" 2> >(grep -v "does not exist - using root" >&2)
rpm=$out/vspam-agent-${package_version}-1.x86_64.rpm
step "$(basename "$rpm"): $(du -h "$rpm" | cut -f1)"

# --- .tar.gz ------------------------------------------------------------------------------------------
# The same tree, relocatable: unpack anywhere and run (or link to) vspam-agent-<version>/vspam-agent.
name=vspam-agent-$version
tar_root=$work/tar
rm -rf "$tar_root"
mkdir -p "$tar_root/$name"
cp -a "$deb_root/usr/lib/vspam-agent/." "$tar_root/$name/"
install -m 0644 "$here/files/agent.yml" "$here/files/vspam-agent.service" "$tar_root/$name/"
install -m 0644 "$here/debian/copyright" "$tar_root/$name/LICENSE"
tarball=$out/$name-linux-amd64.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$tar_root" -cf - "$name" | gzip -6n > "$tarball"
step "$(basename "$tarball"): $(du -h "$tarball" | cut -f1)"
