"""Compares two co-occurrence files in GloVe's cooccur layout (int32 word1, int32 word2, f64 count;
1-based ranks into the matching 'word count' vocabulary file): stanfordnlp/GloVe's and latent's
(train glove --cooccur-out, --save-vocab). Pairs are matched by their words, so the two
vocabularies may order ties differently. Prints the counts and the largest relative difference."""
import sys

import numpy as np


def load(cooc, vocab):
    words = [l.split(" ")[0] for l in open(vocab, encoding="utf-8").read().splitlines() if l]
    r = np.fromfile(cooc, dtype=np.dtype([("a", "<i4"), ("b", "<i4"), ("x", "<f8")]))
    return {(words[a - 1], words[b - 1]): x for a, b, x in zip(r["a"], r["b"], r["x"])}


g = load(sys.argv[1], sys.argv[2])
l = load(sys.argv[3], sys.argv[4])
only_g, only_l = set(g) - set(l), set(l) - set(g)
worst = max(abs(l[k] - g[k]) / g[k] for k in g.keys() & l.keys())
print("pairs glove %d latent %d; only in glove %d, only in latent %d; max relative difference %.2e"
      % (len(g), len(l), len(only_g), len(only_l), worst))
sys.exit(0 if not only_g and not only_l and worst < 1e-6 else 1)
