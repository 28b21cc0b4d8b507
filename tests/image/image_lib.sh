# Shared by image_test.sh and compose_test.sh (source it after setting $root and $tmp):
# podman as this host needs it, the local debian:bookworm, and the prebuilt/ context that
# docker/Dockerfile's prebuilt stage copies this build's static binaries from.
# shellcheck shell=bash
# The arrays are used by the scripts that source this file; $root and $tmp come from them.
# shellcheck disable=SC2034,SC2154

podman=(podman --runtime runc)
run_flags=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# --format docker: the OCI image format has no HEALTHCHECK, and buildah would drop it.
build_flags=(build --pull=never --network=host --format docker -f "$root/docker/Dockerfile")

# image_base: debian:bookworm, made with debootstrap on the first run (cached).
image_base() {
  "$root/docker/make-debian-base.sh" >/dev/null 2>"$tmp/base.log" || { cat "$tmp/base.log" >&2; return 1; }
}

# image_prebuilt_context DIR WGSIDECAR CONTACTS_API: DIR/prebuilt/ in the layout of the
# Dockerfile's build stage output, with a static wireguard-go built from Debian's source.
image_prebuilt_context() {
  local ctx=$1/prebuilt
  "$root/docker/build-wireguard-go.sh" >"$tmp/wireguard-go.log" 2>&1 || { cat "$tmp/wireguard-go.log" >&2; return 1; }
  install -d "$ctx/app" "$ctx/usr/bin" "$ctx/etc/ssl/certs"
  strip -o "$ctx/wgsidecar" "$2"
  strip -o "$ctx/app/contacts-api" "$3"
  install -m 755 "${WGS_DEPS_PREFIX:-/opt/wgsidecar-deps}/bin/wireguard-go" "$ctx/usr/bin/wireguard-go"
  install -m 644 /etc/ssl/certs/ca-certificates.crt "$ctx/etc/ssl/certs/ca-certificates.crt"
}
