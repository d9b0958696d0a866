"""Whole-graph vectors scored by scikit-learn, the issue's yardstick: StandardScaler + SVC
(RBF, gamma 'scale') in a pipeline, 10-fold StratifiedKFold with shuffling, one mean
accuracy per fold seed. usage: wholegraph_sklearn.py VECS LABELS C SEEDS...
Prints one accuracy (%) per seed."""
import sys
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def read_vec(path):
    """word2vec text format: a 'rows dim' header, then 'label x1 .. xd' lines."""
    rows = {}
    with open(path) as f:
        f.readline()
        for line in f:
            parts = line.split()
            rows[parts[0]] = np.asarray(parts[1:], dtype=np.float64)
    return rows


vecs = read_vec(sys.argv[1])
pairs = [line.split() for line in open(sys.argv[2]) if line.strip()]
X = np.stack([vecs[g] for g, _ in pairs])
y = np.asarray([int(c) for _, c in pairs])
C = float(sys.argv[3])
for seed in sys.argv[4:]:
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=int(seed))
    acc = cross_val_score(make_pipeline(StandardScaler(), SVC(C=C)), X, y, cv=folds)
    print("%.2f" % (100 * acc.mean()), flush=True)
