#!/usr/bin/env bash
# Runs inside the test VM's chroot, started by vm-init.sh: loads the modules the tests need,
# then runs the script vm-run.sh was given (its path and arguments are NUL-separated in
# /run/h3vm/argv, the host's working directory in /run/h3vm/cwd) and returns its status.
set -u
run=/run/h3vm

# Kernel modules come from the host's /usr/lib/modules/$(uname -r), shared over /usr.
if ! modprobe -a wireguard veth tun; then
  echo "vm-guest: cannot load the wireguard, veth and tun modules for $(uname -r)" >&2
  exit 125
fi
ip link set lo up

mapfile -d '' -t argv <"$run/argv"
cwd=$(cat "$run/cwd")
[ -d "$cwd" ] || cwd=/
cd "$cwd" || exit 125

touch "$run/script-started" # the host times boot-to-script by its mtime
started=$(cut -d' ' -f1 /proc/uptime)
echo "vm-guest: kernel $(uname -r) up ${started}s, running ${argv[*]}"
bash "${argv[@]}"
status=$?
echo "vm-guest: ${argv[0]} exited with status $status after $(cut -d' ' -f1 /proc/uptime)s of uptime"
exit "$status"
