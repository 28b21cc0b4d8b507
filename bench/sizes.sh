# shellcheck shell=bash
# Scenario 4: sizes. wgsidecar static and stripped; the images when both are built here
# (podman), else what the seed's Dockerfile installs for its entrypoint (wireguard-tools,
# iptables, bash) as Debian 12 packages with every dependency a slim base image lacks.

# seed_packages: the Debian packages the seed's stack (wireguard-tools, iptables, bash,
# iproute2) needs with their dependencies, less those a debian:bookworm-slim base holds (the
# packages of priority "required" and their dependencies). "NAME KIB" a line.
seed_packages() {
  dpkg-query -W -f='${Package}\t${Status}\t${Priority}\t${Installed-Size}\t${Pre-Depends}, ${Depends}\n' |
    /usr/bin/python3 -c '
import re, sys
pkgs = {}
for line in sys.stdin:
    name, status, priority, size, deps = line.rstrip("\n").split("\t")
    if status.endswith("ok installed"):
        alts = [d.split("|")[0] for d in deps.split(",")]
        pkgs[name] = (priority, int(size or 0), [re.sub(r"\(.*\)|:any|\s", "", d) for d in alts if d.strip()])
def closure(roots):
    seen, todo = set(), list(roots)
    while todo:
        p = todo.pop()
        if p in seen or p not in pkgs: continue
        seen.add(p)
        todo += pkgs[p][2]
    return seen
base = closure([p for p, v in pkgs.items() if v[0] == "required"])
for p in sorted(closure(["wireguard-tools", "iptables", "bash", "iproute2"]) - base):
    print(p, pkgs[p][1])
'
}

image_size_kib() {
  command -v podman >/dev/null || return 1
  local bytes
  bytes=$(podman image inspect --format '{{.Size}}' "$1" 2>/dev/null) || return 1
  echo $((bytes / 1024))
}

# bench_sizes BUILD_DIR
bench_sizes() {
  local stripped=$BENCH_OUT/wgsidecar.stripped kib seed_kib pkgs
  strip -o "$stripped" "$WGSIDECAR"
  sample size wgsidecar binary_stripped $(($(stat -c %s "$stripped") / 1024)) KiB
  # What each adds to the base image for the tunnel: the one binary, or the seed's packages.
  sample size wgsidecar added_to_base $(($(stat -c %s "$stripped") / 1024)) KiB
  sample size wgsidecar binary_unstripped $(($(stat -c %s "$WGSIDECAR") / 1024)) KiB
  strip -o "$BENCH_OUT/contacts-api.stripped" "$BENCH_APP"
  note size "contacts-api (the app, the same in both images), static and stripped: $(($(stat -c %s "$BENCH_OUT/contacts-api.stripped") / 1024)) KiB."
  pkgs=$(seed_packages)
  local pkg_kib image=${BENCH_IMAGE:-localhost/wgsidecar-test:prebuilt} base=${BENCH_SEED_BASE:-localhost/debian:bookworm}
  pkg_kib=$(awk '{s += $2} END {print s}' <<<"$pkgs")
  if kib=$(image_size_kib "$image"); then
    sample size wgsidecar image "$kib" KiB
    if [ -n "${BENCH_SEED_IMAGE:-}" ] && seed_kib=$(image_size_kib "$BENCH_SEED_IMAGE"); then
      sample size seed image "$seed_kib" KiB
      note size "Images: $image against $BENCH_SEED_IMAGE (podman image sizes)."
    elif seed_kib=$(image_size_kib "$base"); then
      sample size seed image $((seed_kib + pkg_kib)) KiB
      note size "Images: $image (podman) against an estimate of the seed's image: $base ($seed_kib KiB) plus the Installed-Size of its packages (not built here; set BENCH_SEED_IMAGE to compare a built one). Both hold contacts-api as well."
    fi
  else
    note size "Images: $image not found (podman); the seed's stack is measured as Debian packages instead."
  fi
  sample size seed added_to_base "$pkg_kib" KiB
  note size "The seed's stack as Debian 12 packages (Installed-Size, less what a debian:bookworm-slim base already has): $(awk '{print $1}' <<<"$pkgs" | paste -sd' ')."
  # wgsidecar's userspace fallback needs wireguard-go where the kernel has no WireGuard (not on Fly).
  kib=$(dpkg-query -W -f='${Installed-Size}' wireguard-go 2>/dev/null || echo 0)
  note size "wireguard-go (only for the userspace fallback, needed by both where the kernel lacks WireGuard): $kib KiB installed."
}
