#!/usr/bin/python3
"""The build's assets folder: every file of the source assets/ copied in, plus the
Traditional Chinese (zh_Hant) files made from the Simplified ones with OpenCC.

  strings/zh_Hant.ini       from strings/zh_CN.ini: values converted, never comments'
                            structure, section names or keys; format specifiers (%d, %s,
                            {name}) must come out as they went in
  commitment/zh_Hant.txt    from commitment/zh_CN.txt (the version line kept)
  codes.zh_Hant/*.tsv       from codes/*.tsv: the Chinese column converted
  divisions/divisions.zh_Hant.txt   from divisions/divisions.txt: the names converted
  info/zh_Hant.ini          from info/zh_CN.ini (the policies and agencies): values
                            converted as for the strings, sections and keys kept

OpenCC's s2tw configuration (Taiwan standard characters, no phrase substitution): s2twp
would change words, not only characters (窗口 → 視窗, 社区 → 社群, 审核 → 稽核, 证件类型 →
證件型別), which mangles the policy terms the hall's counter uses; s2hk's variants (户,
着) read as odd in Taiwan, while Taiwan's standard forms read well in Hong Kong and Macao.
Then assets/strings/zh_Hant.override.ini fixes what the review found OpenCC gets wrong
for this domain: [phrases] "as OpenCC wrote it = as it should read", applied to every
generated file, and [strings] "section.key = text" replacing a whole string.

Runs on every build (cheap: a file is copied only when it differs, OpenCC runs only when
an input is newer than its output). Usage: gen-hant.py OPENCC SOURCE_ASSETS BUILD_ASSETS
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys

OPENCC, SRC, OUT = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
CONFIG = "s2tw.json"
OVERRIDE = os.path.join(SRC, "strings", "zh_Hant.override.ini")
SPEC = re.compile(r"%[-+ #0-9.]*[a-zA-Z]|\{[^{}]*\}|\\n")
LINE_MAX = 199  # the strings loader refuses longer lines
CODES_OUT = os.path.join(OUT, "codes.zh_Hant")
GENERATED = {os.path.join(OUT, "strings", "zh_Hant.ini"),
             os.path.join(OUT, "commitment", "zh_Hant.txt"),
             os.path.join(OUT, "divisions", "divisions.zh_Hant.txt"),
             os.path.join(OUT, "info", "zh_Hant.ini")}


def fail(msg):
    sys.exit(f"gen-hant: {msg}")


def mirror():
    """Copy every source file into OUT (the same relative path) when it differs, and drop
    copies whose source went away. Copies, not links: a test that copies a folder and
    breaks a file on purpose must never write through into the repository. The override
    file is an input of the generator, not an asset."""
    wanted = set()
    for root, _, files in os.walk(SRC):
        rel = os.path.relpath(root, SRC)
        os.makedirs(os.path.join(OUT, rel), exist_ok=True)
        for name in files:
            src = os.path.join(root, name)
            if src == OVERRIDE:
                continue
            dst = os.path.join(OUT, rel, name)
            wanted.add(os.path.normpath(dst))
            if os.path.islink(dst):
                os.remove(dst)
            if os.path.exists(dst) and filecmp.cmp(src, dst, shallow=False):
                continue
            shutil.copyfile(src, dst + ".tmp")
            os.replace(dst + ".tmp", dst)
    for root, _, files in os.walk(OUT):
        for name in files:
            p = os.path.normpath(os.path.join(root, name))
            if p in GENERATED or p in wanted or os.path.dirname(p) == CODES_OUT:
                continue
            os.remove(p)


def convert(texts):
    """Each text of the list through OpenCC (one process for all; texts hold no newline)."""
    if not texts:
        return []
    data = "\n".join(texts) + "\n"
    out = subprocess.run([OPENCC, "-c", CONFIG], input=data, capture_output=True, text=True,
                         check=True).stdout
    lines = out.split("\n")[: len(texts)]
    if len(lines) != len(texts):
        fail("OpenCC returned a different number of lines")
    return lines


def load_override():
    phrases, strings, section = [], {}, None
    with open(OVERRIDE, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith(";"):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            if " = " not in line:
                fail(f"{OVERRIDE}:{n}: expected 'a = b'")
            a, b = line.split(" = ", 1)
            if section == "phrases":
                phrases.append((a, b))
            elif section == "strings":
                strings[a] = b
            else:
                fail(f"{OVERRIDE}:{n}: outside [phrases] or [strings]")
    return phrases, strings


def fix(text, phrases):
    for a, b in phrases:
        text = text.replace(a, b)
    return text


def stale(out, *ins):
    if not os.path.exists(out) or os.path.islink(out):
        return True
    t = os.path.getmtime(out)
    return any(os.path.getmtime(i) > t for i in ins)


def write(path, text):
    if os.path.lexists(path):
        os.remove(path)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def gen_strings(phrases, overrides):
    src = os.path.join(SRC, "strings", "zh_CN.ini")
    out = os.path.join(OUT, "strings", "zh_Hant.ini")
    if not stale(out, src, OVERRIDE, __file__):
        return
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    values, where = [], []
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith(";"):
            values.append(line)
            where.append((i, None))
        elif not s.startswith("[") and "=" in line:
            key, value = line.split("=", 1)
            values.append(value)
            where.append((i, key))
    done, section, used = convert(values), "", set()
    for (i, key), value, new in zip(where, values, done):
        new = fix(new, phrases)
        if key is not None and SPEC.findall(value) != SPEC.findall(new):
            fail(f"{src}:{i + 1}: OpenCC changed a format specifier")
        lines[i] = new if key is None else key + "=" + new
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1]
        elif key_of(line) and f"{section}.{key_of(line)}" in overrides:
            full = f"{section}.{key_of(line)}"
            if SPEC.findall(line.split("=", 1)[1]) != SPEC.findall(overrides[full]):
                fail(f"{OVERRIDE}: {full} has other format specifiers than zh_CN.ini")
            lines[i] = line.split("=", 1)[0] + "= " + overrides[full]
            used.add(full)
    unused = set(overrides) - used
    if unused:
        fail(f"{OVERRIDE}: [strings] keys not in zh_CN.ini: {' '.join(sorted(unused))}")
    header = ("; GENERATED at build time by toolchain/gen-hant.py from zh_CN.ini (OpenCC "
              f"{CONFIG}) and zh_Hant.override.ini: edit those, not this file.")
    for n, line in enumerate(lines, 1):
        if len(line.encode()) > LINE_MAX:
            fail(f"zh_Hant.ini:{n}: {len(line.encode())} bytes, over {LINE_MAX}")
    write(out, header + "\n" + "\n".join(lines))


def key_of(line):
    s = line.strip()
    if not s or s.startswith(";") or s.startswith("[") or "=" not in s:
        return None
    return s.split("=", 1)[0].strip()


def gen_commitment(phrases):
    src = os.path.join(SRC, "commitment", "zh_CN.txt")
    out = os.path.join(OUT, "commitment", "zh_Hant.txt")
    if not stale(out, src, OVERRIDE, __file__):
        return
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    head, body = lines[:1], lines[1:]
    write(out, "\n".join(head + [fix(t, phrases) for t in convert(body)]))


def gen_codes(phrases):
    src_dir = os.path.join(SRC, "codes")
    out_dir = os.path.join(OUT, "codes.zh_Hant")
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(src_dir)):
        if not name.endswith(".tsv"):
            continue
        src, out = os.path.join(src_dir, name), os.path.join(out_dir, name)
        if not stale(out, src, OVERRIDE, __file__):
            continue
        with open(src, encoding="utf-8") as f:
            lines = f.read().split("\n")
        rows = [(i, l.split("\t")) for i, l in enumerate(lines)
                if l and not l.startswith("#") and l.count("\t") == 2]
        for (i, cols), zh in zip(rows, convert([c[1] for _, c in rows])):
            lines[i] = "\t".join([cols[0], fix(zh, phrases), cols[2]])
        write(out, "\n".join(lines))


def gen_divisions(phrases):
    src = os.path.join(SRC, "divisions", "divisions.txt")
    out = os.path.join(OUT, "divisions", "divisions.zh_Hant.txt")
    if not stale(out, src, OVERRIDE, __file__):
        return
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rows = [(i, l.split("\t", 1)) for i, l in enumerate(lines) if l and not l.startswith("#")]
    for (i, cols), name in zip(rows, convert([c[1] for _, c in rows])):
        lines[i] = cols[0] + "\t" + fix(name, phrases)
    write(out, "\n".join(lines))


def gen_info(phrases):
    """The policies and agencies: each value converted, comments, sections and keys as
    they are (the [strings] overrides are for the strings file only)."""
    src = os.path.join(SRC, "info", "zh_CN.ini")
    out = os.path.join(OUT, "info", "zh_Hant.ini")
    if not os.path.isfile(src) or not stale(out, src, OVERRIDE, __file__):
        return
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    where = [i for i, l in enumerate(lines)
             if l.strip() and not l.strip().startswith((";", "[")) and "=" in l]
    values = [lines[i].split("=", 1)[1] for i in where]
    for i, value, new in zip(where, values, convert(values)):
        new = fix(new, phrases)
        if SPEC.findall(value) != SPEC.findall(new):
            fail(f"{src}:{i + 1}: OpenCC changed a format specifier")
        lines[i] = lines[i].split("=", 1)[0] + "=" + new
    header = ("; GENERATED at build time by toolchain/gen-hant.py from info/zh_CN.ini (OpenCC "
              f"{CONFIG}): edit that, not this file.")
    for n, line in enumerate(lines, 1):
        if len(line.encode()) > LINE_MAX:
            fail(f"info/zh_Hant.ini:{n}: {len(line.encode())} bytes, over {LINE_MAX}")
    write(out, header + "\n" + "\n".join(lines))


def main():
    if not os.path.isfile(OVERRIDE):
        fail(f"{OVERRIDE} missing")
    mirror()
    phrases, overrides = load_override()
    gen_strings(phrases, overrides)
    gen_commitment(phrases)
    gen_codes(phrases)
    gen_divisions(phrases)
    gen_info(phrases)


if __name__ == "__main__":
    main()
