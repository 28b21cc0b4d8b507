#!/bin/sh
# The seed's EC2 hub, beside `wgsidecar hub` (the "hub" service, which owns wg0 and enrolls
# the edges): in the hub's network namespace, DNAT of tcp/5432 arriving through the tunnel to
# the database and masquerade towards it, as fly/hub-cloud-init.sh does on EC2. The rules name
# wg0 and apply from the moment it appears.
set -eu
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
echo "hub: DNAT of tcp/5432 to the database in place"
trap 'exit 0' TERM INT
sleep infinity &
wait
