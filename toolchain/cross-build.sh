#!/usr/bin/env bash
# Cross-build the firmware for an ARM board and run its unit tests under qemu-user.
# Usage: toolchain/cross-build.sh [arm64|armhf]   (default arm64)
# Installs Debian's cross compiler, qemu-user-static and the multiarch -dev packages on
# first use (as root or through sudo). Tests that start other programs (kioskctl, hub,
# the crash driver, the kiosk as a service) are left to the native suite: qemu-user
# cannot exec them without binfmt_misc, which containers rarely have.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-arm64}
case "$arch" in
  arm64) triplet=aarch64-linux-gnu ;;
  armhf) triplet=arm-linux-gnueabihf ;;
  *) echo "cross-build: arch must be arm64 or armhf" >&2; exit 2 ;;
esac

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
# Multi-Arch "same" packages install beside the native ones.
libs=(libsdl2-dev libsdl2-ttf-dev libpng-dev libsqlite3-dev libjansson-dev libinih-dev
      libsodium-dev libqrencode-dev libfreetype-dev libcmocka-dev libnfc6 libzbar0
      libusb-0.1-4 libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libgooglepinyin0-dev
      libpcsclite-dev)
# These -dev packages are not: installing the foreign one would remove the native one,
# so they are unpacked into a private sysroot instead (their libraries come from
# libnfc6, libzbar0 and libusb-0.1-4 above).
private=(libnfc-dev libzbar-dev libusb-dev)
want=(crossbuild-essential-"$arch" qemu-user-static)
for l in "${libs[@]}"; do want+=("$l:$arch"); done
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo[@]}" dpkg --add-architecture "$arch"
  # a mirror in mid-sync fails one index; the others are still usable
  "${sudo[@]}" apt-get update -q || echo "cross-build: apt-get update reported errors; trying anyway" >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

dir=build-$arch
sysroot=$(pwd)/$dir/sysroot
if [ ! -d "$sysroot/usr/lib/$triplet/pkgconfig" ]; then
  mkdir -p "$dir/debs" "$sysroot"
  for p in "${private[@]}"; do
    (cd "$dir/debs" && apt-get download -q "$p:$arch")
  done
  for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$sysroot"; done
  # point the .so links at the installed runtime libraries, the .pc files at the sysroot
  for link in "$sysroot/usr/lib/$triplet"/*.so; do
    [ -L "$link" ] || continue # a linker script names its library itself
    target=$(readlink "$link")
    [ -e "$sysroot/usr/lib/$triplet/$target" ] || ln -sf "/usr/lib/$triplet/$target" "$link"
  done
  sed -i "s|^prefix=/usr\$|prefix=$sysroot/usr|" "$sysroot/usr/lib/$triplet/pkgconfig"/*.pc
fi
export KIOSK_CROSS_PKG_CONFIG="$sysroot/usr/lib/$triplet/pkgconfig"

cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="toolchain/$triplet.cmake" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j"$(nproc)"
"$triplet-readelf" -h "$dir/programs/kioskctl" | grep -E "Class|Machine"
SDL_VIDEODRIVER=dummy TZ=Asia/Shanghai ctest --test-dir "$dir" -j"$(nproc)" --output-on-failure \
  --timeout 600 -E '^(test_kioskctl|test_kiosk_service|test_hub_cli|test_sync_crash)$'
echo "== $arch unit tests passed under qemu"
