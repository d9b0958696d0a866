#!/bin/sh
# Image preprocessing against Pillow on real images Debian packages carry (icons, pixmaps,
# sample photos under /usr/share; every k-th of them, at least 500, each cropped to a box that
# depends on its line so that the sizes vary, the same box on both sides): the
# 8-bit image after CLIPImageProcessor's resize (shortest edge 224, bicubic) and centre crop,
# and after ViTImageProcessor's 224 x 224 bilinear resize, byte for byte as Pillow's (Debian's
# python3-pil; Pillow up to 12.x resamples in the same order, see docs/vision.md). Decoding
# (PNG with alpha dropped, palette and grey expanded; JPEG) is part of what is compared.
B=${B:-build}
T=$B/image_prep
PY=${PYTHON_DEB:-/usr/bin/python3}
P=0; F=0
ok() { P=$((P + 1)); echo "ok $1"; }
bad() { F=$((F + 1)); echo "FAIL $1"; }
if ! "$PY" -c 'import PIL, numpy' 2>/dev/null; then
    if [ -n "$CI" ]; then bad "no Pillow/numpy for $PY (tools/setup.sh test installs python3-pil)"; echo "$P passed, $F failed"; exit 1; fi
    echo "skip image preprocessing test: needs python3-pil and python3-numpy (sh tools/setup.sh test)"
    echo "0 passed, 0 failed, 2 skipped"; exit 0
fi
rm -rf "$T"; mkdir -p "$T"
find /usr/share -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) -size +200c 2>/dev/null | LC_ALL=C sort > "$T/all.txt"
n=$(wc -l < "$T/all.txt")
if [ "$n" -lt 500 ]; then
    echo "skip image preprocessing test: $n PNG/JPEG files under /usr/share, fewer than 500"
    echo "0 passed, 0 failed, 2 skipped"; exit 0
fi
k=$(( n / 600 )); [ "$k" -lt 1 ] && k=1
awk -v k="$k" 'NR % k == 0' "$T/all.txt" | head -600 > "$T/files.txt"
m=$(wc -l < "$T/files.txt")
for mode in clip vit; do
    if ! "$B/tests/image_prep_check" $mode "$T/files.txt" "$T/$mode.bin"; then bad "$mode: the helper failed"; continue; fi
    res=$("$PY" - "$T/files.txt" "$T/$mode.bin" $mode <<'PYEOF'
import sys, numpy as np
from PIL import Image
files = [l.rstrip("\n") for l in open(sys.argv[1])]
data = open(sys.argv[2], "rb").read()
mode, off, n, exact, worst, skipped, sizes = sys.argv[3], 0, 0, 0, 0, 0, set()
for i, f in enumerate(files):
    okb = data[off]; off += 1
    try:
        im = Image.open(f); im.load(); im = im.convert("RGB")
        w, h = im.size; mx, my = w // 4 + 1, h // 4 + 1
        im = im.crop((7 * i % mx, 13 * i % my, w - 5 * i % mx, h - 11 * i % my)); sizes.add(im.size)
    except Exception:
        im = None
    if not okb:
        skipped += 1
        if im is not None and im.size[0] > 1 and im.size[1] > 1: print("latent refused", f, file=sys.stderr)
        continue
    got = np.frombuffer(data[off:off + 224 * 224 * 3], np.uint8).reshape(224, 224, 3).astype(int); off += 224 * 224 * 3
    if im is None: print("only latent read", f, file=sys.stderr); continue
    w, h = im.size
    if mode == "clip":
        short, long = (w, h) if w <= h else (h, w)
        nl = int(224 * long / short)
        nw, nh = (224, nl) if w <= h else (nl, 224)
        a = np.asarray(im.resize((nw, nh), resample=Image.Resampling.BICUBIC))
        t, l = (nh - 224) // 2, (nw - 224) // 2
        a = a[t:t + 224, l:l + 224]
    else:
        a = np.asarray(im.resize((224, 224), resample=Image.Resampling.BILINEAR))
    d = int(np.abs(a.astype(int) - got).max())
    n += 1; exact += d == 0; worst = max(worst, d)
    if d: print("differs", f, im.size, d, file=sys.stderr)
import PIL
print(n, exact, worst, skipped, len(sizes), PIL.__version__)
PYEOF
)
    set -- $res
    if [ "${1:-0}" -ge 500 ] && [ "${3:-9}" -le 1 ]; then ok "$mode: $1 of $m images ($5 sizes) within one level of Pillow $6 ($2 identical, worst $3; $4 not decoded by either)"
    else bad "$mode: $res (images, identical, worst difference, not decoded, sizes, Pillow)"; fi
done
echo "$P passed, $F failed"
[ "$F" = 0 ]
