#!/usr/bin/env bash
# The main job: installs, builds, and shows wgsidecar on the seed's configuration.
# (The full lab — hub, PostgreSQL, tunnel, contacts-api — replaces this as it lands.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WGS_BUILD:-$root/build}
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target wgsidecar
wgsidecar=$build/sidecar/wgsidecar
file "$wgsidecar"

echo; echo "== keys for a new edge (wgsidecar genkey | wgsidecar pubkey) =="
edge_key=$("$wgsidecar" genkey)
hub_key=$("$wgsidecar" genkey)
echo "edge public key: $(printf '%s\n' "$edge_key" | "$wgsidecar" pubkey)"

echo; echo "== wgsidecar config, with the seed's secret names =="
export WG_PRIVATE_KEY=$edge_key WG_ADDRESS=10.50.3.10/32 WG_PEER_ENDPOINT=203.0.113.7:51820
export WG_PEER_PUBLIC_KEY=$(printf '%s\n' "$hub_key" | "$wgsidecar" pubkey)
export DB_HOST=10.50.0.1 DB_PORT=5432 DB_USER=postgres DB_PASSWORD=demo-password DB_NAME=contacts
"$wgsidecar" config

echo; echo "== wgsidecar hub-peer: paste into the hub's wg0.conf =="
"$wgsidecar" hub-peer

echo; echo "== a configuration mistake: exit 78, every problem named, no secret echoed =="
WG_PRIVATE_KEY=not-a-key WG_PEER_ENDPOINT=203.0.113.7 "$wgsidecar" config || echo "(exit $?)"
