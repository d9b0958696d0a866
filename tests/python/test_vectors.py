"""latent.Vectors against gensim's KeyedVectors on the same file: same keys, same order,
scores within 1e-6."""
import os

import numpy as np
import pytest

import latent
from conftest import FX

gensim = pytest.importorskip("gensim.models", reason="python3-gensim is not installed")

QUERIES = ["whale", "ship", "ahab", "sea", "captain", "white", "boat", "night"]


@pytest.fixture(scope="module")
def both(w2v):
    g = gensim.KeyedVectors.load_word2vec_format(str(w2v / "v.txt"), binary=False)
    return latent.Vectors.load(w2v / "v.lvec"), g


def same(ours, theirs, tol=1e-6):
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=tol, rtol=0)


def test_keys_and_vectors(both):
    kv, g = both
    assert kv.index_to_key == g.index_to_key
    np.testing.assert_array_equal(kv.vectors, g.vectors)
    np.testing.assert_array_equal(kv["whale"], g["whale"])
    assert kv.key_to_index["ship"] == g.key_to_index["ship"]


def test_most_similar(both):
    kv, g = both
    for w in QUERIES:
        same(kv.most_similar(w, topn=10), g.most_similar(w, topn=10))
        same(kv.most_similar(w, topn=5, restrict_vocab=500), g.most_similar(w, topn=5, restrict_vocab=500))
    same(kv.most_similar(positive=["king", "woman"], negative=["man"], topn=10),
         g.most_similar(positive=["king", "woman"], negative=["man"], topn=10))
    same(kv.similar_by_vector(g["sea"], topn=7), g.similar_by_vector(g["sea"], topn=7))
    np.testing.assert_allclose(kv.most_similar("whale", topn=None), g.most_similar("whale", topn=None), atol=1e-6)


def test_cosmul_similarity_doesnt_match(both):
    kv, g = both
    same(kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=10),
         g.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=10))
    for a, b in [("whale", "ship"), ("sea", "night"), ("ahab", "captain")]:
        assert abs(kv.similarity(a, b) - float(g.similarity(a, b))) < 1e-6
    assert abs(kv.n_similarity(["whale", "sea"], ["ship", "boat"]) - float(g.n_similarity(["whale", "sea"], ["ship", "boat"]))) < 1e-6
    for ws in (["whale", "ship", "boat", "sea", "breakfast"], ["ahab", "starbuck", "stubb", "ocean"]):
        assert kv.doesnt_match(ws) == g.doesnt_match(ws)


def test_evaluate_word_analogies(both):
    kv, g = both
    path = os.path.join(FX, "questions-words-sample.txt")
    for restrict in (300000, 2000):
        s1, sec1 = kv.evaluate_word_analogies(path, restrict_vocab=restrict)
        s2, sec2 = g.evaluate_word_analogies(path, restrict_vocab=restrict)
        assert abs(s1 - s2) < 1e-12
        assert [s["section"] for s in sec1] == [s["section"] for s in sec2]
        for a, b in zip(sec1, sec2):
            assert a["correct"] == b["correct"] and a["incorrect"] == b["incorrect"], a["section"]
        asked = len(sec1[-1]["incorrect"]) + len(sec1[-1]["correct"])
        assert asked > (50 if restrict == 300000 else 10), asked   # enough questions to compare


def test_evaluate_word_pairs(both):
    kv, g = both
    path = os.path.join(FX, "wordsim353.tsv")
    p1, r1, o1 = kv.evaluate_word_pairs(path)
    p2, r2, o2 = g.evaluate_word_pairs(path)
    assert abs(p1[0] - p2[0]) < 1e-6 and abs(r1[0] - r2[0]) < 1e-6 and abs(o1 - o2) < 1e-9
    np.testing.assert_allclose([p1[1], r1[1]], [p2[1], r2[1]], rtol=1e-4)


def test_every_format_loads(w2v, tmp_path):
    kv = latent.Vectors.load(w2v / "v.lvec")
    for ext in ("bin", "vec", "npy", "txt", "fvecs"):
        kv.save(tmp_path / ("x." + ext))
        back = latent.Vectors.load(tmp_path / ("x." + ext))
        np.testing.assert_array_equal(back.vectors, kv.vectors)
        if ext != "fvecs":
            assert back.index_to_key == kv.index_to_key


def test_mapped_view_shares_memory(w2v):
    kv = latent.Vectors.load(w2v / "v.lvec")
    v = kv.vectors
    assert not v.flags["WRITEABLE"] and v.base is not None
    addr = v.__array_interface__["data"][0]
    path = os.path.realpath(str(w2v / "v.lvec"))
    with open("/proc/self/maps") as f:
        maps = [l.split() for l in f if l.rstrip().endswith(path)]
    assert any(int(m[0].split("-")[0], 16) <= addr < int(m[0].split("-")[1], 16) for m in maps), "not a view of the file"
    with pytest.raises(ValueError):
        v[0, 0] = 1.0


