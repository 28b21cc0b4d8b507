#!/usr/bin/env bash
# The seed's network in three namespaces, for the integration tests and by hand:
#
#   ${P}edge  the Fly machine: eth0 192.0.2.2/24 (2001:db8::2/64 with --ipv6); no WireGuard
#      |      until wgsidecar (or lab_edge_reference_up) brings it up
#   ${P}hub   the EC2 hub: eth-edge 192.0.2.1/24, wireguard-go ${P}hwg 10.50.0.1/24 on udp/51820,
#      |      nftables: DNAT iif wg tcp/5432 -> PostgreSQL, masquerade, forward accept
#   ${P}vpc   RDS: eth0 198.51.100.10/24 PostgreSQL 15 (ssl, scram); .11 a replica, :8080 a fake
#
# There is no default route anywhere: nothing in the lab can reach beyond it, and 10.50.0.1 is
# reachable from the edge only through the tunnel.
#
# CLI:     lab.sh [--prefix P] up [--ipv6] [--edge-wg|--no-edge-wg] | down | env [--by-name] | status
#          lab.sh [--prefix P] HELPER [ARGS]   runs lab_HELPER (e.g. `lab.sh --prefix t1- pg-stop`)
# Library: source lab.sh; lab_up --prefix t1-; ...; lab_down   (LAB_PREFIX may be set before sourcing)
#
# Keys, the database password and the CA live in /run/wgsidecar-lab/$P (never in the tree).
# `env` prints them, since its purpose is to hand the edge its configuration.

LAB_STATE_ROOT=/run/wgsidecar-lab
LAB_PG_BIN=/usr/lib/postgresql/15/bin
LAB_UAPI_DIR=/var/run/wireguard
LAB_HUB_NAME=hub.lab.internal
LAB_WG_PORT=51820
LAB_HUB_WG_ADDR=10.50.0.1
LAB_WG_NET=10.50.0.0/24
LAB_EDGE_WG_ADDR=10.50.3.10
LAB_HUB_VPC_ADDR=198.51.100.1
LAB_PG_ADDR=198.51.100.10
LAB_REPLICA_ADDR=198.51.100.11
LAB_FAKE_PORT=8080
LAB_DB_NAME=contacts
LAB_DB_USER=postgres
# An RDS-like endpoint name: what `lab_pg_cert rds` makes the server's certificate name, and
# nothing else (no IP), signed by a CA of its own standing in for the RDS bundle.
LAB_RDS_NAME=mydb.abc123.us-east-1.rds.amazonaws.com

# Underlay addresses: [0] edge, [1] hub, [2] where lab_move_hub puts the hub.
LAB_UNDERLAY4=(192.0.2.2 192.0.2.1 192.0.2.11)
LAB_UNDERLAY6=(2001:db8::2 2001:db8::1 2001:db8::11)

lab__log() { printf 'lab: %s\n' "$*" >&2; }
lab__fail() { lab__log "$*"; return 1; }

# lab__must WHAT CMD...: run CMD; on failure say what we were doing.
lab__must() {
  local what=$1
  shift
  "$@" || lab__fail "$what failed (exit $?)"
}

# lab__wait SECONDS WHAT CMD...: poll CMD every 0.1 s until it succeeds or the deadline passes.
lab__wait() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { lab__log "timed out waiting for $what"; return 1; }
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------
# Names

# lab_use_prefix P: select the lab the other functions act on, and load its saved settings.
lab_use_prefix() {
  local p=${1:-} tag=${WGS_LAB_TAG:-}
  # WGS_LAB_TAG (a few letters) goes before every prefix, so two checkouts can run the same
  # tests on one machine at once without meeting in each other's namespaces.
  [ -n "$tag" ] && [[ "$p" != "$tag"* ]] && p=$tag$p
  # Interface names are ${P}hwg/${P}ewg/${P}wg0 and must fit in 15 characters.
  [[ "$p" =~ ^[a-z0-9][a-z0-9-]{0,11}$ ]] || { lab__log "prefix must match [a-z0-9][a-z0-9-]{0,11}"; return 1; }
  LAB_PREFIX=$p
  LAB_NS_EDGE=${p}edge
  LAB_NS_HUB=${p}hub
  LAB_NS_VPC=${p}vpc
  LAB_HUB_WG=${p}hwg           # the hub's wireguard-go interface
  LAB_EDGE_REF_WG=${p}ewg      # lab_edge_reference_up's interface
  LAB_EDGE_WG=${p}wg0          # the name to give wgsidecar (WG_INTERFACE in `env`)
  LAB_STATE=$LAB_STATE_ROOT/$p
  LAB_PG=$LAB_STATE/pg         # owned by postgres: data dirs, sockets, TLS key, logs
  LAB_CA=$LAB_STATE/ca.crt
  LAB_RDS_CA=$LAB_STATE/rds-ca.crt  # the stand-in for the RDS global bundle
  LAB_IPV6=0
  LAB_HUB_ADDR=
  lab__load_conf
}

# The saved settings are re-read by the functions that use them, so that a change made in a
# subshell (`new=$(lab_move_hub)`) or by another process is seen.
lab__load_conf() {
  if [ -f "$LAB_STATE/lab.conf" ]; then
    # shellcheck source=/dev/null
    source "$LAB_STATE/lab.conf"
  fi
  [ -n "$LAB_HUB_ADDR" ] || LAB_HUB_ADDR=$(lab__underlay 1)
}

