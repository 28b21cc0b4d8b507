#!/usr/bin/env bash
# jq programs and the scripts run inside containers are single-quoted on purpose.
# shellcheck disable=SC2016
# docker/compose.yaml under podman, started by compose_lab.py from the compose file itself:
# the image of wgsidecar (the hub and both edges run it) from this build's binaries
# (docker/Dockerfile, BINARIES=prebuilt), every other service from its compose build section.
# All the project's networks are internal (--isolated): the containers talk only among
# themselves, nothing leaves the machine. Every service comes up and every healthcheck passes
# (the edges' is `wgsidecar probe`); both edges, started from one wg-quick file, are enrolled by
# `wgsidecar hub` with a key and an address of their own; contacts-api on each answers through
# its tunnel and writes to PostgreSQL, which only the hub reaches; `podman stop` ends an edge
# gracefully and it leaves the hub; down leaves nothing behind.
#
#   compose_test.sh WGSIDECAR CONTACTS_API
#
# Needs root, podman and runc (exit 77 without them); makes debian:bookworm with
# debootstrap when absent. The project is wgsidecar-lab-$WGS_LAB_TAG.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/assert.sh
source "$here/../lib/assert.sh"
# shellcheck source=../lib/skip.sh
source "$here/../lib/skip.sh"
wgsidecar=$(readlink -f "${1:?usage: compose_test.sh WGSIDECAR CONTACTS_API}")
contacts_api=$(readlink -f "${2:?usage: compose_test.sh WGSIDECAR CONTACTS_API}")

needs_root "podman's networks"
needs_commands podman runc debootstrap python3

tag=${WGS_LAB_TAG:-test}
project=wgsidecar-lab-$tag
compose=$root/docker/compose.yaml
edge_image=localhost/wgsidecar-compose:$tag
tmp=$(mktemp -d /tmp/compose-test.XXXXXX)
# shellcheck source=image_lib.sh
source "$here/image_lib.sh"

lab() { python3 "$here/compose_lab.py" "$compose" "$1" --project "$project" "${@:2}"; }
name() { echo "$project-$1"; }
in_edge() { "${podman[@]}" exec "$(name edge-probe)" "$@"; }  # shares the edge's network namespace
in_hub() { "${podman[@]}" exec "$(name hub)" /wgsidecar hub "$@"; }
edge_status() { "${podman[@]}" exec "$(name "$1")" /wgsidecar --config /secrets/edge.conf status --json 2>&1 || true; }
leftovers() {
  local filter=label=io.wgsidecar.compose.project=$project
  "${podman[@]}" ps -a --filter "$filter" --format '{{.Names}}'
  "${podman[@]}" network ls --filter "$filter" --format '{{.Name}}'
  "${podman[@]}" volume ls --filter "$filter" --format '{{.Name}}'
}
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    for service in $(services); do printf -- '--- %s\n' "$service"; "${podman[@]}" logs --tail 20 "$(name "$service")" 2>&1 || true; done
  fi
  lab down >/dev/null 2>&1 || true
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The compose file drives the checks: every service, and which ones have a healthcheck.
services() { python3 -c 'import sys, yaml; print(*yaml.safe_load(open(sys.argv[1]))["services"])' "$compose"; }
with_healthcheck() {
  python3 -c 'import sys, yaml; s = yaml.safe_load(open(sys.argv[1]))["services"]; print(*[n for n, v in s.items() if "healthcheck" in v])' "$compose"
}
runs_once() {  # services others wait for to complete: they exit 0 instead of running
  python3 -c 'import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]
print(*sorted({d for v in s.values() if isinstance(v.get("depends_on"), dict)
               for d, c in v["depends_on"].items() if (c or {}).get("condition") == "service_completed_successfully"}))' "$compose"
}

# The services on wgsidecar's image (the hub and the edges): this build's binaries for them all.
on_wgsidecar_image() {
  python3 -c 'import sys, yaml; s = yaml.safe_load(open(sys.argv[1]))["services"]
print(*[n for n, v in s.items() if v.get("image") == s["edge"]["image"]])' "$compose"
}
# The edges: the services that run the app, in the file's order.
edges() { python3 -c 'import sys, yaml; s = yaml.safe_load(open(sys.argv[1]))["services"]; print(*[n for n, v in s.items() if v.get("command") == ["/app/contacts-api"]])' "$compose"; }
# SERVICE's FLY_MACHINE_ID, the name its lease has on the hub.
machine_id() { python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["services"][sys.argv[2]]["environment"]["FLY_MACHINE_ID"])' "$compose" "$1"; }
# SERVICE's address on the underlay network, where the other edge's probe reaches its app.
underlay_address() { python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["services"][sys.argv[2]]["networks"]["underlay"]["ipv4_address"])' "$compose" "$1"; }

