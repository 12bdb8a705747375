#!/usr/bin/env bash
# Builds the root file system of the image's base layer: a jlinked JRE at /opt/java/openjdk (the modules
# of image/jre-modules.txt, shared with the Dockerfile), the C libraries it loads (found with ldd), a user
# 1001, and /tmp. Usage: build-jre-root.sh JAVA_HOME ROOT MODULES_FILE
set -euo pipefail
java_home=$1
root=$2
modules=$3

rm -rf "$root"
mkdir -p "$root/opt/java" "$root/etc" "$root/tmp" "$root/deployments"
# --generate-cds-archive: the class-data archive of the linked modules (the sidecar starts in about half the time).
"$java_home/bin/jlink" --add-modules "$(tr -d ' \n' < "$modules")" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive \
  --output "$root/opt/java/openjdk"
# java.desktop is there for java.beans (used by libraries), not for a display or sound: no X11, no ALSA.
rm -f "$root"/opt/java/openjdk/lib/{libawt_xawt,libjsound,libsplashscreen}.so
# The archive for heaps over 32 GiB (no compressed oops) is never used by these programs.
rm -f "$root"/opt/java/openjdk/lib/server/classes_nocoops.jsa

# Every library an ELF file of the JRE needs (outside the JRE itself), and the dynamic loader, at the paths
# the loader looks for them; symbolic links resolved to plain files.
libs=$(find "$root/opt/java/openjdk" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
  | xargs -0 -n 1 ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
copied=0
for lib in $libs; do
  case "$lib" in "$root"*) continue ;; esac
  copied=$((copied + 1))
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || { echo "no dynamic loader found for the JRE" >&2; exit 1; }

cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
ou:x:1001:1001:ou-operator:/deployments:/sbin/nologin
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
ou:x:1001:
GROUP
echo "hosts: files dns" > "$root/etc/nsswitch.conf"
"$root/opt/java/openjdk/bin/java" -version 2>&1 | head -1
echo "jre-root: $(du -sh "$root" | cut -f1) with $copied system libraries"
