# Exact KL(P || Q) of 2-D maps of the same rows, P as scikit-learn's Barnes-Hut t-SNE builds
# it (3 * perplexity + 1 exact neighbours, calibrated, symmetrised), Q with the exact Z over
# all pairs (in blocks): one yardstick for maps from different tools, whose own reported
# KL values each use their own approximation of Z.
# usage: python3 tsne_kl.py X.npy MAP.npy [MAP.npy ...]
import sys
import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.manifold._t_sne import _joint_probabilities_nn
X = np.load(sys.argv[1]).astype(np.float32)
n, perp = X.shape[0], 30.0
k = min(n - 1, int(3.0 * perp + 1))
D = NearestNeighbors(n_neighbors=k).fit(X).kneighbors_graph(mode="distance")
D.data **= 2
P = _joint_probabilities_nn(D, perp, 0).tocoo()
for path in sys.argv[2:]:
    Y = np.load(path).astype(np.float64)
    sq = (Y * Y).sum(1)
    Z = 0.0
    for b in range(0, n, 2000):
        d2 = sq[b:b + 2000, None] + sq[None, :] - 2 * Y[b:b + 2000] @ Y.T
        Z += (1 / (1 + np.maximum(d2, 0))).sum() - min(2000, n - b)   # the diagonal's q = 1
    d2 = ((Y[P.row] - Y[P.col]) ** 2).sum(1)
    q = 1 / (1 + d2) / Z
    print("%s %.6f" % (path, float((P.data * np.log(np.maximum(P.data, 1e-12) / np.maximum(q, 1e-300))).sum())))
