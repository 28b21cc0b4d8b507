#!/usr/bin/env bash
# Inside the qemu VM (bench/kernel.sh starts it): the netns lab with the hub on kernel WireGuard,
# then bench/startup.sh's starts with WG_BACKEND=kernel, recorded as scenario startup:kernel.
# Usage: kernel_vm.sh BENCH_OUT WGSIDECAR RUNS
set -euo pipefail
BENCH_OUT=$1 WGSIDECAR=$2
runs=$3
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCH_ROOT=$(cd "$BENCH_DIR/.." && pwd)
export BENCH_OUT BENCH_DIR BENCH_ROOT WGSIDECAR
[ -d /sys/module/wireguard ] || { echo "kernel_vm: no WireGuard in this kernel (run it under tests/kernel/vm-run.sh)"; exit 2; }
source "$BENCH_ROOT/tests/lab/lab.sh"
source "$BENCH_DIR/lib.sh"
source "$BENCH_DIR/startup.sh"

prefix=bk-
lab_use_prefix "$prefix"
trap 'lab_down >/dev/null 2>&1 || true' EXIT
lab_up --prefix "$prefix" >/dev/null
lab_hub_wg_down
lab_hub_wg_up --kernel
BENCH_BACKEND=kernel bench_startup "$prefix" "$runs" startup:kernel
