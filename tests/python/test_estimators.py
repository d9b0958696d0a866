"""latent.PCA, RandomFourierFeatures, Nystroem, KernelPCA as scikit-learn estimators: scikit-learn's
own check_estimator, a Pipeline in GridSearchCV against scikit-learn's PCA, and every result
equal to the CLI's (`latent fit` + `latent encode`) on the same rows."""
import pickle
import subprocess
import warnings

import numpy as np
import pytest

import latent
from conftest import LATENT

sklearn = pytest.importorskip("sklearn", reason="python3-sklearn is not installed")
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

ESTIMATORS = [latent.PCA(2), latent.RandomFourierFeatures(10, gamma=0.1), latent.Nystroem(5),
              latent.KernelPCA(2)]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_check_estimator(est):
    """every check of scikit-learn's suite passes (none skipped)"""
    failed = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for e, check in check_estimator(est, generate_only=True):
            try:
                check(e)
            except Exception as ex:  # collect them all, to name every failing check
                failed.append(f"{getattr(check, 'func', check).__name__}: {str(ex)[:200]}")
    assert not failed, "\n".join(failed)


def test_pipeline_gridsearch_equals_sklearn_pca():
    """Pipeline([PCA, LogisticRegression]) tuned by GridSearchCV: the same accuracy with latent's
    PCA as with scikit-learn's (digits, 1,797 images of 64 pixels, 30 components)"""
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA as SkPCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import Pipeline
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    acc = {}
    for name, pca in (("latent", latent.PCA(30)), ("sklearn", SkPCA(30, svd_solver="full"))):
        pipe = Pipeline([("pca", pca), ("lr", LogisticRegression(max_iter=2000))])
        gs = GridSearchCV(pipe, {"lr__C": [0.1, 1.0, 10.0]}, cv=3).fit(Xtr, ytr)
        acc[name] = gs.score(Xte, yte)
    assert abs(acc["latent"] - acc["sklearn"]) <= 0.002, acc
    assert acc["latent"] > 0.9, acc


@pytest.mark.parametrize("kind,est,flags", [
    ("pca", latent.PCA(5), ["--dim", "5"]),
    ("pca", latent.PCA(5, whiten=True), ["--dim", "5", "--whiten"]),
    ("rff", latent.RandomFourierFeatures(16, gamma=0.05), ["--dim", "16", "--gamma", "0.05"]),
    ("nystroem", latent.Nystroem(12), ["--dim", "12"]),
    ("kpca", latent.KernelPCA(4, gamma=0.02), ["--dim", "4", "--gamma", "0.02"]),
], ids=["pca", "pca-whiten", "rff", "nystroem", "kpca"])
def test_equals_cli(tmp_path, kind, est, flags):
    """fit + transform from Python equal `latent fit` + `latent encode` (one thread, seed 1), the
    CLI's model loads into the same estimator, and a pickled estimator transforms alike"""
    rng = np.random.default_rng(7)
    X = (rng.standard_normal((300, 20)) @ rng.standard_normal((20, 20))).astype(np.float32)
    T = rng.standard_normal((50, 20)).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "t.npy", T)
    m = tmp_path / "m.lmodel"
    subprocess.run([LATENT, "fit", kind, str(tmp_path / "x.npy"), "-o", str(m), "-t", "1", "-q"] + flags,
                   check=True)
    subprocess.run([LATENT, "encode", str(m), str(tmp_path / "t.npy"), "-o", str(tmp_path / "z.npy"),
                    "-t", "1", "-q"], check=True)
    Zc = np.load(tmp_path / "z.npy")
    Zp = est.set_params(n_threads=1).fit(X).transform(T)   # one thread, as the CLI's -t 1
    assert Zp.shape == Zc.shape and Zp.dtype == np.float32
    assert np.abs(Zp - Zc).max() <= 1e-6 * max(1.0, np.abs(Zc).max()), np.abs(Zp - Zc).max()
    loaded = latent.load_model(m)
    assert type(loaded) is type(est) and loaded.n_features_in_ == 20
    assert np.array_equal(loaded.transform(T), Zc)
    again = pickle.loads(pickle.dumps(est))
    assert np.array_equal(again.transform(T), Zp)
    est.save(tmp_path / "py.lmodel")
    subprocess.run([LATENT, "encode", str(tmp_path / "py.lmodel"), str(tmp_path / "t.npy"), "-o",
                    str(tmp_path / "z2.npy"), "-t", "1", "-q"], check=True)
    assert np.array_equal(np.load(tmp_path / "z2.npy"), Zc)


def test_pca_attributes_and_inverse():
    """scikit-learn's fitted names; inverse_transform as scikit-learn's PCA's"""
    from sklearn.decomposition import PCA as SkPCA
    rng = np.random.default_rng(1)
    X = (rng.standard_normal((400, 6)) @ rng.standard_normal((6, 12)) + 3).astype(np.float32)
    p, s = latent.PCA(4).fit(X), SkPCA(4, svd_solver="full").fit(X.astype(np.float64))
    assert p.components_.shape == (4, 12) and p.n_components_ == 4 and p.n_features_in_ == 12
    assert np.allclose(p.explained_variance_ratio_, s.explained_variance_ratio_, rtol=1e-4)
    assert np.allclose(p.explained_variance_, s.explained_variance_, rtol=1e-4)
    assert np.allclose(p.mean_, s.mean_, atol=1e-5)
    assert np.allclose(np.abs(p.components_), np.abs(s.components_), atol=1e-4)
    R = p.inverse_transform(p.transform(X))
    assert np.abs(R - s.inverse_transform(s.transform(X))).max() < 1e-3


