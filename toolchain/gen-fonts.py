#!/usr/bin/python3
"""Subset Noto Sans CJK SC Regular (Debian's fonts-noto-cjk) into the kiosk's two fonts, and
HanaMinB (Debian's fonts-hanazono) into a third for rarer name characters.

fonts/NotoSansCJKsc-Kiosk.otf      Latin (with pinyin letters), punctuation, UI symbols,
                                   CJK symbols, full-width forms, every character of
                                   GBK/GB18030's two-byte range and all of CJK Extension A:
                                   what the UI and the receipts draw.
fonts/NotoSansCJKsc-Kiosk-Ext.otf  every other ideograph the SC face has (the rest of the
                                   URO, Extension B and later, compatibility ideographs,
                                   radicals): the fallback for rare name characters (生僻字).
fonts/KioskRareHan.ttf             the ideographs of Extensions B to F that Noto lacks and a
                                   name can hold (RARE_NAME_TEST below), from HanaMinB, its
                                   polyline outlines fitted with quadratic curves: the last
                                   fallback, so it changes no glyph the Noto files have.

fonts/NotoSansCJKtc-Kiosk.otf      the Traditional Chinese (zh_Hant) screens' first font: the
                                   TC face's shapes for Big5's common characters (level 1),
                                   every character of the kiosk's generated Traditional
                                   strings, codes, divisions and commitment, CJK punctuation
                                   (centred, as Hong Kong and Taiwan set it). Everything
                                   else falls back to the three fonts above.

It also writes fonts/LICENSE (the OFL text from the package) and fonts/README.md (sizes,
coverage, source version). Output is reproducible: the fonts' timestamps come from the
source file, so the same package gives the same bytes. Hinting and OpenType layout
features are dropped: SDL2_ttf and FreeType draw these fonts unhinted, horizontally, one
character per glyph. Run it through toolchain/gen-fonts.sh.

Usage: gen-fonts.py [SOURCE.ttc] [OUT_DIR] [HANAMINB.ttf] [UNIHAN_DIR]
       gen-fonts.py --tc BUILD_ASSETS [SOURCE.ttc] [OUT_DIR]   (the TC file alone)
"""
import bz2
import hashlib
import math
import os
import subprocess
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from fontTools.ttLib.tables import ttProgram
from fontTools.ttLib.tables._g_l_y_f import GlyphCoordinates

TC_ASSETS = None
if len(sys.argv) > 2 and sys.argv[1] == "--tc":
    TC_ASSETS = sys.argv[2]
    del sys.argv[1:3]
SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fonts")
COPYRIGHT_FILE = "/usr/share/doc/fonts-noto-cjk/copyright"
FAMILY, SUBFAMILY = "Noto Sans CJK SC", "Regular"
PRIMARY, EXT = "NotoSansCJKsc-Kiosk.otf", "NotoSansCJKsc-Kiosk-Ext.otf"
RARE_SRC = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"
UNIHAN = sys.argv[4] if len(sys.argv) > 4 else "/usr/share/unicode"
RARE_COPYRIGHT_FILE = "/usr/share/doc/fonts-hanazono/copyright"
# "HanaMinB", "Hanazono Font" and "花園明朝B" are Reserved Font Names under the OFL: the
# subset, a modified version, must not use them.
RARE, RARE_FAMILY = "KioskRareHan.ttf", "Kiosk Rare Han"
# Outlines are fitted to this distance of the source's, in font units (1024 to the em):
# 0.4 % of the em, a quarter of a pixel at 64 px.
FIT_TOLERANCE = 4
# Planes 2-3 blocks, for the coverage table (HanaMinB has Extensions B to F, Unicode 10).
PLANE2_BLOCKS = [
    (0x20000, 0x2A6DF, "Extension B"),
    (0x2A700, 0x2B73F, "Extension C"),
    (0x2B740, 0x2B81F, "Extension D"),
    (0x2B820, 0x2CEAF, "Extension E"),
    (0x2CEB0, 0x2EBEF, "Extension F"),
    (0x30000, 0x3134F, "Extension G"),
]

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


def load_subset(src, index, codepoints, drop):
    """Face index of src cut down to codepoints, and the options to save it with: no
    hinting, no layout features or vertical metrics, the name table whole."""
    opts = subset.Options()
    opts.font_number = index
    opts.hinting = False  # drops CFF hints and TrueType instructions
    opts.layout_features = []  # no GSUB/GPOS features: one glyph per character
    opts.drop_tables += ["vhea", "vmtx", "BASE", "DSIG", "GDEF", "GSUB", "GPOS"] + drop
    opts.name_IDs = ["*"]  # keep copyright, licence and trademark records
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    font = subset.load_font(src, opts, lazy=False)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    return font, opts


