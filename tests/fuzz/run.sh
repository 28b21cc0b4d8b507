#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.cpp with clang + libFuzzer (ASan, UBSan) and runs each for
# a short while. Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET] (default $WGS_FUZZ_SECONDS, else
# 20). The ctest entry `fuzz` (label fuzz) runs it; without clang or its fuzzer runtime
# (libclang-rt-14-dev, which clang only recommends) it exits 77, skipped.
set -euo pipefail
seconds=${1:-${WGS_FUZZ_SECONDS:-20}}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WGS_FUZZ_BUILD:-$root/build-fuzz}
# shellcheck source=../lib/skip.sh
source "$root/tests/lib/skip.sh"
needs_commands clang clang++
# clang prints the bare name back when it has no such file.
[ -f "$(clang --print-file-name=libclang_rt.fuzzer-x86_64.a)" ] ||
  skip "needs clang's libFuzzer runtime (libclang-rt-14-dev; scripts/setup.sh fuzz installs it)"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DWGS_FUZZ=ON -DWGS_STATIC=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
mapfile -t targets < <(cd "$root/tests/fuzz" && for source in fuzz_*.cpp; do echo "${source%.cpp}"; done)
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzzing $target for ${seconds}s"
  "$build/tests/$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=0 "$corpus" 2>&1 | tail -n 2
done
echo "fuzz: all targets ran without a crash"
