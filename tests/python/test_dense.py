"""latent fit pca / encode against scikit-learn's PCA (exact SVD solver) on a fixed matrix."""
import json
import subprocess

import numpy as np
import pytest

from conftest import LATENT

decomposition = pytest.importorskip("sklearn.decomposition", reason="python3-sklearn is not installed")


def test_pca_matches_sklearn(tmp_path):
    rng = np.random.default_rng(3)
    n, d, k = 3000, 40, 8
    X = (rng.standard_normal((n, 6)) @ rng.standard_normal((6, d)) * 3 + rng.standard_normal((n, d)) + 10).astype(np.float32)
    T = (rng.standard_normal((500, 6)) @ rng.standard_normal((6, d)) + rng.standard_normal((500, d)) + 10).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "t.npy", T)
    for whiten in (False, True):
        extra = ["--whiten"] if whiten else []
        subprocess.run([LATENT, "fit", "pca", str(tmp_path / "x.npy"), "-o", str(tmp_path / "p.lmodel"), "--dim", str(k), "-q"] + extra, check=True)
        subprocess.run([LATENT, "encode", str(tmp_path / "p.lmodel"), str(tmp_path / "t.npy"), "-o", str(tmp_path / "z.npy"), "-q"], check=True)
        info = json.loads(subprocess.run([LATENT, "info", str(tmp_path / "p.lmodel"), "--json"], check=True, capture_output=True, text=True).stdout)
        ref = decomposition.PCA(k, svd_solver="full", whiten=whiten).fit(X.astype(np.float64))
        Z, Zr = np.load(tmp_path / "z.npy"), ref.transform(T.astype(np.float64))
        for c in range(k):
            cos = abs(Z[:, c] @ Zr[:, c]) / np.linalg.norm(Z[:, c]) / np.linalg.norm(Zr[:, c])
            assert cos > 0.9999, (c, cos)
            assert np.allclose(np.abs(Z[:, c]), np.abs(Zr[:, c]), rtol=1e-3, atol=1e-3 * np.abs(Zr[:, c]).max())
        assert abs(float(info["meta"]["explained_variance_ratio_sum"]) - ref.explained_variance_ratio_.sum()) < 1e-6
        assert abs(float(info["meta"]["noise_variance"]) - ref.noise_variance_) < 1e-4 * ref.noise_variance_
    # inverse transform against sklearn's
    subprocess.run([LATENT, "fit", "pca", str(tmp_path / "x.npy"), "-o", str(tmp_path / "p.lmodel"), "--dim", str(k), "-q"], check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "p.lmodel"), str(tmp_path / "t.npy"), "-o", str(tmp_path / "z.npy"), "-q"], check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "p.lmodel"), str(tmp_path / "z.npy"), "-o", str(tmp_path / "b.npy"), "-q", "--inverse"], check=True)
    ref = decomposition.PCA(k, svd_solver="full").fit(X.astype(np.float64))
    assert np.allclose(np.load(tmp_path / "b.npy"), ref.inverse_transform(ref.transform(T.astype(np.float64))), atol=2e-3)
