#!/usr/bin/env bash
# Builds a statically linked wireguard-go for the FROM-scratch image. Debian's own
# /usr/bin/wireguard-go is a PIE linked against libc.so.6 (`file` says "dynamically linked"),
# so it cannot run in an image without a libc. This builds the same Debian source
# (golang-golang.zx2c4-wireguard-dev ships it, main.go included, from source package
# wireguard-go) with Debian's Go toolchain and Debian's golang.org/x libraries, in GOPATH mode
# as Debian does, with CGO_ENABLED=0: the result is static. No module proxy, no network
# besides the Debian mirror for the packages.
#
# Usage: docker/build-wireguard-go.sh [PREFIX]
#   PREFIX          install prefix (default: $WGS_DEPS_PREFIX, else /opt/wgsidecar-deps);
#                   the binary lands in PREFIX/bin/wireguard-go
#   WGS_DEPS_WORK   Go build cache lives in WORK/go-cache (default: /var/cache/wgsidecar-deps)
# Idempotent: a stamp records the package version; the same version is not built twice.
# Run as root (apt-get).
set -euo pipefail

prefix=${1:-${WGS_DEPS_PREFIX:-/opt/wgsidecar-deps}}
work=${WGS_DEPS_WORK:-/var/cache/wgsidecar-deps}
stamp=$prefix/share/wgsidecar-deps/wireguard-go.stamp
output=$prefix/bin/wireguard-go
source_package=golang-golang.zx2c4-wireguard-dev
gopath=/usr/share/gocode
packages=(golang-go "$source_package" file)

say() { echo "build-wireguard-go: $*"; }
die() { echo "build-wireguard-go: $*" >&2; exit 1; }

install_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  local main=$gopath/src/golang.zx2c4.com/wireguard
  [ -f "$main/main.go" ] || die "$main/main.go is missing (is $source_package installed?)"
  say "building from $main (CGO_ENABLED=0)"
  install -d "$prefix/bin" "$work"
  (cd "$main" && env GOPATH="$gopath" GO111MODULE=off CGO_ENABLED=0 GOFLAGS= GOCACHE="$work/go-cache" \
    go build -trimpath -ldflags '-s -w' -o "$output.new" .) || die "go build failed"
  file "$output.new" | grep -q "statically linked" || die "the result is not statically linked: $(file -b "$output.new")"
  mv "$output.new" "$output"
}

install_packages
version=$(dpkg-query -W -f='${Version}' "$source_package")
if [ -x "$output" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  say "up to date in $output ($source_package $version)"
  exit 0
fi
build
install -d "$(dirname "$stamp")"
echo "$version" >"$stamp"
say "installed $output ($source_package $version)"
