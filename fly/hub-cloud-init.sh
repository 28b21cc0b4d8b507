#!/bin/bash
# =============================================================================
# The WireGuard hub on EC2 (Ubuntu 22.04 / Debian 12), as cloud-init user data: the seed's
# "edgeProxy Hub" script, run by `wgsidecar hub` under systemd instead of wg-quick —
#   * every Fly machine enrolls for a WireGuard key and an address of its own (10.50.3.0/24),
#     so one set of `fly secrets` serves any number of machines; silent machines are pruned;
#   * the hub's private key is generated on the instance and never leaves it (the seed pasted
#     it into the user data, which anyone with ec2:DescribeInstanceAttribute can read);
#   * the seed's edge key stays a static peer, and so a credential the machines enroll with:
#     the seed's secrets keep working, on one machine or many;
#   * DNAT of tcp/5432 to the database and the masquerade stay here, in a small script the
#     unit runs before the hub starts and after it stops.
#
# Fill in the values below, then launch (Step 9 of the seed's guide):
#   aws ec2 run-instances ... --user-data file://fly/hub-cloud-init.sh
# The security group must open udp/51820 (WireGuard) and tcp/51820 (enrollment).
# Read the hub's public key from the log, for the edges' WG_PEER_PUBLIC_KEY secret:
#   ssh ubuntu@HUB sudo cat /etc/wireguard/hub.pub     (also at the end of /var/log/userdata.log)
# =============================================================================
set -euo pipefail
exec > >(tee /var/log/userdata.log) 2>&1

# --- fill in ---------------------------------------------------------------------------------
# Where to get wgsidecar (a static x86-64 binary: build/sidecar/wgsidecar, or the one in the
# image: `docker create wgsidecar` + `docker cp`), and its SHA-256. Left empty, copy it to
# /usr/local/bin/wgsidecar yourself; the hub starts as soon as it is there.
WGSIDECAR_URL=''
WGSIDECAR_SHA256=''
# The seed's edge [Peer] stanza, as `wgsidecar hub-peer` prints it. Its key becomes the
# machines' credential. May stay empty when the edges use an enrollment token instead.
EDGE_PEERS=''
# Enrollment tokens' public lines (`wgsidecar hub token`), comma-separated; several while a
# token rotates.
HUB_TRUST=''
# The database the hub forwards tcp/5432 to (the RDS endpoint's name or a private IP).
RDS_HOST='edgeproxy-contacts-db.xxxxxxxx.eu-west-1.rds.amazonaws.com'
HUB_ADDRESS='10.50.0.1/24'
HUB_POOL='10.50.3.0/24'
# ---------------------------------------------------------------------------------------------

echo "=== wgsidecar hub setup started: $(date) ==="
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wireguard-tools iptables dnsutils netcat-openbsd curl

# Resolve RDS once (its address changes only on failover or modification: run
# `systemctl restart wgsidecar-hub` then, or point RDS_HOST at an RDS Proxy).
if [[ "$RDS_HOST" =~ ^[0-9.]+$ ]]; then
  RDS_IP=$RDS_HOST
else
  RDS_IP=$(dig +short "$RDS_HOST" A | grep -E '^[0-9.]+$' | tail -n 1 || true)
fi
[ -n "$RDS_IP" ] || { echo "ERROR: could not resolve $RDS_HOST"; exit 1; }
echo "RDS $RDS_HOST -> $RDS_IP"

if [ -n "$WGSIDECAR_URL" ]; then
  curl -fsSL -o /usr/local/bin/wgsidecar.new "$WGSIDECAR_URL"
  echo "$WGSIDECAR_SHA256  /usr/local/bin/wgsidecar.new" | sha256sum -c -
  install -m 755 /usr/local/bin/wgsidecar.new /usr/local/bin/wgsidecar && rm -f /usr/local/bin/wgsidecar.new
fi

