#!/usr/bin/env bash
# The CLI as a user meets it: keys interchangeable with `wg`, config and hub-peer output,
# configuration errors that exit 78, name the variable and never echo a secret, --help on
# every command, and the exit codes of probe, check, up and run that need no hub. The last
# part runs a real `wgsidecar run` in a network namespace of its own (root, unshare): without
# them it is skipped and the test ends with 77 once the rest has passed.
set -euo pipefail
wgsidecar=${1:?usage: cli_test.sh PATH/TO/wgsidecar}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
source "$here/../lib/skip.sh"
# shellcheck source=../lib/wait.sh
source "$here/../lib/wait.sh"
needs_commands wg
tmp=$(mktemp -d)
supervisor=""
cleanup() {
  if [ -n "$supervisor" ]; then kill -CONT "$supervisor" 2>/dev/null || true; kill "$supervisor" 2>/dev/null || true; wait "$supervisor" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "keys are interchangeable with wg"
mismatches=0
for _ in $(seq 1 200); do
  key=$("$wgsidecar" genkey)
  [ "$(printf '%s\n' "$key" | "$wgsidecar" pubkey)" = "$(printf '%s\n' "$key" | wg pubkey)" ] || mismatches=$((mismatches + 1))
  wgkey=$(wg genkey)
  [ "$(printf '%s\n' "$wgkey" | "$wgsidecar" pubkey)" = "$(printf '%s\n' "$wgkey" | wg pubkey)" ] || mismatches=$((mismatches + 1))
done
expect_eq "pubkey equals wg pubkey on 400 random keys (ours and wg's)" 0 "$mismatches"
"$wgsidecar" genkey | tee "$tmp/k" | "$wgsidecar" pubkey > "$tmp/ours"
wg pubkey < "$tmp/k" > "$tmp/theirs"
expect_eq "wgsidecar genkey | tee k | wgsidecar pubkey == wg pubkey < k" "$(cat "$tmp/theirs")" "$(cat "$tmp/ours")"
psk=$("$wgsidecar" genpsk)
expect_eq "genpsk is 44 characters of base64" 44 "${#psk}"
expect_status "wg reads our genpsk as a 32-byte key" 0 wg pubkey <<< "$psk"
expect_status "pubkey rejects garbage with exit 1" 1 "$wgsidecar" pubkey <<< "not a key"
expect_not_contains "pubkey does not echo the bad key" "not a key" "$out"

echo "config with the seed's variables"
edge_key=$(wg genkey)
hub_pub=$(wg genkey | wg pubkey)
seed_env=(WG_PRIVATE_KEY="$edge_key" WG_ADDRESS=10.50.3.10/32 WG_PEER_PUBLIC_KEY="$hub_pub"
  WG_PEER_ENDPOINT=34.240.78.199:51820 DB_HOST=10.50.0.1 DB_PORT=5432 DB_USER=postgres
  DB_PASSWORD=EdgeProxy2024 DB_NAME=contacts)
expect_status "config --json exits 0" 0 env -i "${seed_env[@]}" "$wgsidecar" config --json
json=$out
expect_eq "config --json shows the derived public key" "$(wg pubkey <<< "$edge_key")" "$(jq -r .wireguard.interface.public_key <<< "$json")"
expect_eq "config --json hides the private key" "(hidden)" "$(jq -r .wireguard.interface.private_key <<< "$json")"
expect_not_contains "config --json has no private key anywhere" "$edge_key" "$json"
expect_not_contains "config --json has no database password" "EdgeProxy2024" "$json"
expect_status "config (text) exits 0" 0 env -i "${seed_env[@]}" "$wgsidecar" config
expect_not_contains "config text has no private key" "$edge_key" "$out"

expect_status "hub-peer exits 0" 0 env -i "${seed_env[@]}" "$wgsidecar" hub-peer
expect_contains "hub-peer has the edge's public key" "PublicKey = $(wg pubkey <<< "$edge_key")" "$out"
expect_contains "hub-peer allows the edge's address" "AllowedIPs = 10.50.3.10/32" "$out"

echo "configuration errors"
expect_status "a bad WG_PRIVATE_KEY exits 78" 78 env -i "${seed_env[@]}" WG_PRIVATE_KEY="Zm9vYmFyc2VjcmV0" "$wgsidecar" config
expect_contains "the error names WG_PRIVATE_KEY" "WG_PRIVATE_KEY:" "$out"
expect_not_contains "the error does not echo the key" "Zm9vYmFyc2VjcmV0" "$out"
expect_status "several problems exit 78" 78 env -i WG_PRIVATE_KEY=short WG_ADDRESS=10.0.0.1/40 DB_HOST=db DB_PORT=0 "$wgsidecar" config
expect_contains "all problems are listed at once" "the configuration has 5 problems" "$out"
printf '[Interface]\nPrivateKey = %s\nAddress = 10.50.3.10/32\n[Peer]\nPublicKey = %s\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 10.50.0.0/24\n' \
  "$edge_key" "$hub_pub" > "$tmp/wg0.conf"
expect_status "--config reads a wg-quick file" 0 env -i "$wgsidecar" --config "$tmp/wg0.conf" config --json
expect_eq "--config source is the file" "$tmp/wg0.conf" "$(jq -r .wireguard.source <<< "$out")"
expect_status "WG_CONFIG holds a whole wg-quick file" 0 env -i WG_CONFIG="$(cat "$tmp/wg0.conf")" "$wgsidecar" config --json
echo "hostile and careless values: exit 78, the variable named, the secret never shown"
expect_status "SIDECAR_PROBE_INTERVAL=9999999h exits 78" 78 env -i "${seed_env[@]}" SIDECAR_PROBE_INTERVAL=9999999h "$wgsidecar" config
expect_contains "the error names SIDECAR_PROBE_INTERVAL and its range" "SIDECAR_PROBE_INTERVAL: must be from 100ms to 1h" "$out"
expect_status "SIDECAR_SHUTDOWN_TIMEOUT=9999999h exits 78" 78 env -i "${seed_env[@]}" SIDECAR_SHUTDOWN_TIMEOUT=9999999h "$wgsidecar" config
years=$(printf '31536000000h%.0s' $(seq 1 90))
expect_status "31536000000h repeated 90 times exits 78" 78 env -i "${seed_env[@]}" SIDECAR_STARTUP_TIMEOUT="$years" "$wgsidecar" config
expect_contains "the error names SIDECAR_STARTUP_TIMEOUT" "SIDECAR_STARTUP_TIMEOUT: must be from 1s to 24h" "$out"
expect_status "a fractional duration (1.5s) is accepted" 0 env -i "${seed_env[@]}" SIDECAR_CHECK_TIMEOUT=1.5s "$wgsidecar" config
for value in "" " " ","; do
  expect_status "SIDECAR_REQUIRE='$value' exits 78 rather than turning start gating off" 78 \
    env -i "${seed_env[@]}" SIDECAR_REQUIRE="$value" "$wgsidecar" config
  expect_contains "the error names SIDECAR_REQUIRE" "SIDECAR_REQUIRE:" "$out"
done
expect_status "WG_ALLOWED_IPS=0.0.0.0/1,128.0.0.0/1 exits 78 like /0" 78 env -i "${seed_env[@]}" WG_ALLOWED_IPS=0.0.0.0/1,128.0.0.0/1 "$wgsidecar" config
expect_contains "the error names WG_ALLOWED_IPS" "WG_ALLOWED_IPS: covers every IPv4 address" "$out"
for name in . .. "wg 0" wg:0; do
  expect_status "WG_INTERFACE='$name' exits 78" 78 env -i "${seed_env[@]}" WG_INTERFACE="$name" "$wgsidecar" config
done
secret_key=$(wg genkey)
for line in "PrivateKey: $secret_key" "PrivateKey $secret_key" "PresharedKey: $secret_key" "Address = $secret_key"; do
  wg_config=$(printf '[Interface]\n%s\nAddress = 10.50.3.10/32\n[Peer]\nPublicKey = %s\nEndpoint = 192.0.2.1:51820\n' "$line" "$hub_pub")
  expect_status "WG_CONFIG with '${line%% *} …' exits 78" 78 env -i WG_CONFIG="$wg_config" "$wgsidecar" config
  expect_not_contains "the key is not shown, not even 43 of its 44 characters" "${secret_key:0:12}" "$out"
done

echo "files: only regular files, with the OS's reason and nothing that follows from it"
mkfifo "$tmp/fifo"
for path in /nonexistent/wg0.conf "$tmp" "$tmp/fifo" /dev/zero; do
  expect_status "--config $path exits 78 at once" 78 timeout 10 env -i "$wgsidecar" --config "$path" config
  expect_contains "one problem, naming --config" "has 1 problem:" "$out"
done
expect_status "--config /nonexistent/wg0.conf" 78 env -i "$wgsidecar" --config /nonexistent/wg0.conf config
expect_contains "the OS's reason is given" "--config: cannot read /nonexistent/wg0.conf: No such file or directory" "$out"
{ cat "$tmp/wg0.conf"; for _ in $(seq 1 5000); do echo "nonsense"; done; } > "$tmp/noisy.conf"
expect_status "a file of 5000 bad lines exits 78" 78 env -i "$wgsidecar" --config "$tmp/noisy.conf" config
expect_contains "the list ends with a count" "and 4980 more" "$out"
expect_eq "and stays short" 22 "$(printf '%s\n' "$out" | wc -l)"

echo "secrets from NAME_FILE"
printf '%s\n' "$edge_key" > "$tmp/wg_key"
file_env=(WG_PRIVATE_KEY_FILE="$tmp/wg_key" WG_PEER_PUBLIC_KEY="$hub_pub" WG_PEER_ENDPOINT=34.240.78.199:51820)
expect_status "WG_PRIVATE_KEY_FILE stands for WG_PRIVATE_KEY" 0 env -i "${file_env[@]}" "$wgsidecar" config --json
expect_eq "the key from the file (its newline stripped) gives the same public key" "$(wg pubkey <<< "$edge_key")" "$(jq -r .wireguard.interface.public_key <<< "$out")"
expect_status "WG_PRIVATE_KEY and WG_PRIVATE_KEY_FILE together exit 78" 78 env -i "${file_env[@]}" WG_PRIVATE_KEY="$edge_key" "$wgsidecar" config
expect_contains "the error names both" "WG_PRIVATE_KEY_FILE: is set together with WG_PRIVATE_KEY" "$out"
expect_status "a missing secret file exits 78" 78 env -i "${file_env[@]}" WG_PRIVATE_KEY_FILE=/nonexistent/key "$wgsidecar" config
expect_contains "with the OS's reason, once" "has 1 problem:
  WG_PRIVATE_KEY_FILE: cannot read /nonexistent/key: No such file or directory" "$out"
printf 'PrivateKey = %s\n' "$secret_key" > "$tmp/bad_key"
expect_status "a secret file with the wrong content exits 78" 78 env -i "${file_env[@]}" WG_PRIVATE_KEY_FILE="$tmp/bad_key" "$wgsidecar" config
expect_contains "the error names WG_PRIVATE_KEY_FILE" "WG_PRIVATE_KEY_FILE:" "$out"
expect_not_contains "and does not show the content" "${secret_key:0:12}" "$out"
echo "database URLs: no form echoes its password"
wg_env=(WG_PRIVATE_KEY="$edge_key" WG_PEER_PUBLIC_KEY="$hub_pub" WG_PEER_ENDPOINT=34.240.78.199:51820)
for url in 'postgresql://db.internal:5432/contacts?user=app&password=Summer50%off' \
  'postgresql://app:Summer50%off@db.internal:5432/contacts' 'postgresql://app:Summer50/off@db.internal/contacts' \
  'postgresql://app:Summer50off@[::1:5432/contacts' "host=db.internal password='Summer50off" \
  'host=db.internal password=Summer50off sslmode=bogus'; do
  expect_status "exit 78: $url" 78 env -i "${wg_env[@]}" DATABASE_URL="$url" "$wgsidecar" config
  expect_not_contains "the error has no part of the password: $url" "Summer50" "$out"
  expect_contains "the error names DATABASE_URL" "DATABASE_URL:" "$out"
done
expect_status "a typo in a parameter is refused, by name" 78 env -i "${wg_env[@]}" \
  DATABASE_URL='postgresql://app:Summer50off@db.internal/contacts?sslmdoe=verify-full' "$wgsidecar" config
expect_contains "the error names the parameter and its place" "sslmdoe (character 51)" "$out"

echo "database URLs: the app's driver settings are accepted and named once"
prisma='postgresql://username:Xq7pw-seed@tuition-primary.xxxxx.us-east-1.rds.amazonaws.com:5432/tuition_centre_db?schema=public&connection_limit=100&pool_timeout=30&schema=public'
expect_status "seed 004's Prisma URL is accepted" 0 env -i "${wg_env[@]}" DATABASE_URL="$prisma" "$wgsidecar" config --json
expect_eq "config --json lists what the checks ignore" '["schema (Prisma)","connection_limit (Prisma)","pool_timeout (Prisma)"]' \
  "$(jq -c '.databases[0].ignored' <<< "$out")"
set +e
log=$(env -i "${wg_env[@]}" DATABASE_URL="$prisma" WG_INTERFACE=clinone SIDECAR_CHECK_TIMEOUT=100ms "$wgsidecar" check 2>&1 >/dev/null)
set -e
expect_eq "check names each ignored setting once, in one line" 1 "$(grep -c 'DATABASE_URL: the checks ignore schema (Prisma), connection_limit (Prisma), pool_timeout (Prisma)$' <<< "$log")"
expect_not_contains "the log has no password" "Xq7pw-seed" "$log"

expect_status "an unknown command is a usage error" 64 "$wgsidecar" frobnicate
expect_status "--version" 0 "$wgsidecar" --version
expect_contains "--version names the program" "wgsidecar" "$out"

echo "--help on every command"
expect_status "wgsidecar help" 0 "$wgsidecar" help
overview=$out
# Every command the overview lists, with the options its usage line names.
mapfile -t usages < <(sed -n '/^Commands:/,/^$/p' <<<"$overview" | sed -n 's/^  \([a-z-][a-z-]*\)\(.*\)$/\1\2/p' |
  sed 's/  \+[^ ].*$//')
expect_eq "the overview lists the 14 commands" 14 "${#usages[@]}"
for usage in "${usages[@]}"; do
  command=${usage%% *}
  expect_status "$command --help exits 0" 0 "$wgsidecar" "$command" --help
  help=$out
  expect_contains "$command --help prints its usage" "Usage: wgsidecar [--config FILE] $usage" "$help"
  expect_contains "$command --help lists --help" "--help, -h" "$help"
  for option in $(grep -o -- '--[a-z]*' <<<"$usage" | grep -vx -- '--' || true); do
    expect_contains "$command --help explains $option" "  $option " "$help"
  done
  expect_status "$command -h is the same" 0 "$wgsidecar" "$command" -h
  expect_eq "$command -h prints the same text" "$help" "$out"
  expect_status "help $command is the same" 0 "$wgsidecar" help "$command"
  expect_eq "help $command prints the same text" "$help" "$out"
  case $command in run | help) continue ;; esac
  expect_status "$command --bogus is a usage error" 64 "$wgsidecar" "$command" --bogus </dev/null
  expect_contains "naming the argument and pointing at $command --help" "unexpected argument '--bogus'" "$out"
