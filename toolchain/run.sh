#!/usr/bin/env bash
# The run command: installs what is missing, builds, and starts the kiosk on its
# embedded default — simulated card reader, receipts written as images to var/receipts,
# local SQLite under var/ — in a window, or headless when there is no display.
# Extra arguments go to the kiosk (e.g. --config FILE, --screenshot FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target kiosk
exec build/firmware/main/kiosk "$@"