def write_subset(index, codepoints, out):
    font, opts = load_subset(SRC, index, codepoints, ["VORG"])
    subset.save_font(font, out, opts)
    font.close()


# ---- the Traditional Chinese font (TC face) ----------------------------------------------

TC, TC_FAMILY = "NotoSansCJKtc-Kiosk.otf", "Noto Sans CJK TC"
# What the TC face draws differently from the SC one besides ideographs: the full-width
# punctuation sits in the middle of its cell (，。、：；！？) and 「」『』 are common.
TC_RANGES = [(0x3000, 0x303F), (0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40),
             (0xFF5B, 0xFF65)]


def tc_face():
    for i, font in enumerate(TTCollection(SRC, lazy=True).fonts):
        name = font["name"]
        if name.getDebugName(1) == TC_FAMILY and name.getDebugName(2) == SUBFAMILY:
            return i, font.getBestCmap()
    sys.exit(f"gen-fonts: no '{TC_FAMILY} {SUBFAMILY}' face in {SRC}")


def big5_level1():
    """Big5's level-1 characters (A440–C67E): the 5,401 common Traditional ideographs,
    what names and addresses in Hong Kong, Macao and Taiwan are mostly written with."""
    chars = set()
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if (lead, trail) > (0xC6, 0x7E):
                break
            try:
                text = bytes([lead, trail]).decode("big5")
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                chars.add(ord(text))
    return chars


def kiosk_hant_chars(assets):
    """Every character of the generated Traditional files (toolchain/gen-hant.py)."""
    files = [os.path.join(assets, "strings", "zh_Hant.ini"),
             os.path.join(assets, "commitment", "zh_Hant.txt"),
             os.path.join(assets, "divisions", "divisions.zh_Hant.txt")]
    codes = os.path.join(assets, "codes.zh_Hant")
    files += [os.path.join(codes, f) for f in sorted(os.listdir(codes)) if f.endswith(".tsv")]
    chars = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            chars |= {ord(c) for c in f.read()}
    return chars