def test_refusals():
    with pytest.raises(ValueError, match="n_components=20"):
        latent.PCA(20).fit(np.ones((10, 5), np.float32))
    with pytest.raises(ValueError, match="NaN or infinity"):
        latent.PCA(2).fit(np.array([[1, 2], [np.nan, 1], [0, 1]], np.float32))
    with pytest.raises(ValueError, match="expecting 3 features"):
        latent.PCA(2).fit(np.eye(3, dtype=np.float32) + 1).transform(np.ones((2, 4), np.float32))
    with pytest.raises(sklearn.exceptions.NotFittedError):
        latent.PCA(2).transform(np.ones((2, 2), np.float32))
    with pytest.raises(ValueError, match="svd_solver"):
        latent.PCA(2, svd_solver="arpack").fit(np.eye(4, dtype=np.float32))


TABLE_ESTIMATORS = [latent.OneHotEncoder(), latent.OrdinalEncoder(), latent.HashingEncoder(16),
                    latent.OneHotEncoder(numeric="categorical", handle_unknown="ignore")]


@pytest.mark.parametrize("est", TABLE_ESTIMATORS, ids=["onehot", "ordinal", "hash", "onehot-categorical"])
def test_check_estimator_tables(est):
    test_check_estimator(est)


def _table(rng, n):
    c1 = rng.choice(["red", "green", "blue", "a,b", 'say "hi"'], n).astype(object)
    c2 = rng.choice(["x", "y"], n).astype(object)
    num = np.round(rng.normal(size=n), 3)
    return np.column_stack([c1, num.astype(object), c2])


@pytest.mark.parametrize("kind,est", [("onehot", latent.OneHotEncoder()), ("ordinal", latent.OrdinalEncoder()),
                                      ("hash", latent.HashingEncoder(32))])
def test_table_encoders_equal_cli(tmp_path, kind, est):
    """fit + transform from Python equal `latent fit KIND` + `latent encode` on the same table (a
    numeric column standardised, categories with commas and quotes), the CLI's model loads back"""
    rng = np.random.default_rng(3)
    X = _table(rng, 200)
    T = _table(rng, 30)
    def csv(a, path):
        with open(path, "w") as f:
            f.write("x0,x1,x2\n")
            for r in a:
                f.write(",".join('"' + str(v).replace('"', '""') + '"' if ("," in str(v) or '"' in str(v)) else str(v)
                                 for v in r) + "\n")
    csv(X, tmp_path / "x.csv")
    csv(T, tmp_path / "t.csv")
    flags = ["--dim", "32"] if kind == "hash" else []
    subprocess.run([LATENT, "fit", kind, str(tmp_path / "x.csv"), "-o", str(tmp_path / "m.lmodel"), "-q"] + flags, check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "t.csv"), "-o", str(tmp_path / "z.npy"),
                    "-q"], check=True)
    Zc = np.load(tmp_path / "z.npy")
    Zp = est.fit(X).transform(T)
    assert Zp.shape == Zc.shape
    np.testing.assert_allclose(Zp, Zc, rtol=0, atol=1e-6)
    assert np.array_equal(latent.load_model(tmp_path / "m.lmodel").transform(T), Zc)
    if kind != "hash":
        assert list(est.categories_[0]) == sorted(set(X[:, 0])) and est.categories_[1] is None


def test_encoders_equal_sklearn():
    """numeric="categorical" gives scikit-learn's OneHotEncoder and OrdinalEncoder; HashingEncoder
    is FeatureHasher on "column=value" strings"""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.preprocessing import OneHotEncoder as SkOneHot, OrdinalEncoder as SkOrdinal
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.choice(["b", "a", "c"], 100), rng.choice(["1", "22", "3"], 100)]).astype(object)
    oh = latent.OneHotEncoder(numeric="categorical").fit(X)
    sk = SkOneHot(sparse_output=False).fit(X)
    np.testing.assert_array_equal(oh.transform(X), sk.transform(X))
    assert all(list(a) == list(b) for a, b in zip(oh.categories_, sk.categories_))
    np.testing.assert_array_equal(latent.OrdinalEncoder(numeric="categorical").fit(X).transform(X),
                                  SkOrdinal().fit_transform(X))
    fh = FeatureHasher(64, input_type="string")
    ref = fh.transform([[f"x{j}={v}" for j, v in enumerate(r)] for r in X]).toarray()
    np.testing.assert_array_equal(latent.HashingEncoder(64, numeric="categorical").fit(X).transform(X), ref)
    with pytest.raises(ValueError, match="infinity"):
        latent.OneHotEncoder(numeric="categorical").fit(np.array([[1.0], [np.inf]]))
    with pytest.raises(ValueError, match="impute"):
        latent.OneHotEncoder().fit(np.array([[1.0], [np.nan], [2.0]]))
