#!/usr/bin/env bash
# Stages the files of the two container images, one directory per image layer, for ImageBuild (Jib) to pack:
#
#   base/              glibc from Debian's libc6 package (all the jlinked runtimes link against), the
#                      nonroot user and group 65532, nsswitch.conf: no shell, no package manager
#   agent-runtime/     the agent's jlinked runtime (the packages' own)        /usr/lib/vspam-agent/runtime
#   agent/             its jar, JVM flags and AOT cache                       /usr/lib/vspam-agent
#   operator-runtime/  the operator's jlinked runtime                          /usr/lib/vspam-operator/runtime
#   operator/          its jar and JVM flags                                   /usr/lib/vspam-operator
#
#   stage-images.sh --agent-jar JAR --agent-runtime DIR --operator-jar JAR --work DIR
#
# The Maven build runs it in the images module's package phase. Needs a JDK 25 (JAVA_HOME), apt-get and
# dpkg-deb (the libc6 package is downloaded from the machine's Debian sources).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repository=$(cd "$here/.." && pwd)
agent_jar="" agent_runtime="" operator_jar="" work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --agent-jar) agent_jar=$2; shift 2 ;;
    --agent-runtime) agent_runtime=$2; shift 2 ;;
    --operator-jar) operator_jar=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "stage-images.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
for required in agent_jar agent_runtime operator_jar work; do
  [ -n "${!required}" ] || { echo "stage-images.sh: --${required//_/-} is required" >&2; exit 64; }
done
for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || {
    echo "stage-images.sh: $tool not found: the images' glibc comes from Debian's libc6 package" >&2; exit 69; }
done
java_home=${JAVA_HOME:?stage-images.sh: JAVA_HOME must name a JDK 25}
mkdir -p "$work"
work=$(readlink -f "$work")
step() { printf '[images] %s\n' "$*"; }

# --- base: glibc and the accounts ----------------------------------------------------------------
# The runtimes link against libc, libm, libdl, libpthread and the dynamic loader, nothing else (zlib is
# bundled); the rest of libc6 (gconv, locales, tools) is left out, as distroless leaves it out.
base=$work/base
libc_deb=$(ls "$work"/libc6_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$libc_deb" ]; then
  step "downloading Debian's libc6"
  chmod 0777 "$work" # apt downloads as the _apt user
  # A machine whose package lists were emptied (as container images often are) needs them read again.
  (cd "$work" && { apt-get download -q libc6 >/dev/null 2>&1 \
    || { [ "$(id -u)" -eq 0 ] && apt-get update -q >/dev/null && apt-get download -q libc6 >/dev/null; }; }) || {
    echo "stage-images.sh: apt-get download libc6 failed (are Debian's package sources reachable? as root, apt-get update)" >&2
    exit 69; }
  libc_deb=$(ls "$work"/libc6_*.deb | head -n 1)
fi
rm -rf "$base" "$work/libc6"
dpkg-deb -x "$libc_deb" "$work/libc6"
multiarch=lib/x86_64-linux-gnu
install -d -m 0755 "$base/$multiarch" "$base/lib64" "$base/etc" "$base/usr/share/doc/libc6"
for library in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1; do
  found=$(find "$work/libc6" -name "$library" | head -n 1)
  [ -n "$found" ] || { echo "stage-images.sh: $library is not in $(basename "$libc_deb")" >&2; exit 70; }
  cp -L "$found" "$base/$multiarch/$library"
done
# The ELF interpreter the runtimes' binaries name (a copy: the image's layers hold no symbolic links).
cp "$base/$multiarch/ld-linux-x86-64.so.2" "$base/lib64/ld-linux-x86-64.so.2"
cp "$work/libc6/usr/share/doc/libc6/copyright" "$base/usr/share/doc/libc6/copyright"
cp "$here/base/etc/passwd" "$here/base/etc/group" "$here/base/etc/nsswitch.conf" "$base/etc/"
install -d -m 0755 "$base/tmp"
rm -rf "$work/libc6"
echo "$(basename "$libc_deb")" > "$base/usr/share/doc/libc6/source-package"

# --- the agent: the packages' runtime, its jar and flags, and an AOT cache recorded on them ----------
agent=$work/agent
rm -rf "$agent" "$work/agent-runtime"
install -d -m 0755 "$agent/usr/lib/vspam-agent" "$work/agent-runtime/usr/lib/vspam-agent"
cp -a "$agent_runtime" "$work/agent-runtime/usr/lib/vspam-agent/runtime"
install -m 0644 "$agent_jar" "$agent/usr/lib/vspam-agent/vspam-agent.jar"
install -m 0644 "$repository/images/agent.jvm.options" "$agent/usr/lib/vspam-agent/jvm.options"
# The volumes (ImageBuild gives them to the nonroot user).
install -d -m 0755 "$agent/var/lib/vspam" "$agent/var/run/vspam"
# The JVM uses the cache only with a jar of the size and time it was recorded with. Jib dates every file
# it packs one second after the epoch (ImageBuild.FILES_TIME); the cache is recorded on a copy of the tree dated so.
training=$work/agent-training/usr/lib/vspam-agent
rm -rf "$work/agent-training"
install -d "$training"
cp -a "$agent_runtime" "$training/runtime"
cp "$agent/usr/lib/vspam-agent/vspam-agent.jar" "$agent/usr/lib/vspam-agent/jvm.options" "$training/"
touch -d @1 "$training/vspam-agent.jar"
step "recording the agent image's AOT cache"
JAVA_HOME=$training/runtime bash "$repository/images/aot-training.sh" "$training/vspam-agent.jar" \
  "$agent/usr/lib/vspam-agent/vspam-agent.aot" "$training/jvm.options" \
  > "$work/agent-aot-training.log" 2>&1 \
  || { cat "$work/agent-aot-training.log" >&2; echo "stage-images.sh: the AOT training failed" >&2; exit 70; }
rm -rf "$work/agent-training"

# --- the operator: its own runtime, made the way the agent's is ------------------------------------
operator=$work/operator
rm -rf "$operator"
install -d -m 0755 "$operator/usr/lib/vspam-operator" "$work/operator-runtime/usr/lib/vspam-operator"
# Found at run time, not by jdeps: the zip file system (Micronaut's service files inside the jar).
JAVA_HOME=$java_home bash "$repository/packaging/build-runtime.sh" --jar "$operator_jar" \
  --out "$work/operator-runtime/usr/lib/vspam-operator/runtime" --add-modules jdk.zipfs
install -m 0644 "$operator_jar" "$operator/usr/lib/vspam-operator/vspam-operator.jar"
install -m 0644 "$repository/images/operator.jvm.options" "$operator/usr/lib/vspam-operator/jvm.options"
step "staged in $work"
