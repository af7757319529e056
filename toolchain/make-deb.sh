#!/usr/bin/env bash
# Builds the kiosk Debian package from the tree: build-deb/kiosk_<version>_<arch>.deb
# (and its -dbgsym), then runs lintian on it (errors fail; warnings are printed).
# Usage: toolchain/make-deb.sh [amd64|arm64|armhf]   (default: this machine's)
# The tree's files (tracked and new, not ignored) are copied to build-deb/src so the
# build never writes into the repository. A foreign architecture (arm64, armhf) is
# `dpkg-buildpackage -a ARCH` inside a throw-away mmdebstrap root with the cross compiler
# and the ARCH build dependencies (needs the Debian mirror; README.md, "Debian packages").
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
if [ "$arch" = "$native" ]; then
  (cd "$out/src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$out/build-$arch.log" 2>&1 || {
    tail -40 "$out/build-$arch.log" >&2
    echo "make-deb: dpkg-buildpackage failed; the whole log is $out/build-$arch.log" >&2
    exit 1
  }
else
  # A foreign architecture is cross-built in a throw-away Debian 12 root (mmdebstrap,
  # packages from the mirror) holding the cross compiler and the ARCH build
  # dependencies: libnfc-dev, libzbar-dev and libusb-dev are not Multi-Arch: same, so
  # the ARCH ones cannot sit beside this machine's native ones. espeak-ng and opencc run
  # at build time but are not Multi-Arch: foreign: the build profile `cross` leaves them
  # out of the ARCH build dependencies and the root gets the native ones.
  command -v mmdebstrap >/dev/null || { echo "make-deb: mmdebstrap missing (toolchain/install-deps.sh)" >&2; exit 1; }
  rm -rf "$out/cross-$arch"
  mkdir -p "$out/cross-$arch"
  mmdebstrap --quiet --variant=apt --mode=root --format=null --architectures="$native,$arch" \
    --include=build-essential,crossbuild-essential-"$arch",dpkg-dev,espeak-ng,opencc \
    bookworm /dev/null http://deb.debian.org/debian \
    --customize-hook='mkdir -p "$1/src"' --customize-hook="sync-in $out/src /src" \
    --customize-hook="chroot \"\$1\" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q -a $arch -P cross /src'" \
    --customize-hook="chroot \"\$1\" sh -c 'cd /src && dpkg-buildpackage -us -uc -B -a $arch -Pcross -j$(nproc) && mkdir /out && mv /kiosk*.deb /out/'" \
    --customize-hook="sync-out /out $out/cross-$arch" >"$out/build-$arch.log" 2>&1 || {
    tail -40 "$out/build-$arch.log" >&2
    echo "make-deb: the $arch cross build failed; the whole log is $out/build-$arch.log" >&2
    exit 1
  }
  mv "$out/cross-$arch"/*.deb "$out/"
fi
deb=$out/kiosk_${version}_${arch}.deb
hub_deb=$out/kiosk-hub_${version}_${arch}.deb
# lintian: any error (E:) fails; warnings are shown (README lists the accepted ones)
lintian --fail-on error "$deb" "$hub_deb" | tee "$out/lintian-$arch.txt"
for d in "$deb" "$hub_deb"; do
  echo "== $d ($(du -h "$d" | cut -f1))"
done
echo "== lintian: no errors, $(grep -c '^W:' "$out/lintian-$arch.txt" || true) warnings"
