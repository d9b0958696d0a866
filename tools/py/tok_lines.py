"""Test lines for the tokenizer checks, from text that Debian packages carry, in many scripts.

    tok_lines.py OUT.jsonl [N=24000]

Sources, each read only if present on this machine: translated manual pages
(/usr/share/man/<lang>/man*/, troff requests and escapes removed: German, French, Spanish,
Czech, Polish, Russian, Serbian, Japanese, Korean, ...), the glibc locale sources
(/usr/share/i18n/locales: month and day names and more in Arabic, Greek, Hebrew, Devanagari,
Thai, Chinese, Amharic, ... as <Uxxxx> escapes), latent's own edge-case lines
(tests/fixtures/tok_lines.jsonl: accents, emoji with ZWJ, zero-width and control characters,
special tokens typed in text), and generated mixes of all of these with emoji, control
characters and odd whitespace. One JSON string per line, deterministic for a given machine.
"""
import glob
import gzip
import json
import os
import random
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def man_lines():
    out = []
    for path in sorted(glob.glob("/usr/share/man/*/man*/*.gz")):
        lang = path.split("/")[4]
        if not re.match(r"^[a-z]{2}(_[A-Z]{2})?$", lang):
            continue
        try:
            text = gzip.open(path, "rt", encoding="utf-8", errors="strict").read()
        except (OSError, UnicodeDecodeError, EOFError):
            continue
        for line in text.split("\n"):
            if line.startswith((".", "'")):
                line = re.sub(r"^[.'][A-Za-z]+\s*", "", line)
            line = re.sub(r"\\f[BIRP]|\\f\(..|\\\*\(..|\\\(..|\\&|\\-|\\e|\\\||\\ ", lambda m: "-" if m.group(0) == "\\-" else "", line)
            line = line.replace('"', "").strip()
            if len(line) >= 8:
                out.append(line)
    return out


def locale_lines():
    out = []
    esc = re.compile(r"<U([0-9A-Fa-f]{4,6})>")
    for path in sorted(glob.glob("/usr/share/i18n/locales/*")):
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        for line in text.split("\n"):
            if "<U" not in line or line.startswith(("%", "comment", "LC_", "copy")):
                continue
            s = esc.sub(lambda m: chr(int(m.group(1), 16)), line)
            s = re.sub(r'^[a-z_]+\s+', "", s).replace('";"', " ").replace('"', "").replace("/", "").strip()
            if len(s) >= 4 and any(ord(c) > 127 for c in s):
                out.append(s)
    return out


def main():
    out_path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 24000
    rng = random.Random(20261207)
    man, loc = man_lines(), locale_lines()
    edge = [json.loads(l) for l in open(os.path.join(ROOT, "tests/fixtures/tok_lines.jsonl"), encoding="utf-8")]
    extras = ["😀", "👍🏽", "👨‍👩‍👧", "🇯🇵", "\u0007", "\u0000", "\t", "\u200b", "\u00a0", "\u3000", "\r\n", "  ",
              "<s>", "</s>", "<mask>", "<unk>", "[CLS]", "\ufffd", "\u0301", "ß", "İ", "ﬁ", "Ⅻ", "①", "１２３"]
    lines = []
    for src, share in ((man, 0.55), (loc, 0.25)):
        if src:
            lines += [rng.choice(src) for _ in range(int(n * share))]
    lines += edge
    while len(lines) < n:
        pool = (man or edge) if rng.random() < 0.5 else (loc or edge)
        words = rng.choice(pool).split(" ")[: rng.randint(1, 12)] + [rng.choice(extras) for _ in range(rng.randint(0, 3))]
        rng.shuffle(words)
        lines.append(rng.choice([" ", " ", "", "\t", "  "]).join(words))
    rng.shuffle(lines)
    with open(out_path, "w", encoding="utf-8") as f:
        for l in lines:
            f.write(json.dumps(l, ensure_ascii=False) + "\n")
    print(f"{len(lines)} lines: {len(man)} man-page lines, {len(loc)} locale lines, {len(edge)} edge cases", file=sys.stderr)


if __name__ == "__main__":
    main()