def write_tc(assets):
    """The TC subset: Big5 level 1, the kiosk's Traditional text, TC punctuation — only
    ideographs and CJK punctuation, so Latin and symbols keep the SC font's glyphs."""
    index, cmap = tc_face()
    big5 = big5_level1()
    kiosk = kiosk_hant_chars(assets)
    wanted = {cp for cp in big5 | kiosk if in_ranges(cp, IDEOGRAPH_RANGES)}
    wanted |= {cp for lo, hi in TC_RANGES for cp in range(lo, hi + 1)}
    wanted |= {cp for cp in kiosk if in_ranges(cp, TC_RANGES)}
    chosen = {cp for cp in wanted if cp in cmap}
    lacking = sorted(cp for cp in kiosk if in_ranges(cp, IDEOGRAPH_RANGES) and cp not in cmap)
    if lacking:
        sys.exit("gen-fonts: the TC face lacks kiosk characters: "
                 + " ".join(f"U+{cp:04X}" for cp in lacking[:20]))
    path = os.path.join(OUT, TC)
    write_subset(index, chosen, path)
    t_cmap, t_size, _, t_glyphs = describe(path)
    if set(t_cmap) != chosen:
        sys.exit("gen-fonts: the TC subset's cmap differs from the requested set")
    kiosk_han = {cp for cp in kiosk if in_ranges(cp, IDEOGRAPH_RANGES)}
    section = f"""## `{TC}`: Traditional Chinese

The zh_Hant screens and receipts (Hong Kong, Macao and Taiwan residents) draw with this
file first (`kiosk_config_font_paths_lang()`), then the three above: a Traditional
character takes the TC face's shape (骨, 角, 黃 and the centred punctuation differ from
SC), anything it lacks — Latin, symbols, rare name characters — the Simplified stack's.
Made by `toolchain/gen-fonts.sh --tc BUILD/assets` (after a build: it reads the generated
zh_Hant files) from face {index} "{TC_FAMILY} {SUBFAMILY}" of the same collection.

| set | characters |
|---|---|
| Big5 level 1 (A440–C67E): the common Traditional ideographs of names and addresses | {len(big5):,} |
| ideographs of the kiosk's Traditional strings, commitment, codes and divisions | {len(kiosk_han):,} (of them not in Big5 level 1: {len(kiosk_han - big5):,}) |
| CJK punctuation U+3000–U+303F and the full-width punctuation | {len(chosen) - len({cp for cp in chosen if in_ranges(cp, IDEOGRAPH_RANGES)}):,} |
| in the file | {len(chosen):,} characters, {t_glyphs:,} glyphs, {t_size / 1048576:.2f} MiB ({t_size:,} bytes) |

Why this size: the whole TC face's ideographs would repeat the SC files' 11 MB; Big5's
level 1 covers everyday Traditional text, and the kiosk's own text is added whatever its
source, so no screen string falls back to an SC shape. A name character outside the set
still draws (from the SC files, in the SC face's shape), never as a box.
"""
    readme = os.path.join(OUT, "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    head = text.split(f"## `{TC}`")[0].rstrip("\n")
    with open(readme, "w", encoding="utf-8") as f:
        f.write(head + "\n\n" + section)


def package_version(package="fonts-noto-cjk"):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
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


# ---- the rare-character font (HanaMinB) ---------------------------------------------------

def unihan(keys):
    """{code point: {key: value}} of planes 2-3 for the given Unihan keys (Debian's
    unicode-data ships the database as bzip2 files)."""
    props = {}
    for part in ("Readings", "IRGSources", "OtherMappings"):
        path = os.path.join(UNIHAN, f"Unihan_{part}.txt.bz2")
        with bz2.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if not line.startswith("U+2") and not line.startswith("U+3"):
                    continue
                cp, key, value = line.rstrip("\n").split("\t", 2)
                if key in keys and len(cp) == 7:
                    props.setdefault(int(cp[2:], 16), {})[key] = value
    return props


def rare_name_test(p):
    """Whether an ideograph of planes 2-3 can be in a citizen's name: it has a Mandarin
    reading (kMandarin: almost all from 汉语大字典, so a registrar could have looked it up
    and the holder can say it), it came from the Ministry of Public Security's ID-card
    system (G source GIDC), it is in 现代汉语词典 (kXHC1983) or in 通用规范汉字表 (kTGH,
    which the Noto files already hold). The rest of Extensions B-F (mostly Kangxi-dictionary
    variants and ancient forms without a reading) would make the font four times larger."""
    return ("kMandarin" in p or "kXHC1983" in p or "kTGH" in p
            or p.get("kIRG_GSource", "").startswith("GIDC"))


RARE_NAME_KEYS = ("kMandarin", "kXHC1983", "kTGH", "kIRG_GSource")


def _seg_dist(p, a, b):
    dx, dy = b[0] - a[0], b[1] - a[1]
    l2 = dx * dx + dy * dy
    t = 0.0 if l2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _poly_dist(p, poly):
    return min(_seg_dist(p, poly[i], poly[i + 1]) for i in range(len(poly) - 1))


def _quad_points(p0, c, p1, n=24):
    pts = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        pts.append((u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0],
                    u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1]))
    return pts


def _close(run, curve, tol):
    """Each of the run's points near the curve and each of the curve's near the run."""
    return (all(_poly_dist(p, curve) <= tol for p in run[1:-1])
            and all(_poly_dist(q, run) <= tol for q in curve))


def _fit_run(run, tol):
    """An open polyline as lines and quadratic arcs: [(point, on_curve)], run[0] left out.
    A line when every point is near the chord; else one arc whose control point is where
    the end tangents meet, when it stays near; else split at the point farthest from the
    chord."""
    p0, p1 = run[0], run[-1]
    if len(run) == 2 or _close(run, [p0, p1], tol):
        return [(p1, True)]
    t0 = (run[1][0] - p0[0], run[1][1] - p0[1])
    t1 = (p1[0] - run[-2][0], p1[1] - run[-2][1])
    den = t0[0] * t1[1] - t0[1] * t1[0]
    if den:
        rx, ry = p1[0] - p0[0], p1[1] - p0[1]
        s = (rx * t1[1] - ry * t1[0]) / den
        u = (t0[0] * ry - t0[1] * rx) / den
        if s > 0 and u > 0:
            c = (round(p0[0] + s * t0[0]), round(p0[1] + s * t0[1]))
            if _close(run, _quad_points(p0, c, p1), tol):
                return [(c, False), (p1, True)]
    far = max(range(1, len(run) - 1), key=lambda i: _seg_dist(run[i], p0, p1))
    return _fit_run(run[:far + 1], tol) + _fit_run(run[far:], tol)


