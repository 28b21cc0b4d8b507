#!/usr/bin/env bash
# Makes the image `debian:bookworm` locally, for hosts that cannot pull from a registry:
# debootstrap --variant=minbase, the apt sources of the official image (bookworm,
# bookworm-updates, bookworm-security), imported into podman. The root filesystem is cached
# as a tarball, so a second host-side run only imports it.
#
# Usage: docker/make-debian-base.sh [--force]
#   WGS_IMAGE_CACHE   cache directory (default: /var/cache/wgsidecar-image)
#   WGS_DEBIAN_MIRROR mirror for debootstrap and the image's sources (default: http://deb.debian.org/debian)
#   PODMAN            the podman command (default: podman --runtime runc)
# Does nothing when the image exists, unless --force. Run as root.
set -euo pipefail
# shellcheck source=../scripts/lib/debian_sources.sh
source "$(dirname "$0")/../scripts/lib/debian_sources.sh"

cache=${WGS_IMAGE_CACHE:-/var/cache/wgsidecar-image}
mirror=${WGS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
read -r -a podman <<<"${PODMAN:-podman --runtime runc}"
image=debian:bookworm
tarball=$cache/debian-bookworm-minbase.tar

say() { echo "make-debian-base: $*"; }
die() { echo "make-debian-base: $*" >&2; exit 1; }

if [ "${1:-}" != --force ] && "${podman[@]}" image exists "$image"; then
  say "$image exists"
  exit 0
fi

if [ ! -s "$tarball" ] || [ "${1:-}" = --force ]; then
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
  install -d -m 755 "$cache"
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  say "debootstrap --variant=minbase bookworm (log: $cache/debootstrap.log)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed"; }
  write_debian_sources "$rootfs" "$mirror"
  # What debootstrap leaves behind that an image should not carry.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  : >"$rootfs/etc/resolv.conf"
  tar -C "$rootfs" --numeric-owner -cf "$tarball.new" . && mv "$tarball.new" "$tarball"
  say "cached $tarball"
fi

say "importing $tarball as $image"
"${podman[@]}" import --change 'CMD ["/bin/bash"]' "$tarball" "$image" >/dev/null
"${podman[@]}" image exists "$image" || die "podman import did not create $image"
say "$image ready"
