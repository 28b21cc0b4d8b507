#!/bin/sh
# The seed's EC2 hub: WireGuard on udp/51820 as 10.50.0.1/24 with the edge as its peer, DNAT of
# tcp/5432 arriving through the tunnel to the database, masquerade towards it. wireguard-go
# stands in for the kernel module so the lab runs on any Docker host.
set -eu
WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error wireguard-go -f wg0 &
wg_pid=$!
trap 'kill "$wg_pid" 2>/dev/null; exit 0' TERM INT
i=0
until wg show wg0 >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { echo "hub: wireguard-go did not start" >&2; exit 1; }
  sleep 0.1
done
wg set wg0 listen-port 51820 private-key /secrets/hub.key \
  peer "$(cat /secrets/edge.pub)" allowed-ips 10.50.3.10/32
ip addr add 10.50.0.1/24 dev wg0
ip link set wg0 mtu 1420 up
ip route add 10.50.3.10/32 dev wg0
nft -f - <<NFT
table inet hub {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept;
    iifname "wg0" tcp dport 5432 dnat ip to 198.51.100.10:5432
  }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept;
    ip daddr 198.51.100.10 tcp dport 5432 masquerade
  }
}
NFT
echo "hub: up; public key $(cat /secrets/hub.pub)"
wait "$wg_pid"
