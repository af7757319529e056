#!/usr/bin/python3
"""Subset Noto Sans CJK SC (Debian fonts-noto-cjk) into the kiosk's two fonts.

fonts/NotoSansCJKsc-Kiosk.otf      Latin, punctuation, symbols, full-width forms, every
                                   character of GBK/GB18030's two-byte range and all of
                                   CJK Extension A: what the UI and receipts draw.
fonts/NotoSansCJKsc-Kiosk-Ext.otf  every other character the SC face has (Extension B
                                   and later, compatibility ideographs): the fallback
                                   for rare name characters (生僻字).

Usage: toolchain/gen-fonts.py [SOURCE.ttc] [OUT_DIR]
"""
import os
import subprocess
import sys
import tempfile

from fontTools.ttLib import TTCollection

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "fonts")
FAMILY = "Noto Sans CJK SC"


def sc_face():
    """Index and cmap of the SC face, found by its family name."""
    for i, font in enumerate(TTCollection(SRC).fonts):
        if font["name"].getDebugName(1) == FAMILY:
            return i, set(font.getBestCmap())
    sys.exit(f"gen-fonts: no '{FAMILY}' face in {SRC}")


def gbk_chars():
    """Every character of GBK/GB18030's two-byte range."""
    chars = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                chars.add(ord(bytes([lead, trail]).decode("gb18030")))
            except UnicodeDecodeError:
                pass
    return chars


def ranges(*spans):
    return {cp for lo, hi in spans for cp in range(lo, hi + 1)}


def subset(index, codepoints, out):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(",".join(f"U+{cp:04X}" for cp in sorted(codepoints)))
        unicodes_file = f.name
    subprocess.run(
        [sys.executable, "-m", "fontTools.subset", SRC, f"--font-number={index}",
         f"--unicodes-file={unicodes_file}", f"--output-file={out}", "--no-hinting",
         "--layout-features=", "--name-IDs=*", "--name-languages=*", "--notdef-outline",
         "--drop-tables+=VORG,vhea,vmtx,DSIG"],
        check=True)
    os.unlink(unicodes_file)


def main():
    index, cmap = sc_face()
    primary = (gbk_chars()
               | ranges((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x20A0, 0x20BF),
                        (0x2100, 0x214F), (0x2190, 0x21FF), (0x2460, 0x24FF), (0x25A0, 0x25FF),
                        (0x2600, 0x26FF), (0x2700, 0x27BF), (0x3000, 0x303F), (0x3400, 0x4DBF),
                        (0xFF00, 0xFFEF)))
    primary &= cmap
    ext = {cp for cp in cmap if cp not in primary and
           (0x2E80 <= cp <= 0x2FDF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF)}
    os.makedirs(OUT, exist_ok=True)
    subset(index, primary, os.path.join(OUT, "NotoSansCJKsc-Kiosk.otf"))
    subset(index, ext, os.path.join(OUT, "NotoSansCJKsc-Kiosk-Ext.otf"))
    print(f"gen-fonts: face {index} ({FAMILY}); primary {len(primary)} characters, "
          f"fallback {len(ext)} characters")


if __name__ == "__main__":
    main()
