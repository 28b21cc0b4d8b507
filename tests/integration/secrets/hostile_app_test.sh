#!/usr/bin/env bash
# A hostile app under `wgsidecar run`, as root (the default on Fly) or as SIDECAR_APP_USER:
# it tries every channel to the tunnel's secrets and to the supervisor (hostile_app.sh),
# and each must give what the README's security section says. Everything wgsidecar writes
# (stdout, stderr at debug level, the health bodies, files under /run, /tmp and
# /var/run/wireguard) is scanned for the keys (base64 and hex) and the database password.
# With kernel WireGuard (tests/kernel runs it under qemu) the edge has no wireguard-go and no
# UAPI socket, and netlink is the channel that matters.
# Usage: hostile_app_test.sh WGSIDECAR HOSTILE_PROBE root|user
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: hostile_app_test.sh WGSIDECAR HOSTILE_PROBE root|user}")
probe=$(readlink -f "${2:?}")
mode=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../lib/assert.sh
source "$here/../../lib/assert.sh"
# shellcheck source-path=SCRIPTDIR source=../../lab/lab.sh
source "$here/../../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
sec_require_root_and_tools ip wg wireguard-go curl pgrep sha256sum od base64
sec_setup "ha${mode:0:1}-"
sec_install "$probe" "$here/hostile_app.sh"
notes=$sec_tmp/notes
mkdir -m 1777 "$notes"
if [ "$mode" = user ]; then export SIDECAR_APP_USER=65534:65534; fi
backend=userspace
[ -d /sys/module/wireguard ] && backend=kernel

echo "wgsidecar run -- a hostile app, as $mode, over the $backend backend"
sec_start "$sec_tmp/wgsidecar" "$wgsidecar" run -- "$sec_tmp/bin/hostile_app.sh" "$notes" "$sec_tmp/bin/hostile_probe" \
  "$WG_INTERFACE" "$sec_health_port"
# Minutes, not seconds: under qemu's software emulation every probe is slow.
if ! sec_wait 240 "$notes/hijack-start"; then
  fail "the app ran its probes"
  tail -n 30 "$sec_tmp/wgsidecar.err"
  cat "$notes/results"
  finish
fi
ifindex_before=$(ip netns exec "$sec_edge" cat "/sys/class/net/$WG_INTERFACE/ifindex")
answers=$sec_tmp/readyz
for _ in $(seq 40); do
  ip netns exec "$sec_edge" curl --noproxy '*' -sS -m 2 "http://127.0.0.1:$sec_health_port/readyz" >>"$answers" 2>&1 || true
  echo >>"$answers"
  sleep 0.05
done
sec_wait 60 "$notes/done" || fail "the app finished its probes"
result() { sed -n "s/^$1 //p" "$notes/results"; }
state() { result "$1" | cut -d: -f1; }
# expect_channel CHANNEL STATE: what the app got on CHANNEL, with its detail when it differs.
expect_channel() {
  local got
  got=$(result "$1")
  if [ "${got%%:*}" = "$2" ]; then pass "$1: $2"; else fail "$1: $2" "got: ${got:-nothing}"; fi
}

echo "its own environment"
expect_eq "it runs as $mode" "$([ "$mode" = user ] && echo 65534 || echo 0)" "$(cat "$notes/uid")"
for name in WG_PRIVATE_KEY WG_PRESHARED_KEY WG_CONFIG; do
  expect_not_contains "no $name" "$name" "$(cat "$notes/env-names")"
done
expect_eq "DB_PASSWORD, which it needs, is there" "$(sec_sha256 "$DB_PASSWORD")" "$(cat "$notes/db_password.sha256")"
expect_eq "descriptors 0, 1 and 2 only" "0 1 2" "$(cat "$notes/fds")"
if [ "$mode" = user ]; then
  expect_contains "no capabilities at all" "CapBnd:	0000000000000000" "$(cat "$notes/status")"
  expect_contains "none ambient" "CapAmb:	0000000000000000" "$(cat "$notes/status")"
  expect_contains "no_new_privs" "NoNewPrivs:	1" "$(cat "$notes/status")"
