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


def test_eval_nodes_links_graphs_equal_cli(tmp_path):
    """eval_nodes, eval_links and eval_graphs give the CLI's --json numbers (karate; graphs of two
    shapes)"""
    import os
    from conftest import FX
    K = os.path.join(FX, "karate")
    edges, labels = os.path.join(K, "edges.tsv"), os.path.join(K, "labels.tsv")
    kv = latent.train_node2vec(edges, dim=8, threads=1, seed=3, cache=False)
    kv.save(tmp_path / "kv.lvec")
    run = lambda *a: json.loads(subprocess.run([LATENT, *map(str, a), "--json"], check=True, capture_output=True,
                                               text=True).stdout)
    c = run("eval", "nodes", tmp_path / "kv.lvec", labels, "-t", "1")
    p = latent.eval_nodes(kv, labels, threads=1)
    assert math.isclose(p["macro_f1"], c["topk"]["macro_f1"], abs_tol=1e-6) and p["nodes"] == c["nodes"]
    assert math.isclose(p["micro_f1_threshold"], c["threshold"]["micro_f1"], abs_tol=1e-6)
    subprocess.run([LATENT, "graph", "split", edges, "-o", str(tmp_path / "tr.tsv"), "--test", str(tmp_path / "te.tsv"),
                    "--holdout", "0.2", "-q", "--no-cache"], check=True)
    lp = latent.train_node2vec(tmp_path / "tr.tsv", dim=8, threads=1, seed=3, cache=False)
    lp.save(tmp_path / "lp.lvec")
    for op in ("cosine", "hadamard"):
        c = run("eval", "links", tmp_path / "lp.lvec", tmp_path / "te.tsv", "--op", op)
        p = latent.eval_links(lp, tmp_path / "te.tsv", op=op)
        assert math.isclose(p["auc"], c["auc"], abs_tol=1e-6), (op, p, c)
    # graphs: 40 vectors keyed g0..g39, two classes apart
    rng = np.random.default_rng(8)
    y = np.arange(40) % 2
    G = latent.Vectors.from_array(rng.normal(size=(40, 4)) + y[:, None] * 2, keys=[f"g{i}" for i in range(40)])
    G.save(tmp_path / "g.lvec")
    (tmp_path / "g.labels").write_text("".join(f"g{i} c{v}\n" for i, v in enumerate(y)))
    for clf in ("logreg", "svm"):
        c = run("eval", "graphs", tmp_path / "g.lvec", tmp_path / "g.labels", "--classifier", clf, "--folds", "4",
                "-t", "1")
        p = latent.eval_graphs(G, tmp_path / "g.labels", classifier=clf, folds=4, threads=1)
        assert math.isclose(p["accuracy"], c["accuracy"], abs_tol=1e-6), (clf, p, c)
        assert p["accuracy"] > 0.8
