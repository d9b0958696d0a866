"""Prepare ANN benchmark data as .fvecs: Fashion-MNIST (Debian dataset-fashion-mnist:
60000 training images = base, 10000 test images = queries, 784-d float32) and word
vectors (a word2vec .bin: all rows = base, every 4th of the first 40000 = 10000 queries).
usage: ann_prep.py OUTDIR [WORDVECS.bin]"""
import gzip, sys, numpy as np

def fvecs(path, x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    n, d = x.shape
    out = np.empty((n, d + 1), dtype=np.float32)
    out[:, 0] = np.array([d], dtype=np.int32).view(np.float32)[0]
    out[:, 1:] = x
    out.tofile(path)

def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, r, c = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, r * c).astype(np.float32)

out = sys.argv[1]
src = "/usr/share/datasets/fashion-mnist/"
fvecs(out + "/fmnist_base.fvecs", idx_images(src + "train-images-idx3-ubyte.gz"))
fvecs(out + "/fmnist_query.fvecs", idx_images(src + "t10k-images-idx3-ubyte.gz"))
if len(sys.argv) > 2:
    with open(sys.argv[2], "rb") as f:
        n, d = map(int, f.readline().split())
        rows = []
        for _ in range(n):
            w = b""
            while True:
                ch = f.read(1)
                if ch == b" ":
                    break
                if ch != b"\n":
                    w += ch
            rows.append(np.frombuffer(f.read(4 * d), dtype="<f4"))
    x = np.stack(rows)
    fvecs(out + "/words_base.fvecs", x)
    fvecs(out + "/words_query.fvecs", x[:40000:4])
print("prepared", out)
