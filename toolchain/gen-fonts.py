#!/usr/bin/python3
"""Subset Noto Sans CJK SC Regular (Debian's fonts-noto-cjk) into the kiosk's two fonts.

fonts/NotoSansCJKsc-Kiosk.otf      Latin (with pinyin letters), punctuation, UI symbols,
                                   CJK symbols, full-width forms, every character of
                                   GBK/GB18030's two-byte range and all of CJK Extension A:
                                   what the UI and the receipts draw.
fonts/NotoSansCJKsc-Kiosk-Ext.otf  every other ideograph the SC face has (the rest of the
                                   URO, Extension B and later, compatibility ideographs,
                                   radicals): the fallback for rare name characters (生僻字).

It also writes fonts/LICENSE (the OFL text from the package) and fonts/README.md (sizes,
coverage, source version). Output is reproducible: the fonts' timestamps come from the
source file, so the same package gives the same bytes. Hinting and OpenType layout
features are dropped: SDL2_ttf and FreeType draw these fonts unhinted, horizontally, one
character per glyph. Run it through toolchain/gen-fonts.sh.

Usage: gen-fonts.py [SOURCE.ttc] [OUT_DIR]
"""
import hashlib
import os
import subprocess
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fonts")
COPYRIGHT_FILE = "/usr/share/doc/fonts-noto-cjk/copyright"
FAMILY, SUBFAMILY = "Noto Sans CJK SC", "Regular"
PRIMARY, EXT = "NotoSansCJKsc-Kiosk.otf", "NotoSansCJKsc-Kiosk-Ext.otf"

# What the UI needs beyond GBK, as (first, last, what). Only what the face has is kept.
PRIMARY_RANGES = [
    (0x0020, 0x007E, "Basic Latin"),
    (0x00A0, 0x00FF, "Latin-1 (· × ¥ ü é)"),
    (0x0100, 0x017F, "Latin Extended-A (pinyin ā ē ī ō ū)"),
    (0x01CD, 0x01DC, "pinyin ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ"),
    (0x0250, 0x02FF, "IPA ɑ ɡ, spacing tone marks ˇ ˉ ˊ ˋ ˙"),
    (0x0370, 0x04FF, "Greek and Cyrillic"),
    (0x2000, 0x206F, "general punctuation (— … ‘’ “” ‰ ※)"),
    (0x20A0, 0x20CF, "currency symbols"),
    (0x2100, 0x218F, "letterlike symbols, number forms (℃ № Ⅰ Ⅻ)"),
    (0x2190, 0x21FF, "arrows"),
    (0x2200, 0x22FF, "mathematical operators (≤ ≥ ≠ ±)"),
    (0x2300, 0x23FF, "technical symbols (⏎)"),
    (0x2460, 0x24FF, "enclosed alphanumerics (① ⑴ ⒈ Ⓐ)"),
    (0x2500, 0x25FF, "box drawing, blocks, geometric shapes (● ○ ■ □ ▲ ◆)"),
    (0x2600, 0x27BF, "symbols and dingbats (✓ ★ ☎ ⚠)"),
    (0x3000, 0x303F, "CJK symbols and punctuation"),
    (0x3040, 0x30FF, "kana (in GBK; ・ ー)"),
    (0x3100, 0x312F, "bopomofo"),
    (0x3200, 0x33FF, "enclosed CJK (㈠ ㉑ ㊣), CJK compatibility (㎡ ㎏)"),
    (0x3400, 0x4DBF, "CJK Extension A"),
    (0xFE10, 0xFE1F, "vertical forms"),
    (0xFE30, 0xFE6F, "CJK compatibility and small forms"),
    (0xFF00, 0xFFEF, "half-width and full-width forms"),
]

# Ideographs and their components: whatever of these the primary font lacks goes to Ext.
IDEOGRAPH_RANGES = [
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x31C0, 0x31EF),  # CJK strokes
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # unified ideographs (URO)
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x3FFFF),  # planes 2 and 3: Extension B and later, compatibility supplement
]


def sc_face():
    """Index, cmap and copyright line of the SC face, found by its names, not its index."""
    for i, font in enumerate(TTCollection(SRC, lazy=True).fonts):
        name = font["name"]
        if name.getDebugName(1) == FAMILY and name.getDebugName(2) == SUBFAMILY:
            return i, font.getBestCmap(), name.getDebugName(0), name.getDebugName(5)
    sys.exit(f"gen-fonts: no '{FAMILY} {SUBFAMILY}' face in {SRC}")


