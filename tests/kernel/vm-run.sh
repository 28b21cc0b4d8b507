#!/usr/bin/env bash
# Runs a test script as root inside a Debian kernel booted under qemu, for tests that need
# kernel features this machine's own kernel lacks (WireGuard over netlink).
#
#   tests/kernel/vm-run.sh [--share DIR[:rw]]... [--timeout SECONDS] SCRIPT [ARGS...]
#
# The guest sees the host's /usr and /etc (read-only; /etc has a throwaway overlay), the
# project tree and every --share at the same paths, tmpfs /run /tmp /var, devtmpfs /dev, and
# has the wireguard, veth and tun modules loaded. SCRIPT runs with bash, its output streams to
# stdout, and vm-run.sh exits with its status: 124 when the deadline passed (qemu is killed),
# 125 when the VM ended without a status (boot failure, kernel panic).
#
# Environment: WGS_VM_TIMEOUT (default 300 s, boot to poweroff), WGS_VM_CACHE (initramfs cache,
# default /var/cache/wgsidecar-vm), WGS_VM_KERNEL (a kernel version; default the one the
# linux-image-amd64 package depends on), WGS_VM_MEMORY (default 1G), WGS_VM_CPUS (default 2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)

usage() { echo "usage: $0 [--share DIR[:rw]]... [--timeout SECONDS] SCRIPT [ARGS...]" >&2; exit 2; }

shares=("$project:ro")
deadline=${WGS_VM_TIMEOUT:-300}
while [ $# -gt 0 ]; do
  case "$1" in
    --share) [ $# -ge 2 ] || usage; shares+=("$2"); shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; deadline=$2; shift 2 ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
[[ "$deadline" =~ ^[1-9][0-9]*$ ]] || { echo "vm-run: --timeout/WGS_VM_TIMEOUT must be whole seconds, got '$deadline'" >&2; exit 2; }
cache=${WGS_VM_CACHE:-/var/cache/wgsidecar-vm}
# Debian's kernel image in /boot is readable by root alone, and the packages come from apt.
[ "$(id -u)" = 0 ] || { echo "skipped: vm-run.sh needs root (it reads /boot and installs qemu)"; exit 77; }

# --- packages ----------------------------------------------------------------------------
ensure_packages() {
  local missing=()
  dpkg-query -W -f='${Status}' linux-image-amd64 2>/dev/null | grep -q "install ok installed" || missing+=(linux-image-amd64)
  command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
  command -v busybox >/dev/null || missing+=(busybox)
  [ ${#missing[@]} -eq 0 ] && return
  echo "vm-run: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}

# The plain amd64 kernel linux-image-amd64 points at; /boot may also hold others (an -rt one).
kernel_version() {
  if [ -n "${WGS_VM_KERNEL:-}" ]; then echo "$WGS_VM_KERNEL"; return; fi
  local depends
  depends=$(dpkg-query -W -f='${Depends}' linux-image-amd64)
  depends=${depends%%[ ,]*}
  echo "${depends#linux-image-}"
}

# --- initramfs ---------------------------------------------------------------------------
# Modules the initramfs loads itself, in dependency order: enough to mount 9p and overlayfs.
# The rest (wireguard, veth, tun) load later from the shared /usr/lib/modules.
early_modules() {
  local module
  for module in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -S "$1" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'
  done | awk '!seen[$0]++'
}

# Puts busybox at /bin/busybox in the initramfs tree, with the libraries it links if it
# is not the static build (Debian's busybox-static conflicts with the busybox package).
copy_busybox() {
  local tree=$1 busybox library
  busybox=$(readlink -f "$(command -v busybox)")
  install -D -m 0755 "$busybox" "$tree/bin/busybox"
  for library in $(ldd "$busybox" 2>/dev/null | grep -o '/[^ ]*' || true); do
    install -D -m 0755 "$(readlink -f "$library")" "$tree$library"
  done
}

unpack_module() { # SOURCE DEST: modules may be shipped compressed; busybox insmod wants them plain
  case "$1" in
    *.xz) xz -dc "$1" >"$2" ;;
    *.zst) zstd -qdc "$1" >"$2" ;;
    *.gz) gzip -dc "$1" >"$2" ;;
    *) cp "$1" "$2" ;;
  esac
}

