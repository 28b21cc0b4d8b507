#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A tunnel that goes stale through no fault of the edge: the hub's UDP blocked for longer
# than SIDECAR_STALE_AFTER and then let through again (the edge keeps its wireguard-go and
# its session), and the hub moved to a new address under the same name (the hub does not
# keep alive, so WireGuard's roaming cannot find the edge by itself). The monitor notices,
# recovers, and the app keeps its PID.
# Usage: monitor_stale_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: monitor_stale_test.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../lib/assert.sh
source "$here/../../lib/assert.sh"
# shellcheck source=../../lib/skip.sh
source "$here/../../lib/skip.sh"
needs_lab
# shellcheck source=../../lab/lab.sh
source "$here/../../lab/lab.sh"
# shellcheck source=lib.sh
source "$here/lib.sh"
mon_setup mon2- "$wgsidecar" --by-name
mon_start_app
expect_within "the tunnel works under the running app" 10 mon_tunnel_works
state_is_not_fresh() { local s; s=$(mon_status_json .tunnel.state) && echo "state $s" && [ "$s" != fresh ]; }
state_is_fresh() { local s; s=$(mon_status_json .tunnel.state) && echo "state $s" && [ "$s" = fresh ]; }

echo "hub UDP blocked past the stale threshold, then let through"
implementation_before=$(mon_userspace_pid)
lab_block_udp
expect_within "the monitor sees the tunnel stale" 20 state_is_not_fresh
expect_within "/readyz answers 503 meanwhile" 5 mon_http_is /readyz 503
# The edge's device keeps sending into the silence: a new interface would only lose the session.
expect_within "the ladder holds the interface step back while the device sends" 40 \
  mon_log_has "step 'interface' held back"
lab_unblock_udp
expect_within "the tunnel works again" 60 mon_tunnel_works
expect_within "the monitor sees it fresh again" 20 state_is_fresh
expect_within "the app was not restarted" 1 mon_app_alive
same_implementation() {
  local p
  p=$(mon_userspace_pid) && echo "wireguard-go $p (was $implementation_before)" && [ "$p" = "$implementation_before" ]
}
expect_within "the same wireguard-go carried the tunnel through the outage" 1 same_implementation

echo "the hub moves; its name follows it"
peer_steps_before=$(mon_recoveries peer)
new_addr=$(lab_move_hub)
endpoint_moved() { local e; e=$(at_edge wg show "$WG_INTERFACE" endpoints) && echo "$e" && [[ "$e" == *"$new_addr:"* ]]; }
expect_within "the edge's peer endpoint is the hub's new address" 60 endpoint_moved
# The rewritten hosts file (no TTL) is seen through inotify: the name is followed, not waited out.
expect_within "the monitor followed the name" 5 mon_log_has "hub.lab.internal now resolves to $new_addr"
expect_within "the tunnel works again" 30 mon_tunnel_works
more_peer_steps() { local n; n=$(mon_recoveries peer) && echo "peer steps $n (were $peer_steps_before)" && [ "$n" -gt "$peer_steps_before" ]; }
expect_within "/status counts the peer step" 5 more_peer_steps
expect_within "the app was not restarted" 1 mon_app_alive
expect_within "the same wireguard-go carried the tunnel to the moved hub" 1 same_implementation

mon_stop_sidecar
expect_eq "SIGTERM: the app's 143" 143 "$mon_status"
finish || { mon_dump_log; exit 1; }
