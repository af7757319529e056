#!/usr/bin/env bash
# Builds the kiosk Debian package from the tree: build-deb/kiosk_<version>_<arch>.deb
# (and its -dbgsym), then runs lintian on it (errors fail; warnings are printed).
# Usage: toolchain/make-deb.sh [amd64|arm64|armhf]   (default: this machine's)
# The tree's files (tracked and new, not ignored) are copied to build-deb/src so the
# build never writes into the repository. A foreign architecture is `dpkg-buildpackage
# -a ARCH` with the cross compiler and the ARCH build dependencies installed (multiarch);
# README.md, "Debian packages", says what still blocks it.
set -euo pipefail
cd "$(dirname "$0")/.."
native=$(dpkg --print-architecture)
arch=${1:-$native}

need=(debhelper lintian dpkg-dev fakeroot)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

out=$PWD/build-deb
rm -rf "$out/src"
mkdir -p "$out/src"
git ls-files -z -co --exclude-standard | grep -zv '^build' |
  xargs -0 cp --parents -t "$out/src" 2>/dev/null || true
# files deleted in the work tree but still tracked are simply absent: cp reports them
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
rm -f "$out"/kiosk*_"$version"_"$arch".*
cross=()
[ "$arch" = "$native" ] || cross=(-a "$arch")
(cd "$out/src" && dpkg-buildpackage -us -uc -b "${cross[@]}" -j"$(nproc)") >"$out/build-$arch.log" 2>&1 || {
  tail -40 "$out/build-$arch.log" >&2
  echo "make-deb: dpkg-buildpackage failed; the whole log is $out/build-$arch.log" >&2
  exit 1
}
deb=$out/kiosk_${version}_${arch}.deb
# lintian: any error (E:) fails; warnings are shown (README lists the accepted ones)
lintian --fail-on error "$deb" | tee "$out/lintian-$arch.txt"
echo "== $deb ($(du -h "$deb" | cut -f1)); lintian: no errors, $(grep -c '^W:' "$out/lintian-$arch.txt" || true) warnings"