install -d -m 700 /etc/wireguard /etc/wgsidecar
if [ ! -f /etc/wireguard/hub.key ]; then
  (umask 077 && wg genkey >/etc/wireguard/hub.key)
fi
wg pubkey </etc/wireguard/hub.key >/etc/wireguard/hub.pub

umask 077
# Static peers: the [Peer] stanzas of wg0.conf. A seed hub's wg0.conf is kept as it is (its
# [Interface] and PostUp lines are skipped); EDGE_PEERS, when given, replaces it.
if [ -n "$EDGE_PEERS" ] || [ ! -f /etc/wireguard/wg0.conf ]; then
  printf '%s\n' "$EDGE_PEERS" >/etc/wireguard/wg0.conf
fi
cat >/etc/wgsidecar/hub.env <<ENV
HUB_PRIVATE_KEY_FILE=/etc/wireguard/hub.key
HUB_INTERFACE=wg0
HUB_ADDRESS=$HUB_ADDRESS
HUB_LISTEN_PORT=51820
HUB_POOL=$HUB_POOL
HUB_PEERS_FILE=/etc/wireguard/wg0.conf
${HUB_TRUST:+HUB_TRUST=$HUB_TRUST}
HUB_EXPIRE_AFTER=5m
HUB_HEALTH_ADDR=127.0.0.1:9090
SIDECAR_LOG_FORMAT=json
ENV

# DNAT and masquerade, as the seed's PostUp/PostDown did: added before the hub starts,
# removed after it stops (rules on -i wg0 wait for the interface to appear).
cat >/usr/local/sbin/wgsidecar-hub-nat <<NAT
#!/bin/sh
op=-A; [ "\$1" = down ] && op=-D
sysctl -qw net.ipv4.ip_forward=1
iptables \$op FORWARD -i wg0 -j ACCEPT
iptables \$op FORWARD -o wg0 -j ACCEPT
iptables -t nat \$op PREROUTING -i wg0 -p tcp --dport 5432 -j DNAT --to-destination $RDS_IP:5432
iptables -t nat \$op POSTROUTING -d $RDS_IP -p tcp --dport 5432 -j MASQUERADE
exit 0
NAT
chmod 755 /usr/local/sbin/wgsidecar-hub-nat

cat >/etc/systemd/system/wgsidecar-hub.service <<'UNIT'
[Unit]
Description=wgsidecar hub: WireGuard for the Fly machines, each enrolled with its own key
After=network-online.target
Wants=network-online.target
ConditionPathExists=/usr/local/bin/wgsidecar

[Service]
EnvironmentFile=/etc/wgsidecar/hub.env
ExecStartPre=/usr/local/sbin/wgsidecar-hub-nat up
ExecStart=/usr/local/bin/wgsidecar hub
ExecStopPost=/usr/local/sbin/wgsidecar-hub-nat down
# State is soft: after a restart the machines enroll again by themselves.
Restart=always
RestartSec=2
KillSignal=SIGTERM

[Install]
WantedBy=multi-user.target
UNIT

# A hub set up by the seed's script: wg-quick gives the interface over to wgsidecar.
systemctl disable --now wg-quick@wg0 2>/dev/null || true
systemctl daemon-reload
systemctl enable wgsidecar-hub
if [ -x /usr/local/bin/wgsidecar ]; then
  systemctl start wgsidecar-hub
  sleep 2
  /usr/local/bin/wgsidecar hub status || true
else
  echo "copy wgsidecar to /usr/local/bin/wgsidecar, then: systemctl start wgsidecar-hub"
fi

echo "=== checking the database from the hub ==="
nc -z -w 5 "$RDS_IP" 5432 && echo "RDS reachable on 5432" || echo "RDS NOT reachable on 5432 (security group?)"

echo "=== done: $(date) ==="
echo "hub public key (the edges' WG_PEER_PUBLIC_KEY): $(cat /etc/wireguard/hub.pub)"
echo "hub tunnel address (the edges' DB_HOST): ${HUB_ADDRESS%/*}"
