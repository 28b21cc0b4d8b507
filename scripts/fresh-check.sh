#!/usr/bin/env bash
# A newcomer's first run, checked: a fresh Debian 12 (debootstrap --variant=minbase bookworm,
# nothing else installed) in a chroot, a clean clone of COMMIT, then the README's two commands,
# scripts/demo.sh and scripts/test.sh, with their phases timed. The demo runs twice: on the
# fresh machine, then again on the machine that has built once.
#
# Usage: scripts/fresh-check.sh [COMMIT] [-- TEST_LABELS...]     (as root; default HEAD, all labels)
#   WGS_FRESH_DIR     where the root filesystems go (default /var/tmp/wgsidecar-fresh)
#   WGS_FRESH_BASE    a minbase tarball to start from (default: made once with debootstrap and
#                     cached as /var/cache/wgsidecar-fresh/bookworm-minbase.tar)
#   WGS_FRESH_KEEP=1  keep the root filesystem afterwards
#   WGS_DEBIAN_MIRROR (default http://deb.debian.org/debian)
# Downloaded packages are kept in the host's /var/cache/apt/archives (bind-mounted), as on a
# machine whose packages are already downloaded. Services the packages would start are not
# started (policy-rc.d), as in a container. Lab namespaces carry WGS_LAB_TAG (default fc).
#
# Not run in the chroot: the image label (podman would need a cgroup hierarchy and container
# storage of its own, which this check does not set up); it says so. Every other label runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=lib/phases.sh
source "$here/lib/phases.sh"
# shellcheck source=lib/debian_sources.sh
source "$here/lib/debian_sources.sh"

commit=HEAD
if [ $# -gt 0 ] && [ "$1" != -- ]; then commit=$1; shift; fi
[ "${1:-}" = -- ] && shift
labels=("$@")
[ ${#labels[@]} -gt 0 ] || labels=(unit lab kernel image fuzz)
if printf '%s\n' "${labels[@]}" | grep -qx image; then
  echo "fresh-check: label image skipped: podman inside the chroot would need a cgroup hierarchy and container storage of its own, which this check does not set up; on a machine: scripts/test.sh image"
  mapfile -t labels < <(printf '%s\n' "${labels[@]}" | grep -vx image)
fi

[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root (debootstrap, chroot, network namespaces)" >&2; exit 1; }
sha=$(git -C "$repo" rev-parse --verify "$commit^{commit}")
mirror=${WGS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=/var/cache/wgsidecar-fresh
base=${WGS_FRESH_BASE:-$cache/bookworm-minbase.tar}
work=${WGS_FRESH_DIR:-/var/tmp/wgsidecar-fresh}
rootfs=$work/root-${sha:0:12}
tag=${WGS_LAB_TAG:-fc}
mounts=()

cleanup() {
  local status=$? pid i
  [ "$status" = 0 ] || phases_summary "scripts/fresh-check.sh ${sha:0:12}: failed in this phase"
  # Whatever still runs inside the chroot (a test's server) ends with it.
  for pid in /proc/[0-9]*; do
    [ "$(readlink "$pid/root" 2>/dev/null)" = "$rootfs" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
  done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
  # Removed only once nothing is mounted inside: the apt archive is the host's own.
  if grep -qE " ${rootfs}[/ ]" /proc/mounts; then
    echo "fresh-check: something is still mounted under $rootfs: left in place" >&2
  elif [ "${WGS_FRESH_KEEP:-0}" != 1 ]; then
    rm -rf --one-file-system "$rootfs"
  fi
  return "$status"
}
trap cleanup EXIT

bind() { mkdir -p "$rootfs$2" && mount "${@:3}" "$1" "$rootfs$2" && mounts+=("$rootfs$2"); }

phase "fresh Debian 12 (minbase)"
if [ ! -s "$base" ]; then
  command -v debootstrap >/dev/null || { echo "fresh-check: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  install -d "$cache"
  tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
  echo "debootstrap --variant=minbase bookworm (once; log: $cache/debootstrap.log)"
  debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; rm -rf "$tmp"; exit 1; }
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  tar -C "$tmp" --numeric-owner -cf "$base.new" . && mv "$base.new" "$base"
  rm -rf "$tmp"
fi
rm -rf --one-file-system "$rootfs" && mkdir -p "$rootfs"
tar -C "$rootfs" --numeric-owner -xf "$base"
chmod 755 "$rootfs"  # a tarball made in a mktemp directory carries its 0700 root: / is 0755
# The root of the chroot must be a mount point: `ip netns` remounts / as a slave.
mount --bind "$rootfs" "$rootfs" && mounts+=("$rootfs")
write_debian_sources "$rootfs" "$mirror"
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d" && chmod +x "$rootfs/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
bind proc /proc -t proc
bind sysfs /sys -t sysfs
bind /dev /dev --rbind
bind tmpfs /run -t tmpfs
bind tmpfs /tmp -t tmpfs
bind /var/cache/apt/archives /var/cache/apt/archives --bind
echo "root filesystem: $rootfs ($(du -sh --one-file-system "$rootfs" | cut -f1))"

phase "clean clone of ${sha:0:12}"
git clone -q --no-local "$repo" "$rootfs/root/wgsidecar"
git -C "$rootfs/root/wgsidecar" checkout -q "$sha"
git -C "$rootfs/root/wgsidecar" log --oneline -1

# in_chroot CMD: CMD in the project's clone inside the fresh machine, with a plain environment.
in_chroot() {
  chroot "$rootfs" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 CI=true WGS_LAB_TAG="$tag" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /root/wgsidecar && $1"
}

phase "scripts/demo.sh (fresh machine)"
in_chroot scripts/demo.sh
phase "scripts/demo.sh (again: the machine has built once)"
in_chroot scripts/demo.sh
phase "scripts/test.sh ${labels[*]}"
set +e
in_chroot "scripts/test.sh ${labels[*]}"
status=$?
set -e
phases_summary "scripts/fresh-check.sh ${sha:0:12}"
echo "fresh-check: scripts/test.sh exited $status"
exit "$status"