# lab__underlay INDEX: an underlay address (0 edge, 1 hub, 2 hub moved) for the current family.
lab__underlay() {
  if [ "$LAB_IPV6" = 1 ]; then echo "${LAB_UNDERLAY6[$1]}"; else echo "${LAB_UNDERLAY4[$1]}"; fi
}
lab__underlay_len() { if [ "$LAB_IPV6" = 1 ]; then echo 64; else echo 24; fi; }
# lab__underlay_add NS DEV ADDR: with nodad, an IPv6 address is usable at once instead of after
# duplicate address detection.
lab__underlay_add() {
  local extra=()
  [ "$LAB_IPV6" = 1 ] && extra=(nodad)
  ip -n "$1" addr add "$3/$(lab__underlay_len)" dev "$2" "${extra[@]}"
}

# lab_ns edge|hub|vpc|FULLNAME: the namespace's full name.
lab_ns() {
  case "$1" in
    edge) echo "$LAB_NS_EDGE" ;;
    hub) echo "$LAB_NS_HUB" ;;
    vpc) echo "$LAB_NS_VPC" ;;
    *) echo "$1" ;;
  esac
}

# lab_exec NS CMD...: run CMD inside a lab namespace (edge, hub, vpc or a full name).
lab_exec() {
  local ns
  ns=$(lab_ns "$1")
  shift
  ip netns exec "$ns" "$@"
}

# lab_endpoint [--by-name]: the hub's WireGuard endpoint as the edge should dial it.
lab_endpoint() {
  lab__load_conf
  local host=$LAB_HUB_ADDR
  [ "${1:-}" = --by-name ] && host=$LAB_HUB_NAME
  if [[ "$host" == *:* ]]; then echo "[$host]:$LAB_WG_PORT"; else echo "$host:$LAB_WG_PORT"; fi
}

lab__save_conf() {
  printf 'LAB_IPV6=%s\nLAB_HUB_ADDR=%s\n' "$LAB_IPV6" "$LAB_HUB_ADDR" > "$LAB_STATE/lab.conf"
}

# ---------------------------------------------------------------------------------------------
# Processes

# lab__spawn NS NAME CMD...: start CMD in the background inside NS, logging to NAME.log,
# its pid in NAME.pid. `ip netns exec` and `env` exec, so the pid is CMD's own.
lab__spawn() {
  local ns=$1 name=$2
  shift 2
  (cd / && exec ip netns exec "$ns" "$@") >>"$LAB_STATE/$name.log" 2>&1 </dev/null &
  echo $! > "$LAB_STATE/$name.pid"
}

lab__alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# lab__stop_pid PID: TERM, then KILL after a deadline.
lab__stop_pid() {
  local pid=$1 deadline=$((SECONDS + 5))
  lab__alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while lab__alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  if lab__alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
}

# lab__stop_named NAME: stop the process recorded in NAME.pid (and its direct children).
lab__stop_named() {
  local file=$LAB_STATE/$1.pid pid child
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if lab__alive "$pid"; then
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do lab__stop_pid "$child"; done
    lab__stop_pid "$pid"
  fi
  rm -f "$file"
}

lab__running() { [ -f "$LAB_STATE/$1.pid" ] && lab__alive "$(cat "$LAB_STATE/$1.pid")"; }

# lab__as_postgres CMD...: run a PostgreSQL program as user postgres inside the vpc namespace.
lab__as_postgres() {
  (cd / && exec ip netns exec "$LAB_NS_VPC" setpriv --reuid=postgres --regid=postgres --init-groups \
    env -i PATH="$LAB_PG_BIN:/usr/bin:/bin" LC_ALL=C.UTF-8 "$@")
}

# ---------------------------------------------------------------------------------------------
# Network

lab__net_create() {
  local ns
  for ns in "$LAB_NS_EDGE" "$LAB_NS_HUB" "$LAB_NS_VPC"; do
    lab__must "ip netns add $ns" ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up || return 1
  done
  # Created directly inside the namespaces, so the fixed names never meet in the root namespace.
  lab__must "creating the edge-hub veth" \
    ip link add eth0 netns "$LAB_NS_EDGE" type veth peer name eth-edge netns "$LAB_NS_HUB" || return 1
  lab__must "creating the hub-vpc veth" \
    ip link add eth-vpc netns "$LAB_NS_HUB" type veth peer name eth0 netns "$LAB_NS_VPC" || return 1
  lab__underlay_add "$LAB_NS_EDGE" eth0 "$(lab__underlay 0)" || return 1
  lab__underlay_add "$LAB_NS_HUB" eth-edge "$LAB_HUB_ADDR" || return 1
  ip -n "$LAB_NS_HUB" addr add "$LAB_HUB_VPC_ADDR/24" dev eth-vpc || return 1
  ip -n "$LAB_NS_VPC" addr add "$LAB_PG_ADDR/24" dev eth0 || return 1
  ip -n "$LAB_NS_VPC" addr add "$LAB_REPLICA_ADDR/24" dev eth0 || return 1
  ip -n "$LAB_NS_EDGE" link set eth0 up && ip -n "$LAB_NS_HUB" link set eth-edge up &&
    ip -n "$LAB_NS_HUB" link set eth-vpc up && ip -n "$LAB_NS_VPC" link set eth0 up || return 1
  lab__must "enabling forwarding on the hub" ip netns exec "$LAB_NS_HUB" sysctl -qw net.ipv4.ip_forward=1
}

