#!/usr/bin/env bash
# Installs what a job needs on Debian 12, and nothing more, then (for every job that builds)
# the static libpq Debian does not ship (scripts/build-static-deps.sh).
#
# Usage: scripts/setup.sh [--no-static-deps] [JOB...]        (default: demo)
#   --no-static-deps   packages only; scripts/build-static-deps.sh is left to the caller
#   build   compilers, CMake, the libraries wgsidecar and contacts-api link, ccache, ninja
#   demo    build + the lab the demo runs: wireguard-go, wireguard-tools, PostgreSQL 15, nftables
#   unit    build + what the unit-labelled tests call: wg, curl, PyYAML, shellcheck, promtool
#   lab     demo + unit + the integration tests' tools
#   kernel  lab + a Debian kernel and qemu (tests/kernel)
#   image   lab + podman, runc, debootstrap, Go and wireguard-go's source, a CA bundle (tests/image)
#   fuzz    build + clang and its libFuzzer runtime (tests/fuzz)
#   test    every test label: unit lab kernel image fuzz
# Idempotent: when nothing is missing it only checks, and needs no root; otherwise run it as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  echo "usage: scripts/setup.sh [--no-static-deps] [build|demo|unit|lab|kernel|image|fuzz|test]..." >&2
  exit 64
}

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git file
  libsodium-dev libboost-dev libpq-dev nlohmann-json3-dev libfmt-dev doctest-dev libssl-dev libc-ares-dev
)
# tests/lab/lab.sh: the hub (wireguard-go configured by wg, nftables), PostgreSQL with TLS, and
# the tools it and the demo call.
lab_packages=(
  wireguard-tools wireguard-go iproute2 nftables iputils-ping postgresql-15 postgresql-client-15
  openssl busybox jq curl procps
)
# promtool, which lints /metrics, comes only with Debian's prometheus package.
unit_packages=(wireguard-tools curl python3 python3-yaml shellcheck prometheus)
test_packages=(psmisc netcat-openbsd python3)
kernel_packages=(linux-image-amd64 qemu-system-x86 busybox)
# podman with runc, debootstrap for a local debian:bookworm, Debian's Go and wireguard-go
# source for a static wireguard-go, the CA bundle the image carries, PyYAML for the compose check.
image_packages=(podman runc debootstrap golang-go golang-golang.zx2c4-wireguard-dev ca-certificates python3-yaml)
# clang only recommends its fuzzer runtime, so --no-install-recommends needs it named.
fuzz_packages=(clang libclang-rt-14-dev)

packages=()
add_job() {
  local job
  case "$1" in
    build) packages+=("${build_packages[@]}") ;;
    demo) add_job build; packages+=("${lab_packages[@]}") ;;
    unit) add_job build; packages+=("${unit_packages[@]}") ;;
    lab) add_job demo; add_job unit; packages+=("${test_packages[@]}") ;;
    kernel) add_job lab; packages+=("${kernel_packages[@]}") ;;
    image) add_job lab; packages+=("${image_packages[@]}") ;;
    fuzz) add_job build; packages+=("${fuzz_packages[@]}") ;;
    test | all) for job in unit lab kernel image fuzz; do add_job "$job"; done ;;
    *) usage ;;
  esac
}
static_deps=1
if [ "${1:-}" = --no-static-deps ]; then static_deps=0; shift; fi
[ $# -gt 0 ] || set -- demo
for job in "$@"; do add_job "$job"; done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: $* needs ${missing[*]}: run as root: scripts/setup.sh $*" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian postgresql package starts a cluster on 5432 in the root namespace; the lab runs
# its own servers inside namespaces and does not need it.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
  pg_ctlcluster 15 main stop 2>/dev/null || true
fi

# Debian's prometheus package also starts a Prometheus server on :9090 where systemd runs; the
# tests need only its promtool.
if systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi

[ "$static_deps" = 0 ] || "$root/scripts/build-static-deps.sh"
echo "setup: done ($*)"
