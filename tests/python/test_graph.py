"""Graph embeddings: latent eval nodes against scikit-learn's logistic regression on a fixed
split, and node2vec output read back through the Python package."""
import os
import subprocess

import numpy as np
import pytest

import latent
from conftest import FX, LATENT

sklearn = pytest.importorskip("sklearn.linear_model", reason="python3-sklearn is not installed")


def topk_f1(P, Y):
    from sklearn.metrics import f1_score
    pred = np.zeros_like(Y)
    for i in range(len(Y)):
        k = int(Y[i].sum())
        pred[i, np.argsort(-P[i], kind="stable")[:k]] = 1
    return f1_score(Y, pred, average="macro", zero_division=0), f1_score(Y, pred, average="micro", zero_division=0)


def test_eval_nodes_matches_sklearn(tmp_path):
    from sklearn.metrics import f1_score
    rng = np.random.default_rng(11)
    n, d, L = 400, 12, 4
    centers = rng.standard_normal((L, d)) * 1.5
    Y = (rng.random((n, L)) < 0.3).astype(int)
    Y[np.arange(n), rng.integers(0, L, n)] = 1            # every node has a label; some have several
    X = (Y @ centers + rng.standard_normal((n, d))).astype(np.float32)
    ids = ["n%d" % i for i in range(n)]
    latent.Vectors.from_array(X, ids).save(tmp_path / "v.lvec")
    with open(tmp_path / "labels.tsv", "w") as f:
        for i in range(n):
            for l in np.flatnonzero(Y[i]):
                f.write("%s\tlab%d\n" % (ids[i], l))
    train = rng.permutation(n)[:200]
    (tmp_path / "train.txt").write_text("\n".join(ids[i] for i in train) + "\n")
    out = subprocess.run([LATENT, "eval", "nodes", str(tmp_path / "v.lvec"), str(tmp_path / "labels.tsv"), "--train-list",
                          str(tmp_path / "train.txt"), "--json", "-t", "2"], check=True, capture_output=True, text=True).stdout
    import json
    r = json.loads(out)
    test = np.setdiff1d(np.arange(n), train)
    P = np.zeros((len(test), L))
    for l in range(L):
        clf = sklearn.LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X[train], Y[train, l])
        P[:, l] = clf.decision_function(X[test])
    ma, mi = topk_f1(P, Y[test])
    assert abs(r["topk"]["macro_f1"] - ma) < 0.005 and abs(r["topk"]["micro_f1"] - mi) < 0.005, (r, ma, mi)
    thr = (P > 0).astype(int)
    ma2 = f1_score(Y[test], thr, average="macro", zero_division=0)
    mi2 = f1_score(Y[test], thr, average="micro", zero_division=0)
    assert abs(r["threshold"]["macro_f1"] - ma2) < 0.005 and abs(r["threshold"]["micro_f1"] - mi2) < 0.005
    assert 0.5 < ma < 1.0   # a task that is neither trivial nor hopeless


def test_node2vec_rows_are_nodes(tmp_path):
    edges = tmp_path / "g.tsv"
    edges.write_text("# a ring and a chord\n" + "".join("v%d\tv%d\n" % (i, (i + 1) % 30) for i in range(30)) + "v0,v15\n")
    subprocess.run([LATENT, "train", "node2vec", str(edges), "-o", str(tmp_path / "n.lvec"), "--dim", "8", "--walk-length", "20",
                    "--num-walks", "5", "--window", "4", "-t", "1", "-q", "--p", "0.5", "--q", "2"], check=True)
    kv = latent.Vectors.load(tmp_path / "n.lvec")
    assert sorted(kv.index_to_key) == sorted("v%d" % i for i in range(30))
    assert kv.metadata["method"] == "node2vec" and kv.metadata["p"] == "0.5" and kv.metadata["q"] == "2"
    assert np.all(np.isfinite(kv.vectors)) and kv.vectors.shape == (30, 8)


def test_feather_against_numpy(tmp_path):
    """FEATHER-graph against a direct numpy computation of the paper's definition
    (karateclub's FeatherGraph: log(degree + 1) and clustering, theta = linspace(0.01, 2.5, 25),
    D^-1 A diffusion for 5 steps, mean pooling)."""
    rng = np.random.default_rng(5)
    lines, graphs, counts = [], [], []
    for g in range(6):
        n = 8 + g
        A = np.zeros((n, n))
        for u in range(n):
            for v in range(u + 1, n):
                if rng.random() < 0.35:
                    A[u, v] = A[v, u] = 1
                    lines.append("g%d\t%d\t%d" % (g, u, v))
        graphs.append(A)
        counts.append("g%d\t%d" % (g, n))
    (tmp_path / "g.tsv").write_text("\n".join(lines) + "\n")
    (tmp_path / "n.tsv").write_text("\n".join(counts) + "\n")
    subprocess.run([LATENT, "train", "feather", str(tmp_path / "g.tsv"), "--num-nodes", str(tmp_path / "n.tsv"), "-o",
                    str(tmp_path / "f.npy"), "-q", "-t", "2"], check=True)
    got = latent.Vectors.load(tmp_path / "f.npy")
    theta = np.linspace(0.01, 2.5, 25)
    for g, A in enumerate(graphs):
        # nodes are numbered by first appearance in the edge lines; the features do not depend on it
        deg = A.sum(1)
        tri = np.diag(A @ A @ A) / 2
        clus = np.where(deg > 1, 2 * tri / np.maximum(deg * (deg - 1), 1), 0)
        X = np.stack([np.log(deg + 1), clus], 1)
        X = np.outer(X, theta).reshape(len(A), -1)
        H = np.concatenate([np.cos(X), np.sin(X)], axis=1)
        Dinv = np.where(deg > 0, 1 / np.maximum(deg, 1), 0)
        blocks = []
        for _ in range(5):
            H = (A * Dinv[:, None]) @ H
            blocks.append(H.mean(0))
        ref = np.concatenate(blocks)
        # the same column order: per step, cos of (feature 0, 25 thetas), (feature 1, ...), then sin
        row = got[got.key_to_index["g%d" % g]].astype(np.float64)
        np.testing.assert_allclose(row, ref, atol=1e-6)


def test_python_graph_trainers(tmp_path):
    edges = os.path.join(FX, "karate", "edges.tsv")
    a = latent.train_node2vec(edges, dim=16, threads=1, seed=4, p=0.5, q=2, cache=False)
    b = latent.train_node2vec(edges, dim=16, threads=1, seed=4, p=0.5, q=2, cache=False)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert len(a) == 34 and a.metadata["method"] == "node2vec" and a.metadata["vectors"] == "sum"
    n = latent.train_node2vec(edges, dim=16, threads=1, seed=4, p=0.5, q=2, cache=False, vectors="node")
    x = latent.train_node2vec(edges, dim=16, threads=1, seed=4, p=0.5, q=2, cache=False, vectors="context")
    assert n.metadata["vectors"] == "node" and list(n.index_to_key) == list(a.index_to_key)
    np.testing.assert_allclose(a.vectors, n.vectors + x.vectors, atol=1e-6)
    with pytest.raises(ValueError):
        latent.train_node2vec(edges, vectors="both")
    c = latent.train_deepwalk(edges, dim=16, threads=1, cache=False)
    assert c.metadata["method"] == "deepwalk" and len(c) == 34
    with pytest.raises(TypeError):
        latent.train_deepwalk(edges, p=0.5)
    with pytest.raises(latent.Error, match="nosuch"):
        latent.train_node2vec(tmp_path / "nosuch.tsv")
