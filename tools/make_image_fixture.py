#!/usr/bin/python3
"""Writes tests/fixtures/images: small PNG and JPEG files in class folders (train/<class>/),
a folder of mixed sizes (mixed/), and pixels.txt, the pixels PIL (Debian python3-pil) decodes
from each file: "path channels width height v1 v2 ..." (row-major, channels-last), the oracle
of latent's PNG/JPEG reading (tests/test_nn.c).
Usage: /usr/bin/python3 tools/make_image_fixture.py  (made with Pillow 9.4.0, Debian 12)"""
import math, os
from PIL import Image

root = "tests/fixtures/images"
lines = []

def img(mode, w, h, f):
    im = Image.new(mode, (w, h))
    im.putdata([f(x, y) for y in range(h) for x in range(w)])
    return im

def save(im, path, **kw):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im.save(path, **kw)
    for ch in (1, 3):
        if ch == 1 and im.mode != "L":
            continue   # libpng's and PIL's RGB -> gray conversions use different weights
        d = Image.open(path).convert("L" if ch == 1 else "RGB")
        px = list(d.getdata())
        vals = px if ch == 1 else [v for p in px for v in p]
        lines.append("%s %d %d %d %s" % (os.path.relpath(path, root), ch, d.width, d.height, " ".join(map(str, vals))))

for k in range(3):   # class 'stripes': horizontal bands; class 'dots': a bright centre
    save(img("L", 12, 10, lambda x, y, k=k: 255 if (y + k) % 4 < 2 else 20), "%s/train/stripes/s%d.png" % (root, k))
    save(img("L", 12, 10, lambda x, y, k=k: int(255 * math.exp(-((x - 6 + k) ** 2 + (y - 5) ** 2) / 6))), "%s/train/dots/d%d.png" % (root, k))
save(img("RGB", 12, 10, lambda x, y: (20 * x, 25 * y, 128)), "%s/train/dots/rgb.png" % root)
save(img("L", 12, 10, lambda x, y: 255 if y % 4 < 2 else 20), "%s/train/stripes/s3.jpg" % root, quality=95)
save(img("RGB", 12, 10, lambda x, y: (20 * x, 25 * y, 128)), "%s/train/dots/rgb.jpg" % root, quality=95)
save(img("L", 12, 10, lambda x, y: 100), "%s/mixed/a.png" % root)
save(img("L", 7, 9, lambda x, y: 100), "%s/mixed/b.png" % root)
with open(os.path.join(root, "pixels.txt"), "w") as f:
    f.write("\n".join(sorted(lines)) + "\n")
