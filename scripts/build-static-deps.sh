#!/usr/bin/env bash
# Builds the static library a fully static wgsidecar needs and Debian 12 does not ship:
# libpq without GSSAPI and LDAP (Debian's libpq.a needs libgssapi_krb5.a and libldap.a,
# which Debian does not package), with the libpgcommon and libpgport it calls. It comes from
# the Debian source package of the installed libpq-dev, Debian patches applied, so the static
# build matches the system's headers. Our patches in scripts/patches/libpq are applied on top
# (each says why in its own text).
#
# Usage: scripts/build-static-deps.sh [PREFIX]
#   PREFIX          install prefix (default: $WGS_DEPS_PREFIX, else /opt/wgsidecar-deps)
#   WGS_DEPS_WORK   download and build directory (default: /var/cache/wgsidecar-deps)
#   WGS_DEPS_JOBS   parallel make jobs (default: nproc)
# Idempotent: a stamp per library in PREFIX/share/wgsidecar-deps records the wanted version
# and build recipe; when it matches and every output exists, that library is left alone.
# Run as root (apt-get).
set -euo pipefail

prefix=${1:-${WGS_DEPS_PREFIX:-/opt/wgsidecar-deps}}
work=${WGS_DEPS_WORK:-/var/cache/wgsidecar-deps}
jobs=${WGS_DEPS_JOBS:-$(nproc)}
stamps=$prefix/share/wgsidecar-deps

# Everything libpq can do without in a program that opens one TLS connection.
pg_configure_flags=(
  --without-gssapi --without-ldap --with-ssl=openssl
  --without-readline --without-icu --without-zlib --without-llvm
  --without-lz4 --without-zstd --without-libxml --without-systemd --without-pam --disable-nls
)
pg_cflags="-O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2"
libpq_patches=$(cd "$(dirname "$0")" && pwd)/patches/libpq
libpq_recipe="configure ${pg_configure_flags[*]} CFLAGS=$pg_cflags patches=$(cat "$libpq_patches"/*.patch | sha256sum | cut -c1-16)"
libpq_outputs=(lib/libpq.a lib/libpgcommon.a lib/libpgport.a
  include/libpq-fe.h include/libpq-events.h include/postgres_ext.h include/pg_config_ext.h)

say() { echo "build-static-deps: $*"; }
die() { echo "build-static-deps: $*" >&2; exit 1; }

# Runs a build step with its output in LOG, shown (the end of it) only when the step fails.
logged() {
  local log=$1; shift
  "$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; die "failed: $* (full log: $log)"; }
}