done
expect_status "--help after the app's command belongs to the app: run loads its configuration" 78 \
  env -i "$wgsidecar" run -- /bin/true --help
expect_status "as after an app path without run" 78 env -i "$wgsidecar" /bin/true --help
expect_status "help of an unknown command is a usage error" 64 "$wgsidecar" help frobnicate

echo "probe: its exit codes without a supervisor"
expect_status "no SIDECAR_HEALTH_ADDR: 78" 78 env -i "$wgsidecar" probe
expect_contains "saying probe needs it" "SIDECAR_HEALTH_ADDR is not set" "$out"
expect_status "a malformed SIDECAR_HEALTH_ADDR: 78" 78 env -i SIDECAR_HEALTH_ADDR=nine "$wgsidecar" probe
expect_contains "naming the variable" "SIDECAR_HEALTH_ADDR: must be" "$out"
expect_status "probe reads nothing but the health address: no tunnel settings needed" 78 \
  env -i WG_PRIVATE_KEY=bad "$wgsidecar" probe
expect_not_contains "so a bad key is not its problem" "WG_PRIVATE_KEY" "$out"
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_status "nothing listening: 69" 69 env -i SIDECAR_HEALTH_ADDR="127.0.0.1:$closed_port" "$wgsidecar" probe
expect_contains "saying nothing answered" "nothing answered GET /readyz on 127.0.0.1:$closed_port" "$out"
expect_status "--timeout without a value: 64" 64 env -i SIDECAR_HEALTH_ADDR=127.0.0.1:9 "$wgsidecar" probe --timeout
expect_status "--timeout that is not a duration: 64" 64 env -i SIDECAR_HEALTH_ADDR=127.0.0.1:9 "$wgsidecar" probe --timeout 5

