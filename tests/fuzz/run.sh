#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.cpp with clang + libFuzzer (ASan, UBSan) and runs each for
# a short while. Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET] (default 20).
set -euo pipefail
seconds=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WGS_FUZZ_BUILD:-$root/build-fuzz}
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DWGS_FUZZ=ON -DWGS_STATIC=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
targets=$(cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//')
cmake --build "$build" -j"$(nproc)" --target $targets >/dev/null
for target in $targets; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzzing $target for ${seconds}s"
  "$build/tests/$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=0 "$corpus" 2>&1 | tail -n 2
done
echo "fuzz: all targets ran without a crash"
