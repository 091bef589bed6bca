#!/usr/bin/env bash
# Links the Java runtime a shaded jar needs: jdeps finds the modules, jlink makes the runtime, strip
# strips its libraries. The packages and both container images carry runtimes made by this script.
#
#   build-runtime.sh --jar JAR --out DIR [--add-modules M1,M2]
#
# --add-modules names modules found at run time only, which jdeps cannot see. Needs a JDK 25 (JAVA_HOME)
# and binutils (strip). The runtime is remade only when the jar is newer than it.
set -euo pipefail

jar="" out="" add=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --add-modules) add=$2; shift 2 ;;
    *) echo "build-runtime.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[ -n "$jar" ] && [ -n "$out" ] || { echo "build-runtime.sh: --jar and --out are required" >&2; exit 64; }
jar=$(readlink -f "$jar")
java_home=${JAVA_HOME:?build-runtime.sh: JAVA_HOME must name a JDK 25}
command -v strip >/dev/null || { echo "build-runtime.sh: strip not found; on Debian: apt-get install binutils" >&2; exit 69; }

if [ -x "$out/bin/java" ] && [ ! "$jar" -nt "$out/release" ]; then
  exit 0
fi
printf '[runtime] finding the Java modules %s needs (jdeps)\n' "$(basename "$jar")"
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
rm -rf "$out"
(cd "$classes" && "$java_home/bin/jar" xf "$jar")
# The shaded jar is read as a class path: its dependencies' module descriptors do not apply.
find "$classes" -name module-info.class -delete
modules=$("$java_home/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$classes")
modules="$modules${add:+,$add}"
printf '[runtime] linking a runtime of %s\n' "$modules"
# No class data sharing archive: the images' flags (compact object headers) could not use the default one.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$out"
# Stripped as Debian strips its own libraries (jlink keeps their symbol tables).
find "$out" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c 'file -b "$1" | grep -q "^ELF"' _ {} \; -print \
  | xargs strip --strip-unneeded --remove-section=.comment --remove-section=.note
