"""Encoder families and cross-encoders from Python: the fixtures sentence-transformers made
(tests/fixtures/encoders), and the same numbers as the CLI."""
import json
import os
import subprocess

import numpy as np
import pytest

import latent
from conftest import FX, LATENT

EF = os.path.join(FX, "encoders")


@pytest.mark.parametrize("name", ["roberta", "xlm-roberta", "distilbert", "mpnet"])
def test_encoder_families(name):
    sentences = json.load(open(os.path.join(EF, "sentences.json"), encoding="utf-8"))
    enc = latent.Encoder(os.path.join(EF, name, "st"))
    got = enc.encode(sentences)
    want = np.load(os.path.join(EF, name, "embeddings.npy"))
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-5


@pytest.mark.parametrize("name", ["bert-cross", "xlm-roberta-cross", "distilbert-cross"])
def test_cross_encoder(name, tmp_path):
    pairs = json.load(open(os.path.join(EF, "pairs.json"), encoding="utf-8"))
    ce = latent.CrossEncoder(os.path.join(EF, name, "model"))
    assert ce.num_labels == 1
    scores = ce.predict(pairs)
    assert scores.shape == (len(pairs),)
    assert np.abs(scores - np.load(os.path.join(EF, name, "scores.npy"))[:, 0]).max() < 1e-5
    logits = ce.predict(pairs, activation_fn=lambda x: x)
    assert np.abs(logits - np.load(os.path.join(EF, name, "logits.npy"))[:, 0]).max() < 1e-5
    assert abs(float(ce.predict(pairs[3])) - float(scores[3])) < 1e-6   # one pair: a scalar
    # rank() orders as `latent rerank` does
    query, docs = pairs[0][0], [p[1] for p in pairs]
    ranked = ce.rank(query, docs, top_k=5, return_documents=True)
    assert len(ranked) == 5 and ranked[0]["text"] == docs[ranked[0]["corpus_id"]]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    out = subprocess.run([LATENT, "rerank", os.path.join(EF, name, "model"), query, "-i", str(tmp_path / "d.jsonl"),
                          "--jsonl", "--json", "-k", "5", "-t", "1", "-q"], check=True, capture_output=True, text=True).stdout
    cli = json.loads(out)
    assert [r["index"] for r in cli] == [r["corpus_id"] for r in ranked]
    assert max(abs(a["score"] - b["score"]) for a, b in zip(cli, ranked)) < 1e-6


def test_not_a_cross_encoder():
    with pytest.raises(latent.Error, match="not a cross-encoder"):
        latent.CrossEncoder(os.path.join(EF, "roberta", "st"))


def test_prompt_and_truncate_dim():
    sentences = json.load(open(os.path.join(EF, "sentences.json"), encoding="utf-8"))
    enc = latent.Encoder(os.path.join(EF, "roberta", "st"))
    assert enc.prompts == {"document": "", "query": ""} and enc.default_prompt_name is None
    got = enc.encode(sentences, prompt="query: ")
    assert np.abs(got - np.load(os.path.join(EF, "roberta", "embeddings_prompt.npy"))).max() < 1e-5
    got = enc.encode(sentences, truncate_dim=16)
    assert got.shape == (20, 16)
    assert np.abs(got - np.load(os.path.join(EF, "roberta", "embeddings_dim16.npy"))).max() < 1e-5
    with pytest.raises(ValueError, match="no prompt"):
        enc.encode(sentences, prompt_name="nope")


@pytest.mark.parametrize("precision", ["int8", "uint8", "binary", "ubinary"])
def test_quantized_like_sentence_transformers(precision):
    """quantize_embeddings' bytes from the same floats (the fixture's), and the CLI's --quantize
    equal to Encoder.encode(precision=)"""
    emb = np.load(os.path.join(EF, "roberta", "embeddings.npy"))
    want = np.load(os.path.join(EF, "roberta", f"q_{precision}.npy"))
    got = np.frombuffer(latent._latent.quantize(emb.tobytes(), emb.shape[0], emb.shape[1], precision),
                        dtype=want.dtype).reshape(want.shape)
    assert np.array_equal(got, want)
    sentences = json.load(open(os.path.join(EF, "sentences.json"), encoding="utf-8"))
    enc = latent.Encoder(os.path.join(EF, "roberta", "st"))
    q = enc.encode(sentences, precision=precision)
    assert q.dtype == want.dtype and q.shape == want.shape


