#!/usr/bin/env bash
# Builds the local image "shunt-jre:17" that the container tests run their JVMs in, without any image
# registry: a tar of this machine's own JDK 17 and the shared libraries it needs, given to `docker import`.
# Usage: build-jre-image.sh [image-name]   (needs a running Docker engine)
set -euo pipefail
image="${1:-shunt-jre:17}"
jdk="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/opt" "$root/tmp" "$root/etc" "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64" "$root/sock"
chmod 1777 "$root/tmp"
# The JDK directory holds symlinks into /etc and to optional packages (src.zip without the sources
# package): copy what they point at, and leave out links that point at nothing.
mkdir -p "$root/opt/jdk"
(cd "$jdk" && find -L . -type l) > "$root/dangling"
tar -C "$jdk" --dereference --anchored --exclude-from="$root/dangling" -cf - . | tar -C "$root/opt/jdk" -xf -
rm "$root/dangling"
# glibc, the loader, and what the JVM and JNR's jffi link against.
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libnss_files.so.2 \
           libgcc_s.so.1 libstdc++.so.6 libz.so.1 ld-linux-x86-64.so.2; do
  cp -L "/usr/lib/x86_64-linux-gnu/$lib" "$root/usr/lib/x86_64-linux-gnu/"
done
cp -L /usr/lib64/ld-linux-x86-64.so.2 "$root/usr/lib64/"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
printf 'root:x:0:0:root:/root:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/jdk/bin' \
  --change 'ENV JAVA_HOME=/opt/jdk' \
  - "$image" > /dev/null
echo "built $image from $jdk"
