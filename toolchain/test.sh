#!/usr/bin/env bash
# The test command: installs what is missing (toolchain/install-deps.sh), checks the
# formatting, builds the firmware with warnings as errors, runs every test with ctest,
# then builds and runs the whole suite once more under AddressSanitizer +
# UndefinedBehaviorSanitizer, the threaded tests under ThreadSanitizer (build-tsan/), and
# fuzzes every libFuzzer target for 5 s with clang (build-fuzz/, toolchain/fuzz.sh), then
# builds the Debian package and installs it into a clean Debian 12 root
# (toolchain/test-package.sh) and tests signed A/B updates (toolchain/test-update.sh).
# Usage: toolchain/test.sh [--quick]   (--quick skips the sanitizer, fuzz, package and
# update passes)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

toolchain/install-deps.sh

echo "== clang-format check"
git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run -Werror

jobs=$(nproc)
run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  # SDL needs no display for the UI tests; the domain tests pin the time zone.
  SDL_VIDEODRIVER=dummy TZ=Asia/Shanghai ctest --test-dir "$dir" -j"$jobs" --output-on-failure
}

echo "== build and test (build/)"
run_suite build
if [ "$quick" -eq 0 ]; then
  echo "== build and test under ASan+UBSan (build-asan/)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan -DKIOSK_SANITIZE=ON

  echo "== threaded tests under ThreadSanitizer (build-tsan/)"
  start=$SECONDS
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_TSAN=ON \
    -DKIOSK_BUILD_UI=OFF >/dev/null
  cmake --build build-tsan -j"$jobs" --target threaded_tests
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/toolchain/tsan.supp \
    SDL_VIDEODRIVER=dummy TZ=Asia/Shanghai \
    ctest --test-dir build-tsan -j"$jobs" -L threads --output-on-failure
  echo "== ThreadSanitizer pass: $((SECONDS - start)) s"

  echo "== fuzz every target (build-fuzz/)"
  start=$SECONDS
  toolchain/fuzz.sh 5
  echo "== fuzz pass: $((SECONDS - start)) s"

  # the .deb (build, lintian, installed into a clean Debian 12 root from the mirror) and
  # signed A/B updates with RAUC on file-backed slots; RAUC and the root need root
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "== Debian package: build, lintian, install into a clean root (build-deb/)"
  start=$SECONDS
  "${as_root[@]}" toolchain/test-package.sh
  echo "== package pass: $((SECONDS - start)) s"
  echo "== signed A/B updates with RAUC (file-backed slots)"
  start=$SECONDS
  "${as_root[@]}" toolchain/test-update.sh
  echo "== update pass: $((SECONDS - start)) s"
fi
echo "== all tests passed"