@pytest.mark.parametrize("kind", ["minilm-real", "bpe-bytelevel", "unigram-spm"])
def test_tokenizer_like_tokenizers(kind):
    """Tokenizer.encode: ids and character offsets as tokenizers gives them (the oracle's output
    that tests/tok_real.sh leaves in build/tok_kinds, byte offsets there)"""
    root = os.path.join(os.path.dirname(LATENT), "tok_kinds")
    path = os.path.join(root, kind, "tokenizer.json")
    if not os.path.exists(os.path.join(root, kind, "expected.jsonl")):
        pytest.skip("needs tests/tok_real.sh's trained tokenizers (build/tok_kinds)")
    tok = latent.Tokenizer(path)
    lines = open(root + ".lines.jsonl", encoding="utf-8").readlines()[:400]
    want = open(os.path.join(root, kind, "expected.jsonl"), encoding="utf-8").readlines()[:400]
    for line, w in zip(lines, want):
        text, w = json.loads(line), json.loads(w)
        e = tok.encode(text)
        assert e.ids == w["ids"]
        assert [list(o) for o in e.byte_offsets] == w["offsets"]
        # character offsets index the str as tokenizers' do
        b = text.encode("utf-8", "surrogatepass")
        for (cs, ce), (bs, be) in zip(e.offsets, e.byte_offsets):
            assert text[cs:ce].encode("utf-8", "surrogatepass") == b[bs:be]


def test_index_len_and_ids_after_deletes_and_load(tmp_path):
    """len counts live vectors; re-adding a deleted id counts once; after load, new ids start
    past every stored id (issues: reliability round 2, first-hour defects)"""
    x = np.random.default_rng(0).standard_normal((10, 4)).astype(np.float32)
    ix = latent.Index(4)
    ix.add(x)
    assert len(ix) == 10
    ix.delete([3])
    assert len(ix) == 9
    ix.delete([5, 6])
    assert len(ix) == 7
    ix.add(x[:2], ids=[3, 100])   # 3 was deleted: back; 100 is new
    assert len(ix) == 9
    ix.save(tmp_path / "i.lhnsw")
    j = latent.Index.load(tmp_path / "i.lhnsw")
    assert len(j) == 9
    j.add(x[:1])                  # a fresh id, not a live one
    assert len(j) == 10
    D, I = j.search(x[:1], k=3)
    assert 101 in I[0] and 0 in I[0]


def test_index_refuses_fractional_ids_and_knn_bad_k():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    ix = latent.Index(4)
    with pytest.raises(TypeError, match="integers"):
        ix.add(x, ids=[0.5, 1.7, 2.2])
    ix.add(x, ids=np.array([0.0, 1.0, 2.0]))   # integral floats are ids
    assert len(ix) == 3
    with pytest.raises(ValueError, match="k must be"):
        latent.knn(x, x, k=-1)


VF = os.path.join(os.path.dirname(__file__), "..", "fixtures", "vision")
IMAGES = ["a_rgb.png", "b_rgba.png", "c.jpg", "d_grey.png"]


@pytest.mark.parametrize("name", ["clip", "vit"])
def test_image_encoder(name):
    """files, uint8 arrays and preprocessed pixels give transformers' features"""
    enc = latent.ImageEncoder(os.path.join(VF, name, "model"))
    want = np.load(os.path.join(VF, name, "image_file_embeddings.npy"))
    paths = [os.path.join(VF, "images", f) for f in IMAGES]
    np.testing.assert_allclose(enc.encode(paths), want, atol=1e-5)
    px = np.load(os.path.join(VF, name, "image_file_pixels.npy")).reshape(4, 3, 32, 32)
    np.testing.assert_allclose(enc.encode(px, batch_size=3), want, atol=1e-5)
    np.testing.assert_allclose(enc.encode(paths[2]), want[2], atol=1e-5)
    n = enc.encode(paths, normalize=True)
    np.testing.assert_allclose(np.linalg.norm(n, axis=1), 1, atol=1e-5)
    with pytest.raises(ValueError):
        enc.encode([np.zeros((4, 4), np.uint8)])
    with pytest.raises(latent.Error):
        enc.encode([os.path.join(VF, "VERSIONS")])