# The edge resolves the hub by name through /etc/netns/${P}edge/hosts (bind-mounted by
# `ip netns exec`); resolv.conf points at the edge's own loopback so no query leaves the lab.
# Written in place, not renamed over: a process already running under `ip netns exec` holds
# the bind mount of the old file, and must see the hub move.
lab__hosts_write() {
  local dir=/etc/netns/$LAB_NS_EDGE
  mkdir -p "$dir" || return 1
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n' "$LAB_HUB_ADDR" "$LAB_HUB_NAME" > "$dir/hosts" || return 1
  [ -f "$dir/resolv.conf" ] || printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$dir/resolv.conf"
}

# lab_move_hub [ADDR]: move the hub's underlay address (default: to the alternate address and
# back) and point hub.lab.internal at it. The old address becomes a black hole. Prints ADDR.
lab_move_hub() {
  lab__load_conf
  local new=${1:-} len old=$LAB_HUB_ADDR
  len=$(lab__underlay_len)
  if [ -z "$new" ]; then
    new=$(lab__underlay 2)
    [ "$old" = "$new" ] && new=$(lab__underlay 1)
  fi
  [ "$new" = "$old" ] && { echo "$new"; return 0; }
  # Deleting first: deleting a primary address would also take a secondary in its subnet.
  ip -n "$LAB_NS_HUB" addr del "$old/$len" dev eth-edge || return 1
  lab__underlay_add "$LAB_NS_HUB" eth-edge "$new" || return 1
  LAB_HUB_ADDR=$new
  lab__save_conf && lab__hosts_write || return 1
  echo "$new"
}

# lab_set_underlay_mtu N: an MTU black hole between edge and hub. The hub's side of the underlay
# gets MTU N while the edge's stays 1500, as if a hop in the middle had it: the edge's bigger
# packets are dropped without any ICMP, and the fragments the hub makes towards the edge are
# dropped on the way out. N >= 1500 removes the fault.
lab_set_underlay_mtu() {
  local mtu=${1:-}
  if ! [[ "$mtu" =~ ^[0-9]+$ ]] || [ "$mtu" -lt 1280 ] || [ "$mtu" -gt 9000 ]; then
    lab__log "lab_set_underlay_mtu: N must be 1280..9000"
    return 1
  fi
  ip -n "$LAB_NS_HUB" link set eth-edge mtu "$mtu" || return 1
  ip netns exec "$LAB_NS_HUB" nft delete table netdev lab_mtu 2>/dev/null || true
  [ "$mtu" -ge 1500 ] && return 0
  ip netns exec "$LAB_NS_HUB" nft -f - <<'EOF'
table netdev lab_mtu {
  chain egress {
    type filter hook egress device "eth-edge" priority filter; policy accept;
    ip frag-off & 0x3fff != 0 drop
    ip6 nexthdr ipv6-frag drop
  }
}
EOF
}

# ---------------------------------------------------------------------------------------------
# Hub firewall: the seed's cloud-init rules in nft syntax, rendered from the lab's state so
# each fault helper changes one input and re-applies the whole table atomically.

lab__dnat_target() {
  local target
  target=$(cat "$LAB_STATE/dnat_target" 2>/dev/null) || target=primary
  case "$target" in
    primary) echo "$LAB_PG_ADDR:5432" ;;
    replica) echo "$LAB_REPLICA_ADDR:5432" ;;
    fake) echo "$LAB_PG_ADDR:$LAB_FAKE_PORT" ;;
    *) echo "$target" ;;
  esac
}

lab__hub_nft_render() {
  local target addr port
  target=$(lab__dnat_target)
  addr=${target%:*} port=${target##*:}
  echo "table inet lab"
  echo "delete table inet lab"
  echo "table inet lab {"
  echo "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;"
  [ "$target" = none ] || echo "    iifname \"$LAB_HUB_WG\" tcp dport 5432 dnat ip to $target"
  echo "  }"
  echo "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;"
  [ "$target" = none ] || echo "    ip daddr $addr tcp dport $port masquerade"
  echo "  }"
  echo "  chain forward { type filter hook forward priority filter; policy accept;"
  echo "    iifname \"$LAB_HUB_WG\" accept"
  echo "    oifname \"$LAB_HUB_WG\" accept"
  echo "  }"
  echo "  chain input { type filter hook input priority filter; policy accept;"
  [ -f "$LAB_STATE/udp_blocked" ] && echo "    udp dport $LAB_WG_PORT drop"
  echo "  }"
  echo "}"
}

lab__hub_nft_apply() {
  lab__hub_nft_render | ip netns exec "$LAB_NS_HUB" nft -f - || lab__fail "applying the hub's nftables rules failed"
}

# lab_set_dnat_target primary|replica|fake|none|ADDR:PORT: where the hub sends tcp/5432.
lab_set_dnat_target() {
  case "${1:-}" in
    primary | replica | fake | none | *:*) echo "$1" > "$LAB_STATE/dnat_target" ;;
    *) lab__log "lab_set_dnat_target: expected primary, replica, fake, none or ADDR:PORT"; return 1 ;;
  esac
  lab__hub_nft_apply
}

