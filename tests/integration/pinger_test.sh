#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The monitor's pinger in a network namespace of its own, over IPv4 and IPv6, a raw socket (root)
# and a ping socket: a reply read half a second after it came still gives the round trip the kernel saw,
# not the time it waited in the socket; a request nobody answers is unanswered, said with the
# host and the timeout. Usage: pinger_test.sh PATH/TO/pinger_driver. Needs root.
set -euo pipefail
driver=$(readlink -f "${1:?usage: pinger_test.sh PATH/TO/pinger_driver}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/assert.sh
source "$here/../lib/assert.sh"
# shellcheck source=../lib/skip.sh
source "$here/../lib/skip.sh"
needs_root "network namespaces"
needs_commands ip

ns=wgsping$$
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
at() { ip netns exec "$ns" "$@"; }
at sysctl -qw net.ipv4.ping_group_range="0 0"  # ping sockets for root's group, in this namespace

# ignore_echo HOST 0|1: whether the namespace answers echo requests to HOST's family.
ignore_echo() {
  if [[ $1 == *:* ]]; then at sysctl -qw net.ipv6.icmp.echo_ignore_all="$2"; else at sysctl -qw net.ipv4.icmp_echo_ignore_all="$2"; fi
}

for host in 127.0.0.1 ::1; do
  for kind in raw datagram; do
    echo "$host over a $kind socket"
    out=$(at "$driver" "$host" 500ms 1s "$kind" || true)
    expect_eq "the reply is found when read 500 ms later" "replied $kind" "$(awk '{print $1, $3}' <<<"$out")"
    expect_eq "its round trip is the kernel's receive time, not the 500 ms it waited to be read" yes \
      "$(awk '$1 == "replied" && $2 < 250 {print "yes"; exit} {print "no: " $0}' <<<"$out")"
    ignore_echo "$host" 1
    status=0
    out=$(at "$driver" "$host" 300ms 200ms "$kind") || status=$?
    ignore_echo "$host" 0
    expect_eq "with echo requests ignored: unanswered (exit 1)" 1 "$status"
    expect_eq "the error names the host and the timeout" "unanswered: no echo reply from $host within 200ms" "$out"
  done
done
finish