def test_bad_inputs_raise_error(tmp_path):
    with pytest.raises(latent.Error, match="nosuch.lvec"):
        latent.Vectors.load(tmp_path / "nosuch.lvec")
    p = tmp_path / "bad.txt"
    p.write_text("3 4\nw 1 2 3 4\nx 1 2\n")
    with pytest.raises(latent.Error, match="bad.txt: offset"):
        latent.Vectors.load(p)
    with pytest.raises(latent.Error, match="nosuch.gz"):
        latent.train_word2vec(tmp_path / "nosuch.gz")
    with pytest.raises(TypeError):
        latent.train_word2vec(os.path.join(FX, "mobydick.txt.gz"), dimension=5)
    kv = latent.Vectors.from_array(np.eye(3, dtype=np.float32), ["a", "b", "c"])
    with pytest.raises(KeyError):
        kv.most_similar("zzz")


def test_save_word2vec_format_read_by_gensim(w2v, tmp_path):
    """save_word2vec_format's three layouts, read back by gensim (binary, text, no header)"""
    gensim = pytest.importorskip("gensim")
    kv = latent.Vectors.load(w2v / "v.lvec")
    for binary, header, name in ((False, True, "t.txt"), (True, True, "b.bin"), (False, False, "g.txt")):
        kv.save_word2vec_format(tmp_path / name, binary=binary, write_header=header)
        g = gensim.models.KeyedVectors.load_word2vec_format(str(tmp_path / name), binary=binary,
                                                            no_header=not header)
        assert len(g) == len(kv) and np.abs(g["whale"] - kv["whale"]).max() < 1e-6
    with pytest.raises(ValueError):
        kv.save_word2vec_format(tmp_path / "x", fvocab="v.txt")


def test_fasttext_vectors_oov_equal_gensim(tmp_path):
    """train_fasttext(model_out=) returns FastTextVectors: in- and out-of-vocabulary vectors equal
    gensim's FastTextKeyedVectors loaded from the same .bin (1e-5)"""
    gensim = pytest.importorskip("gensim")
    from gensim.models.fasttext import load_facebook_vectors
    kv = latent.train_fasttext(os.path.join(FX, "mobydick.txt.gz"), dim=16, epochs=1, threads=1, seed=3,
                               bucket=5000, model_out=tmp_path / "m.bin")
    assert isinstance(kv, latent.FastTextVectors)
    g = load_facebook_vectors(str(tmp_path / "m.bin"))
    for w in ["whale", "ship", "Ahab", "whaleship", "unseenword", "zzqx", "über"]:
        assert w in kv
        assert np.abs(kv[w] - g[w]).max() < 1e-5, w
    assert "whaleship" not in kv.key_to_index
    again = latent.Vectors.load(tmp_path / "m.bin")
    assert isinstance(again, latent.FastTextVectors) and np.array_equal(again["unseenword"], kv["unseenword"])
    plain = latent.Vectors.load(tmp_path / "m.bin").__class__.__mro__[1]   # Vectors
    assert plain is latent.Vectors
    w2v_kv = latent.train_word2vec(os.path.join(FX, "mobydick.txt.gz"), dim=8, epochs=1, threads=1)
    assert type(w2v_kv) is latent.Vectors and "zzqx" not in w2v_kv
    with pytest.raises(KeyError):
        w2v_kv["zzqx"]


def _fasttext_words_to(path_in, path_out, encoding):
    """a fastText .bin (format 12) with its dictionary's words re-encoded (UTF-8 -> encoding)"""
    import struct
    b = open(path_in, "rb").read()
    at = 8 + 12 * 4 + 8   # magic, version, 12 int32 arguments, the sampling threshold (f64)
    size, nwords, nlabels = struct.unpack_from("<3i", b, at)
    out = bytearray(b[:at + 12 + 16])
    p = at + 12 + 16
    for _ in range(size):
        z = b.index(b"\0", p)
        out += b[p:z].decode("utf-8").encode(encoding) + b"\0" + b[z + 1:z + 10]
        p = z + 10
    out += b[p:]
    open(path_out, "wb").write(bytes(out))


def test_fasttext_latin1_vocabulary_equals_gensim(tmp_path):
    """a fastText model whose words are latin-1 (as old wiki models): Vectors.load(encoding=) and
    gensim's load_facebook_vectors(encoding=) give the same vectors, in and out of vocabulary"""
    gensim = pytest.importorskip("gensim")
    from gensim.models.fasttext import load_facebook_vectors
    words = ["café", "naïve", "über", "garçon", "plain", "word"] * 40
    (tmp_path / "c.txt").write_text("\n".join(" ".join(words[i:i + 12]) for i in range(0, len(words), 12)) + "\n",
                                    encoding="utf-8")
    latent.train_fasttext(tmp_path / "c.txt", dim=8, epochs=2, threads=1, min_count=1, bucket=2000,
                          model_out=tmp_path / "u.bin")
    _fasttext_words_to(tmp_path / "u.bin", tmp_path / "l.bin", "latin-1")
    kv = latent.Vectors.load(tmp_path / "l.bin", encoding="latin1")
    g = load_facebook_vectors(str(tmp_path / "l.bin"), encoding="latin1")
    assert "café" in kv.key_to_index and "garçon" in kv.key_to_index
    for w in ["café", "naïve", "über", "garçon", "plain", "cafés", "ünseen"]:
        assert np.abs(kv[w] - g[w]).max() < 1e-5, w
    with pytest.raises(latent.Error, match="not ascii"):
        latent.Vectors.load(tmp_path / "l.bin", encoding="ascii")