build_initramfs() { # VERSION OUTPUT MODULES...
  local version=$1 output=$2 tree module name
  shift 2
  tree=$(mktemp -d "$cache/tree.XXXXXX")
  copy_busybox "$tree"
  mkdir -p "$tree/modules"
  install -m 0755 "$here/vm-init.sh" "$tree/init"
  for module in "$@"; do
    name=$(basename "$module"); name=${name%.ko*}.ko
    unpack_module "$module" "$tree/modules/$name"
    echo "$name" >>"$tree/modules/order"
  done
  (cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$output.tmp.$$"
  mv "$output.tmp.$$" "$output"
  rm -rf "$tree"
}

# Rebuilt whenever the init script, busybox or a module changes; old images are removed.
initramfs_for() {
  local version=$1 modules key output
  mapfile -t modules < <(early_modules "$version")
  [ ${#modules[@]} -gt 0 ] || { echo "vm-run: no 9p/virtio modules found for kernel $version" >&2; return 1; }
  mkdir -p "$cache"
  key=$( (echo "$version"; sha256sum "$here/vm-init.sh" "$(readlink -f "$(command -v busybox)")" "${modules[@]}") | sha256sum | cut -c1-16)
  output="$cache/initramfs-$version-$key.cpio.gz"
  if [ ! -s "$output" ]; then
    echo "vm-run: building $output" >&2
    build_initramfs "$version" "$output" "${modules[@]}"
    find "$cache" -maxdepth 1 -name "initramfs-$version-*.cpio.gz" ! -name "$(basename "$output")" -mmin +60 -delete
  fi
  echo "$output"
}

# --- run -----------------------------------------------------------------------------------
virtfs() { # PATH TAG ro|rw
  local readonly=""
  [ "$3" = ro ] && readonly=",readonly=on"
  echo "local,path=$1,mount_tag=$2,security_model=none,multidevs=remap$readonly"
}

main() {
  ensure_packages
  local version kernel initramfs run started status qemu_args=() i=0 share path mode
  version=$(kernel_version)
  kernel=/boot/vmlinuz-$version
  [ -r "$kernel" ] || { echo "vm-run: kernel $kernel not found (set WGS_VM_KERNEL?)" >&2; exit 2; }
  find "/usr/lib/modules/$version" -name 'wireguard.ko*' | grep -q . ||
    { echo "vm-run: kernel $version has no wireguard module" >&2; exit 2; }
  initramfs=$(initramfs_for "$version")

  run=$(mktemp -d "${TMPDIR:-/tmp}/wgsidecar-vm.XXXXXX")
  trap 'rm -rf "$run"' EXIT
  # If we are stopped, stop the VM too (timeout passes the signal on to qemu).
  trap 'stop_vm "$run"; exit 143' TERM
  trap 'stop_vm "$run"; exit 130' INT
  cp "$here/vm-guest.sh" "$run/guest.sh"
  printf '%s\0' "$@" >"$run/argv"
  pwd >"$run/cwd"
  : >"$run/shares"
  # Parents before children, so a nested share is mounted on top of its parent.
  while IFS= read -r share; do
    path=${share%:r[ow]}; mode=${share#"$path"}; mode=${mode#:}; mode=${mode:-ro}
    path=$(cd "$path" && pwd) || { echo "vm-run: --share $share: no such directory" >&2; exit 2; }
    i=$((i + 1))
    qemu_args+=(-virtfs "$(virtfs "$path" "h3s$i" "$mode")")
    echo "h3s$i $mode $path" >>"$run/shares"
  done < <(printf '%s\n' "${shares[@]}" | awk '{ print length($0) "\t" $0 }' | sort -n | cut -f2-)

  started=$(date +%s.%N)
  set +e # the status comes from PIPESTATUS; the kernel's last words are not test output
  ( echo "$BASHPID" >"$run/timeout.pid"; exec timeout -k 5 "$deadline" qemu-system-x86_64 -accel tcg -cpu max -smp "${WGS_VM_CPUS:-2}" \
    -m "${WGS_VM_MEMORY:-1G}" -nodefaults -no-user-config -display none -no-reboot \
    -chardev stdio,id=h3con,signal=on -serial chardev:h3con -nic none \
    -kernel "$kernel" -initrd "$initramfs" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init" \
    -virtfs "$(virtfs /usr usr ro)" -virtfs "$(virtfs /etc etc ro)" -virtfs "$(virtfs "$run" h3run rw)" \
    "${qemu_args[@]}" ) </dev/null 2> >(grep -v 'TCG doesn.t support requested feature' >&2) |
    sed -u -e 's/\r$//' -e '/^\[ *[0-9.]*\] reboot: Power down$/d'
  status=${PIPESTATUS[0]}
  set -e
  report_times "$started" "$run"
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "vm-run: deadline of ${deadline}s passed, qemu killed" >&2
    exit 124
  fi
  [ -s "$run/status" ] || { echo "vm-run: the VM ended without a status (qemu exit $status)" >&2; exit 125; }
  exit "$(cat "$run/status")"
}

# shellcheck disable=SC2317 # called from the signal traps
stop_vm() { # RUN_DIR
  [ -s "$1/timeout.pid" ] && kill -TERM "$(cat "$1/timeout.pid")" 2>/dev/null
  return 0
}

report_times() { # STARTED RUN_DIR
  local now script_started=""
  now=$(date +%s.%N)
  [ -e "$2/script-started" ] && script_started=$(stat -c %.9Y "$2/script-started")
  awk -v s="$1" -v b="$script_started" -v e="$now" 'BEGIN {
    if (b != "") printf "vm-run: boot to script %.1fs, total %.1fs\n", b - s, e - s
    else printf "vm-run: total %.1fs (the script never started)\n", e - s }' >&2
}

main "$@"
