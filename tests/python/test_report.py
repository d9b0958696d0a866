"""latent report's metrics against scikit-learn (trustworthiness, silhouette), direct numpy
computations (effective rank, TwoNN, hubness, mean |correlation|) and data of known intrinsic
dimension."""
import json
import subprocess

import numpy as np
import pytest

from conftest import LATENT

manifold = pytest.importorskip("sklearn.manifold", reason="python3-sklearn is not installed")
metrics = pytest.importorskip("sklearn.metrics", reason="python3-sklearn is not installed")


def report(tmp_path, Y, X=None, labels=None, k=10, sample=0):
    np.save(tmp_path / "y.npy", Y.astype(np.float32))
    cmd = [LATENT, "report", str(tmp_path / "y.npy"), "--json", "-q", "--k", str(k), "--sample", str(sample)]
    if X is not None:
        np.save(tmp_path / "x.npy", X.astype(np.float32))
        cmd += ["--source", str(tmp_path / "x.npy")]
    if labels is not None:
        (tmp_path / "l.txt").write_text("".join("%d\n" % v for v in labels))
        cmd += ["--labels", str(tmp_path / "l.txt")]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def test_against_sklearn_and_numpy(tmp_path):
    rng = np.random.default_rng(5)
    n = 400
    labels = rng.integers(0, 3, n)
    X = (rng.standard_normal((n, 20)) + 3 * labels[:, None] * (np.arange(20) < 4)).astype(np.float32)
    Y = (X @ rng.standard_normal((20, 6)) + 0.5 * rng.standard_normal((n, 6))).astype(np.float32)
    r = report(tmp_path, Y, X, labels)
    assert r["k"] == 10 and r["sample"] == n
    X64, Y64 = X.astype(np.float64), Y.astype(np.float64)
    assert abs(r["trustworthiness"] - manifold.trustworthiness(X64, Y64, n_neighbors=10)) < 1e-6
    assert abs(r["continuity"] - manifold.trustworthiness(Y64, X64, n_neighbors=10)) < 1e-6   # continuity = trustworthiness with the roles swapped
    assert abs(r["silhouette"] - metrics.silhouette_score(Y64, labels)) < 1e-6
    s = np.linalg.svd(Y64 - Y64.mean(0), compute_uv=False)
    p = s / s.sum()
    assert abs(r["effective_rank"] - np.exp(-(p * np.log(p)).sum())) < 1e-6 * r["effective_rank"]
    C = np.corrcoef(Y64.T)
    assert abs(r["mean_abs_correlation"] - np.abs(C[np.triu_indices(6, 1)]).mean()) < 1e-9
    D = ((Y64[:, None, :] - Y64[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    o = np.argsort(D, axis=1, kind="stable")
    r1, r2 = np.sqrt(D[np.arange(n), o[:, 0]]), np.sqrt(D[np.arange(n), o[:, 1]])
    assert abs(r["intrinsic_dim_twonn"] - (n - 1) / np.log(r2 / r1).sum()) < 1e-6 * r["intrinsic_dim_twonn"]
    occ = np.bincount(o[:, :10].ravel(), minlength=n).astype(np.float64)
    e = occ - occ.mean()
    assert abs(r["hubness"] - (e ** 3).mean() / (e ** 2).mean() ** 1.5) < 1e-9
    assert r["dead_dims"] == 0
    # Mu and Viswanath's partition-function ratio over the eigenvectors of Y^T Y, both signs
    _, U = np.linalg.eigh(Y64.T @ Y64)
    logz = np.array([np.logaddexp.reduce(s * Y64 @ U[:, j]) for j in range(6) for s in (1, -1)])
    assert abs(r["isotropy_partition"] - np.exp(logz.min() - logz.max())) < 1e-9
    nrm = np.linalg.norm(Y64, axis=1)
    assert abs(r["mean_norm"] - nrm.mean()) < 1e-6 * nrm.mean()
    stats = pytest.importorskip("scipy.stats")
    assert abs(r["norm_rank_spearman"] - stats.spearmanr(nrm, np.arange(n))[0]) < 1e-9
    # the probes against scikit-learn's on other folds (exact agreement on the same split is
    # tested in test_dense.py), and the curve ends at the full dimension
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.model_selection import cross_val_score
    ref_lr = cross_val_score(LogisticRegression(max_iter=1000), Y64, labels, cv=5).mean()
    ref_knn = cross_val_score(KNeighborsClassifier(10), Y64, labels, cv=5).mean()
    assert abs(r["probe_logreg_accuracy"] - ref_lr) < 0.04 and abs(r["probe_knn_accuracy"] - ref_knn) < 0.04, (r, ref_lr, ref_knn)
    dims = [c["dim"] for c in r["probe_curve"]]
    assert dims == [1, 2, 4, 6] and r["probe_curve"][-1]["accuracy"] == r["probe_logreg_accuracy"]


def test_norm_frequency_and_isotropy(tmp_path):
    rng = np.random.default_rng(3)
    n = 600
    iso = rng.standard_normal((n, 8))
    r = report(tmp_path, iso)
    assert r["isotropy_partition"] > 0.5 and r["probe_logreg_accuracy"] is None
    cone = iso * 0.1 + 5 * np.ones(8)        # a narrow cone: one direction dominates
    assert report(tmp_path, cone)["isotropy_partition"] < 1e-6
    fall = iso * np.linspace(3, 1, n)[:, None]   # norms falling with the row's position
    assert report(tmp_path, fall)["norm_rank_spearman"] < -0.5


def test_known_intrinsic_dimension(tmp_path):
    rng = np.random.default_rng(7)
    Z = rng.standard_normal((2000, 6))
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)     # the 5-sphere: a 5-d manifold without boundary
    Q, _ = np.linalg.qr(rng.standard_normal((100, 6)))
    Y = Z @ Q.T                                       # isometrically in 100 dimensions
    r = report(tmp_path, Y, k=10, sample=0)
    assert abs(r["intrinsic_dim_twonn"] - 5) < 0.5, r["intrinsic_dim_twonn"]
    assert abs(r["intrinsic_dim_mle"] - 5) < 0.5, r["intrinsic_dim_mle"]
    assert r["effective_rank"] < 6.01 and r["dead_dims"] == 0


def test_bad_inputs(tmp_path):
    Y = np.random.default_rng(1).standard_normal((50, 4)).astype(np.float32)
    np.save(tmp_path / "y.npy", Y)
    np.save(tmp_path / "x.npy", Y[:40])
    p = subprocess.run([LATENT, "report", str(tmp_path / "y.npy"), "--source", str(tmp_path / "x.npy")], capture_output=True, text=True)
    assert p.returncode == 1 and "the source has 40 rows, the vectors 50" in p.stderr
    (tmp_path / "l.txt").write_text("a\nb\n")
    p = subprocess.run([LATENT, "report", str(tmp_path / "y.npy"), "--labels", str(tmp_path / "l.txt")], capture_output=True, text=True)
    assert p.returncode == 1 and "2 labels for 50 rows" in p.stderr
    np.save(tmp_path / "two.npy", Y[:2])
    p = subprocess.run([LATENT, "report", str(tmp_path / "two.npy")], capture_output=True, text=True)
    assert p.returncode == 1 and "at least 3 rows" in p.stderr
    C = Y.copy()
    C[:, 2] = 7   # a constant column is a dead dimension, not a crash
    np.save(tmp_path / "c.npy", C)
    r = json.loads(subprocess.run([LATENT, "report", str(tmp_path / "c.npy"), "--json", "-q", "--k", "5"], check=True, capture_output=True, text=True).stdout)
    assert r["dead_dims"] == 1 and r["trustworthiness"] is None


def test_map_tsne_and_pca_against_sklearn(tmp_path):
    rng = np.random.default_rng(11)
    labels = rng.integers(0, 4, 300)
    X = (rng.standard_normal((300, 10)) + 4 * np.eye(10)[labels]).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    out = subprocess.run([LATENT, "map", str(tmp_path / "x.npy"), "-o", str(tmp_path / "m.npy"), "--json", "-q"], check=True, capture_output=True, text=True)
    kl = json.loads(out.stdout)["kl_divergence"]
    ref = manifold.TSNE(method="exact", init="pca", learning_rate="auto", random_state=0).fit(X.astype(np.float64))
    assert kl <= 1.05 * ref.kl_divergence_, (kl, ref.kl_divergence_)
    M = np.load(tmp_path / "m.npy")
    assert M.shape == (300, 2) and M.dtype == np.float32
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.model_selection import cross_val_score
    acc = lambda A: cross_val_score(KNeighborsClassifier(10), A, labels, cv=5).mean()
    assert acc(M) >= acc(ref.embedding_) - 0.03
    subprocess.run([LATENT, "map", str(tmp_path / "x.npy"), "-o", str(tmp_path / "p.npy"), "--method", "pca", "-q"], check=True)
    from sklearn.decomposition import PCA
    P, R = np.load(tmp_path / "p.npy"), PCA(2).fit_transform(X.astype(np.float64))
    for c in range(2):
        assert abs(abs(P[:, c] @ R[:, c]) / np.linalg.norm(P[:, c]) / np.linalg.norm(R[:, c]) - 1) < 1e-5
    np.save(tmp_path / "two.npy", X[:2])
    p = subprocess.run([LATENT, "map", str(tmp_path / "two.npy"), "-o", str(tmp_path / "t.npy")], capture_output=True, text=True)
    assert p.returncode == 1 and "at least 3 rows" in p.stderr


def test_plot_png_and_svg(tmp_path):
    Image = pytest.importorskip("PIL.Image", reason="python3-pil is not installed")
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 5, 500)
    M = (rng.standard_normal((500, 2)) + 6 * np.stack([np.cos(labels), np.sin(labels)], 1)).astype(np.float32)
    np.save(tmp_path / "m.npy", M)
    (tmp_path / "l.txt").write_text("".join("c%d\n" % v for v in labels))
    subprocess.run([LATENT, "plot", str(tmp_path / "m.npy"), "-o", str(tmp_path / "m.png"), "--labels", str(tmp_path / "l.txt"),
                    "--title", "test", "-q"], check=True)
    im = np.asarray(Image.open(tmp_path / "m.png").convert("RGB")).astype(int)
    assert im.shape == (700, 900, 3)
    ink = (im.sum(2) < 3 * 250).mean()
    assert 0.02 < ink < 0.5, ink                                  # points, axes and text; not blank, not flooded
    colours = {tuple(c) for c in im[(im.max(2) - im.min(2)) > 60][::7]}
    assert len(colours) >= 5                                      # the classes' colours
    subprocess.run([LATENT, "plot", str(tmp_path / "m.npy"), "-o", str(tmp_path / "m.svg"), "-q"], check=True)
    svg = (tmp_path / "m.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg
    p = subprocess.run([LATENT, "plot", str(tmp_path / "m.npy"), "-o", str(tmp_path / "m.gif")], capture_output=True, text=True)
    assert p.returncode == 1 and ".png or .svg" in p.stderr and not (tmp_path / "m.gif").exists()


def test_plot_table_lines(tmp_path):
    """recall against queries/s from a bench table: one coloured line per tool, log y, rows
    without numbers and rows outside --where left out"""
    Image = pytest.importorskip("PIL.Image", reason="python3-pil is not installed")
    rows = ["what\tdata\trecall\tqps"]
    for t, tool in enumerate(("latent", "hnswlib", "faiss")):
        for ef in (10, 20, 40, 80, 160):
            rows.append("%s\tfmnist\t%.4f\t%.1f" % (tool, 1 - 0.5 / ef - 0.01 * t, 1e5 / ef / (t + 1)))
        rows.append("%s\tglove\t0.5\t5" % tool)
    rows.append("exact\tfmnist\tidentical\t1000")
    (tmp_path / "r.tsv").write_text("\n".join(rows) + "\n")
    p = subprocess.run([LATENT, "plot", str(tmp_path / "r.tsv"), "--x", "recall", "--y", "qps", "--color-by", "what", "--line", "--logy",
                        "--where", "data=fmnist", "-o", str(tmp_path / "r.png")], capture_output=True, text=True, check=True)
    assert "15 points in 3 series" in p.stderr and "1 rows left out" in p.stderr, p.stderr
    im = np.asarray(Image.open(tmp_path / "r.png").convert("RGB")).astype(int)
    assert im.shape == (700, 900, 3)
    ink = (im.sum(2) < 3 * 250).mean()
    assert 0.005 < ink < 0.3, ink
    sat = im[(im.max(2) - im.min(2)) > 80]
    hues = {tuple(c // 32) for c in sat}
    assert len(hues) >= 3                                         # three tools, three colours
    plot = im[20:650, 60:720]                                     # inside the frame: the lines themselves
    assert ((plot.max(2) - plot.min(2)) > 80).sum() > 1500


def test_html_report(tmp_path):
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, 200)
    Y = (rng.standard_normal((200, 8)) + 5 * np.eye(8)[labels]).astype(np.float32)
    np.save(tmp_path / "y.npy", Y)
    (tmp_path / "l.txt").write_text("".join("k%d\n" % v for v in labels))
    subprocess.run([LATENT, "report", str(tmp_path / "y.npy"), "--labels", str(tmp_path / "l.txt"), "-o", str(tmp_path / "r.html"), "-q"], check=True)
    html = (tmp_path / "r.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="metrics"' in html and html.count("data:image/png;base64,") == 5
    for pic in ("map", "umap", "spectrum", "probe", "norms"):
        assert 'id="%s"' % pic in html
    assert "http://" not in html and "https://" not in html            # self-contained: nothing fetched
    for key in ("effective_rank", "silhouette", "intrinsic_dim_twonn"):
        assert "<td>%s</td>" % key in html
    import shutil
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium is not installed (Debian chromium): the HTML report was not opened in a browser")
    shot = tmp_path / "shot.png"
    p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--window-size=1100,1500",
                        "--screenshot=%s" % shot, (tmp_path / "r.html").as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.exists(), p.stderr[-2000:]
    assert "Uncaught" not in p.stderr and ":CONSOLE" not in p.stderr.replace("INFO:CONSOLE", "")
    Image = pytest.importorskip("PIL.Image", reason="python3-pil is not installed")
    im = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    colourful = ((im.max(2) - im.min(2)) > 60).mean()
    assert colourful > 0.0005, colourful                                # the map's coloured points are on screen
    assert (im.sum(2) < 300).mean() > 0.001                             # text (the tables)


def test_eval_dir(tmp_path):
    """--eval-dir finds each file's task by its content: the analogy and similarity sets run
    on labelled vectors (numbers equal to latent eval's), node labels only in a *label* file,
    an edge list and notes passed over; vectors without labels give NaN with the reason."""
    rng = np.random.default_rng(8)
    words = ["king", "queen", "man", "woman", "paris", "france", "rome", "italy"] + ["w%d" % i for i in range(60)]
    V = rng.standard_normal((len(words), 6)).astype(np.float32)
    V[1] = V[0] - V[2] + V[3] + 0.01    # queen = king - man + woman
    V[7] = V[6] - V[4] + V[5] + 0.01    # italy = rome - paris + france
    (tmp_path / "v.txt").write_text("%d 6\n" % len(words) + "".join(w + " " + " ".join("%.6f" % x for x in r) + "\n" for w, r in zip(words, V)))
    d = tmp_path / "ev"
    d.mkdir()
    (d / "analogy.txt").write_text(": capital\nparis france rome italy\n: gram-gender\nman woman king queen\n")
    (d / "sim.tsv").write_text("# w1 w2 score\nking\tqueen\t9\nman\twoman\t8\nparis\tw3\t1\nrome\tw5\t2\nking\tzzz\t3\n")
    (d / "SOURCE.md").write_text("# where these came from\nmade up for the test\n")
    (d / "edges.tsv").write_text("king queen 1\nman woman 1\n")
    (d / "node_labels.tsv").write_text("".join("%s\t%d\n" % (w, i % 2) for i, w in enumerate(words)))
    r = json.loads(subprocess.run([LATENT, "report", str(tmp_path / "v.txt"), "--eval-dir", str(d), "--json", "-q", "--k", "5"],
                                  check=True, capture_output=True, text=True).stdout)
    ev = {e["file"]: e for e in r["evaluations"]}
    assert sorted(ev) == ["analogy.txt", "node_labels.tsv", "sim.tsv"], ev
    assert ev["analogy.txt"]["task"] == "analogy" and ev["analogy.txt"]["value"] == 1.0 and ev["analogy.txt"]["used"] == 2
    ref = json.loads(subprocess.run([LATENT, "eval", "similarity", str(tmp_path / "v.txt"), str(d / "sim.tsv"), "--json"],
                                    check=True, capture_output=True, text=True).stdout)
    assert ev["sim.tsv"]["task"] == "similarity" and abs(ev["sim.tsv"]["value"] - ref["spearman"]) < 1e-6 and ev["sim.tsv"]["used"] == 4
    assert ev["node_labels.tsv"]["task"] == "nodes" and 0 <= ev["node_labels.tsv"]["value"] <= 1
    np.save(tmp_path / "v.npy", V)
    r = json.loads(subprocess.run([LATENT, "report", str(tmp_path / "v.npy"), "--eval-dir", str(d), "--json", "-q", "--k", "5"],
                                  check=True, capture_output=True, text=True).stdout)
    assert all(e["value"] is None and "no labels" in e["note"] for e in r["evaluations"]) and len(r["evaluations"]) == 3
    p = subprocess.run([LATENT, "report", str(tmp_path / "v.npy"), "--eval-dir", str(tmp_path / "none")], capture_output=True, text=True)
    assert p.returncode == 1 and "cannot open the evaluation folder" in p.stderr


def test_reconstruction_of_fitted_encoders(tmp_path):
    """--model: PCA's reconstruction error and explained variance against scikit-learn's PCA
    (inverse_transform, explained_variance_ratio_), the autoencoder's against its own output
    layer read back with numpy; both in the models' scaled space (x / 255 here)"""
    from sklearn.decomposition import PCA
    rng = np.random.default_rng(8)
    n, d, k = 600, 40, 6
    X = np.clip(128 + 40 * rng.standard_normal((n, k)) @ rng.standard_normal((k, d)) / np.sqrt(k) + 8 * rng.standard_normal((n, d)), 0, 255)
    X = np.round(X).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    x = str(tmp_path / "x.npy")
    subprocess.run([LATENT, "fit", "pca", x, "--dim", str(k), "--scale", "unit", "-o", str(tmp_path / "p.lmodel"),
                    "--encode-out", str(tmp_path / "z.npy"), "-q"], check=True)
    out = subprocess.run([LATENT, "report", str(tmp_path / "z.npy"), "--source", x, "--model", str(tmp_path / "p.lmodel"), "--json", "-q"],
                         check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    Xs = X.astype(np.float64) / 255
    ref = PCA(k, svd_solver="full").fit(Xs)
    mse = np.mean((Xs - ref.inverse_transform(ref.transform(Xs))) ** 2)
    assert abs(r["explained_variance"] - ref.explained_variance_ratio_.sum()) < 1e-5
    assert abs(r["reconstruction_mse"] / mse - 1) < 1e-4, (r["reconstruction_mse"], mse)
    tsv = subprocess.run([LATENT, "report", str(tmp_path / "z.npy"), "--source", x, "--model", str(tmp_path / "p.lmodel"), "-q", "--sample", "100"],
                         check=True, capture_output=True, text=True).stdout
    row = [l.split("\t") for l in tsv.splitlines() if l.startswith("reconstruction_mse\t")][0]
    assert row[3] == str(n)                                       # every row, not the 100-row sample
    subprocess.run([LATENT, "train", "autoencoder", x, "--arch", "%d-16-%d-16-%d" % (d, k, d), "--scale", "unit", "--epochs", "3",
                    "-o", str(tmp_path / "a.lmodel"), "-q", "-t", "1"], check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "a.lmodel"), x, "--layer", "output", "-o", str(tmp_path / "o.npy"), "-q"], check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "a.lmodel"), x, "-o", str(tmp_path / "b.npy"), "-q"], check=True)
    r = json.loads(subprocess.run([LATENT, "report", str(tmp_path / "b.npy"), "--source", x, "--model", str(tmp_path / "a.lmodel"), "--json", "-q"],
                                  check=True, capture_output=True, text=True).stdout)
    O = np.load(tmp_path / "o.npy").astype(np.float64)
    mse = np.mean((Xs - O) ** 2)
    assert abs(r["reconstruction_mse"] / mse - 1) < 1e-5
    assert abs(r["explained_variance"] - (1 - ((Xs - O) ** 2).sum() / ((Xs - Xs.mean(0)) ** 2).sum())) < 1e-6
    p = subprocess.run([LATENT, "report", str(tmp_path / "z.npy"), "--model", str(tmp_path / "p.lmodel")], capture_output=True, text=True)
    assert p.returncode == 2 and "--model needs --source" in p.stderr
    subprocess.run([LATENT, "fit", "rff", x, "--dim", "8", "-o", str(tmp_path / "r.lmodel"), "-q"], check=True)
    p = subprocess.run([LATENT, "report", str(tmp_path / "z.npy"), "--source", x, "--model", str(tmp_path / "r.lmodel")], capture_output=True, text=True)
    assert p.returncode == 1 and "rff model has no reconstruction" in p.stderr

