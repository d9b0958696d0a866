# scikit-learn's Barnes-Hut t-SNE on the same PCA-50 rows latent maps (bench/bench_map.sh):
# time of the fit, its KL divergence, the map saved as n x 2 float32 .npy.
# usage: python3 tsne_sklearn.py X.npy OUT.npy THREADS [PERPLEXITY ITERS]
import sys, time
import numpy as np
from sklearn.manifold import TSNE
X = np.load(sys.argv[1]).astype(np.float32)
perp = float(sys.argv[4]) if len(sys.argv) > 4 else 30.0
iters = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
t0 = time.time()
t = TSNE(2, perplexity=perp, n_iter=iters, learning_rate="auto", init="pca", method="barnes_hut",
         angle=0.5, random_state=0, n_jobs=int(sys.argv[3]))
Y = t.fit_transform(X)
dt = time.time() - t0
np.save(sys.argv[2], Y.astype(np.float32))
print("%.3f %.6f" % (dt, t.kl_divergence_))