section() { printf '== %s (at %d s)\n' "$1" "$SECONDS"; }

# ------------------------------------------------------------------------------------------
section "images: debian:bookworm, wgsidecar's (hub and edges) from this build's binaries"
image_base
image_prebuilt_context "$tmp/context" "$wgsidecar" "$contacts_api"
expect_status "the edge's image builds" 0 "${podman[@]}" "${build_flags[@]}" --build-arg BINARIES=prebuilt -t "$edge_image" "$tmp/context"
[ "$failed" -eq 0 ] || { printf '%s\n' "$out" | tail -n 30; finish; exit 1; }

section "up: every service from the compose file, on internal networks of the project's own"
lab down >/dev/null 2>&1 || true
image_flags=()
for service in $(on_wgsidecar_image); do image_flags+=(--image "$service=$edge_image"); done
expect_status "compose_lab.py up --isolated" 0 lab up --isolated "${image_flags[@]}"
[ "$failed" -eq 0 ] || { printf '%s\n' "$out" | tail -n 30; finish; exit 1; }
for network in $("${podman[@]}" network ls --filter "label=io.wgsidecar.compose.project=$project" --format '{{.Name}}'); do
  expect_eq "network $network is internal" true "$("${podman[@]}" network inspect -f '{{.Internal}}' "$network")"
done
once=" $(runs_once) "
for service in $(services); do
  state=$("${podman[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(name "$service")" 2>/dev/null || echo missing)
  if [[ $once == *" $service "* ]]; then
    expect_eq "$service ran to completion" "exited 0" "$state"
  else
    expect_eq "$service runs" "running 0" "$state"
  fi
done

section "healthchecks, the edge's HEALTHCHECK (wgsidecar probe) among them"
healthy() { "${podman[@]}" healthcheck run "$(name "$1")" >/dev/null 2>&1; }
for service in $(with_healthcheck); do
  deadline=$((SECONDS + 90))
  until healthy "$service" || [ "$SECONDS" -ge "$deadline" ]; do sleep 1; done
  expect_eq "$service is healthy" healthy "$("${podman[@]}" inspect -f '{{.State.Health.Status}}' "$(name "$service")")"
done
expect_contains "the edge's healthcheck is wgsidecar probe" '"/wgsidecar","probe"' \
  "$("${podman[@]}" inspect -f '{{json .Config.Healthcheck.Test}}' "$(name edge)")"
expect_contains "and what it read is /readyz's answer" ready \
  "$("${podman[@]}" inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$(name edge)")"