lab_remove_dnat() { lab_set_dnat_target none; }
lab_restore_dnat() { lab_set_dnat_target primary; }

# The hub drops WireGuard's UDP on arrival (a security group that lost its rule).
lab_block_udp() { touch "$LAB_STATE/udp_blocked" && lab__hub_nft_apply; }
lab_unblock_udp() { rm -f "$LAB_STATE/udp_blocked" && lab__hub_nft_apply; }

# ---------------------------------------------------------------------------------------------
# WireGuard

lab__keys_generate() {
  local side
  for side in hub edge; do
    (umask 077 && wg genkey > "$LAB_STATE/$side.key") || return 1
    wg pubkey < "$LAB_STATE/$side.key" > "$LAB_STATE/$side.pub" || return 1
  done
}

# lab__wg_start NS IFNAME PIDNAME: run wireguard-go in the foreground, in the background of this
# shell, and wait for its UAPI socket.
lab__wg_start() {
  local ns=$1 ifname=$2 name=$3
  lab__running "$name" && { lab__log "$name is already running"; return 1; }
  rm -f "$LAB_UAPI_DIR/$ifname.sock"
  lab__spawn "$ns" "$name" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL="${LAB_WG_LOG_LEVEL:-error}" wireguard-go -f "$ifname"
  lab__wait 10 "wireguard-go $ifname" lab__wg_ready "$ns" "$ifname" "$name" || return 1
  lab__running "$name" || lab__fail "wireguard-go $ifname exited (see $LAB_STATE/$name.log)"
}

# Ready when wg can read the device, or when there is no point waiting any more.
lab__wg_ready() { ip netns exec "$1" wg show "$2" >/dev/null 2>&1 || ! lab__running "$3"; }

# lab_hub_wg_up [--kernel]: start the hub's WireGuard as the seed's wg0.conf describes it,
# except that the hub does not keep alive (the edge does). wireguard-go, or with --kernel the
# kernel's WireGuard (inside the qemu VM of tests/kernel, where the module exists).
# shellcheck disable=SC2120 # tests/kernel and bench/kernel_vm.sh pass --kernel
lab_hub_wg_up() {
  local ns=$LAB_NS_HUB
  if [ "${1:-}" = --kernel ]; then
    lab__must "creating the hub's kernel WireGuard" ip -n "$ns" link add "$LAB_HUB_WG" type wireguard || return 1
  else
    lab__wg_start "$ns" "$LAB_HUB_WG" hub-wg || return 1
  fi
  lab__must "configuring the hub's WireGuard" ip netns exec "$ns" wg set "$LAB_HUB_WG" \
    listen-port "$LAB_WG_PORT" private-key "$LAB_STATE/hub.key" \
    peer "$(cat "$LAB_STATE/edge.pub")" allowed-ips "$LAB_EDGE_WG_ADDR/32" || return 1
  # wg-quick routes each peer's allowed IPs; the edge's /32 lies outside the hub's /24.
  ip -n "$ns" addr add "$LAB_HUB_WG_ADDR/24" dev "$LAB_HUB_WG" &&
    ip -n "$ns" link set "$LAB_HUB_WG" mtu 1420 up &&
    ip -n "$ns" route add "$LAB_EDGE_WG_ADDR/32" dev "$LAB_HUB_WG" || lab__fail "addressing $LAB_HUB_WG failed"
}

# lab_hub_wg_down: the hub's WireGuard stops (wireguard-go exits, its interface disappears).
lab_hub_wg_down() {
  lab__stop_named hub-wg
  rm -f "$LAB_UAPI_DIR/$LAB_HUB_WG.sock"
  ip -n "$LAB_NS_HUB" link del "$LAB_HUB_WG" 2>/dev/null || true  # a kernel one
}