def _turn(a, b, c):
    d = abs(math.atan2(c[1] - b[1], c[0] - b[0]) - math.atan2(b[1] - a[1], b[0] - a[0]))
    return min(d, 2 * math.pi - d)


def _fit_contour(contour, tol):
    """A closed polyline fitted between its corners (turns over 30°), which stay."""
    n = len(contour)
    if n < 4:
        return [(p, True) for p in contour]
    corners = [i for i in range(n) if _turn(contour[i - 1], contour[i], contour[(i + 1) % n])
               > math.radians(30)]
    if len(corners) < 2:
        far = max(range(n), key=lambda i: math.dist(contour[i], contour[0]))
        corners = sorted({0, far})
    out = []
    for k, a in enumerate(corners):
        b = corners[(k + 1) % len(corners)]
        span = (b - a) % n or n
        out += _fit_run([contour[(a + j) % n] for j in range(span + 1)], tol)
    out = [out[-1]] + out[:-1]  # start at the first corner, as the run list ends there
    # an on-curve point halfway (to a unit) between two control points is implied in
    # TrueType: leave it out
    return [q for i, q in enumerate(out)
            if not (q[1] and not out[i - 1][1] and not out[(i + 1) % len(out)][1]
                    and abs(out[i - 1][0][0] + out[(i + 1) % len(out)][0][0] - 2 * q[0][0]) <= 1
                    and abs(out[i - 1][0][1] + out[(i + 1) % len(out)][0][1] - 2 * q[0][1]) <= 1)]


def fit_outlines(font, tol):
    """Replace the glyphs' polylines (HanaMinB draws curves as many short lines, about 150
    points a glyph) with lines and quadratic arcs within tol units; returns the points
    before and after."""
    glyf, before, after = font["glyf"], 0, 0
    for name in font.getGlyphOrder():
        glyph = glyf[name]
        if glyph.numberOfContours <= 0:
            continue
        coords, ends, flags = list(glyph.coordinates), list(glyph.endPtsOfContours), glyph.flags
        points, new_flags, new_ends, start = [], [], [], 0
        for end in ends:
            contour = [(tuple(coords[i]), bool(flags[i] & 1)) for i in range(start, end + 1)]
            if all(on for _, on in contour):  # a polyline; the few with curves stay as they are
                contour = _fit_contour([p for p, _ in contour], tol)
            for p, on in contour:
                points.append(p)
                new_flags.append(1 if on else 0)
            new_ends.append(len(points) - 1)
            start = end + 1
        before += len(coords)
        after += len(points)
        glyph.coordinates = GlyphCoordinates(points)
        glyph.flags = bytearray(new_flags)
        glyph.endPtsOfContours = new_ends
        glyph.program = ttProgram.Program()
        glyph.program.fromBytecode(b"")
    return before, after


def assigned_ideographs():
    """The ideographs of planes 2-3 that Unicode (unicode-data's version) assigns, from the
    First/Last ranges of UnicodeData.txt."""
    cps, first = set(), None
    with open(os.path.join(UNIHAN, "UnicodeData.txt"), encoding="utf-8") as f:
        for line in f:
            code, name = line.split(";", 2)[:2]
            if name.startswith("<CJK Ideograph") and name.endswith("First>"):
                first = int(code, 16)
            elif name.startswith("<CJK Ideograph") and name.endswith("Last>") and first:
                cps.update(c for c in range(first, int(code, 16) + 1) if 0x20000 <= c <= 0x3FFFF)
    return cps


def rare_version():
    return TTFont(RARE_SRC, lazy=True)["name"].getDebugName(5)


def write_rare(codepoints, out):
    """The subset of HanaMinB, fitted and renamed; returns (points before, after)."""
    font, opts = load_subset(RARE_SRC, 0, codepoints, ["FFTM", "gasp"])
    points = fit_outlines(font, FIT_TOLERANCE)
    name = font["name"]
    copyright_line, version = name.getDebugName(0), name.getDebugName(5)
    name.names = []
    for nid, text in (
            (0, copyright_line),
            (1, RARE_FAMILY),
            (2, "Regular"),
            (3, f"{RARE_FAMILY} {version}"),
            (4, f"{RARE_FAMILY} Regular"),
            (5, f"{version}; kiosk subset, outlines fitted"),
            (6, RARE_FAMILY.replace(" ", "") + "-Regular"),
            (10, f"A subset of HanaMinB ({version}) by GlyphWiki Project: the ideographs of "
                 "Extensions B-F that a name can hold, for the kiosk."),
            (13, "Dual-licensed: SIL Open Font License 1.1, or the Hanazono Font License "
                 "(free use, copy and distribution, with or without modification)."),
            (14, "https://openfontlicense.org")):
        name.setName(text, nid, 3, 1, 0x409)
    subset.save_font(font, out, opts)
    font.close()
    return points


