# shellcheck shell=bash
# Named phases with their wall time, for scripts a person waits on (demo, test, fresh check):
#   phase "build"; ...; phase "lab"; ...; phase_end; phases_summary
# Each phase ends when the next begins. The summary is one line per phase and the total.
phases__names=()
phases__seconds=()
phases__current=
phases__started=0
phases__first=$(date +%s.%N)

# phases__since START: seconds from START (date +%s.%N) to now (awk: bc is not in a minimal Debian).
phases__since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }

# phase NAME: end the running phase and start NAME (announced on stdout).
phase() {
  phase_end
  phases__current=$1
  phases__started=$(date +%s.%N)
  printf '\n\033[1m== %s\033[0m\n' "$1"
}

# phase_end: end the running phase, if any.
phase_end() {
  [ -n "$phases__current" ] || return 0
  phases__names+=("$phases__current")
  phases__seconds+=("$(phases__since "$phases__started")")
  phases__current=
}

# phases_summary [TITLE]: the table of phases and the total, to stdout.
phases_summary() {
  phase_end
  local i
  printf '\n%s\n' "${1:-phases}:"
  for i in "${!phases__names[@]}"; do
    printf '  %-28s %7.1f s\n' "${phases__names[$i]}" "${phases__seconds[$i]}"
  done
  printf '  %-28s %7.1f s\n' total "$(phases__since "$phases__first")"
}
