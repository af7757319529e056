#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/: ASan + UBSan + libFuzzer, the
# whole firmware so clang's warnings are errors too) and fuzzes every target for SECONDS
# (default 5) from its committed seeds in tests/fuzz/corpus/<target>/. A crash, leak,
# sanitizer report or timeout fails the run; the input that did it is kept in
# build-fuzz/fuzz-artifacts/. Inputs that reach new code are kept between runs in
# build-fuzz/fuzz-corpus/<target>/, never written into the committed seeds.
# Usage: toolchain/fuzz.sh [SECONDS] [TARGET...]
#   toolchain/fuzz.sh            every target 5 s (what toolchain/test.sh runs)
#   toolchain/fuzz.sh 600        a longer run: every target 10 minutes
#   toolchain/fuzz.sh 60 fuzz_config fuzz_card_profile
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-5}
shift || true
jobs=$(nproc)
dir=build-fuzz

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DKIOSK_FUZZ=ON -DKIOSK_BUILD_TESTS=OFF -DKIOSK_BUILD_UI=OFF >/dev/null
cmake --build "$dir" -j"$jobs"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
fi
mkdir -p "$dir/fuzz-artifacts" "$dir/fuzz-logs"

# One target: fuzz for secs from the kept corpus and the seeds; prints one line.
run_one() {
  local t=$1 secs=$2 dir=$3
  local work="$dir/fuzz-corpus/$t" seeds="tests/fuzz/corpus/$t" log="$dir/fuzz-logs/$t.log"
  mkdir -p "$work"
  [ -d "$seeds" ] || seeds=
  if "$dir/tests/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/fuzz-artifacts/$t-" "$work" $seeds >"$log" 2>&1; then
    echo "fuzz: $t ok ($(grep -o 'Done [0-9]* runs' "$log" || echo '? runs'))"
  else
    echo "fuzz: $t FAILED, log $log:"
    grep -E 'ERROR|SUMMARY|^    #[0-9]+ .* in LLVMFuzzerTestOneInput|Test unit written' "$log" | head -20
    return 1
  fi
}
export -f run_one

echo "== fuzz: ${#targets[@]} targets, ${secs} s each, $jobs at a time"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$secs" "$dir" ||
  { echo "fuzz: a target failed (inputs in $dir/fuzz-artifacts/)"; exit 1; }
echo "fuzz: all ${#targets[@]} targets ran ${secs} s without a finding"