def gbk_two_byte():
    """Every character a two-byte GBK/GB18030 sequence decodes to (both codecs: they
    differ on a few punctuation marks, e.g. A1A4 and A1AA)."""
    chars = set()
    for codec in ("gbk", "gb18030"):
        for lead in range(0x81, 0xFF):
            for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFF)):
                try:
                    text = bytes([lead, trail]).decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(text) == 1:
                    chars.add(ord(text))
    return chars


def in_ranges(cp, ranges):
    return any(r[0] <= cp <= r[1] for r in ranges)


def write_subset(index, codepoints, out):
    opts = subset.Options()
    opts.font_number = index
    opts.hinting = False  # drops CFF hints
    opts.layout_features = []  # no GSUB/GPOS features: one glyph per character
    opts.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "DSIG", "GDEF", "GSUB", "GPOS"]
    opts.name_IDs = ["*"]  # keep copyright, licence and trademark records
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    font = subset.load_font(SRC, opts, lazy=False)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    subset.save_font(font, out, opts)
    font.close()


def package_version():
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "fonts-noto-cjk"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not installed from a Debian package)"


def ofl_text():
    """The SIL OFL 1.1 text as the Debian package states it (deb822 continuation lines)."""
    lines, inside = [], False
    with open(COPYRIGHT_FILE, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.rstrip() == "License: SIL-1.1":
                inside, lines = True, []  # the stanza with the text is the one with a body
                continue
            if inside:
                if not line.startswith(" "):
                    if lines:
                        break
                    inside = False
                    continue
                body = line[1:]
                lines.append("" if body == "." else body)
    if not any("SIL OPEN FONT LICENSE Version 1.1" in l for l in lines):
        sys.exit(f"gen-fonts: no OFL 1.1 text in {COPYRIGHT_FILE}")
    return "\n".join(lines).strip("\n") + "\n"


def describe(path):
    font = TTFont(path, lazy=True)
    cmap = font.getBestCmap()
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    glyphs = font["maxp"].numGlyphs
    font.close()
    return cmap, size, digest, glyphs


def count(cps, spans):
    return sum(1 for cp in cps if in_ranges(cp, spans))


def main():
    # The package's date, so that unchanged input gives byte-identical fonts.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(os.path.getmtime(SRC))))
    index, cmap, copyright_line, version = sc_face()
    gbk = gbk_two_byte()
    gbk_han = {cp for cp in gbk if in_ranges(cp, IDEOGRAPH_RANGES)}
    primary = {cp for cp in gbk | {cp for lo, hi, _ in PRIMARY_RANGES for cp in range(lo, hi + 1)}
               if cp in cmap}
    # U+4DB6–U+4DBF joined Extension A in Unicode 13, after this version of the face.
    missing_han = sorted(cp for cp in gbk_han | set(range(0x3400, 0x4DB6)) if cp not in cmap)
    if missing_han:
        sys.exit("gen-fonts: the SC face lacks GBK/Ext-A ideographs: "
                 + " ".join(f"U+{cp:04X}" for cp in missing_han[:20]))
    ext = {cp for cp in cmap if cp not in primary and in_ranges(cp, IDEOGRAPH_RANGES)}

    os.makedirs(OUT, exist_ok=True)
    p_path, e_path = os.path.join(OUT, PRIMARY), os.path.join(OUT, EXT)
    write_subset(index, primary, p_path)
    write_subset(index, ext, e_path)
    p_cmap, p_size, p_sha, p_glyphs = describe(p_path)
    e_cmap, e_size, e_sha, e_glyphs = describe(e_path)
    if set(p_cmap) != primary or set(e_cmap) != ext:
        sys.exit("gen-fonts: a subset's cmap differs from the requested set")

    with open(os.path.join(OUT, "LICENSE"), "w", encoding="utf-8") as f:
        f.write(f"{PRIMARY} and {EXT} are subsets of {FAMILY} {SUBFAMILY}\n"
                f"({version}), made by toolchain/gen-fonts.sh from Debian's fonts-noto-cjk.\n\n"
                f"{copyright_line}\nNoto is a trademark of Google Inc.\n\n"
                "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
                "This license is copied below, and is also available with a FAQ at:\n"
                "https://openfontlicense.org\n\n")
        f.write(ofl_text())

    gbk_not_in_face = sorted(cp for cp in gbk if cp not in cmap)
    pua = sum(1 for cp in gbk_not_in_face if 0xE000 <= cp <= 0xF8FF)
    others = "".join(f", {chr(cp)} U+{cp:04X}" for cp in gbk_not_in_face if not 0xE000 <= cp <= 0xF8FF)
    rows = [
        ("CJK unified ideographs U+4E00–U+9FFF", [(0x4E00, 0x9FFF)]),
        ("CJK Extension A U+3400–U+4DBF", [(0x3400, 0x4DBF)]),
        ("compatibility ideographs U+F900–U+FAFF", [(0xF900, 0xFAFF)]),
        ("radicals, strokes, description characters", [(0x2E80, 0x2FFF), (0x31C0, 0x31EF)]),
        ("planes 2–3 (Extension B and later, compatibility supplement)", [(0x20000, 0x3FFFF)]),
    ]
    table = "\n".join(f"| {what} | {count(primary, spans):,} | {count(ext, spans):,} |"
                      for what, spans in rows)
    ranges = "\n".join(f"- U+{lo:04X}–U+{hi:04X} {what}" for lo, hi, what in PRIMARY_RANGES)
    mib = lambda n: f"{n / 1048576:.2f} MiB ({n:,} bytes)"
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as f:
        f.write(f"""# Fonts

Generated by `toolchain/gen-fonts.sh`; do not edit by hand (this file is written by it too).

| file | what | characters | glyphs | size |
|---|---|---|---|---|
| `{PRIMARY}` | the UI and receipt font: Latin with pinyin letters, punctuation, UI symbols, CJK symbols, full-width forms, every character of GBK/GB18030's two-byte range the face has, all of CJK Extension A | {len(primary):,} | {p_glyphs:,} | {mib(p_size)} |
| `{EXT}` | every other ideograph of the face: the fallback for rare name characters (生僻字) | {len(ext):,} | {e_glyphs:,} | {mib(e_size)} |

Ideograph coverage (the two files are disjoint):

| block | Kiosk | Kiosk-Ext |
|---|---|---|
{table}

GBK/GB18030 two-byte sequences decode to {len(gbk):,} characters ({len(gbk_han):,} ideographs,
all in `{PRIMARY}`); {len(gbk_not_in_face)} are not in the face and cannot be drawn
({pua} of them are private-use code points{others}).

Ranges added to the primary font besides GBK (only what the face has):

{ranges}

Not in Noto Sans CJK SC, so in neither file: ✗ U+2717, ✔ U+2714, ☐ U+2610, ☑ U+2611,
⌫ U+232B, ✉ U+2709, ℹ U+2139, and U+4DB6–U+4DBF (added to Extension A in Unicode 13,
after this version of the face). Screens use ✓ U+2713, × U+00D7, ╳ U+2573, ⚠ U+26A0 or draw
the icon. The UI draws any character that no font has as a box and counts it
(`ui_text_count_missing`), never silently.

How they are made: `pyftsubset` (fontTools) through its Python API on face {index}
"{FAMILY} {SUBFAMILY}", found by its name, of
`{SRC}`. Hinting, OpenType layout
features (GSUB, GPOS, GDEF, BASE) and vertical metrics (vhea, vmtx, VORG) are dropped:
SDL2_ttf and FreeType render these fonts unhinted, horizontally, one glyph per character.
The name table is kept whole (copyright, licence, trademark).

Source: Debian package `fonts-noto-cjk` {package_version()},
font "{version}".
Licence: SIL Open Font License 1.1, see `LICENSE`.

Regenerate (needs `fonts-noto-cjk` and `python3-fonttools`, which
`toolchain/install-deps.sh` installs; Debian's `/usr/bin/python3`):

```sh
toolchain/gen-fonts.sh
```

The output is reproducible (timestamps come from the source file), so regenerating from
the same package gives the same bytes:

```
{p_sha}  {PRIMARY}
{e_sha}  {EXT}
```
""")
    print(f"gen-fonts: face {index} ({FAMILY} {SUBFAMILY}); {PRIMARY}: {len(primary)} characters, "
          f"{p_size} bytes; {EXT}: {len(ext)} characters, {e_size} bytes")


if __name__ == "__main__":
    main()