section "contacts-api through the tunnel to PostgreSQL"
api=http://127.0.0.1:8080
readyz=$(in_edge curl -s --max-time 5 http://127.0.0.1:9090/readyz || true)
expect_eq "/readyz says ready (and how long ago the gating checks passed)" ready "${readyz%% *}"
health=$(in_edge curl -s --max-time 5 "$api/health" || true)
expect_eq "contacts-api's /health: the database is connected" connected "$(jq -r .database <<<"$health" 2>/dev/null)"
email=compose-$tag-$$@example.com
created=$(in_edge curl -s --max-time 5 -H 'Content-Type: application/json' \
  -d "{\"name\":\"Compose Lab\",\"email\":\"$email\",\"company\":\"wgsidecar\"}" "$api/contacts" || true)
id=$(jq -r '.id // empty' <<<"$created" 2>/dev/null || true)
expect_contains "POST /contacts creates a contact" "$email" "$created"
expect_eq "GET /contacts/ID reads it back" "$email" "$(in_edge curl -s --max-time 5 "$api/contacts/${id:-0}" | jq -r .email 2>/dev/null || true)"
expect_eq "the row is in PostgreSQL behind the hub" 1 "$("${podman[@]}" exec --user postgres "$(name rds)" \
  psql -d contacts -tAc "select count(*) from contacts where email = '$email'" 2>&1)"
status=$("${podman[@]}" exec "$(name edge)" /wgsidecar --config /secrets/edge.conf status --json 2>&1 || true)
expect_eq "the edge's tunnel runs on wireguard-go from the image" userspace "$(jq -r .backend <<<"$status" 2>/dev/null)"
expect_status "the database is not reachable from the edge but through the tunnel" 1 \
  in_edge bash -c 'timeout 3 bash -c "</dev/tcp/198.51.100.10/5432" 2>/dev/null'
expect_eq "the edge has no default route: nothing leaves the project's networks" "" \
  "$(in_edge ip -4 route show default 2>&1)"

section "the fleet: every edge enrolled by the hub, with a key and an address of its own"
read -r -a fleet <<<"$(edges)"
expect_eq "the compose file has two edges" 2 "${#fleet[@]}"
hub=$(in_hub status --json 2>&1 || true)
static_key=$("${podman[@]}" exec "$(name hub-nat)" cat /secrets/edge.pub 2>&1 || true)
expected_ids=$(for edge in "${fleet[@]}"; do machine_id "$edge"; done | sort | paste -sd ' ')
expect_eq "the hub holds a lease for each edge's FLY_MACHINE_ID" "$expected_ids" \
  "$(jq -r '[.machines[].machine_id] | sort | join(" ")' <<<"$hub" 2>/dev/null)"
addresses=() keys=()
for edge in "${fleet[@]}"; do
  lease=$(jq -c --arg id "$(machine_id "$edge")" '.machines[] | select(.machine_id == $id)' <<<"$hub" 2>/dev/null || true)
  own=$(edge_status "$edge")
  address=$(jq -r '.addresses[0] // empty' <<<"$own" 2>/dev/null || true)
  key=$(jq -r '.public_key // empty' <<<"$own" 2>/dev/null || true)
  expect_eq "$edge's tunnel has the address of its lease" "$(jq -r '.address // empty' <<<"$lease" 2>/dev/null | cut -d/ -f1)" "${address%/*}"
  expect_eq "$edge's tunnel has the key of its lease" "$(jq -r '.public_key // empty' <<<"$lease" 2>/dev/null)" "$key"
  expect_eq "$edge does not run on the wg-quick file's shared key" "" "$([ -n "$key" ] && [ "$key" = "$static_key" ] && echo shared)"
  addresses+=("${address%/*}") keys+=("$key")
done
expect_eq "the edges' tunnel addresses differ" 2 "$(printf '%s\n' "${addresses[@]}" | grep . | sort -u | wc -l)"
expect_eq "the edges' WireGuard keys differ" 2 "$(printf '%s\n' "${keys[@]}" | grep . | sort -u | wc -l)"
for edge in "${fleet[@]:1}"; do
  # edge-probe reaches the other edges' contacts-api over the underlay; each answers from the
  # database through its own tunnel.
  other=http://$(underlay_address "$edge"):8080
  health=$(in_edge curl -s --max-time 5 "$other/health" || true)
  expect_eq "$edge's contacts-api: the database is connected" connected "$(jq -r .database <<<"$health" 2>/dev/null)"
  expect_eq "$edge reads the contact edge wrote" "$email" "$(in_edge curl -s --max-time 5 "$other/contacts/${id:-0}" | jq -r .email 2>/dev/null || true)"
  email2=compose-$tag-$$-$edge@example.com
  created=$(in_edge curl -s --max-time 5 -H 'Content-Type: application/json' \
    -d "{\"name\":\"Compose Lab\",\"email\":\"$email2\",\"company\":\"wgsidecar\"}" "$other/contacts" || true)
  expect_contains "$edge's POST /contacts creates a contact" "$email2" "$created"
  expect_eq "and edge reads it back" "$email2" \
    "$(in_edge curl -s --max-time 5 "$api/contacts/$(jq -r '.id // 0' <<<"$created" 2>/dev/null)" | jq -r .email 2>/dev/null || true)"
done

section "stop and down"
"${podman[@]}" stop -t 10 "$(name edge-probe)" >/dev/null 2>&1 || true
"${podman[@]}" stop -t 10 "$(name edge)" >/dev/null 2>&1 || true
expect_eq "podman stop: contacts-api stops gracefully, wgsidecar passes its 0 on" 0 \
  "$("${podman[@]}" inspect -f '{{.State.ExitCode}}' "$(name edge)")"
logs=$("${podman[@]}" logs "$(name edge)" 2>&1 || true)
expect_contains "the supervisor logged the app's end" "the app exited with status 0" "$logs"
hub=$(in_hub status --json 2>&1 || true)
expect_eq "the stopped edge left the hub: its lease is gone, the other edge's stays" \
  "$(for edge in "${fleet[@]:1}"; do machine_id "$edge"; done | sort | paste -sd ' ')" \
  "$(jq -r '[.machines[].machine_id] | sort | join(" ")' <<<"$hub" 2>/dev/null)"
expect_eq "the hub counted one leave" 1 "$(jq -r .leaves <<<"$hub" 2>/dev/null)"
expect_status "compose_lab.py down" 0 lab down
expect_eq "no container, network or volume of the project is left" "" "$(leftovers)"
finish
