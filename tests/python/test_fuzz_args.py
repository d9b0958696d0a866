"""The Python module's argument conversion under random arguments (seeded): every entry point
that crosses into C gets values of the wrong type, shape, dtype, memory layout, size and
sign, NaN and infinity, huge and negative integers, None, text with NUL bytes and lone
surrogates. Each call must return or raise an ordinary Python exception; SystemError (an
error without an exception set in the C layer) fails, and a crash kills the run."""
import math
import os
import random

import numpy as np
import pytest

import latent

FX = os.path.join(os.path.dirname(__file__), "..", "fixtures")
ROUNDS = int(os.environ.get("LATENT_FUZZ_ROUNDS", "300"))


def values(r, d=4):
    """one random argument"""
    k = r.randrange(22)
    if k == 0: return None
    if k == 1: return r.choice([0, -1, 1, 2 ** 31, 2 ** 63, -2 ** 63, 10 ** 30])
    if k == 2: return r.choice([0.5, -0.0, math.nan, math.inf, -math.inf, 1e300])
    if k == 3: return r.choice(["", "the", "a\x00b", "\ud800", "x" * 5000, "é"])
    if k == 4: return r.choice([b"", b"\xff\xfe", bytearray(b"abc")])
    if k == 5: return np.zeros((r.randrange(4), d), np.float32)
    if k == 6: return np.random.default_rng(r.randrange(99)).normal(size=(r.randrange(1, 5), d + r.choice([-1, 0, 1])))
    if k == 7: return np.full((2, d), math.nan, np.float32)
    if k == 8: return np.ones((3, d), np.float64)[:, ::-1]          # non-contiguous
    if k == 9: return np.ones((2, 2, d), np.float32)                  # 3-D
    if k == 10: return np.ones(d, np.int64)
    if k == 11: return np.array(["a", "b"])
    if k == 12: return np.ones((2, d), np.float32)[::2]              # strided rows
    if k == 13: return [1, 2, 3]
    if k == 14: return [[1.0] * d, [2.0] * d]
    if k == 15: return [[1.0] * d, [2.0]]                            # ragged
    if k == 16: return ("the", 3)
    if k == 17: return {"a": 1}
    if k == 18: return np.arange(r.randrange(5), dtype=np.int64) - 1
    if k == 19: return np.array([0.5, 1.7])
    if k == 20: return object()
    return r.randrange(-3, 12)


def call(f, *args, **kw):
    try:
        f(*args, **kw)
    except SystemError as e:   # the C layer returned NULL without an exception, or worse
        pytest.fail("SystemError from %s%r: %s" % (getattr(f, "__name__", f), args, e))
    except (Exception,):
        pass


def test_vectors_and_search_arguments():
    r = random.Random(11)
    v = latent.Vectors.from_array(np.eye(4, dtype=np.float32), ["the", "a", "b", "c"])
    for _ in range(ROUNDS):
        call(latent.Vectors.from_array, values(r), values(r))
        call(v.most_similar, values(r), values(r), values(r))
        call(v.similar_by_vector, values(r), values(r))
        call(v.get_vector, values(r))
        call(v.similarity, values(r), values(r))
        call(latent.knn, values(r), values(r), k=values(r), metric=r.choice(["l2", "ip", "cosine", "x", None]),
             threads=values(r))


def test_index_arguments():
    r = random.Random(12)
    for _ in range(ROUNDS):
        call(latent.Index, values(r), metric=r.choice(["l2", "ip", "cosine", "bad", None]), M=values(r))
        idx = latent.Index(4)
        call(idx.add, values(r), values(r))
        call(idx.add, np.ones((2, 4), np.float32), values(r))
        call(idx.search, values(r), values(r), values(r))
        call(idx.search, np.ones((1, 4), np.float32), k=values(r), ef=values(r), filter=values(r))
        call(idx.delete, values(r))


def test_tokenizer_and_encoder_arguments():
    r = random.Random(13)
    m = os.path.join(FX, "bert-fixtures", "tiny-bert-mean")
    tok = latent.Tokenizer.from_file(os.path.join(m, "hf", "tokenizer.json"))
    enc = latent.Encoder(os.path.join(m, "hf"))
    for _ in range(ROUNDS // 3):
        call(tok.encode, values(r), pair=values(r), max_length=values(r))
        call(tok.encode_batch, values(r))
        call(tok.id_to_token, values(r))
        call(enc.encode, values(r), batch_size=values(r), truncate_dim=values(r))
        call(enc.encode, ["a b", "c"], precision=r.choice(["float32", "int8", "binary", "x", None]), prompt=values(r))
        call(latent.Encoder, values(r))
