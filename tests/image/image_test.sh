#!/usr/bin/env bash
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
# The image under podman: it holds only the expected files, its binaries are static, its
# HEALTHCHECK is `wgsidecar probe`, a config mistake exits 78 naming the variable, the root
# .dockerignore sends the sources and not the build tree, and — in the lab's edge namespace, as
# on a Fly machine — the container brings the tunnel up against the lab's hub (wireguard-go from
# the image: this kernel has no WireGuard), contacts-api answers over HTTP through it, and the
# HEALTHCHECK says healthy, unhealthy while the hub's DNAT is gone, and healthy again.
#
#   image_test.sh WGSIDECAR CONTACTS_API            image from these binaries (docker/Dockerfile,
#                                                   BINARIES=prebuilt): what ctest runs
#   image_test.sh --from-source                     image built from the sources in the build stage
#                                                   (needs the Debian mirror; slow when cold)
#
# Needs root, podman, runc; makes debian:bookworm with debootstrap when absent (cached in
# /var/cache/wgsidecar-image). Lab prefix img-. Exits 77 (skip) without root or podman, and for
# --from-source when WGS_IMAGE_FROM_SOURCE is not 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/assert.sh
source "$here/../lib/assert.sh"
# shellcheck source=../lib/skip.sh
source "$here/../lib/skip.sh"
# shellcheck source=../lab/lab.sh
source "$root/tests/lab/lab.sh"

mode=prebuilt
if [ "${1:-}" = --from-source ]; then
  mode=source
  [ "${WGS_IMAGE_FROM_SOURCE:-0}" = 1 ] || { echo "skipped: set WGS_IMAGE_FROM_SOURCE=1 to build the image from source"; exit 77; }
else
  wgsidecar=$(readlink -f "${1:?usage: image_test.sh WGSIDECAR CONTACTS_API | --from-source}")
  contacts_api=$(readlink -f "${2:?usage: image_test.sh WGSIDECAR CONTACTS_API | --from-source}")
fi

needs_lab
needs_commands podman runc debootstrap
image=localhost/wgsidecar-test:$mode
container=img-edge-$$
prefix=img-
tmp=$(mktemp -d /tmp/image-test.XXXXXX)
# shellcheck source=image_lib.sh
source "$here/image_lib.sh"

