#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU) reference for bench/bench_nn.sh: the same models, optimiser,
batch and epochs as latent's train autoencoder / cnn / entity. Prints one JSON line.

  nn_torch.py ae|cnn|entity THREADS EPOCHS FMNIST_DIR|ADULT_DIR [SEED]
"""
import gzip, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn


def idx(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        b = f.read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def fmnist(d, part):
    p = lambda s: os.path.join(d, s) if os.path.exists(os.path.join(d, s)) else os.path.join(d, s + ".gz")
    x = idx(p("%s-images-idx3-ubyte" % part)).astype(np.float32) / 255.0
    y = idx(p("%s-labels-idx1-ubyte" % part)).astype(np.int64)
    return torch.from_numpy(x.copy()), torch.from_numpy(y.copy())


def batches(n, bs, gen):
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n, bs):
        yield perm[i:i + bs]


def train(model, loss_fn, X, T, epochs, bs, lr, seed):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    per = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.train()
        tot = 0.0
        for idx_ in batches(X.shape[0], bs, gen):
            opt.zero_grad()
            l = loss_fn(model(X[idx_]), T[idx_])
            l.backward()
            opt.step()
            tot += l.item() * len(idx_)
        per.append({"loss": tot / X.shape[0], "seconds": time.perf_counter() - t0})
    return per


def he_init(model):
    """TORCH_INIT=he: the rule latent's autoencoder and cnn start from (Kaiming uniform, gain for
    ReLU where a ReLU follows, linear otherwise; zero biases), to separate the initialisation
    from the rest of the training when the two are compared."""
    mods = list(model)
    for i, mod in enumerate(mods):
        if isinstance(mod, (nn.Linear, nn.Conv2d)):
            relu = i + 1 < len(mods) and isinstance(mods[i + 1], nn.ReLU)
            nn.init.kaiming_uniform_(mod.weight, nonlinearity="relu" if relu else "linear")
            nn.init.zeros_(mod.bias)


def encode_time(model, X, bs):
    model.eval()
    with torch.no_grad():
        t0 = time.perf_counter()
        for i in range(0, X.shape[0], bs):
            model(X[i:i + bs])
        return time.perf_counter() - t0


def main():
    what, threads, epochs, data = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    out = {"tool": "pytorch", "version": torch.__version__, "model": what, "threads": threads, "epochs": epochs}
    if what in ("ae-encode", "cnn-encode"):   # forward passes only (the weights do not matter for the time)
        Xt, _ = fmnist(data, "t10k")
        if what == "ae-encode":
            enc = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 32))
            Xt = Xt.reshape(-1, 784)
        else:
            enc = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                                nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU())
            Xt = Xt[:, None]
        encode_time(enc, Xt[:512], 256)   # warm-up
        out["encode1_seconds"] = encode_time(enc, Xt, 1)
        out["encode256_seconds"] = encode_time(enc, Xt, 256)
        print(json.dumps(out))
        return
    if what == "ae":
        X, _ = fmnist(data, "train")
        Xt, _ = fmnist(data, "t10k")
        X, Xt = X.reshape(-1, 784), Xt.reshape(-1, 784)
        m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 32), nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid())
        if os.environ.get("TORCH_INIT") == "he":
            he_init(m)
        t0 = time.perf_counter()
        per = train(m, nn.MSELoss(), X, X, epochs, 256, 1e-3, seed)
        out["train_seconds"] = time.perf_counter() - t0
        m.eval()
        with torch.no_grad():
            out["test_mse"] = float(nn.MSELoss()(m(Xt), Xt))
        out["encode1_seconds"] = encode_time(m[:3], Xt, 1)
        out["encode256_seconds"] = encode_time(m[:3], Xt, 256)
    elif what == "cnn":
        X, y = fmnist(data, "train")
        Xt, yt = fmnist(data, "t10k")
        X, Xt = X[:, None], Xt[:, None]
        m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))
        if os.environ.get("TORCH_INIT") == "he":
            he_init(m)
        t0 = time.perf_counter()
        per = train(m, nn.CrossEntropyLoss(), X, y, epochs, 128, 1e-3, seed)
        out["train_seconds"] = time.perf_counter() - t0
        m.eval()
        with torch.no_grad():
            out["test_accuracy"] = float((m(Xt).argmax(1) == yt).float().mean())
        out["encode1_seconds"] = encode_time(m[:9], Xt, 1)
        out["encode256_seconds"] = encode_time(m[:9], Xt, 256)
        if os.environ.get("FEATS_OUT"):   # the 64-d penultimate features, for the same linear probe as latent's
            with torch.no_grad():
                for name, A in (("train", X), ("test", Xt)):
                    F = torch.cat([m[:9](A[i:i + 1000]) for i in range(0, A.shape[0], 1000)]).numpy().astype(np.float32)
                    np.save(os.path.join(os.environ["FEATS_OUT"], "cnn_torch_%s.npy" % name), F)
    else:
        import csv
        def load(p):
            with open(p) as f:
                return list(csv.DictReader(f))
        tr, te = load(os.path.join(data, "train.csv")), load(os.path.join(data, "test.csv"))
        num = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
        cat = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex", "native_country"]
        cats = {c: sorted(set(r[c] for r in tr if r[c] != "?")) + (["?"] if any(r[c] == "?" for r in tr) else []) for c in cat}
        dims = [min(50, (len(cats[c]) + 1) // 2) for c in cat]
        def enc(rows):
            N = np.array([[float(r[c]) for c in num] for r in rows], dtype=np.float32)
            C = np.array([[cats[c].index(r[c]) if r[c] in cats[c] else len(cats[c]) for c in cat] for r in rows], dtype=np.int64)
            Y = np.array([r["income"] == ">50K" for r in rows], dtype=np.int64)
            return N, C, Y
        N, C, Y = enc(tr)
        Nt, Ct, Yt = enc(te)
        mu, sd = N.mean(0), N.std(0)
        N, Nt = (N - mu) / sd, (Nt - mu) / sd
        class Ent(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.ModuleList(nn.Embedding(len(cats[c]) + 1, d) for c, d in zip(cat, dims))
                self.head = nn.Sequential(nn.Linear(sum(dims) + len(num), 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
            def forward(self, x):
                n, c = x
                return self.head(torch.cat([e(c[:, j]) for j, e in enumerate(self.emb)] + [n], 1))
        m = Ent()
        Xn, Xc, Yy = torch.from_numpy(N), torch.from_numpy(C), torch.from_numpy(Y)
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(seed)
        lf = nn.CrossEntropyLoss()
        per = []
        t0 = time.perf_counter()
        for _ in range(epochs):
            te0 = time.perf_counter()
            tot = 0.0
            for b in batches(len(Y), 128, gen):
                opt.zero_grad()
                l = lf(m((Xn[b], Xc[b])), Yy[b])
                l.backward()
                opt.step()
                tot += l.item() * len(b)
            per.append({"loss": tot / len(Y), "seconds": time.perf_counter() - te0})
        out["train_seconds"] = time.perf_counter() - t0
        m.eval()
        with torch.no_grad():
            z = m((torch.from_numpy(Nt), torch.from_numpy(Ct)))
            out["test_accuracy"] = float((z.argmax(1).numpy() == Yt).mean())
            from sklearn.metrics import roc_auc_score
            out["test_auc"] = float(roc_auc_score(Yt, (z[:, 1] - z[:, 0]).numpy()))
    out["per_epoch"] = per
    out["seconds_per_epoch"] = sum(p["seconds"] for p in per) / len(per)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
