#!/usr/bin/env bash
# Regenerates fonts/ (the three subset fonts, LICENSE and README.md) from Debian's
# fonts-noto-cjk and fonts-hanazono with fontTools, choosing the rare characters with
# unicode-data's Unihan; see toolchain/gen-fonts.py for what goes where.
# Debian's python3 on purpose: python3-fonttools is installed for it, not for a pyenv one.
# fonts-hanazono and unicode-data are needed here only, so toolchain/install-deps.sh
# leaves them out.
# The Traditional Chinese subset (NotoSansCJKtc-Kiosk.otf) reads the zh_Hant files a build
# generates (toolchain/gen-hant.py): it is made after the others from BUILD/assets
# ($KIOSK_BUILD_ASSETS, default build/assets), or alone with --tc BUILD_ASSETS.
# Usage: toolchain/gen-fonts.sh [SOURCE.ttc] [OUT_DIR] [HANAMINB.ttf] [UNIHAN_DIR]
#        toolchain/gen-fonts.sh --tc BUILD_ASSETS [SOURCE.ttc] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3
if [ "${1:-}" = --tc ]; then
  [ -r "$2/strings/zh_Hant.ini" ] || { echo "gen-fonts: no zh_Hant in $2: build first" >&2; exit 1; }
  exec "$py" "$here/gen-fonts.py" "$@"
fi
src="${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
out="${2:-$here/../fonts}"
rare="${3:-/usr/share/fonts/truetype/hanazono/HanaMinB.ttf}"
unihan="${4:-/usr/share/unicode}"
[ -r "$src" ] || { echo "gen-fonts: $src missing (apt-get install fonts-noto-cjk)" >&2; exit 1; }
[ -r "$rare" ] || { echo "gen-fonts: $rare missing (apt-get install fonts-hanazono)" >&2; exit 1; }
[ -r "$unihan/Unihan_Readings.txt.bz2" ] ||
  { echo "gen-fonts: no Unihan in $unihan (apt-get install unicode-data)" >&2; exit 1; }
"$py" -c 'import fontTools.subset' 2>/dev/null ||
  { echo "gen-fonts: fontTools missing (apt-get install python3-fonttools)" >&2; exit 1; }
"$py" "$here/gen-fonts.py" "$src" "$out" "$rare" "$unihan"
exec "$py" "$here/gen-fonts.py" --tc "${KIOSK_BUILD_ASSETS:-$here/../build/assets}" "$src" "$out"