cleanup() {
  local status=$?
  "${podman[@]}" rm -f -t 0 "$container" >/dev/null 2>&1 || true
  lab_down >/dev/null 2>&1 || true
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# section TITLE: a heading with the seconds spent so far, so a slow step shows.
section() { printf '== %s (at %d s)\n' "$1" "$SECONDS"; }

# ------------------------------------------------------------------------------------------
section "base image and build ($mode)"
image_base

build=("${podman[@]}" "${build_flags[@]}")
if [ "$mode" = prebuilt ]; then
  image_prebuilt_context "$tmp/context" "$wgsidecar" "$contacts_api"
  build+=(--build-arg BINARIES=prebuilt "$tmp/context")
else
  # buildah 1.28 does not see an ARG's default in FROM when it skips unused stages: say it.
  build+=(--build-arg BINARIES=build "$root")
fi
# The stages the final image is made from are tagged too (:MODE-binaries, :MODE-slim), so that
# the previous run's images can be removed, children first, instead of piling up untagged.
tags=("$image" "$image-slim" "$image-binaries")
targets=("" slim binaries)
old_ids=()
for tag in "${tags[@]}"; do old_ids+=("$("${podman[@]}" image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"); done
start=$SECONDS
for i in 2 1 0; do
  target=()
  [ -n "${targets[$i]}" ] && target=(--target "${targets[$i]}")
  expect_status "the image builds${targets[$i]:+ (stage ${targets[$i]})}" 0 "${build[@]}" "${target[@]}" -t "${tags[$i]}"
  [ "$failed" -eq 0 ] || { printf '%s\n' "$out" | tail -n 30; finish; exit 1; }
done
echo "  (build took $((SECONDS - start)) s)"
for i in 0 1 2; do
  new_id=$("${podman[@]}" image inspect --format '{{.Id}}' "${tags[$i]}")
  if [ -n "${old_ids[$i]}" ] && [ "${old_ids[$i]}" != "$new_id" ]; then "${podman[@]}" rmi "${old_ids[$i]}" >/dev/null 2>&1 || true; fi
done

# ------------------------------------------------------------------------------------------
section "what the image holds"
created=$("${podman[@]}" create "$image")
"${podman[@]}" export "$created" >"$tmp/rootfs.tar"
"${podman[@]}" rm "$created" >/dev/null 2>&1
files=$(tar -tf "$tmp/rootfs.tar" | sed 's|^\./||; s|/$||' | grep -v '^$' | sort | paste -sd' ')
expect_eq "only the binaries, the CA bundle and their directories" \
  "app app/contacts-api etc etc/ssl etc/ssl/certs etc/ssl/certs/ca-certificates.crt usr usr/bin usr/bin/wireguard-go wgsidecar" "$files"
mkdir "$tmp/rootfs" && tar -C "$tmp/rootfs" -xf "$tmp/rootfs.tar"
for binary in wgsidecar app/contacts-api usr/bin/wireguard-go; do
  expect_contains "$binary is statically linked" "statically linked" "$(file -b "$tmp/rootfs/$binary")"
done
expect_eq "ENTRYPOINT is wgsidecar run --" '["/wgsidecar","run","--"]' \
  "$("${podman[@]}" image inspect --format '{{json .Config.Entrypoint}}' "$image")"
expect_eq "CMD is the app" '["/app/contacts-api"]' "$("${podman[@]}" image inspect --format '{{json .Config.Cmd}}' "$image")"
config_env=$("${podman[@]}" image inspect --format '{{json .Config.Env}}' "$image")
expect_not_contains "no WG_ variable baked into the image" "WG_" "$config_env"
expect_not_contains "no DB_ variable baked into the image" "DB_" "$config_env"
expect_eq "HEALTHCHECK is wgsidecar probe" '["CMD","/wgsidecar","probe"]' \
  "$("${podman[@]}" image inspect --format '{{json .Config.Healthcheck.Test}}' "$image")"
expect_contains "with the health endpoints on loopback unless the deployment says otherwise" \
  "SIDECAR_HEALTH_ADDR=127.0.0.1:9090" "$config_env"
history=$("${podman[@]}" history --no-trunc --format '{{.CreatedBy}}' "$image")
expect_not_contains "no secret name in any layer's command" "PRIVATE_KEY" "$history"

# ------------------------------------------------------------------------------------------
section "the build context the root .dockerignore lets through (fly deploy, docker build)"
# buildah reads the context's .dockerignore as Docker and flyctl do: COPY it all into an image
# and list what arrived.
printf 'FROM scratch\nCOPY . /context/\n' >"$tmp/Containerfile.context"
context_image=localhost/wgsidecar-context:$$
expect_status "the repository root as a build context" 0 "${podman[@]}" build --pull=never --network=none \
  -f "$tmp/Containerfile.context" -t "$context_image" "$root"
created=$("${podman[@]}" create "$context_image" none)
"${podman[@]}" export "$created" | tar -tvf - >"$tmp/context.list"
"${podman[@]}" rm "$created" >/dev/null && "${podman[@]}" rmi "$context_image" >/dev/null
context_files=$(awk '{ path = $NF; sub(/^\.\//, "", path) } path ~ /^context\/./ { sub(/^context\//, "", path); print path }' "$tmp/context.list")
context_kib=$(awk '{ total += $3 } END { printf "%d", total / 1024 }' "$tmp/context.list")
echo "  (the context: $(wc -l <<<"$context_files") entries, $context_kib KiB)"
expect_eq "no build tree in the context" "" "$(grep -E '(^|/)build(-[^/]*)?/' <<<"$context_files" | head -n 3)"
expect_eq "no .git" "" "$(grep -E '(^|/)\.git(/|$)' <<<"$context_files" | head -n 3)"
expect_eq "the sources only: under 10 MiB" yes "$([ "$context_kib" -lt 10240 ] && echo yes || echo no)"
while read -r source; do
  [ "$source" = prebuilt/ ] && continue  # made by this test, absent from a checkout
  expect_eq "docker/Dockerfile's COPY $source is in it" yes \
    "$(grep -qx -- "${source%/}/\?" <<<"$context_files" && echo yes || echo no)"
done < <(awk '$1 == "COPY" && $2 !~ /^--/ { print $2 }' "$root/docker/Dockerfile")
fly_dockerfile=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["build"]["dockerfile"])' "$root/fly.toml")
expect_eq "fly.toml at the root builds docker/Dockerfile: \`fly deploy\` needs no flags" docker/Dockerfile "$fly_dockerfile"
expect_eq "and the context carries it" yes "$(grep -qx -- "$fly_dockerfile" <<<"$context_files" && echo yes || echo no)"

# ------------------------------------------------------------------------------------------
section "the binaries in the container"
expect_status "wgsidecar version runs FROM scratch" 0 "${podman[@]}" run --rm "${run_flags[@]}" --network none \
  --entrypoint /wgsidecar "$image" version