# lab__route_mtu NS DEST: the MTU of the route towards DEST, as wg-quick finds it.
lab__route_mtu() {
  local route dev
  route=$(ip -n "$1" -o route get "$2") || return 1
  if [[ "$route" =~ mtu\ ([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; return 0; fi
  [[ "$route" =~ dev\ ([^ ]+) ]] || return 1
  dev=${BASH_REMATCH[1]}
  ip -n "$1" -o link show dev "$dev" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}

# lab_edge_reference_up: the edge side brought up the way the seed's wg-quick does it, to prove
# the lab works without wgsidecar. The endpoint is given by name, resolved through the hosts file.
lab_edge_reference_up() {
  local ns=$LAB_NS_EDGE ifname=$LAB_EDGE_REF_WG mtu
  lab__load_conf
  lab__wg_start "$ns" "$ifname" edge-wg || return 1
  lab__must "configuring the edge's WireGuard" ip netns exec "$ns" wg set "$ifname" \
    private-key "$LAB_STATE/edge.key" peer "$(cat "$LAB_STATE/hub.pub")" \
    endpoint "$(lab_endpoint --by-name)" allowed-ips "$LAB_WG_NET" persistent-keepalive 25 || return 1
  mtu=$(lab__route_mtu "$ns" "$LAB_HUB_ADDR") || return 1
  ip -n "$ns" addr add "$LAB_EDGE_WG_ADDR/32" dev "$ifname" &&
    ip -n "$ns" link set "$ifname" mtu $((mtu - 80)) up &&
    ip -n "$ns" route add "$LAB_WG_NET" dev "$ifname" || lab__fail "addressing $ifname failed"
}

lab_edge_reference_down() {
  lab__stop_named edge-wg
  rm -f "$LAB_UAPI_DIR/$LAB_EDGE_REF_WG.sock"
}

# lab_wait_tunnel [SECONDS]: wait until the edge reaches 10.50.0.1 through the tunnel.
lab_wait_tunnel() {
  lab__wait "${1:-10}" "a ping through the tunnel" ip netns exec "$LAB_NS_EDGE" ping -c1 -W1 "$LAB_HUB_WG_ADDR"
}

# ---------------------------------------------------------------------------------------------
# TLS: a lab CA and a server certificate valid for DB_HOST and the vpc addresses; and an
# RDS-like pair: a second CA, and a certificate that names only $LAB_RDS_NAME (as RDS's names
# only the endpoint), for verify-full through the hub with hostaddr. `lab_pg_cert` chooses.

lab__tls_config() {
  cat > "$LAB_STATE/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $ENV::LAB_SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# lab__tls_pair CA_FILE CA_NAME SERVER_CN SAN OUT: a CA, and a server key and certificate signed
# by it in $LAB_PG/tls/OUT.{key,crt}. Nothing is signed after this: the CA key goes.
lab__tls_pair() {
  local ca=$1 ca_name=$2 cn=$3 san=$4 out=$LAB_PG/tls/$5 cnf=$LAB_STATE/openssl.cnf
  local newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  (umask 077 && export LAB_SAN=$san &&
    openssl req -x509 -config "$cnf" -extensions ca "${newkey[@]}" -keyout "$LAB_STATE/ca.key" \
      -out "$ca" -days 7 -subj "/CN=$ca_name $LAB_PREFIX" &&
    openssl req -new -config "$cnf" "${newkey[@]}" -keyout "$out.key" -out "$LAB_STATE/server.csr" -subj "/CN=$cn" &&
    openssl x509 -req -in "$LAB_STATE/server.csr" -CA "$ca" -CAkey "$LAB_STATE/ca.key" \
      -set_serial "0x$(openssl rand -hex 8)" -days 7 -extfile "$cnf" -extensions server \
      -out "$out.crt") >/dev/null 2>>"$LAB_STATE/openssl.log" ||
    lab__fail "making the lab certificates failed (see $LAB_STATE/openssl.log)" || return 1
  rm -f "$LAB_STATE/ca.key" "$LAB_STATE/server.csr"
  chmod 644 "$ca" && chown postgres:postgres "$out.key" "$out.crt"
}

lab__tls_generate() {
  install -d -o postgres -g postgres -m 700 "$LAB_PG/tls" && lab__tls_config || return 1
  lab__tls_pair "$LAB_CA" "wgsidecar lab CA" "$LAB_HUB_WG_ADDR" \
    "IP:$LAB_HUB_WG_ADDR,IP:$LAB_PG_ADDR,IP:$LAB_REPLICA_ADDR,DNS:db.lab.internal" server &&
    lab__tls_pair "$LAB_RDS_CA" "wgsidecar lab RDS-like CA" "$LAB_RDS_NAME" "DNS:$LAB_RDS_NAME" rds
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

lab__pg_conf() {
  cat <<EOF
# wgsidecar lab
port = 5432
ssl_cert_file = '$LAB_PG/tls/server.crt'
ssl_key_file = '$LAB_PG/tls/server.key'
password_encryption = 'scram-sha-256'
shared_buffers = 16MB
max_connections = 30
max_wal_size = 32MB
min_wal_size = 4MB
fsync = off
synchronous_commit = off
full_page_writes = off
# ssl = on|off (lab_pg_ssl_off/on)
include_if_exists 'lab_runtime.conf'
# listen_addresses and unix_socket_directories of this node (primary or replica)
include_if_exists 'lab_node.conf'
EOF
}

# lab__pg_node_conf DATADIR ADDR SOCKDIR
lab__pg_node_conf() {
  printf "listen_addresses = '%s'\nunix_socket_directories = '%s'\n" "$2" "$3" > "$1/lab_node.conf" &&
    chown postgres:postgres "$1/lab_node.conf"
}

# With ssl=off no hostssl line can match, so the fault adds a plain host line.
lab__pg_hba() {
  local ssl=$1
  printf '# wgsidecar lab\n'
  printf 'local all postgres peer\nlocal replication postgres peer\n'
  printf 'hostssl all all 0.0.0.0/0 scram-sha-256\n'
  [ "$ssl" = off ] && printf 'host all all 0.0.0.0/0 scram-sha-256\n'
  return 0
}

# lab__pg_write_runtime SSL: ssl on|off, and the certificate `lab_pg_cert` chose (lab by default).
lab__pg_write_runtime() {
  local data=$LAB_PG/data ssl=$1 cert
  cert=$(lab__pg_cert_file)
  printf '%s\n' "$ssl" > "$LAB_STATE/pg_ssl" &&
    printf "ssl = %s\nssl_cert_file = '%s.crt'\nssl_key_file = '%s.key'\n" "$ssl" "$cert" "$cert" \
      > "$data/lab_runtime.conf" &&
    lab__pg_hba "$ssl" > "$data/pg_hba.conf" &&
    chown postgres:postgres "$data/lab_runtime.conf" "$data/pg_hba.conf"
}

lab__pg_cert_file() {
  if [ "$(cat "$LAB_STATE/pg_cert" 2>/dev/null)" = rds ]; then echo "$LAB_PG/tls/rds"; else echo "$LAB_PG/tls/server"; fi
}

# lab_pg_cert lab|rds: the primary presents the lab certificate (IP SANs, the lab CA) or the
# RDS-like one (only $LAB_RDS_NAME, signed by $LAB_RDS_CA). Returns once the server uses it.
lab_pg_cert() {
  case "${1:-}" in lab | rds) ;; *) lab__fail "lab_pg_cert: lab or rds" || return 1 ;; esac
  printf '%s\n' "$1" > "$LAB_STATE/pg_cert" &&
    lab__pg_write_runtime "$(cat "$LAB_STATE/pg_ssl" 2>/dev/null || echo on)" && lab__pg_ctl data reload &&
    lab__pg_wait_setting ssl_cert_file "$(lab__pg_cert_file).crt"
}

lab__pg_init() {
  local data=$LAB_PG/data
  lab__as_postgres initdb -D "$data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
    -E UTF8 --locale=C --wal-segsize=1 -N >"$LAB_STATE/initdb.log" 2>&1 ||
    lab__fail "initdb failed (see $LAB_STATE/initdb.log)" || return 1
  lab__pg_conf >> "$data/postgresql.conf" || return 1
  lab__pg_node_conf "$data" "$LAB_PG_ADDR" "$LAB_PG/sock" && lab__pg_write_runtime on
}

# lab_psql_local [--replica] ARGS...: psql as postgres over the node's Unix socket, in the vpc.
lab_psql_local() {
  local sock=$LAB_PG/sock
  [ "${1:-}" = --replica ] && { sock=$LAB_PG/replica-sock; shift; }
  lab__as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -U postgres "$@"
}

# The password is random, reaches the server on psql's stdin and is stored hashed (scram).
lab__pg_bootstrap() {
  local password
  password=$(openssl rand -hex 24) || return 1
  (umask 077 && printf '%s\n' "$password" > "$LAB_STATE/db_password" &&
    printf '*:*:*:%s:%s\n' "$LAB_DB_USER" "$password" > "$LAB_STATE/pgpass") || return 1
  printf "ALTER ROLE postgres PASSWORD '%s';\nCREATE DATABASE %s;\n" "$password" "$LAB_DB_NAME" |
    lab_psql_local -d postgres -f - || lab__fail "setting up the database failed"
}

# lab__pg_ctl NODE ACTION [ARGS]: pg_ctl for node data|replica with a deadline.
lab__pg_ctl() {
  local node=$1 action=$2
  shift 2
  lab__as_postgres pg_ctl -D "$LAB_PG/$node" -l "$LAB_PG/$node.log" -w -t 20 -s "$@" "$action"
}

# lab_pg_start / lab_pg_stop: the primary runs (stops); both do nothing if it already does.
lab_pg_start() {
  lab__pg_running data && return 0
  lab__pg_ctl data start || lab__fail "starting PostgreSQL failed (see $LAB_PG/data.log)"
}
lab_pg_stop() {
  lab__pg_running data || return 0
  lab__pg_ctl data stop -m fast
}
lab__pg_running() { lab__as_postgres pg_ctl -D "$LAB_PG/$1" status >/dev/null 2>&1; }

# lab__pg_wait_setting NAME VALUE: a reload is asynchronous; wait until it took effect.
lab__pg_wait_setting() {
  lab__wait 10 "PostgreSQL setting $1=$2" lab__pg_setting_is "$1" "$2"
}
lab__pg_setting_is() { [ "$(lab_psql_local -d postgres -Atc "SHOW $1")" = "$2" ]; }

# lab_pg_ssl_off / lab_pg_ssl_on: the server stops (resumes) offering TLS; while off, plain
# connections with a password are accepted.
lab_pg_ssl_off() { lab__pg_set_ssl off; }
lab_pg_ssl_on() { lab__pg_set_ssl on; }
lab__pg_set_ssl() {
  lab__pg_write_runtime "$1" && lab__pg_ctl data reload && lab__pg_wait_setting ssl "$1"
}

# lab_replica_start: a streaming hot standby of the primary at 198.51.100.11:5432 (read-only;
# pg_is_in_recovery() is true). Point the hub at it with `lab_set_dnat_target replica`.
lab_replica_start() {
  local replica=$LAB_PG/replica
  if [ ! -d "$replica" ]; then
    lab__as_postgres pg_basebackup -D "$replica" -h "$LAB_PG/sock" -U postgres -R -X stream \
      -c fast -N >"$LAB_STATE/basebackup.log" 2>&1 ||
      lab__fail "pg_basebackup failed (see $LAB_STATE/basebackup.log)" || return 1
    lab__pg_node_conf "$replica" "$LAB_REPLICA_ADDR" "$LAB_PG/replica-sock" || return 1
  fi
  lab__pg_running replica && return 0
  lab__pg_ctl replica start || lab__fail "starting the replica failed (see $LAB_PG/replica.log)"
}

lab_replica_stop() {
  [ -d "$LAB_PG/replica" ] && lab__pg_running replica || return 0
  lab__pg_ctl replica stop -m fast
}

# ---------------------------------------------------------------------------------------------
# A non-PostgreSQL service behind the hub's tcp/5432

# lab_fake_listener_start: an HTTP-speaking service on the vpc's port 8080 (busybox nc, one
# process per connection) and the hub's DNAT pointed at it; TCP connects, PostgreSQL does not.
lab_fake_listener_start() {
  local script=$LAB_STATE/fake-server.sh
  lab__running fake && return 0
  cat > "$script" <<'EOF'
#!/bin/sh
# Answers any client as an HTTP server would; reads what it is sent so closing does not reset.
head -c 8 >/dev/null
printf 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
exec cat >/dev/null
EOF
  chmod 700 "$script"
  lab__spawn "$LAB_NS_VPC" fake busybox nc -ll -p "$LAB_FAKE_PORT" -e "$script"
  lab__wait 5 "the fake listener" lab__listening "$LAB_NS_VPC" "$LAB_FAKE_PORT" || return 1
  lab_set_dnat_target fake
}

lab_fake_listener_stop() {
  lab__stop_named fake
  lab_set_dnat_target primary
}

lab__listening() { [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ]; }

# ---------------------------------------------------------------------------------------------
# Clients in the edge

# lab_edge_psql SQL [CONNINFO...]: psql from the edge to DB_HOST with verify-full against the lab
# CA; extra conninfo words override (e.g. sslmode=disable). Fails within connect_timeout.
lab_edge_psql() {
  local sql=$1
  shift
  ip netns exec "$LAB_NS_EDGE" env PGPASSFILE="$LAB_STATE/pgpass" PGCONNECT_TIMEOUT=5 psql -X -At \
    "host=$LAB_HUB_WG_ADDR port=5432 user=$LAB_DB_USER dbname=$LAB_DB_NAME sslmode=verify-full sslrootcert=$LAB_CA $*" \
    -c "$sql"
}

# lab_env [--by-name]: export lines with the edge's configuration in the seed's variable names.
# WG_INTERFACE is unique per prefix because UAPI sockets are shared between namespaces.
lab_env() {
  [ -f "$LAB_STATE/edge.key" ] || { lab__log "no lab with prefix $LAB_PREFIX is up"; return 1; }
  printf 'export %s=%q\n' \
    WG_PRIVATE_KEY "$(cat "$LAB_STATE/edge.key")" \
    WG_ADDRESS "$LAB_EDGE_WG_ADDR/32" \
    WG_PEER_PUBLIC_KEY "$(cat "$LAB_STATE/hub.pub")" \
    WG_PEER_ENDPOINT "$(lab_endpoint "$@")" \
    WG_INTERFACE "$LAB_EDGE_WG" \
    DB_HOST "$LAB_HUB_WG_ADDR" \
    DB_PORT 5432 \
    DB_USER "$LAB_DB_USER" \
    DB_PASSWORD "$(cat "$LAB_STATE/db_password")" \
    DB_NAME "$LAB_DB_NAME" \
    PGSSLROOTCERT "$LAB_CA"
}

# ---------------------------------------------------------------------------------------------
# Up, down, status

lab__check_tools() {
  local tool missing=()
  for tool in ip wg wireguard-go nft openssl psql busybox setpriv ss "$LAB_PG_BIN/pg_ctl"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] || lab__fail "missing tools: ${missing[*]} (run scripts/setup.sh)"
}

lab__exists() {
  local ns
  for ns in "$LAB_NS_EDGE" "$LAB_NS_HUB" "$LAB_NS_VPC"; do
    [ -e "/run/netns/$ns" ] && return 0
  done
  [ -e "$LAB_STATE" ]
}

lab__state_init() {
  install -d -m 711 "$LAB_STATE_ROOT" || return 1
  # Root-only except that postgres may traverse to its own subdirectory.
  install -d -o root -g postgres -m 710 "$LAB_STATE" || return 1
  install -d -o postgres -g postgres -m 700 "$LAB_PG" "$LAB_PG/sock" "$LAB_PG/replica-sock" || return 1
  lab__save_conf
}

lab__parse_up() {
  LAB_UP_EDGE=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --prefix) lab_use_prefix "${2:-}" || return 1; shift ;;
      --ipv6) LAB_IPV6=1 ;;
      --edge-wg) LAB_UP_EDGE=1 ;;
      --no-edge-wg) LAB_UP_EDGE=0 ;;
      *) lab__log "lab_up: unknown option $1"; return 1 ;;
    esac
    shift
  done
}