if ! unshare -n true 2>/dev/null; then
  echo "skipped: a supervisor in a network namespace of its own needs root and unshare"
  finish
  exit 77
fi

echo "a real supervisor in a network namespace of its own (nothing else in it: no hub answers)"
# A netns with loopback only: wireguard-go's packets to the hub have no route, so nothing
# leaves it. The interface and the UAPI socket path carry the lab tag and our PID.
iface=wgc${WGS_LAB_TAG:-}$$
iface=${iface:0:15}
netns_env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin WG_PRIVATE_KEY="$edge_key" WG_PEER_PUBLIC_KEY="$hub_pub"
  WG_PEER_ENDPOINT=192.0.2.1:51820 DB_HOST=10.50.0.1 WG_INTERFACE="$iface")
in_netns() { nsenter -t "$supervisor" -n "$@"; }
start_supervisor() {  # start_supervisor SIDECAR_REQUIRE: run in a new netns, the app a long sleep
  unshare -n bash -c 'ip link set lo up && exec env -i "$@"' _ "${netns_env[@]}" SIDECAR_HEALTH_ADDR=0.0.0.0:9190 \
    SIDECAR_REQUIRE="$1" "$wgsidecar" run -- sleep 600 >"$tmp/run.log" 2>&1 &
  supervisor=$!
  for _ in $(seq 1 100); do in_netns env -i SIDECAR_HEALTH_ADDR=0.0.0.0:9190 "$wgsidecar" probe --live >/dev/null 2>&1 && return; sleep 0.05; done
}
stop_supervisor() { kill "$supervisor"; wait "$supervisor" || true; supervisor=""; }
probe() { expect_status "$1" "$2" in_netns env -i SIDECAR_HEALTH_ADDR="$3" "$wgsidecar" probe "${@:4}"; }