def hanazono_licence():
    """The Hanazono Font License text and the OFL's copyright line with the Reserved Font
    Names, from the package's copyright file."""
    stanzas, current = {}, None
    with open(RARE_COPYRIGHT_FILE, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("License: "):
                current = line[len("License: "):].strip()
                stanzas.setdefault(current, [])
            elif current and line.startswith(" "):
                body = line.strip()
                stanzas[current].append("" if body == "." else body)
            elif not line.strip():
                current = None
    hfl = "\n".join(stanzas.get("Hanazono-Font-License", [])).strip("\n")
    rfn = next((l for l in " ".join(stanzas.get("Open-Font-License", [])).split("  ")
                if "Reserved Font Name" in l), "")
    if "Hanazono Font License" not in hfl or "Reserved Font Name" not in rfn:
        sys.exit(f"gen-fonts: no Hanazono Font License or OFL copyright in {RARE_COPYRIGHT_FILE}")
    return hfl + "\n", " ".join(rfn.split())


def main():
    # The package's date, so that unchanged input gives byte-identical fonts.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(os.path.getmtime(SRC))))
    if TC_ASSETS:
        write_tc(TC_ASSETS)
        return
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

    # The rare-name font: what the SC face lacks, so the stack's order cannot matter.
    rare_cmap = TTFont(RARE_SRC, lazy=True).getBestCmap()
    props = unihan(RARE_NAME_KEYS)
    plane2 = {cp for cp in rare_cmap if 0x20000 <= cp <= 0x3FFFF and cp not in cmap}
    rare = {cp for cp in plane2 if rare_name_test(props.get(cp, {}))}
    for cp in (0x2A6A5,):  # 𪚥 zhé, the four-dragon character: the example names need it
        if cp not in rare:
            sys.exit(f"gen-fonts: U+{cp:04X} is not in the rare-name set")
    r_path = os.path.join(OUT, RARE)
    r_before, r_after = write_rare(rare, r_path)
    r_cmap, r_size, r_sha, r_glyphs = describe(r_path)
    if set(r_cmap) != rare:
        sys.exit("gen-fonts: the rare-name font's cmap differs from the requested set")
    hfl, rfn = hanazono_licence()
    r_version = rare_version()

    with open(os.path.join(OUT, "LICENSE"), "w", encoding="utf-8") as f:
        f.write(f"{PRIMARY} and {EXT} are subsets of {FAMILY} {SUBFAMILY}\n"
                f"({version}), made by toolchain/gen-fonts.sh from Debian's fonts-noto-cjk.\n\n"
                f"{copyright_line}\nNoto is a trademark of Google Inc.\n\n"
                "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
                "This license is copied below, and is also available with a FAQ at:\n"
                "https://openfontlicense.org\n\n")
        f.write(ofl_text())
        f.write(f"""

===========================================================================================

{RARE} ("{RARE_FAMILY}") is a subset of HanaMinB ({r_version}) by GlyphWiki
Project, made by toolchain/gen-fonts.sh from Debian's fonts-hanazono: the ideographs that
a name can hold, with its outlines fitted with quadratic curves. HanaMinB is dual-licensed
under the Hanazono Font License or the SIL Open Font License 1.1 (the text above); this
subset may be used under either. It is renamed: the OFL reserves HanaMinB's names.

{rfn}

{hfl}""")

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
    assigned = assigned_ideographs()
    rare_rows = "\n".join(
        f"| {what} U+{lo:04X}–U+{hi:04X} | {len([c for c in assigned if lo <= c <= hi]):,} "
        f"| {count(ext, [(lo, hi)]):,} | {count(rare, [(lo, hi)]):,} "
        f"| {len([c for c in assigned if lo <= c <= hi and c not in ext and c not in rare]):,} |"
        for lo, hi, what in PLANE2_BLOCKS)
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as f:
        f.write(f"""# Fonts

Generated by `toolchain/gen-fonts.sh`; do not edit by hand (this file is written by it too).

| file | what | characters | glyphs | size |
|---|---|---|---|---|
| `{PRIMARY}` | the UI and receipt font: Latin with pinyin letters, punctuation, UI symbols, CJK symbols, full-width forms, every character of GBK/GB18030's two-byte range the face has, all of CJK Extension A | {len(primary):,} | {p_glyphs:,} | {mib(p_size)} |
| `{EXT}` | every other ideograph of the face: the fallback for rare name characters (生僻字) | {len(ext):,} | {e_glyphs:,} | {mib(e_size)} |
| `{RARE}` | the last fallback: ideographs of Extensions B–F that Noto lacks and a name can hold, from HanaMinB | {len(rare):,} | {r_glyphs:,} | {mib(r_size)} |

The screen (`ui/ui_text.c`) and the receipt (`firmware/receipt/receipt.c`) draw each
character with the first font of the stack that has it; the stack is
`kiosk_config_font_paths()` (`firmware/config`), in the order of this table. The three
files are disjoint, so adding a font at the end changes no glyph the others draw.

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

## `{RARE}`: rare characters of names

Names read from the social security card are GB 18030 and may hold any ideograph, also
beyond the BMP: 𠮷 U+20BB7 is in the Noto Ext file, 𪚥 U+2A6A5 is not. Noto Sans CJK SC
has {count(ext, [(0x20000, 0x3FFFF)]):,} of the ideographs of planes 2–3. This file adds,
from HanaMinB (Debian's `fonts-hanazono`, GlyphWiki's Mincho with all of Extensions B–F,
Unicode 10), those that Noto lacks and a name can hold: the ideographs with a Mandarin
reading in Unihan (`kMandarin`, almost all from 汉语大字典: a registrar could look them
up, the holder can say them), those from the Ministry of Public Security's ID-card system
(G source `GIDC`), those of 现代汉语词典 (`kXHC1983`) and of 通用规范汉字表 (`kTGH`, all
already in Noto). The repository stays small this way: all {len(plane2):,} of HanaMinB's
ideographs that Noto lacks would take about
{r_size * len(plane2) / max(len(rare), 1) / 1048576:.0f} MiB. The {len(plane2) - len(rare):,}
left out, most of Extensions C–F among them, have no reading in Unihan (Kangxi-dictionary
variants, ancient and dialect forms); a name holding one shows a box that is counted and
logged.

| block | assigned (Unicode 15) | `{EXT}` | `{RARE}` | in neither |
|---|---|---|---|---|
{rare_rows}

HanaMinB draws curves as runs of short lines (about 150 points a glyph); they are fitted
with quadratic arcs and lines within {FIT_TOLERANCE} units of 1,024 to the em (a quarter
of a pixel at 64 px, corners kept), {r_before:,} points becoming {r_after:,}. Hinting,
vertical metrics and layout tables are dropped, as for the Noto files. The style is a
serif Mincho beside Noto's sans: a name's rare character looks a little different, which
is better than a box.

Source: Debian package `fonts-hanazono` {package_version("fonts-hanazono")}, font
"{r_version}"; the selection reads Unihan from `unicode-data`
{package_version("unicode-data")} (`{UNIHAN}`).
Licence: the Hanazono Font License or the SIL Open Font License 1.1, at the user's choice
(see `LICENSE`); renamed "{RARE_FAMILY}", as the OFL reserves the names HanaMinB,
花園明朝B and Hanazono Font.

## Regenerating

Needs `fonts-noto-cjk` and `python3-fonttools`, which `toolchain/install-deps.sh` installs,
and `fonts-hanazono` and `unicode-data`, which it does not (only this script needs them:
`apt-get install fonts-hanazono unicode-data`); Debian's `/usr/bin/python3`:

```sh
toolchain/gen-fonts.sh
```

The output is reproducible (timestamps come from the source file), so regenerating from
the same package gives the same bytes:

```
{p_sha}  {PRIMARY}
{e_sha}  {EXT}
{r_sha}  {RARE}
```
""")
    print(f"gen-fonts: face {index} ({FAMILY} {SUBFAMILY}); {PRIMARY}: {len(primary)} characters, "
          f"{p_size} bytes; {EXT}: {len(ext)} characters, {e_size} bytes; "
          f"{RARE}: {len(rare)} characters, {r_size} bytes")


if __name__ == "__main__":
    main()
