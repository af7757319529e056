#!/usr/bin/env bash
# Installs every Debian 12 package the kiosk firmware needs to build, test and run.
# Idempotent: when everything is already installed it changes nothing and returns at
# once; otherwise it runs `apt-get update` and installs what is missing. Works as root
# or through sudo. Called by toolchain/run.sh and toolchain/test.sh.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git clang libclang-rt-14-dev clang-format
  # libraries the firmware links
  libsdl2-dev libsdl2-ttf-dev libpng-dev libnfc-dev libsqlite3-dev libjansson-dev
  libinih-dev libsodium-dev libqrencode-dev libfreetype-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev
  libgooglepinyin0-dev libgooglepinyin0
  # the hub's PostgreSQL backend (libpq); the server for its tests (a private one each run)
  libpq-dev postgresql-15
  # contact and SAM card readers through PC/SC (pcscd); tests add a virtual reader (vpcd)
  libpcsclite-dev pcscd vsmartcard-vpcd
  # handwriting: Zinnia and its Simplified Chinese model
  libzinnia-dev tegaki-zinnia-simplified-chinese
  # voice prompts rendered at build time (cmake renders assets/strings prompts to WAV)
  espeak-ng
  # Traditional Chinese (zh_Hant) made from the Simplified strings at build time (toolchain/gen-hant.py)
  opencc
  # tests
  libcmocka-dev libzbar-dev zbar-tools sqlite3 systemd openssl
  # the hub's web console in headless Chromium (tests/hub/console_browser.py, DevTools pipe)
  chromium python3
  # the Debian package (toolchain/make-deb.sh, test-package.sh) and signed A/B updates
  # (make-bundle.sh, test-update.sh: RAUC on a private D-Bus, ext4 images, squashfs bundles)
  debhelper dpkg-dev fakeroot lintian mmdebstrap rauc squashfs-tools e2fsprogs dbus-daemon
  # asset regeneration (toolchain/gen-*.sh): fonts and the division data (npm comes with Node.js)
  fonts-noto-cjk python3-fonttools
)

# Installed for this machine's architecture (or arch-independent): a foreign-arch copy
# left by toolchain/cross-build.sh does not count.
native=$(dpkg --print-architecture)
installed() {
  dpkg-query -W -f='${Status} ${Architecture}\n' "$1" 2>/dev/null |
    grep -qE "^install ok installed ($native|all)\$"
}
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