expect_contains "and prints its version" "wgsidecar" "$out"
expect_status "contacts-api version runs FROM scratch" 0 "${podman[@]}" run --rm "${run_flags[@]}" --network none \
  --entrypoint /app/contacts-api "$image" version
expect_status "wireguard-go runs FROM scratch" 0 "${podman[@]}" run --rm "${run_flags[@]}" --network none \
  --entrypoint /usr/bin/wireguard-go "$image" --version

bad_key=not-a-key-$$-do-not-echo
expect_status "no configuration: the ENTRYPOINT exits 78" 78 "${podman[@]}" run --rm "${run_flags[@]}" --network none "$image"
expect_contains "naming WG_PRIVATE_KEY" "WG_PRIVATE_KEY" "$out"
expect_contains "and WG_PEER_ENDPOINT" "WG_PEER_ENDPOINT" "$out"
expect_status "a malformed key exits 78" 78 env WG_PRIVATE_KEY="$bad_key" "${podman[@]}" run --rm "${run_flags[@]}" \
  --network none -e WG_PRIVATE_KEY "$image"
expect_contains "naming WG_PRIVATE_KEY" "WG_PRIVATE_KEY" "$out"
expect_not_contains "without echoing the value" "$bad_key" "$out"

# ------------------------------------------------------------------------------------------
section "the container in the lab's edge namespace: tunnel, checks, contacts-api"
lab_use_prefix "$prefix"
lab_down >/dev/null 2>&1 || true
lab_up --prefix "$prefix" >/dev/null
eval "$(lab_env)"
edge=$(lab_ns edge)
at_edge() { ip netns exec "$edge" "$@"; }
api=http://127.0.0.1:8080

# The seed's secrets reach the container as environment, by name only (never on argv). The
# lab's CA is mounted read-only for verify-full. No /etc/hosts or resolv.conf: every address
# is numeric, and nothing may query the host's resolver.
export PGSSLMODE=verify-full PGSSLROOTCERT=/etc/wgsidecar/lab-ca.crt SIDECAR_HEALTH_ADDR=0.0.0.0:9090 \
  SIDECAR_STARTUP_TIMEOUT=40s SIDECAR_PROBE_INTERVAL=2s SIDECAR_CHECK_INTERVAL=2s FLY_REGION=lab
env_flags=()
for name in WG_PRIVATE_KEY WG_ADDRESS WG_PEER_PUBLIC_KEY WG_PEER_ENDPOINT WG_INTERFACE DB_HOST DB_PORT DB_USER \
  DB_PASSWORD DB_NAME PGSSLMODE PGSSLROOTCERT SIDECAR_HEALTH_ADDR SIDECAR_STARTUP_TIMEOUT SIDECAR_PROBE_INTERVAL \
  SIDECAR_CHECK_INTERVAL FLY_REGION; do
  env_flags+=(-e "$name")
done
expect_status "the container starts" 0 "${podman[@]}" run -d --name "$container" "${run_flags[@]}" \
  --network "ns:/run/netns/$edge" --cap-add NET_ADMIN --device /dev/net/tun --no-hosts --dns none \
  -v "$LAB_CA:/etc/wgsidecar/lab-ca.crt:ro" "${env_flags[@]}" "$image"
expect_not_contains "no secret on podman's command line" "$WG_PRIVATE_KEY" "$(pgrep -a podman || true)"

health_connected() { at_edge curl -sf --max-time 2 "$api/health" | jq -e '.database == "connected"' >/dev/null; }
deadline=$((SECONDS + 60))
until health_connected; do
  if [ "$SECONDS" -ge "$deadline" ] || [ "$("${podman[@]}" inspect -f '{{.State.Running}}' "$container")" != true ]; then break; fi
  sleep 0.5
done
health=$(at_edge curl -s --max-time 2 "$api/health" || true)
expect_eq "contacts-api answers /health as connected, through the tunnel" connected "$(jq -r '.database' <<<"$health" 2>/dev/null)"
expect_eq "with FLY_REGION" lab "$(jq -r '.region' <<<"$health" 2>/dev/null)"
expect_status "the tunnel interface exists in the edge namespace" 0 at_edge ip -o link show "$WG_INTERFACE"
status=$("${podman[@]}" exec "$container" /wgsidecar status --json 2>&1 || true)
expect_contains "wgsidecar status: the userspace backend (wireguard-go from the image)" "userspace" "$status"
expect_eq "/readyz on SIDECAR_HEALTH_ADDR says ready" 200 \
  "$(at_edge curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:9090/readyz || true)"

created=$(at_edge curl -s --max-time 5 -H 'Content-Type: application/json' \
  -d '{"name":"Ana Silva","email":"ana@example.com","company":"TechCorp Brasil"}' "$api/contacts" || true)
