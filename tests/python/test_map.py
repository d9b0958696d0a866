"""latent.map against `latent map`."""
import subprocess

import numpy as np
import pytest

from conftest import LATENT


@pytest.mark.parametrize("method", ["tsne", "umap", "pca"])
def test_map_equals_cli(tmp_path, method):
    """latent.map gives the map `latent map` writes (one thread, seed 1)"""
    import latent
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(c, 1, (60, 8)) for c in (0, 6, 12)]).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    extra = ["--iters", "300"] if method == "tsne" else ["--epochs", "50"] if method == "umap" else []
    subprocess.run([LATENT, "map", str(tmp_path / "x.npy"), "-o", str(tmp_path / "m.npy"), "--method", method,
                    "-t", "1", "-q"] + extra, check=True)
    kw = {"iters": 300} if method == "tsne" else {"epochs": 50} if method == "umap" else {}
    Y = latent.map(X, method=method, threads=1, **kw)
    assert Y.shape == (180, 2) and Y.dtype == np.float32
    np.testing.assert_array_equal(Y, np.load(tmp_path / "m.npy"))
    with pytest.raises(ValueError):
        latent.map(X, method="mds")