start_supervisor ping
probe "probe while the start waits for the hub: 69 (bound to 0.0.0.0, asked on loopback)" 69 0.0.0.0:9190
expect_contains "with /readyz's reason" "not ready: starting" "$out"
probe "probe --live: the supervisor runs: 0" 0 0.0.0.0:9190 --live
expect_eq "printing /healthz's answer" ok "$out"
kill -STOP "$supervisor"  # the kernel still accepts into the backlog; nobody answers
probe "a supervisor that does not answer is not alive: 69 by --timeout" 69 0.0.0.0:9190 --live --timeout 300ms
expect_contains "saying so" "(deadline 300ms)" "$out"
kill -CONT "$supervisor"
expect_status "check from another process there: 69" 69 in_netns env -i "${netns_env[@]}" "$wgsidecar" check
stop_supervisor

start_supervisor none
# The health server answers before the tunnel is up: on a loaded machine the start (the
# enrollment attempt, wireguard-go) can take a moment more.
ready_now() { in_netns env -i SIDECAR_HEALTH_ADDR=127.0.0.1:9190 "$wgsidecar" probe; }
wait_until 10 ready_now || true
probe "SIDECAR_REQUIRE=none: ready once the tunnel is up: 0" 0 127.0.0.1:9190
expect_eq "printing /readyz's answer" ready "$out"
stop_supervisor