# lab_up [--prefix P] [--ipv6] [--edge-wg|--no-edge-wg]: build the lab. The edge gets no
# WireGuard unless --edge-wg (the reference setup) is given. On failure everything is undone.
lab_up() {
  [ -n "${LAB_PREFIX:-}" ] && [ -n "${LAB_STATE:-}" ] || lab_use_prefix "${LAB_PREFIX:-wgs-}" || return 1
  local ipv6_requested
  lab__parse_up "$@" || return 1
  ipv6_requested=$LAB_IPV6
  lab_use_prefix "$LAB_PREFIX" && LAB_IPV6=$ipv6_requested && LAB_HUB_ADDR=$(lab__underlay 1)
  lab__check_tools || return 1
  lab__exists && { lab__log "a lab with prefix $LAB_PREFIX exists; run: lab.sh down --prefix $LAB_PREFIX"; return 1; }
  if ! lab__up_steps; then
    lab__log "lab_up failed; tearing down"
    lab__dump_logs
    lab_down
    return 1
  fi
}

lab__up_steps() {
  lab__state_init && lab__keys_generate && lab__net_create && lab__hosts_write &&
    lab__hub_nft_apply && lab_hub_wg_up && lab__tls_generate && lab__pg_init &&
    lab_pg_start && lab__pg_bootstrap || return 1
  [ "$LAB_UP_EDGE" = 1 ] && { lab_edge_reference_up || return 1; }
  return 0
}

