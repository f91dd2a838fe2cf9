#!/usr/bin/env bash
# Builds the podman tests' base image from files of this machine, never from a registry:
# busybox-static (sh, grep, sleep, ... as applets), bash with its shared libraries, and an
# /etc/passwd with root and user 1000. Usage: make_podman_base.sh IMAGE [ENTRYPOINT_IMAGE]:
# IMAGE has CMD ["/bin/sh"] and no ENTRYPOINT; ENTRYPOINT_IMAGE (optional) the same files with
# ENTRYPOINT ["/bin/echo", "entrypoint:"]. Takes ~1 s; tests call it only when one is absent.
set -euo pipefail
image=${1:?usage: make_podman_base.sh IMAGE [ENTRYPOINT_IMAGE]}
entrypoint_image=${2:-}
busybox=$(command -v busybox || echo /bin/busybox)
[ -x "$busybox" ] || { echo "make_podman_base: busybox-static is not installed" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home/user,workspace,tekton}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
ln -sf ../../bin/env "$root/usr/bin/env"
# bash and the libraries it links against, at the same paths.
bash_path=$(command -v bash)
cp --remove-destination "$bash_path" "$root/bin/bash"
for lib in $(ldd "$bash_path" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$root/etc/group"
tar -C "$root" -cf "$root.tar" .
trap 'rm -rf "$root" "$root.tar"' EXIT
podman --runtime runc import --quiet --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
  "$root.tar" "$image" >/dev/null
if [ -n "$entrypoint_image" ]; then
  podman --runtime runc import --quiet --change 'ENTRYPOINT ["/bin/echo", "entrypoint:"]' \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$root.tar" "$entrypoint_image" >/dev/null
fi
echo "make_podman_base: built $image $entrypoint_image"
