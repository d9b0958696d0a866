"""scikit-learn side of bench/bench_dense.sh: one task per run, the whole job timed inside
(loading the IDX files included, as latent's CLI loads them). Prints 'seconds accuracy'."""
import gzip, struct, sys, time

import numpy as np

F = "/usr/share/datasets/fashion-mnist/"


def idx(name):
    b = gzip.open(F + name).read()
    nd = b[3]
    dims = struct.unpack(">" + "I" * nd, b[4:4 + 4 * nd])
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims[0], -1)


task = sys.argv[1]
t0 = time.time()
acc = float("nan")
if task == "pca":
    from sklearn.decomposition import PCA
    X = idx("train-images-idx3-ubyte.gz") / 255.0
    T = idx("t10k-images-idx3-ubyte.gz") / 255.0
    p = PCA(50, svd_solver="randomized", random_state=0)
    Z = p.fit_transform(X)
    Zt = p.transform(T)
    np.save(sys.argv[2], Z.astype(np.float32))
    np.save(sys.argv[3], Zt.astype(np.float32))
elif task in ("logreg", "knn"):
    X, T = np.load(sys.argv[2]), np.load(sys.argv[3])
    y, yt = idx("train-labels-idx1-ubyte.gz").ravel(), idx("t10k-labels-idx1-ubyte.gz").ravel()
    if task == "logreg":
        from sklearn.linear_model import LogisticRegression
        c = LogisticRegression(max_iter=1000).fit(X, y)
    else:
        from sklearn.neighbors import KNeighborsClassifier
        c = KNeighborsClassifier(5, algorithm="brute").fit(X, y)
    acc = (c.predict(T) == yt).mean()
elif task == "rff":
    from sklearn.kernel_approximation import RBFSampler
    X = idx("train-images-idx3-ubyte.gz") / 255.0
    Z = RBFSampler(gamma=float(sys.argv[2]), n_components=2000, random_state=0).fit(X).transform(X)
    np.save(sys.argv[3], Z.astype(np.float32))   # the same file latent encode writes
elif task == "kpca":
    from sklearn.decomposition import KernelPCA
    X = idx("train-images-idx3-ubyte.gz")[:5000] / 255.0
    T = idx("t10k-images-idx3-ubyte.gz") / 255.0
    Z = KernelPCA(50, kernel="rbf", gamma=float(sys.argv[2])).fit(X).transform(T)
    np.save(sys.argv[3], Z.astype(np.float32))
print("%.3f %.4f" % (time.time() - t0, acc))
