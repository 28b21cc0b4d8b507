# shellcheck shell=bash
# write_debian_sources ROOTFS MIRROR: the official debian:bookworm image's apt sources
# (bookworm, bookworm-updates, bookworm-security), in deb822 form, in place of the
# sources.list debootstrap writes. scripts/build-static-deps.sh derives its deb-src entries
# from this file.
write_debian_sources() {
  local rootfs=$1 mirror=$2
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF_SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF_SOURCES
}
