"""latent.report against `latent report --json`."""
import json
import math
import subprocess

import numpy as np

import latent
from conftest import LATENT


def test_report_equals_cli(tmp_path):
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 400)
    X = (rng.normal(size=(400, 12)) + y[:, None] * 2.0).astype(np.float32)
    Z = latent.PCA(4).fit_transform(X)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "z.npy", Z)
    (tmp_path / "y.txt").write_text("".join(f"c{v}\n" for v in y))
    out = subprocess.run([LATENT, "report", str(tmp_path / "z.npy"), "--source", str(tmp_path / "x.npy"), "--labels",
                          str(tmp_path / "y.txt"), "--json", "-t", "1", "--sample", "300", "-q"],
                         check=True, capture_output=True, text=True).stdout
    c = json.loads(out)
    p = latent.report(Z, labels=[f"c{v}" for v in y], source=X, sample=300)
    common = [k for k in p if k in c and k != "spectrum"]
    assert len(common) >= 18, common
    for k in common:
        a, b = p[k], c[k]
        if a is None or b is None:
            assert a is None and b is None, k
        else:
            assert math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-9), (k, a, b)
    assert p["silhouette"] > 0.3 and p["trustworthiness"] > 0.8
    assert p["rows"] == 400 and len(p["spectrum"]) >= 4


def test_eval_probe_equals_cli(tmp_path):
    """latent.eval_probe gives `latent eval probe --json`'s numbers (cv and held-out, logreg and knn)"""
    rng = np.random.default_rng(6)
    y = rng.integers(0, 2, 300)
    X = (rng.normal(size=(300, 6)) + y[:, None] * 1.5).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    (tmp_path / "y.txt").write_text("".join(f"k{v}\n" for v in y))
    labels = [f"k{v}" for v in y]
    for args, kw in ((["--cv", "4"], {"cv": 4}), (["--test", str(tmp_path / "x.npy"), str(tmp_path / "y.txt")],
                                                    {"test_vectors": X, "test_labels": labels}),
                     (["--cv", "3", "--classifier", "knn", "-k", "7"], {"cv": 3, "classifier": "knn", "k": 7})):
        out = subprocess.run([LATENT, "eval", "probe", str(tmp_path / "x.npy"), str(tmp_path / "y.txt"), "--json",
                              "-t", "1"] + args, check=True, capture_output=True, text=True).stdout
        c = json.loads(out)
        p = latent.eval_probe(X, labels, **kw)
        for key in ("accuracy", "macro_f1", "auc"):
            assert math.isclose(p[key], c[key], abs_tol=1e-6), (args, key, p[key], c[key])   # the CLI prints 6 digits
        assert p["accuracy"] > 0.8
