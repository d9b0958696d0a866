"""Shared fixtures: a small word2vec model trained on the bundled Moby Dick, saved in the
formats gensim and latent both read."""
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FX = os.path.join(ROOT, "tests", "fixtures")
LATENT = os.environ.get("LATENT", os.path.join(ROOT, "build", "latent"))


@pytest.fixture(scope="session")
def w2v(tmp_path_factory):
    import latent
    d = tmp_path_factory.mktemp("w2v")
    kv = latent.train_word2vec(os.path.join(FX, "mobydick.txt.gz"), dim=32, epochs=2, threads=1, seed=5)
    kv.save(d / "v.txt")
    kv.save(d / "v.lvec")
    return d
