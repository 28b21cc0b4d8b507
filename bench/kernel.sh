# shellcheck shell=bash
# Scenario 1 on kernel WireGuard: the same starts as bench/startup.sh — the seed's entrypoint.sh
# (wg-quick creates a kernel link) against `wgsidecar run` with the kernel backend — taking turns
# in one lab inside the qemu VM of tests/kernel (this machine's kernel has no WireGuard module).
# Software emulation (TCG) makes every figure slower than on real hardware: compare the two
# columns with each other, not with the userspace rows.

# bench_kernel BUILD RUNS: boots the VM once; bench/kernel_vm.sh writes the samples.
bench_kernel() {
  local build=$1 runs=$2
  if ! "$BENCH_ROOT/tests/kernel/vm-run.sh" --share "$build" --share "$BENCH_OUT:rw" --timeout 1200 \
    "$BENCH_DIR/kernel_vm.sh" "$BENCH_OUT" "$WGSIDECAR" "$runs" >"$BENCH_OUT/logs/kernel-vm.log" 2>&1; then
    bench_log "the kernel scenario failed (see $BENCH_OUT/logs/kernel-vm.log)"
    note startup "Kernel backend against wg-quick under qemu: the VM run failed; see logs/kernel-vm.log."
    return 0
  fi
  note startup "startup:kernel: both ends on kernel WireGuard inside a qemu VM under software emulation (TCG), so slower than the userspace rows; $runs starts of each, taking turns, in one boot."
}
