# shellcheck shell=bash
# Sourced by the hostile tests that run wgsidecar itself: re-runs the calling script in a
# network and a mount namespace of its own (root; exit 77 otherwise), with loopback up and
# /run/wireguard private, so anything `run` or `check` sends stays inside and no UAPI socket
# meets another test's. Usage, at the top of a test: source netns.sh "$0" "$@"
if [ "${WGS_HOSTILE_INSIDE:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network and mount namespaces"; exit 77; }
  exec env WGS_HOSTILE_INSIDE=1 unshare --net --mount --propagation private bash "$@"
fi
ip link set lo up
mkdir -p /run/wireguard && mount -t tmpfs tmpfs /run/wireguard
# A configuration wgsidecar accepts; the hub's address is unreachable in here.
export WG_PRIVATE_KEY=QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY= WG_PEER_PUBLIC_KEY=Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=
export WG_PEER_ENDPOINT=192.0.2.1:51820 WG_INTERFACE=dhostile0 DB_HOST=10.50.0.1
