#!/bin/bash
# =============================================================================
# The WireGuard hub on EC2 (Ubuntu 22.04 / Debian 12), as cloud-init user data: the seed's
# "edgeProxy Hub" script, with three changes —
#   * the hub's private key is generated on the instance and never leaves it (the seed pasted
#     it into the user data, which anyone with ec2:DescribeInstanceAttribute can read);
#   * the DNAT/masquerade rules live in wg0.conf's PostUp/PostDown, so they come and go with
#     the interface and survive reboots through wg-quick@wg0 (no separate restore service);
#   * the edge's [Peer] is the stanza `wgsidecar hub-peer` prints (PersistentKeepalive kept).
#
# Fill in the three values below, then launch (Step 9 of the seed's guide):
#   aws ec2 run-instances ... --user-data file://fly/hub-cloud-init.sh
# Read the hub's public key from the log, for the edge's WG_PEER_PUBLIC_KEY secret:
#   ssh ubuntu@HUB sudo cat /etc/wireguard/hub.pub     (also at the end of /var/log/userdata.log)
# =============================================================================
set -euo pipefail
exec > >(tee /var/log/userdata.log) 2>&1

# --- fill in ---------------------------------------------------------------------------------
# The edges' [Peer] stanzas, as `wgsidecar hub-peer` prints them. May stay empty at the first
# launch (the edge needs the hub's public key before hub-peer can run): append the stanza to
# /etc/wireguard/wg0.conf later and run `wg syncconf wg0 <(wg-quick strip wg0)`.
EDGE_PEERS=''
# The database the hub forwards tcp/5432 to (the RDS endpoint's name or a private IP).
RDS_HOST='edgeproxy-contacts-db.xxxxxxxx.eu-west-1.rds.amazonaws.com'
HUB_ADDRESS='10.50.0.1/24'
# ---------------------------------------------------------------------------------------------

echo "=== wgsidecar hub setup started: $(date) ==="
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wireguard-tools iptables dnsutils netcat-openbsd

# Resolve RDS once (its address changes only on failover or modification: re-run
# `systemctl restart wg-quick@wg0` then, or point RDS_HOST at an RDS Proxy).
if [[ "$RDS_HOST" =~ ^[0-9.]+$ ]]; then
  RDS_IP=$RDS_HOST
else
  RDS_IP=$(dig +short "$RDS_HOST" A | grep -E '^[0-9.]+$' | tail -n 1 || true)
fi
[ -n "$RDS_IP" ] || { echo "ERROR: could not resolve $RDS_HOST"; exit 1; }
echo "RDS $RDS_HOST -> $RDS_IP"

install -d -m 700 /etc/wireguard
if [ ! -f /etc/wireguard/hub.key ]; then
  (umask 077 && wg genkey >/etc/wireguard/hub.key)
fi
wg pubkey </etc/wireguard/hub.key >/etc/wireguard/hub.pub

# The private key is read from its file by PostUp, so wg0.conf itself holds no secret.
umask 077
cat >/etc/wireguard/wg0.conf <<EOF
[Interface]
Address = $HUB_ADDRESS
ListenPort = 51820
PostUp = wg set %i private-key /etc/wireguard/hub.key
PostUp = sysctl -w net.ipv4.ip_forward=1
PostUp = iptables -A FORWARD -i %i -j ACCEPT
PostUp = iptables -A FORWARD -o %i -j ACCEPT
PostUp = iptables -t nat -A PREROUTING -i %i -p tcp --dport 5432 -j DNAT --to-destination $RDS_IP:5432
PostUp = iptables -t nat -A POSTROUTING -d $RDS_IP -p tcp --dport 5432 -j MASQUERADE
PostDown = iptables -D FORWARD -i %i -j ACCEPT
PostDown = iptables -D FORWARD -o %i -j ACCEPT
PostDown = iptables -t nat -D PREROUTING -i %i -p tcp --dport 5432 -j DNAT --to-destination $RDS_IP:5432
PostDown = iptables -t nat -D POSTROUTING -d $RDS_IP -p tcp --dport 5432 -j MASQUERADE
$EDGE_PEERS
EOF

systemctl enable --now wg-quick@wg0
wg show wg0

echo "=== checking the database from the hub ==="
nc -z -w 5 "$RDS_IP" 5432 && echo "RDS reachable on 5432" || echo "RDS NOT reachable on 5432 (security group?)"

echo "=== done: $(date) ==="
echo "hub public key (the edge's WG_PEER_PUBLIC_KEY): $(cat /etc/wireguard/hub.pub)"
echo "hub tunnel address (the edge's DB_HOST): ${HUB_ADDRESS%/*}"
