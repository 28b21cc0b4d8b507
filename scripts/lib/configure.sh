# shellcheck shell=bash
# wgs_configure BUILD_DIR CMAKE_ARGS...: configure the project in BUILD_DIR, quietly. A new
# build directory gets Ninja where it is installed (it starts building sooner than make and
# keeps both CPUs busy); an existing one keeps the generator it was made with.
wgs_configure() {
  local build=$1 generator=()
  shift
  if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
  cmake -S "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)" -B "$build" "${generator[@]}" "$@" >/dev/null
}