else
  expect_contains "Docker's default capabilities, without CAP_NET_ADMIN or CAP_SYS_PTRACE" \
    "CapBnd:	00000000a80425fb" "$(cat "$notes/status")"
  expect_contains "and uses them" "CapEff:	00000000a80425fb" "$(cat "$notes/status")"
fi

echo "the supervisor"
expect_channel proc_environ closed
expect_channel proc_cmdline open
expect_not_contains "its command line holds no key" "$WG_PRIVATE_KEY" "$(cat "$notes/cmdline")"
expect_channel proc_mem closed
expect_channel proc_fd_links closed
expect_channel proc_root closed
expect_channel pidfd_getfd closed
expect_channel ptrace closed
expect_channel signal "$([ "$mode" = user ] && echo closed || echo open)"
environ=$(tr '\0' '\n' <"/proc/$sec_pid/environ")
expect_contains "root with CAP_SYS_PTRACE still reads its environment block" "WG_ADDRESS=" "$environ"
for name in WG_PRIVATE_KEY WG_PRESHARED_KEY DB_PASSWORD; do
  expect_not_contains "where $name was wiped" "$name" "$environ"
done
expect_eq "and no secret is left in it" 0 "$(tr '\0' '\n' <"/proc/$sec_pid/environ" | grep -cF -f <(sec_secret_forms) || true)"

if [ "$backend" = userspace ]; then
  echo "wireguard-go"
  expect_channel wg_environ closed
  expect_channel wg_mem closed
  expect_channel wg_ptrace closed
  if [ "$mode" = user ]; then
    expect_channel uapi closed
    expect_channel wg_show closed
  else
    # Said plainly in the README: the socket is root's, and so is the app.
    expect_channel uapi open
    expect_channel wg_show open
    expect_eq "(wg show gives a root app the private key)" "$(sec_sha256 "$WG_PRIVATE_KEY")" "$(cat "$notes/wg_show.sha256")"
  fi
  expect_eq "the socket is root's alone" "srwx------ root root" "$(stat -c '%A %U %G' "/var/run/wireguard/$WG_INTERFACE.sock")"
  [ "$mode" = user ] && expect_channel uapi_dir_write closed
  if [ "$(state netlink)" = unavailable ]; then
    pass "netlink WG_CMD_GET_DEVICE: unavailable (this kernel has no WireGuard: $(result netlink))"
  else
    expect_channel netlink closed
  fi
else
  echo "kernel WireGuard"
  expect_channel netlink closed
  expect_channel wg_show closed
  expect_channel uapi closed
fi

echo "the tunnel"
for channel in link_down addr_flush route_del link_del; do expect_channel "$channel" closed; done
expect_status "the tunnel still works" 0 ip netns exec "$sec_edge" ping -c 1 -W 2 "$LAB_HUB_WG_ADDR"
expect_eq "(on the same interface)" "$ifindex_before" "$(ip netns exec "$sec_edge" cat "/sys/class/net/$WG_INTERFACE/ifindex")"

echo "the health port"
expect_channel hijack closed
expect_eq "every /readyz was answered by wgsidecar" 0 "$(grep -c hijacked "$answers" || true)"
expect_eq "(40 of them)" 40 "$(grep -cE '^(not )?ready' "$answers" || true)"
expect_contains "/status answered the app" '"tunnel"' "$(cat "$notes/health-status")"

echo "stopping"
kill -TERM "$sec_pid"
set +e
wait "$sec_pid"
code=$?
set -e
sec_pid=
expect_eq "wgsidecar passes the app's end on (143)" 143 "$code"

echo "no secret in anything wgsidecar wrote"
expect_contains "(the log is at debug level)" "debug" "$(cat "$sec_tmp/wgsidecar.err")"
expect_eq "stdout, stderr, the health bodies, the app's notes" "" "$(sec_files_with_secrets "$sec_tmp")"
expect_eq "files under /run, /tmp and /var/run/wireguard (the lab's own key files aside)" "" \
  "$(sec_files_with_secrets /run /tmp /var/run/wireguard)"
finish
