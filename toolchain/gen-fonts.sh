#!/usr/bin/env bash
# Regenerates fonts/ (the two subset fonts, LICENSE and README.md) from Debian's
# fonts-noto-cjk with fontTools; see toolchain/gen-fonts.py for what goes where.
# Debian's python3 on purpose: python3-fonttools is installed for it, not for a pyenv one.
# Usage: toolchain/gen-fonts.sh [SOURCE.ttc] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
out="${2:-$here/../fonts}"
py=/usr/bin/python3
[ -r "$src" ] || { echo "gen-fonts: $src missing (apt-get install fonts-noto-cjk)" >&2; exit 1; }
"$py" -c 'import fontTools.subset' 2>/dev/null ||
  { echo "gen-fonts: fontTools missing (apt-get install python3-fonttools)" >&2; exit 1; }
exec "$py" "$here/gen-fonts.py" "$src" "$out"
