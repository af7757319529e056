#!/usr/bin/env bash
# Tests the Debian packages: builds them with lintian (toolchain/make-deb.sh), makes a
# clean Debian 12 root with mmdebstrap (packages from the Debian mirror, variant apt: no
# systemd, no adduser), and in it runs tests/package/check-in-root.sh: `apt install
# ./kiosk_*.deb` and `./kiosk-hub_*.deb`, the files, the users, the conffiles,
# `systemd-analyze verify`, and purges that keep /var/lib/kiosk and /var/lib/kiosk-hub.
# Needs the Debian mirror; takes a few minutes.
# Usage: toolchain/test-package.sh [--no-build]   (--no-build: test build-deb/'s .deb)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
if [ "${1:-}" != "--no-build" ]; then toolchain/make-deb.sh; fi
if ! command -v mmdebstrap >/dev/null; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends mmdebstrap
fi
arch=$(dpkg --print-architecture)
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
deb=build-deb/kiosk_${version}_${arch}.deb
hub_deb=build-deb/kiosk-hub_${version}_${arch}.deb
for d in "$deb" "$hub_deb"; do
  [ -f "$d" ] || { echo "test-package: $d missing" >&2; exit 1; }
done
root=$(mktemp -d /tmp/kiosk-pkgroot.XXXXXX)
trap 'rm -rf "$root"' EXIT
# the root is made and checked by hooks, with /proc and /dev mounted by mmdebstrap
if ! mmdebstrap --quiet --variant=apt --mode=root bookworm "$root" \
  http://deb.debian.org/debian "http://deb.debian.org/debian bookworm-updates main" \
  "http://deb.debian.org/debian-security bookworm-security main" \
  --customize-hook="copy-in $deb $hub_deb tests/package/check-in-root.sh /tmp" \
  --customize-hook="chroot \"\$1\" sh /tmp/check-in-root.sh /tmp/$(basename "$deb") /tmp/$(basename "$hub_deb")" \
  2>&1 | { grep -v '^I: ' || true; }; then
  echo "test-package: FAILED" >&2
  exit 1
fi
# (the root is removed by the trap, after mmdebstrap has unmounted /proc and /dev: never
# from a hook, where they are still mounted)
echo "== package test passed in $((SECONDS - start)) s"