install_packages() {
  local needed=(dpkg-dev build-essential patch libssl-dev libpq-dev) missing=() package
  for package in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Prints a deb-src twin of every enabled deb stanza of a deb822 .sources file: same URIs,
# Suites, Components and Signed-By (continuation lines of an inline key included).
deb_src_twin() {
  awk 'BEGIN { RS = ""; ORS = "\n" }
    {
      n = split($0, lines, "\n"); body = ""; is_deb = 0; enabled = 1
      for (i = 1; i <= n; i++) {
        line = lines[i]
        if (line ~ /^#/) continue
        if (line ~ /^Types:/) { if (line ~ /[ \t]deb([ \t]|$)/) is_deb = 1; continue }
        if (line ~ /^Enabled:[ \t]*[Nn]o/) enabled = 0
        body = body line "\n"
      }
      if (is_deb && enabled) printf "Types: deb-src\n%s\n", body
    }' "$1"
}

# Versions of a source package apt knows, newest first.
source_versions() {
  apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -rVu
}

# apt-get source needs deb-src indexes; add them next to the Debian archive's deb entry once.
enable_deb_src() {
  local package=$1
  if [ -n "$(source_versions "$package")" ]; then return; fi
  # shellcheck disable=SC2016 # $(CREATED_BY) is apt's field syntax, not the shell's
  if ! apt-get indextargets --format '$(CREATED_BY)' | grep -qx Sources; then
    local debian=/etc/apt/sources.list.d/debian.sources legacy=/etc/apt/sources.list
    if [ -f "$debian" ]; then
      say "enabling deb-src in /etc/apt/sources.list.d/wgsidecar-src.sources"
      deb_src_twin "$debian" >/etc/apt/sources.list.d/wgsidecar-src.sources
    elif [ -f "$legacy" ]; then
      say "enabling deb-src in /etc/apt/sources.list.d/wgsidecar-src.list"
      sed -n 's/^deb[ \t]/deb-src /p' "$legacy" >/etc/apt/sources.list.d/wgsidecar-src.list
    else
      die "no Debian apt source ($debian or $legacy) to derive a deb-src entry from"
    fi
  fi
  say "apt-get update (deb-src indexes)"
  apt-get update -qq
  [ -n "$(source_versions "$package")" ] || die "apt knows no source package $package"
}

# Downloads and unpacks a source package into $work/src; sets $unpacked to its tree and
# $unpacked_version to its version. Prefers the wanted (installed) version; when the mirror
# lacks its source (some carry binaries only, e.g. for security updates), takes the newest
# other version of the same source package: for postgresql-15 the same major release, so
# the same libpq API.
fetch_source() {
  local package=$1 wanted=$2 version dir
  enable_deb_src "$package"
  for version in "$wanted" $(source_versions "$package" | grep -vxF "$wanted"); do
    dir="$work/src/${package}_$version"
    if [ ! -f "$dir/.unpacked" ]; then
      say "downloading source $package $version"
      rm -rf "$dir" && mkdir -p "$dir"
      if ! (cd "$dir" && apt-get source -qq -o APT::Sandbox::User=root --only-source \
              "$package=$version" >/dev/null 2>"$dir/.apt-errors"); then
        say "source $package $version cannot be downloaded: $(grep -m1 '^E:' "$dir/.apt-errors" || true)"
        rm -rf "$dir"
        continue
      fi
      touch "$dir/.unpacked"
    fi
    unpacked=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -print -quit)
    unpacked_version=$version
    [ -n "$unpacked" ] || die "no source tree in $dir"
    return
  done
  die "no version of source package $package can be downloaded from the configured apt sources"
}

# apply_patches SOURCE: each of our libpq patches, once (the unpacked source is kept between
# runs, so a patch already in it is recognised by its reverse applying cleanly).
apply_patches() {
  local source=$1 patch
  for patch in "$libpq_patches"/*.patch; do
    patch -d "$source" -p1 -R -s -f --dry-run <"$patch" >/dev/null 2>&1 && continue
    say "applying $(basename "$patch")"
    patch -d "$source" -p1 -s -f <"$patch" >/dev/null || die "$(basename "$patch") does not apply to $source"
  done
}

build_libpq() {
  local source=$1 build="$work/build/postgresql"
  apply_patches "$source"
  say "configuring postgresql for libpq"
  rm -rf "$build" && mkdir -p "$build"
  local log="$build/build.log"
  (cd "$build" && CFLAGS="$pg_cflags" logged "$log" "$source/configure" "${pg_configure_flags[@]}")
  say "building libpq, libpgcommon, libpgport"
  logged "$log" make -C "$build/src/backend" generated-headers
  # The _shlib variants are what libpq.so links: PIC, and without the frontend helpers
  # that print and exit() (a client library must never end its host's process).
  logged "$log" make -C "$build/src/port" -j"$jobs" libpgport_shlib.a
  logged "$log" make -C "$build/src/common" -j"$jobs" libpgcommon_shlib.a
  # Empty SHLIB_PREREQS: the two archives above are all libpq needs, so skip the
  # submake that would also build the backend and non-shlib variants.
  logged "$log" make -C "$build/src/interfaces/libpq" -j"$jobs" libpq.a SHLIB_PREREQS=
  install -d "$prefix/lib" "$prefix/include"
  install -m 644 "$build/src/interfaces/libpq/libpq.a" "$prefix/lib/libpq.a"
  install -m 644 "$build/src/common/libpgcommon_shlib.a" "$prefix/lib/libpgcommon.a"
  install -m 644 "$build/src/port/libpgport_shlib.a" "$prefix/lib/libpgport.a"
  install -m 644 "$source/src/interfaces/libpq/libpq-fe.h" "$source/src/interfaces/libpq/libpq-events.h" \
    "$source/src/include/postgres_ext.h" "$build/src/include/pg_config_ext.h" "$prefix/include/"
}

# ensure_component NAME DEV_PACKAGE RECIPE OUTPUT...: runs build_NAME on the source of
# DEV_PACKAGE's installed version unless the stamp matches and every OUTPUT exists.
ensure_component() {
  local name=$1 dev_package=$2 recipe=$3; shift 3
  local wanted expected output complete=yes
  wanted=$(dpkg-query -W -f='${source:Package} ${source:Version}' "$dev_package")
  expected=$(printf '%s\n' "prefix=$prefix" "wanted=$wanted" "recipe=$recipe")
  for output in "$@"; do [ -f "$prefix/$output" ] || complete=no; done
  if [ "$complete" = yes ] && [ "$(cat "$stamps/$name.stamp" 2>/dev/null)" = "$expected" ]; then
    say "$name up to date in $prefix (from source $(cat "$stamps/$name.built" 2>/dev/null || echo "$wanted"))"
    return
  fi
  rm -f "$stamps/$name.stamp"
  local unpacked unpacked_version
  fetch_source "${wanted% *}" "${wanted#* }"
  "build_$name" "$unpacked"
  for output in "$@"; do [ -f "$prefix/$output" ] || die "$name: $prefix/$output was not installed"; done
  install -d "$stamps"
  echo "${wanted% *} $unpacked_version" >"$stamps/$name.built"
  printf '%s\n' "$expected" >"$stamps/$name.stamp"
  say "$name installed in $prefix (from source ${wanted% *} $unpacked_version)"
}

install_packages
ensure_component libpq libpq-dev "$libpq_recipe" "${libpq_outputs[@]}"
