#!/bin/sh
# What wg-quick's users run beside it for a hub behind a DNS name (the idea of WireGuard's
# contrib reresolve-dns, written for the bench): every PERIOD seconds, when the peer's latest
# handshake is older than 135 s (or there was none), set its endpoint again by name, so `wg`
# resolves it afresh. No interface restart.
# Usage: reresolve.sh INTERFACE PEER_PUBLIC_KEY HOST:PORT [PERIOD (30)]
iface=$1 peer=$2 endpoint=$3 period=${4:-30}
while :; do
  sleep "$period"
  latest=$(wg show "$iface" latest-handshakes | awk -v k="$peer" '$1 == k {print $2}')
  now=$(date +%s)
  if [ -z "$latest" ] || [ "$latest" = 0 ] || [ $((now - latest)) -gt 135 ]; then
    wg set "$iface" peer "$peer" endpoint "$endpoint" || true
  fi
done
