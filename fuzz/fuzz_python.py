"""atheris harness (PyPI atheris, pinned in fuzz/run.sh) over the Python module's argument
conversion: the fuzzer's bytes pick an entry point that crosses into C and build its arguments
(numbers of every size and sign, NaN and infinity, text with NUL bytes and lone surrogates,
bytes, arrays of any dtype, shape and memory layout, lists, None). An ordinary exception is a
refusal; SystemError (an error without an exception set in the C layer) or a crash is a finding.
    python fuzz/fuzz_python.py -max_total_time=20 (fuzz/run.sh runs it with build/python on the path)"""
import math
import os
import sys

import atheris

with atheris.instrument_imports():
    import numpy as np
    import latent

FX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
M = os.path.join(FX, "bert-fixtures", "tiny-bert-mean", "hf")
VECS = latent.Vectors.from_array(np.eye(4, dtype=np.float32), ["the", "a", "b", "c"])
TOK = latent.Tokenizer.from_file(os.path.join(M, "tokenizer.json"))
ENC = latent.Encoder(M)
DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int8, np.uint8, np.bool_]


def value(f):
    k = f.ConsumeIntInRange(0, 9)
    if k == 0: return None
    if k == 1: return f.ConsumeInt(9)
    if k == 2: return f.PickValueInList([math.nan, math.inf, -math.inf, f.ConsumeFloat()])
    if k == 3: return f.ConsumeUnicode(40)
    if k == 4: return f.ConsumeBytes(16)
    if k == 5: return [f.ConsumeUnicode(8) for _ in range(f.ConsumeIntInRange(0, 4))]
    if k == 6: return [[f.ConsumeFloat() for _ in range(f.ConsumeIntInRange(0, 5))] for _ in range(f.ConsumeIntInRange(0, 3))]
    # an array of any dtype, shape and layout, from the fuzzer's bytes
    dt = f.PickValueInList(DTYPES)
    shape = tuple(f.ConsumeIntInRange(0, 5) for _ in range(f.ConsumeIntInRange(0, 3)))
    n = int(np.prod(shape)) if shape else 1
    raw = f.ConsumeBytes(n * np.dtype(dt).itemsize)
    a = np.frombuffer(raw.ljust(n * np.dtype(dt).itemsize, b"\0"), dtype=dt).reshape(shape) if shape else np.asarray(0, dt)
    if k == 8 and a.ndim == 2: a = a[:, ::-1]
    if k == 9 and a.ndim >= 1: a = a[::2]
    return a


def one(data):
    f = atheris.FuzzedDataProvider(data)
    which = f.ConsumeIntInRange(0, 17)
    a, b, c = value(f), value(f), value(f)
    try:
        if which == 0: latent.Vectors.from_array(a, b)
        elif which == 1: VECS.most_similar(a, b, c)
        elif which == 2: VECS.similar_by_vector(a, b)
        elif which == 3: latent.knn(a, b, k=c)
        elif which == 4: latent.Index(a, M=b)
        elif which == 5:
            idx = latent.Index(4)
            idx.add(a, b)
            idx.search(c, k=value(f))
        elif which == 6:
            idx = latent.Index(4)
            idx.add(np.ones((3, 4), np.float32))
            idx.delete(a)
            idx.search(np.ones((1, 4), np.float32), k=b, ef=c, filter=value(f))
        elif which == 7: TOK.encode(a, pair=b, max_length=c)
        elif which == 8: TOK.encode_batch(a)
        elif which == 9: TOK.id_to_token(a)
        elif which == 10: ENC.encode(a, batch_size=b, truncate_dim=c)
        elif which == 11: ENC.encode(["a b"], precision=a, prompt=b)
        elif which == 12: latent.PCA(n_components=a, whiten=c).fit(b).transform(b)
        elif which == 13: latent.OneHotEncoder(numeric=a, handle_unknown=c).fit(b).transform(b)
        elif which == 14: latent.map(a, method=b, iters=50, epochs=5, threads=1)
        elif which == 15: latent.report(a, labels=b, source=c, threads=1)
        elif which == 16: latent.eval_probe(a, b, cv=c, threads=1)
        else: latent.train_autoencoder(a, arch=b, epochs=1, batch=c, threads=1)
    except SystemError:
        raise
    except Exception:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one)
    atheris.Fuzz()
