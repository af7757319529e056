#!/usr/bin/env bash
# Builds a signed RAUC update bundle: a rootfs image (ext4) of a firmware tree, with
# /etc/kiosk-release naming its version, signed with the update key.
# Usage: toolchain/make-bundle.sh --version V [--rootfs DIR | --deb FILE] [--keys DIR]
#          [--compatible NAME] [--format verity|plain] [--out FILE]
#   --rootfs DIR   the whole root to ship (a unit's image: mmdebstrap + the kiosk .deb)
#   --deb FILE     else: the firmware tree of this .deb (default build-deb/kiosk_*_ARCH.deb,
#                  toolchain/make-deb.sh) — a small image, what the tests use
#   --keys DIR     update.key.pem + update.cert.pem + ca.cert.pem (default var/update-keys,
#                  made by toolchain/make-update-key.sh on first use)
#   --compatible   default kiosk-ARCH; must equal the unit's [system] compatible
#   --format       verity (default: needs dm-verity on the unit) or plain
#   --out FILE     default build-bundle/kiosk-V-ARCH.raucb
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(dpkg --print-architecture)
version="" rootfs="" deb="" keys=var/update-keys compatible="" format=verity out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --rootfs) rootfs=$2; shift 2 ;;
    --deb) deb=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --compatible) compatible=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "make-bundle: unknown argument $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done
[ -n "$version" ] || { echo "make-bundle: --version is required" >&2; exit 2; }
case "$format" in verity | plain) ;; *) echo "make-bundle: --format verity or plain" >&2; exit 2 ;; esac
compatible=${compatible:-kiosk-$arch}
out=${out:-build-bundle/kiosk-$version-$arch.raucb}
for tool in rauc mkfs.ext4; do
  command -v "$tool" >/dev/null || {
    echo "make-bundle: $tool missing (toolchain/install-deps.sh installs rauc, e2fsprogs)" >&2; exit 1; }
done
if [ ! -f "$keys/update.key.pem" ]; then
  [ "$keys" = var/update-keys ] || { echo "make-bundle: no $keys/update.key.pem" >&2; exit 1; }
  toolchain/make-update-key.sh "$keys"
fi

work=$(mktemp -d /tmp/kiosk-bundle.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree=$work/tree
if [ -n "$rootfs" ]; then
  cp -a "$rootfs" "$tree"
else
  if [ -z "$deb" ]; then
    pkgver=$(dpkg-parsechangelog -l debian/changelog -S Version)
    deb=build-deb/kiosk_${pkgver}_$arch.deb
  fi
  [ -f "$deb" ] || { echo "make-bundle: $deb missing: run toolchain/make-deb.sh" >&2; exit 1; }
  mkdir -p "$tree"
  dpkg-deb -x "$deb" "$tree"
fi
mkdir -p "$tree/etc"
printf 'KIOSK_VERSION=%s\nKIOSK_COMPATIBLE=%s\n' "$version" "$compatible" >"$tree/etc/kiosk-release"

# an ext4 image made from the tree without mounting it; a third more than the files
kib=$(du -sk "$tree" | cut -f1)
mkdir -p "$work/content"
mkfs.ext4 -q -F -L rootfs -E root_owner=0:0 -d "$tree" "$work/content/rootfs.ext4" \
  "$((kib * 4 / 3 + 8192))k" >/dev/null
cat >"$work/content/manifest.raucm" <<MF
[update]
compatible=$compatible
version=$version
build=$(date -u +%Y%m%dT%H%M%SZ)

[bundle]
format=$format

[image.rootfs]
filename=rootfs.ext4
MF
mkdir -p "$(dirname "$out")"
rm -f "$out"
rauc bundle --cert="$keys/update.cert.pem" --key="$keys/update.key.pem" \
  --keyring="$keys/ca.cert.pem" "$work/content" "$out" >"$work/rauc.log" 2>&1 || {
  cat "$work/rauc.log" >&2; exit 1; }
echo "== $out ($(du -h "$out" | cut -f1), $compatible $version, $format)"
