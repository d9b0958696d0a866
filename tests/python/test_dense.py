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


def test_probes_match_sklearn(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    rng = np.random.default_rng(8)
    L, d = 4, 10
    centers = rng.standard_normal((L, d)) * 1.2
    def draw(n):
        y = rng.integers(0, L, n)
        return (centers[y] + rng.standard_normal((n, d))).astype(np.float32), y
    X, y = draw(1500)
    T, yt = draw(600)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "t.npy", T)
    names = np.array(["c%d" % i for i in range(L)])   # string labels, one per line
    (tmp_path / "y.txt").write_text("\n".join(names[y]) + "\n")
    (tmp_path / "yt.txt").write_text("\n".join(names[yt]) + "\n")
    def probe(*extra):
        out = subprocess.run([LATENT, "eval", "probe", str(tmp_path / "x.npy"), str(tmp_path / "y.txt"), "--test", str(tmp_path / "t.npy"),
                              str(tmp_path / "yt.txt"), "--json", "-t", "1"] + list(extra), check=True, capture_output=True, text=True).stdout
        return json.loads(out)
    for C in (0.01, 1.0):
        r = probe("--C", str(C), "--tol", "1e-6")
        ref = LogisticRegression(C=C, tol=1e-8, max_iter=10000).fit(X, y)
        assert abs(r["accuracy"] - (ref.predict(T) == yt).mean()) <= 0.003, (C, r)
    for k, w, metric in ((5, "uniform", "l2"), (7, "distance", "l2"), (5, "uniform", "cosine")):
        r = probe("--classifier", "knn", "-k", str(k), "--weights", w, "--metric", metric)
        ref = KNeighborsClassifier(k, weights=w, metric="euclidean" if metric == "l2" else "cosine", algorithm="brute").fit(X, y)
        assert abs(r["accuracy"] - (ref.predict(T) == yt).mean()) < 1e-6, (k, w, metric, r)
    cv = json.loads(subprocess.run([LATENT, "eval", "probe", str(tmp_path / "x.npy"), str(tmp_path / "y.txt"), "--cv", "5", "--json"],
                                   check=True, capture_output=True, text=True).stdout)
    assert cv["folds"] == 5 and 0.7 < cv["accuracy"] < 1


def read_lmodel(path):
    """The .lmodel layout of docs/format.md, read independently of the library."""
    import struct
    b = open(path, "rb").read()
    assert b[:8] == b"LTMODEL1"
    n_arr, = struct.unpack_from("<I", b, 12)
    mo, ms, to = struct.unpack_from("<QQQ", b, 16)
    meta = dict(line.split("=", 1) for line in b[mo:mo + ms].decode().splitlines())
    arrays = {}
    for i in range(n_arr):
        e = to + 64 * i
        name = b[e:e + 32].split(b"\0")[0].decode()
        r, c, off = struct.unpack_from("<QQQ", b, e + 40)
        arrays[name] = np.frombuffer(b, "<f8", r * c, off).reshape(r, c).copy()
    return meta, arrays


def test_kernel_maps_reproduce_references(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.random((600, 12)).astype(np.float32)
    T = rng.random((200, 12)).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "t.npy", T)
    def fit_encode(kind, *opts):
        subprocess.run([LATENT, "fit", kind, str(tmp_path / "x.npy"), "-o", str(tmp_path / "m.lmodel"), "-q"] + list(opts), check=True)
        subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "t.npy"), "-o", str(tmp_path / "z.npy"), "-q"], check=True)
        return read_lmodel(tmp_path / "m.lmodel"), np.load(tmp_path / "z.npy")
    from sklearn.metrics.pairwise import pairwise_kernels
    Td = T.astype(np.float64)
    # random Fourier features: the stored draws give scikit-learn's RBFSampler formula
    (meta, a), Z = fit_encode("rff", "--dim", "300", "--gamma", "0.7")
    assert float(meta["gamma"]) == 0.7 and a["W"].shape == (12, 300)
    assert np.allclose(Z, np.sqrt(2 / 300) * np.cos(Td @ a["W"] + a["b"]), atol=1e-4)
    assert abs(a["W"].std() - np.sqrt(2 * 0.7)) < 0.05   # N(0, 2 gamma)
    # Nystroem: k(x, landmarks) times the stored normalization, which is K_mm^-1/2
    for kern, m, opts in (("rbf", 80, []), ("poly", 80, ["--degree", "2", "--gamma", "0.5"]), ("cosine", 10, []), ("chi2", 80, ["--gamma", "0.3"])):
        (meta, a), Z = fit_encode("nystroem", "--dim", str(m), "--kernel", kern, *opts)   # cosine: rank <= 12 here
        L, N = a["landmarks"], a["normalization"]
        kw = {"gamma": float(meta["gamma"])} if kern != "cosine" else {}
        if kern == "poly":
            kw.update(degree=2, coef0=1)
        Kmm = pairwise_kernels(L, metric=kern, **kw)
        assert np.allclose(N @ Kmm @ N.T, np.eye(m), atol=1e-5), kern
        ref = pairwise_kernels(Td, L, metric=kern, **kw) @ N.T
        assert np.allclose(Z, ref, atol=1e-4 * np.abs(ref).max()), kern
    # exact kernel PCA against scikit-learn's KernelPCA, up to sign
    from sklearn.decomposition import KernelPCA
    (meta, a), Z = fit_encode("kpca", "--dim", "10", "--gamma", "0.4")
    ref = KernelPCA(10, kernel="rbf", gamma=0.4).fit(X.astype(np.float64)).transform(Td)
    for c in range(10):
        cos = abs(Z[:, c] @ ref[:, c]) / np.linalg.norm(Z[:, c]) / np.linalg.norm(ref[:, c])
        assert cos > 0.9999, (c, cos)