id=$(jq -r '.id // empty' <<<"$created" 2>/dev/null || true)
expect_contains "POST /contacts creates a contact" "Ana Silva" "$created"
expect_eq "GET /contacts/ID reads it back" ana@example.com \
  "$(at_edge curl -s --max-time 5 "$api/contacts/${id:-0}" | jq -r '.email' 2>/dev/null || true)"
expect_eq "GET /contacts lists it" 1 "$(at_edge curl -s --max-time 5 "$api/contacts?limit=10" | jq -r '.total' 2>/dev/null || true)"
expect_eq "malformed JSON is a 400" 400 "$(at_edge curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
  -H 'Content-Type: application/json' -d '{"name":' "$api/contacts" || true)"
expect_eq "the row is in PostgreSQL behind the hub" 1 "$(lab_edge_psql 'select count(*) from contacts' 2>/dev/null || true)"

section "the HEALTHCHECK (podman healthcheck run): wgsidecar probe against the running supervisor"
# podman's healthcheck timers need systemd; `healthcheck run` runs the image's check once.
health_of() { "${podman[@]}" healthcheck run "$container" >/dev/null 2>&1 && echo healthy || echo unhealthy; }
last_output() { "${podman[@]}" inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$container" | tail -n 1; }
expect_eq "healthy: the tunnel is fresh and the checks pass (bound to 0.0.0.0, asked on loopback)" healthy "$(health_of)"
expect_contains "what the check read" ready "$(last_output)"
wait_health() {  # wait_health STATE: up to 30 s, SIDECAR_PROBE_INTERVAL and SIDECAR_CHECK_INTERVAL being 2s
  local deadline=$((SECONDS + 30))
  until [ "$(health_of)" = "$1" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 1; done
  health_of
}
lab_remove_dnat
expect_eq "unhealthy once the hub no longer forwards to PostgreSQL" unhealthy "$(wait_health unhealthy)"
expect_contains "with /readyz's reason" "not ready" "$(last_output)"
lab_restore_dnat
expect_eq "healthy again when it does" healthy "$(wait_health healthy)"

section "stop: the app first, then the tunnel"
"${podman[@]}" stop -t 10 "$container" >/dev/null 2>&1 || true
code=$("${podman[@]}" inspect -f '{{.State.ExitCode}}' "$container")
expect_eq "podman stop (SIGTERM): contacts-api shuts down gracefully and wgsidecar passes its 0 on" 0 "$code"
expect_eq "the tunnel interface is gone" "" "$(at_edge ip -o link show "$WG_INTERFACE" 2>/dev/null || true)"
logs=$("${podman[@]}" logs "$container" 2>&1 || true)
expect_not_contains "the container's log holds no private key" "$WG_PRIVATE_KEY" "$logs"
expect_not_contains "nor the database password" "$DB_PASSWORD" "$logs"
if [ "$failed" -ne 0 ]; then printf -- '--- container log\n%s\n' "$(tail -n 40 <<<"$logs")"; fi

section "docker/compose.yaml's way: a wg-quick file (--config) and PGPASSFILE instead of the secrets"
# Both files live in the lab's state directory (tmpfs, removed by lab_down) and are mounted
# read-only; the run's app is a one-shot, as a release_command is.
(umask 077 && printf '[Interface]\nPrivateKey = %s\nAddress = %s\n\n[Peer]\nPublicKey = %s\nEndpoint = %s\nAllowedIPs = 10.50.0.0/24\nPersistentKeepalive = 25\n' \
  "$WG_PRIVATE_KEY" "$WG_ADDRESS" "$WG_PEER_PUBLIC_KEY" "$WG_PEER_ENDPOINT" >"$LAB_STATE/edge.conf")
expect_status "wgsidecar --config FILE run -- contacts-api version: tunnel, checks with the pgpass, app" 0 \
  "${podman[@]}" run --rm "${run_flags[@]}" --network "ns:/run/netns/$edge" --cap-add NET_ADMIN \
  --device /dev/net/tun --no-hosts --dns none -v "$LAB_CA:/etc/wgsidecar/lab-ca.crt:ro" \
  -v "$LAB_STATE/edge.conf:/secrets/edge.conf:ro" -v "$LAB_STATE/pgpass:/secrets/pgpass:ro" \
  -e DB_HOST -e DB_USER -e DB_NAME -e PGSSLMODE -e PGSSLROOTCERT -e PGPASSFILE=/secrets/pgpass \
  -e SIDECAR_STARTUP_TIMEOUT --entrypoint /wgsidecar "$image" --config /secrets/edge.conf run -- /app/contacts-api version
expect_contains "the app ran" "contacts-api" "$out"

finish
