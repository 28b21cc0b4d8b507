#!/usr/bin/env bash
# Installs everything wgsidecar needs to build and test on Debian 12, then builds the
# static libpq Debian does not ship (one without GSSAPI/LDAP).
# Idempotent: a second run only checks. Run as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  # build
  build-essential cmake pkg-config git file clang
  libsodium-dev libboost-dev libpq-dev nlohmann-json3-dev libfmt-dev doctest-dev libssl-dev libc-ares-dev
  # the real peers the tests run against
  wireguard-tools wireguard-go iproute2 nftables iputils-ping postgresql-15 postgresql-client-15 openssl
  # a Debian kernel with WireGuard, booted under qemu for the kernel backend's tests
  linux-image-amd64 qemu-system-x86
  # test tools
  jq curl procps psmisc netcat-openbsd busybox python3
  # the image (docker/, tests/image): podman with runc, debootstrap for a local debian:bookworm,
  # Debian's Go and wireguard-go source for a static wireguard-go, PyYAML for the compose check
  podman runc debootstrap golang-go golang-golang.zx2c4-wireguard-dev python3-yaml
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian postgresql package starts a cluster on 5432 in the root namespace; the tests
# run their own servers inside namespaces and do not need it.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
  pg_ctlcluster 15 main stop 2>/dev/null || true
fi

"$root/scripts/build-static-deps.sh"
echo "setup: done"
