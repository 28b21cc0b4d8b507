# Kernel WireGuard under qemu: tests/kernel/vm-run.sh boots the kernel of linux-image-amd64
# (qemu-system-x86, busybox; see scripts/setup.sh) and runs each script inside it, as root,
# with the build tree shared. The guest's output streams into the test's output, so
# `ctest --output-on-failure` shows it; vm-run.sh's own deadline stops qemu before ctest's
# TIMEOUT would, and says so. One VM at a time: each takes 2 CPUs and 1 GiB.

# wgs_kernel_test(NAME VM_SECONDS SCRIPT ARGS...)
function(wgs_kernel_test name vm_seconds script)
  add_test(NAME ${name}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/vm-run.sh --share ${CMAKE_BINARY_DIR} --timeout ${vm_seconds}
                   ${CMAKE_CURRENT_LIST_DIR}/${script} ${ARGN})
  math(EXPR ctest_seconds "${vm_seconds} + 60")
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ctest_seconds} RESOURCE_LOCK wgsidecar_vm PROCESSORS 2
                                          LABELS kernel)
endfunction()

# The VM itself: kernel WireGuard between two namespaces with ip and wg, and our binary runs.
wgs_kernel_test(kernel_smoke 300 smoke.sh $<TARGET_FILE:wgsidecar> --version)
# sidecar/wireguard/kernel: WireGuard's generic netlink family: a multi-message set and dump, read back against `wg`.
wgs_kernel_test(kernel_netlink 300 ../integration/netlink_wireguard_test.sh $<TARGET_FILE:netlink_driver>)
# wgsidecar's kernel backend against a hub made with ip and wg: up, status, down, healing, run.
wgs_kernel_test(kernel_tunnel 600 kernel_tunnel.sh $<TARGET_FILE:wgsidecar>)
# `wgsidecar check` over kernel WireGuard to the lab's PostgreSQL.
wgs_kernel_test(kernel_check 600 kernel_check.sh $<TARGET_FILE:wgsidecar>)
# A hostile app as root over kernel WireGuard: without CAP_NET_ADMIN, WG_CMD_GET_DEVICE and
# `wg show` are refused (tests/integration/secrets/).
wgs_kernel_test(kernel_hostile_app 900 ../integration/secrets/hostile_app_test.sh $<TARGET_FILE:wgsidecar>
                $<TARGET_FILE:hostile_probe> root)
# `wgsidecar hub` on kernel WireGuard: two kernel-WireGuard machines enroll, leave, are pruned.
wgs_kernel_test(kernel_fleet 600 kernel_fleet.sh $<TARGET_FILE:wgsidecar> $<TARGET_FILE:contacts-api>)