def test_categorical_encoders_match_sklearn(tmp_path):
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
    from sklearn.feature_extraction import FeatureHasher
    rng = np.random.default_rng(4)
    colors = np.array(["red", "green", "blue", "teal", "?"], dtype="<U10")
    sizes = np.array(["S", "M", "L", "XL"], dtype="<U10")
    def table(n, extra):
        c = rng.choice(colors, n, p=[0.4, 0.3, 0.2, 0.05, 0.05])
        s = rng.choice(sizes, n, p=[0.3, 0.3, 0.38, 0.02])
        if extra:   # categories the fit never saw
            c[:5] = "purple"
            s[5:8] = "XXL"
        x = rng.standard_normal(n).round(3)
        return x, c, s
    def write(path, x, c, s):
        with open(path, "w") as f:
            f.write("x,color,size,y\n")
            for i in range(len(x)):
                f.write('%s,%s,"%s",%d\n' % (x[i], c[i], s[i], i % 2))
    tr, te = table(400, False), table(100, True)
    write(tmp_path / "tr.csv", *tr)
    write(tmp_path / "te.csv", *te)
    def enc(kind, *opts):
        subprocess.run([LATENT, "fit", kind, str(tmp_path / "tr.csv"), "-o", str(tmp_path / "m.lmodel"), "--label", "y", "-q"] + list(opts), check=True)
        subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "te.csv"), "-o", str(tmp_path / "z.npy"), "-q"], check=True)
        return np.load(tmp_path / "z.npy")
    def cats(t):
        a = np.stack([t[1], t[2]], 1).astype(object)
        a[a == "?"] = np.nan
        return a
    xs = (te[0] - tr[0].mean()) / tr[0].std()
    for policy, mf in (("ignore", 0), ("infrequent", 15)):
        ref = OneHotEncoder(handle_unknown="infrequent_if_exist" if policy == "infrequent" else "ignore", min_frequency=mf or None,
                            sparse_output=False).fit(cats(tr)).transform(cats(te))
        Z = enc("onehot", "--handle-unknown", policy, "--min-frequency", str(mf))
        assert np.allclose(Z[:, 0], xs, atol=1e-5)
        assert np.array_equal(Z[:, 1:], ref), policy
    od = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2).fit(cats(tr))
    ref = od.transform(cats(te))
    for j, cs in enumerate(od.categories_):   # scikit-learn keeps NaN last in categories_: its index is latent's code
        ref[ref[:, j] == -2, j] = len(cs) - 1
    assert np.array_equal(enc("ordinal", "--handle-unknown", "ignore")[:, 1:], ref)
    ref = FeatureHasher(64, input_type="dict").transform([{"color": c, "size": s} for c, s in zip(te[1], te[2])]).toarray()
    assert np.array_equal(enc("hash", "--dim", "64")[:, 1:], ref)
    # sparse output (libsvm), read by scikit-learn: the same matrix as the dense one, the targets
    from sklearn.datasets import load_svmlight_file
    for kind, opts in (("onehot", ["--handle-unknown", "ignore"]), ("hash", ["--dim", "64"])):
        dense = enc(kind, *opts)
        subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "te.csv"), "-o", str(tmp_path / "z.svm"), "-q"], check=True)
        S, yv = load_svmlight_file(str(tmp_path / "z.svm"), n_features=dense.shape[1])
        assert np.allclose(S.toarray(), dense, atol=1e-6), kind
        assert np.array_equal(yv, np.arange(100) % 2)
        assert S.nnz == np.count_nonzero(dense)
    r = subprocess.run([LATENT, "fit", "onehot", str(tmp_path / "tr.csv"), "-o", str(tmp_path / "m.lmodel"), "--label", "y", "-q"], check=True)
    r = subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "te.csv"), "-o", str(tmp_path / "z.npy")], capture_output=True, text=True)
    assert r.returncode == 1 and "row 1: column 'color': unknown category 'purple'" in r.stderr


def test_probe_auc_binary(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(12)
    X = rng.standard_normal((800, 6)).astype(np.float32)
    y = (X[:, 0] + 0.8 * X[:, 1] + rng.standard_normal(800) > 0.3).astype(int)
    np.save(tmp_path / "x.npy", X[:500])
    np.save(tmp_path / "t.npy", X[500:])
    (tmp_path / "y.txt").write_text("\n".join("yes" if v else "no" for v in y[:500]) + "\n")
    (tmp_path / "yt.txt").write_text("\n".join("yes" if v else "no" for v in y[500:]) + "\n")
    r = json.loads(subprocess.run([LATENT, "eval", "probe", str(tmp_path / "x.npy"), str(tmp_path / "y.txt"), "--test", str(tmp_path / "t.npy"),
                                   str(tmp_path / "yt.txt"), "--json", "--tol", "1e-7"], check=True, capture_output=True, text=True).stdout)
    ref = LogisticRegression(C=2.0, tol=1e-8, max_iter=10000).fit(X[:500], y[:500])   # a 2-class softmax with C is a binary logistic with 2C
    assert abs(r["auc"] - roc_auc_score(y[500:], ref.decision_function(X[500:]))) < 0.002, r