lab__dump_logs() {
  local log
  for log in "$LAB_STATE"/*.log "$LAB_PG"/*.log; do
    [ -s "$log" ] && { lab__log "--- $log"; tail -n 20 "$log" >&2; }
  done
  return 0
}

# shellcheck disable=SC2120 # --prefix is for callers outside this file
# lab_down [--prefix P]: stop every process of the lab and remove everything it made.
# Idempotent; succeeds when nothing exists.
lab_down() {
  [ "${1:-}" = --prefix ] && { lab_use_prefix "${2:-}" || return 1; }
  [ -n "${LAB_STATE:-}" ] || lab_use_prefix "${LAB_PREFIX:-wgs-}" || return 1
  local ns pid
  if [ -d "$LAB_PG" ]; then
    [ ! -f "$LAB_PG/replica/postmaster.pid" ] || lab__pg_ctl replica stop -m immediate >/dev/null 2>&1 || true
    [ ! -f "$LAB_PG/data/postmaster.pid" ] || lab__pg_ctl data stop -m immediate >/dev/null 2>&1 || true
  fi
  for pid in fake edge-wg hub-wg; do lab__stop_named "$pid"; done
  # Whatever else still runs in the namespaces (wgsidecar, its children, clients) ends too.
  for ns in "$LAB_NS_EDGE" "$LAB_NS_HUB" "$LAB_NS_VPC"; do
    [ -e "/run/netns/$ns" ] || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do lab__stop_pid "$pid"; done
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  rm -f "$LAB_UAPI_DIR/$LAB_HUB_WG.sock" "$LAB_UAPI_DIR/$LAB_EDGE_REF_WG.sock" "$LAB_UAPI_DIR/$LAB_EDGE_WG.sock"
  case "$LAB_STATE" in "$LAB_STATE_ROOT"/?*) rm -rf "$LAB_STATE" ;; esac
  for ns in "$LAB_NS_EDGE" "$LAB_NS_HUB" "$LAB_NS_VPC"; do
    [ -e "/run/netns/$ns" ] && { lab__log "namespace $ns could not be removed"; return 1; }
  done
  return 0
}

lab_status() {
  local ns
  for ns in "$LAB_NS_EDGE" "$LAB_NS_HUB" "$LAB_NS_VPC"; do
    [ -e "/run/netns/$ns" ] && echo "namespace $ns: $(ip -n "$ns" -br addr | grep -v '^lo' | tr -s ' ' | paste -sd';')"
  done
  [ -d "$LAB_STATE" ] || { echo "no lab with prefix $LAB_PREFIX"; return 0; }
  echo "hub endpoint: $(lab_endpoint) ($LAB_HUB_NAME)"
  echo "dnat tcp/5432 -> $(lab__dnat_target)"
  lab__running hub-wg && ip netns exec "$LAB_NS_HUB" wg show "$LAB_HUB_WG"
  lab__running edge-wg && ip netns exec "$LAB_NS_EDGE" wg show "$LAB_EDGE_REF_WG"
  lab__as_postgres pg_isready -h "$LAB_PG/sock" -q && echo "postgresql: accepting connections" || echo "postgresql: down"
}

# ---------------------------------------------------------------------------------------------
# CLI

lab__usage() {
  cat >&2 <<'EOF'
usage: lab.sh [--prefix P] up [--ipv6] [--edge-wg|--no-edge-wg]
       lab.sh [--prefix P] down | env [--by-name] | status
       lab.sh [--prefix P] HELPER [ARGS...]     e.g. pg-stop, block-udp, set-underlay-mtu 1280,
                                                exec edge ping -c1 10.50.0.1, edge-psql 'select 1'
EOF
  return 64
}

lab_main() {
  local prefix=${LAB_PREFIX:-wgs-} command
  while [ $# -gt 0 ]; do
    case "$1" in
      --prefix) prefix=${2:-}; shift 2 ;;
      -h | --help) lab__usage; return ;;
      *) break ;;
    esac
  done
  [ $# -gt 0 ] || { lab__usage; return; }
  command=${1//-/_}
  shift
  # up/down/env also accept --prefix after the command.
  if [ "$command" = up ] || [ "$command" = down ] || [ "$command" = env ]; then
    local args=()
    while [ $# -gt 0 ]; do
      if [ "$1" = --prefix ]; then prefix=${2:-}; shift 2; else args+=("$1"); shift; fi
    done
    set -- "${args[@]+"${args[@]}"}"
  fi
  lab_use_prefix "$prefix" || return 64
  # Internal functions (lab__*) are not commands.
  if [[ "$command" == _* ]] || ! declare -F "lab_$command" >/dev/null; then
    lab__log "unknown command: $command"
    lab__usage
    return
  fi
  "lab_$command" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  lab_main "$@"
  exit $?
fi
[ -n "${LAB_STATE:-}" ] || lab_use_prefix "${LAB_PREFIX:-wgs-}"