echo "check with no interface, and run and up without the userspace implementation"
no_tunnel() { unshare -n env -i "${netns_env[@]}" "$@"; }
expect_status "check with no interface: 69" 69 no_tunnel "$wgsidecar" check --json
expect_eq "the handshake stage fails first" "fail handshake" "$(jq -r '.stages[0] | "\(.status) \(.name)"' <<<"$out" 2>/dev/null)"
expect_contains "saying the interface is missing" "interface $iface does not exist" "$(jq -r '.stages[0].error' <<<"$out" 2>/dev/null)"
expect_contains "and that the tunnel is not up, with what to run" "the tunnel is not up: bring it up with \`wgsidecar up\`" \
  "$(jq -r '.stages[0].hint' <<<"$out" 2>/dev/null)"
expect_eq "every later stage is skipped: nothing is sent" "skip skip skip skip skip" \
  "$(jq -r '[.stages[1:][] | .status] | join(" ")' <<<"$out" 2>/dev/null)"
missing=(WG_BACKEND=userspace WG_USERSPACE_IMPLEMENTATION=no-such-wireguard-go SIDECAR_STARTUP_TIMEOUT=30s)
expect_status "up without the implementation: 71" 71 no_tunnel "${missing[@]}" "$wgsidecar" up
expect_contains "naming it" "no-such-wireguard-go was not found on PATH" "$out"
# 71 comes only from the refusal: a start that kept retrying would end with 69 after 30s.
expect_status "run without the implementation: 71 as up, not 69" 71 no_tunnel "${missing[@]}" "$wgsidecar" run -- /bin/true
expect_contains "naming it" "no-such-wireguard-go was not found on PATH" "$out"
finish
