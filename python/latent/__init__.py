"""latent: embeddings in C, from Python.

    import latent
    kv = latent.Vectors.load("vecs.lvec")          # any format of the vector store
    kv.most_similar("king", topn=5)                 # named as gensim's KeyedVectors
    emb = latent.Encoder("all-MiniLM-L6-v2/").encode(["a sentence"])
    index = latent.Index(dim=384, metric="cosine"); index.add(emb); D, I = index.search(emb, k=1)

Arrays are numpy arrays in and out. Library failures raise latent.Error with the library's
message. Long calls (loading, training, encoding, searching) release the GIL.
"""
import os
from numbers import Integral

import numpy as np

from . import _latent
from ._latent import Error
from .estimators import (PCA, RandomFourierFeatures, Nystroem, KernelPCA, OneHotEncoder, OrdinalEncoder,
                         HashingEncoder, load_model, NeuralModel, train_autoencoder, train_cnn, train_entity,
                         _threads)

__all__ = ["Error", "Vectors", "Encoder", "CrossEncoder", "ImageEncoder", "Tokenizer", "Index", "train_word2vec", "train_fasttext", "train_node2vec", "train_deepwalk", "train_glove", "knn", "PCA", "RandomFourierFeatures", "Nystroem", "KernelPCA", "OneHotEncoder", "OrdinalEncoder", "HashingEncoder", "load_model", "NeuralModel", "train_autoencoder", "train_cnn", "train_entity", "FastTextVectors", "map", "report", "eval_probe", "eval_nodes", "eval_links", "eval_graphs", "__version__"]
__version__ = _latent.version


def _as_f32(x, d=None, what="vectors"):
    a = np.ascontiguousarray(x, dtype=np.float32)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2 or (d is not None and a.shape[1] != d):
        raise ValueError("%s must have shape (n, %s), not %s" % (what, d if d is not None else "d", a.shape))
    if not np.all(np.isfinite(a)):
        raise ValueError("%s contain NaN or infinite values" % what)
    return a


def _store(x, what="vectors"):
    """the store of Vectors, or of an (n, d) array (float32, finite)"""
    if isinstance(x, Vectors):
        return x._s
    a = _as_f32(x, what=what)
    return _latent.from_array(a, a.shape[1], None)


def _unitvec(v):
    v = np.asarray(v, dtype=np.float32)
    n = np.sqrt(np.dot(v.astype(np.float64), v.astype(np.float64)))
    return (v / n).astype(np.float32) if n > 0 else v


class Vectors:
    """Keyed vectors: rows of a vector store and their keys, queried as gensim's KeyedVectors.

    `vectors` is a read-only numpy view of the store; for .lvec files it is the mapped file
    itself (no copy)."""

    def __init__(self, _store):
        self._s = _store
        self.vectors = np.asarray(memoryview(_store))
        labels = _store.labels()
        self.index_to_key = labels if labels is not None else list(range(_store.n))
        self.key_to_index = {k: i for i, k in reversed(list(enumerate(self.index_to_key)))}
        self._norm = None

    # ---- construction and files ----
    @classmethod
    def load(cls, path, fmt=None, encoding=None):
        """Loads any format of the store: .lvec, word2vec .txt/.bin, GloVe, .vec, .npy (+ labels),
        .fvecs; a fastText model (.bin) gives FastTextVectors (vectors for unseen words too).
        encoding: the words' encoding when not UTF-8 (latin1, ...; gensim's encoding=), converted
        to UTF-8 (a fastText model's vectors are then those of the UTF-8 words, as gensim's)."""
        s = _latent.load(os.fspath(path), fmt, encoding)
        if cls is Vectors and s.subword("") is not False:
            return FastTextVectors(s)
        return cls(s)

    @classmethod
    def from_array(cls, vectors, keys=None):
        a = _as_f32(vectors)
        return cls(_latent.from_array(a, a.shape[1], None if keys is None else [str(k) for k in keys]))

    def save(self, path, fmt=None, f16=False):
        """Writes atomically; the format follows the extension unless `fmt` names one."""
        self._s.save(os.fspath(path), fmt, f16)

    def save_word2vec_format(self, fname, fvocab=None, binary=False, write_header=True):
        """gensim's KeyedVectors.save_word2vec_format: word2vec text ("count dim" header, then
        "word v1 .. vd" lines), binary=True word2vec's binary, write_header=False the GloVe text
        layout. fvocab (a "word count" file) is not written by latent: pass None."""
        if fvocab is not None:
            raise ValueError("save_word2vec_format: fvocab is not supported; `latent train --save-vocab` writes one")
        if binary and not write_header:
            raise ValueError("save_word2vec_format: the binary format always has its header")
        self.save(fname, "w2v-bin" if binary else "w2v-txt" if write_header else "glove")

    @property
    def metadata(self):
        return self._s.meta()

    @property
    def vector_size(self):
        return self._s.d

    def __len__(self):
        return self._s.n

    def __contains__(self, key):
        return key in self.key_to_index

    def has_index_for(self, key):
        return key in self.key_to_index

    def get_index(self, key, default=None):
        if isinstance(key, Integral) and not isinstance(key, bool) and 0 <= key < len(self):
            return int(key)
        i = self.key_to_index.get(key)
        if i is None:
            if default is not None:
                return default
            raise KeyError("Key '%s' not present" % (key,))
        return i

    def get_vector(self, key, norm=False):
        i = self.get_index(key)
        return self._normed()[i] if norm else self.vectors[i]

    def __getitem__(self, keys):
        if isinstance(keys, (str, Integral)):
            return self.get_vector(keys)
        return np.vstack([self.get_vector(k) for k in keys])

    def _normed(self):
        if self._norm is None:
            self._normstore = self._s.normalized()
            self._norm = np.asarray(memoryview(self._normstore))
        return self._norm

    def get_normed_vectors(self):
        return self._normed()

    # ---- queries (gensim semantics) ----
    def _mean(self, positive, negative):
        keys, weights = [], []
        for items, w in ((positive, 1.0), (negative, -1.0)):
            for it in items:
                if isinstance(it, tuple) and len(it) == 2 and not isinstance(it[0], np.ndarray):
                    keys.append(it[0]); weights.append(float(it[1]))
                else:
                    keys.append(it); weights.append(w)
        if not keys:
            raise ValueError("cannot compute similarity with no input")
        mean = np.zeros(self.vector_size, dtype=np.float32)
        total = 0.0
        for k, w in zip(keys, weights):
            v = k if isinstance(k, np.ndarray) else self.get_vector(k, norm=True)
            mean += w * np.asarray(v, dtype=np.float32)
            total += abs(w)
        if total > 0:
            mean = mean / total
        exclude = [self.get_index(k) for k in keys if not isinstance(k, np.ndarray) and k in self.key_to_index]
        return _unitvec(mean), exclude

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Top keys by cosine to the mean of the unit vectors of `positive` minus `negative`
        (keys, vectors or (key, weight) pairs); input keys are excluded. topn=None returns all
        cosine scores."""
        positive = [positive] if isinstance(positive, (str, np.ndarray)) else list(positive or [])
        negative = [negative] if isinstance(negative, (str, np.ndarray)) else list(negative or [])
        if isinstance(topn, Integral) and topn < 1:
            return []
        mean, exclude = self._mean(positive, negative)
        if topn is None:
            end = restrict_vocab or len(self)
            return np.dot(self._normed()[:end], mean)
        ids, scores = self._s.nearest(mean, int(topn), int(restrict_vocab or 0), np.array(exclude, dtype=np.int64))
        return [(self.index_to_key[i], s) for i, s in zip(ids, scores)]

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        return self.most_similar(positive=[np.asarray(vector, dtype=np.float32)], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_word = similar_by_key

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """3CosMul (Levy and Goldberg 2014) with cosines shifted to [0, 1], as gensim."""
        positive = [positive] if isinstance(positive, (str, np.ndarray)) else list(positive or [])
        negative = [negative] if isinstance(negative, (str, np.ndarray)) else list(negative or [])
        if isinstance(topn, Integral) and topn < 1:
            return []
        if not positive:
            raise ValueError("cannot compute similarity with no input")
        exclude = {self.get_index(w) for w in positive + negative if not isinstance(w, np.ndarray) and w in self}
        N = self._normed()
        end = restrict_vocab or len(self)
        N = N[:end]
        vec = lambda w: _unitvec(w) if isinstance(w, np.ndarray) else self.get_vector(w, norm=True)
        pos = [(1 + np.dot(N, vec(w))) / 2 for w in positive]
        neg = [(1 + np.dot(N, vec(w))) / 2 for w in negative]
        dists = np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 0.000001)
        if topn is None:
            return dists
        best = np.argsort(-dists, kind="stable")[: topn + len(exclude)]
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in exclude][:topn]

    def similarity(self, w1, w2):
        return float(np.dot(_unitvec(self[w1]), _unitvec(self[w2])))

    def n_similarity(self, ws1, ws2):
        if not len(ws1) or not len(ws2):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        a = np.vstack([self.get_vector(w) for w in ws1]).mean(axis=0)
        b = np.vstack([self.get_vector(w) for w in ws2]).mean(axis=0)
        return float(np.dot(_unitvec(a), _unitvec(b)))

    def distance(self, w1, w2):
        return 1 - self.similarity(w1, w2)

    def doesnt_match(self, words):
        """The key furthest from the mean of the others' unit vectors (unknown keys ignored)."""
        used = [w for w in words if w in self]
        if not used:
            raise ValueError("cannot select a word from an empty list")
        V = np.vstack([self.get_vector(w, norm=True) for w in used]).astype(np.float32)
        mean = _unitvec(V.mean(axis=0))
        dists = np.dot(V, mean)
        return sorted(zip(dists, used))[0][1]

    def rank(self, key1, key2):
        return len(self.closer_than(key1, key2)) + 1

    def closer_than(self, key1, key2):
        all_d = self.most_similar(positive=[key1], topn=None)
        e1, e2 = self.get_index(key1), self.get_index(key2)
        return [self.index_to_key[i] for i in np.flatnonzero(all_d > all_d[e2]) if i != e1]

    # ---- evaluation (gensim's return shapes) ----
    def evaluate_word_analogies(self, analogies, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False):
        """Google analogy file: returns (accuracy, sections), each section a dict with 'section',
        'correct' and 'incorrect' lists of (A, B, C, D) in upper case, ending with
        'Total accuracy'. Questions with a word outside the first `restrict_vocab` keys are
        skipped (counted incorrect with dummy4unknown)."""
        if not case_insensitive:
            raise ValueError("latent evaluates analogies case-insensitively (case_insensitive=True)")
        secs, items = self._s.eval_analogy(os.fspath(analogies), int(restrict_vocab or 0), False)
        words = []
        with open(analogies, encoding="utf8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\r\n")
                if line and not line.startswith(":"):
                    words.append(tuple(w.upper() for w in line.split()))
        sections = [{"section": s[0], "correct": [], "incorrect": []} for s in secs]
        for (sec, a, b, c, d, pred), q in zip(items, words):
            if a < 0 or b < 0 or c < 0 or d < 0:
                if dummy4unknown:
                    sections[sec]["incorrect"].append(q)
                continue
            sections[sec]["correct" if pred == d else "incorrect"].append(q)
        total = {"section": "Total accuracy",
                 "correct": [q for s in sections for q in s["correct"]],
                 "incorrect": [q for s in sections for q in s["incorrect"]]}
        sections.append(total)
        n = len(total["correct"]) + len(total["incorrect"])
        return (len(total["correct"]) / n if n else 0.0), sections

    def evaluate_word_pairs(self, pairs, delimiter="\t", restrict_vocab=300000, case_insensitive=True,
                            dummy4unknown=False):
        """word1<TAB>word2<TAB>score file: returns ((pearson, p), (spearman, p), oov_percent)
        as gensim; p-values need scipy (NaN without it)."""
        if delimiter != "\t" or not case_insensitive or dummy4unknown:
            raise ValueError("latent evaluates tab-separated pairs case-insensitively, without dummy4unknown")
        pr, sr, used, total = self._s.eval_similarity(os.fspath(pairs), int(restrict_vocab or 0))
        oov = 100.0 * (total - used) / total if total else 0.0
        return (pr, _p_value(pr, used)), (sr, _p_value(sr, used)), oov


class FastTextVectors(Vectors):
    """A fastText model's vectors, as gensim's FastTextKeyedVectors: the vocabulary's rows, and for
    any other word the average of its character n-gram rows (fastText's getWordVector; a word of
    the vocabulary gets its own row, as gensim gives it). `word in kv` is true for every word that
    has an n-gram row. Comes from Vectors.load of a fastText .bin, or train_fasttext(model_out=).
    Similarity queries (most_similar, ...) rank the vocabulary's rows."""

    def __contains__(self, key):
        return key in self.key_to_index or (isinstance(key, str) and self._s.subword(key) is not None)

    def get_vector(self, key, norm=False):
        if key in self.key_to_index or not isinstance(key, str):
            return super().get_vector(key, norm)
        raw = self._s.subword(key)
        if raw is None:
            raise KeyError("cannot calculate vector for OOV word without ngrams: %r" % (key,))
        v = np.frombuffer(raw, np.float32)
        return v / max(np.linalg.norm(v), 1e-30) if norm else v


def _p_value(r, n):
    """Two-sided p-value of a correlation coefficient over n pairs (t distribution), as scipy."""
    try:
        from scipy import stats
    except ImportError:
        return float("nan")
    if n < 3 or not np.isfinite(r):
        return float("nan")
    if abs(r) >= 1:
        return 0.0
    t = r * np.sqrt((n - 2) / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), n - 2))


KeyedVectors = Vectors


_W2V_OPTS = {"dim", "window", "negative", "hs", "cbow", "epochs", "alpha", "sample", "min_count", "threads",
             "seed", "lowercase", "ns_exponent", "checkpoint", "checkpoint_every", "resume"}


class _Corpus:
    """A corpus argument as a path: a path (str or os.PathLike) as it is; an iterable of sentences
    (each a list of str tokens, as gensim takes them) read once and spooled to a temporary text
    file, one sentence per line, which the trainer then reads as it reads any corpus (every
    epoch from the file, so a generator is enough). A token holding whitespace or a line break
    would change the sentences: refused."""

    def __init__(self, corpus):
        self.corpus, self.tmp = corpus, None

    def __enter__(self):
        if isinstance(self.corpus, (str, bytes, os.PathLike)):
            return os.fspath(self.corpus)
        if not hasattr(self.corpus, "__iter__"):
            raise TypeError("corpus: a path or an iterable of token lists")
        import tempfile
        fd, self.tmp = tempfile.mkstemp(suffix=".txt", prefix="latent-corpus-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for i, sent in enumerate(self.corpus):
                if isinstance(sent, str):
                    raise TypeError("corpus: each sentence is a list of tokens, not a str (sentence %d)" % i)
                toks = [str(t) for t in sent]
                for t in toks:
                    if not t or any(c.isspace() for c in t) or "\0" in t:
                        raise ValueError("corpus: sentence %d: token %r is empty or holds whitespace" % (i, t))
                f.write(" ".join(toks))
                f.write("\n")
        return self.tmp

    def __exit__(self, *exc):
        if self.tmp:
            os.unlink(self.tmp)


def _train_text(name, corpus, progress, options, fasttext, extra=()):
    bad = set(options) - _W2V_OPTS - set(extra)
    if bad:
        raise TypeError("%s: unknown option(s) %s" % (name, ", ".join(sorted(bad))))
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable")
    opts = {k: (int(v) if isinstance(v, bool) else v) for k, v in options.items()}
    opts["threads"] = _threads(opts.get("threads"))
    if opts.get("model_out") is not None:
        opts["model_out"] = os.fspath(opts["model_out"])
    with _Corpus(corpus) as path:
        s = _latent.train_word2vec(path, opts, progress, fasttext)
        if not isinstance(corpus, (str, bytes, os.PathLike)):
            s.set_meta("corpus", "(a Python iterable of sentences)")
        return Vectors(s)


def train_word2vec(corpus, progress=None, **options):
    """Trains word2vec on a text corpus (a path, plain or .gz; or an iterable of token lists, as
    gensim takes sentences) and returns its Vectors.

    Options (word2vec's defaults): dim=100, window=5, negative=5, hs=0, cbow=0, epochs=5,
    alpha (0.025 skip-gram, 0.05 CBOW), sample=1e-3, min_count=5, threads=None (every core), seed=1,
    lowercase=0, ns_exponent=0.75, checkpoint=None, checkpoint_every=0, resume=0.
    `progress(done_words, total_words, loss)` is called about 4 times a second; a true return
    value stops training (latent.Error)."""
    return _train_text("train_word2vec", corpus, progress, options, False)


def train_fasttext(corpus, progress=None, model_out=None, **options):
    """Trains fastText-style subword vectors (as `latent train fasttext`) and returns the
    vocabulary's Vectors; model_out="x.bin" also writes a fastText .bin model and returns it
    loaded as FastTextVectors (its n-gram rows give vectors to unseen words, as gensim's
    FastTextKeyedVectors; the file is what fastText's own tools and `latent similar` read).

    Options (fastText's defaults, the library's preset): dim=100, window=5, negative=5, cbow=0,
    epochs=5, alpha=0.05, sample=1e-4, min_count=5, ns_exponent=0.5, minn=3, maxn=6,
    bucket=2000000, threads=None (every core), seed=1, lowercase=0, checkpoint, checkpoint_every, resume.
    `progress` as train_word2vec's."""
    kv = _train_text("train_fasttext", corpus, progress, dict(options, model_out=model_out), True,
                     extra=("minn", "maxn", "bucket", "model_out"))
    return Vectors.load(model_out) if model_out is not None else kv


_GLOVE_OPTS = {"dim", "window", "epochs", "threads", "seed", "min_count", "max_vocab", "lowercase", "symmetric",
               "distance_weighting", "vectors", "x_max", "weight_power", "alpha", "bias_alpha", "grad_clip"}
_GLOVE_VECTORS = {"sum": 0, "word": 1, "context": 2}


def train_glove(corpus, progress=None, **options):
    """GloVe on a text corpus (plain or .gz), as `latent train glove`, -> Vectors.

    Options (GloVe's defaults, as the CLI's): dim=100, window=10, epochs=15, x_max=100,
    weight_power=0.75, alpha=0.05, bias_alpha=1, grad_clip=100, min_count=5, max_vocab=0 (no
    limit), symmetric=True, distance_weighting=True, vectors="sum" (word + context rows;
    "word", "context"), lowercase=False, threads=None (every core), seed=1. `progress(done_records,
    total_records, loss)` during training; a true return value stops it (latent.Error)."""
    bad = set(options) - _GLOVE_OPTS
    if bad:
        raise TypeError("train_glove: unknown option(s) %s" % ", ".join(sorted(bad)))
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable")
    opts = {k: (int(v) if isinstance(v, bool) else v) for k, v in options.items()}
    opts["threads"] = _threads(opts.get("threads"))
    if "vectors" in opts:
        if opts["vectors"] not in _GLOVE_VECTORS:
            raise ValueError("vectors must be 'sum', 'word' or 'context'")
        opts["output"] = _GLOVE_VECTORS[opts.pop("vectors")]
    with _Corpus(corpus) as path:
        s = _latent.train_glove(path, opts, progress)
        if not isinstance(corpus, (str, bytes, os.PathLike)):
            s.set_meta("corpus", "(a Python iterable of sentences)")
        return Vectors(s)


_GRAPH_OPTS = {"dim", "walk_length", "num_walks", "window", "epochs", "negative", "alpha", "sample", "min_count", "threads",
               "seed", "weighted", "directed", "cache", "header", "vectors"}
_GRAPH_VECTORS = {"sum": 0, "node": 1, "context": 2}   # LT_N2V_SUM, LT_N2V_NODE, LT_N2V_CONTEXT


def _train_graph(edges, second_order, progress, options, extra=()):
    bad = set(options) - _GRAPH_OPTS - set(extra)
    if bad:
        raise TypeError("unknown option(s) %s" % ", ".join(sorted(bad)))
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable")
    opts = {k: (int(v) if isinstance(v, bool) else v) for k, v in options.items()}
    opts["threads"] = _threads(opts.get("threads"))
    if "vectors" in opts:
        if opts["vectors"] not in _GRAPH_VECTORS:
            raise ValueError("vectors must be 'sum', 'node' or 'context'")
        opts["vectors"] = _GRAPH_VECTORS[opts["vectors"]]
    return Vectors(_latent.train_graph(os.fspath(edges), second_order, opts, progress))


def train_node2vec(edges, progress=None, **options):
    """node2vec on an edge list ("src dst [weight]" lines; docs/graph.md) -> Vectors keyed by
    node id. Options (the node2vec paper's defaults): dim=128, walk_length=80, num_walks=10,
    window=10, p=1, q=1, epochs=1, negative=5, alpha (auto: 1.25 / an edge's walk crossings,
    docs/graph.md; the vectors' metadata "alpha" says which), sample=1e-3, min_count=0,
    threads=None (every core), seed=1, weighted=False, directed=False, cache=True, header=False (True: the first
    line names the columns; without it a header is skipped only when certain), vectors="sum" (a
    node's input row plus its context row; "node": the input rows alone, as gensim and PecanPy;
    "context")."""
    return _train_graph(edges, True, progress, options, ("p", "q"))


def train_deepwalk(edges, progress=None, **options):
    """DeepWalk (first-order walks) on an edge list -> Vectors; options as train_node2vec
    without p and q."""
    return _train_graph(edges, False, progress, options)


_MAP_METHODS = {"tsne": 0, "pca": 1, "umap": 2}   # lt_map_method
_TSNE_SOLVERS = {"auto": -1, "barnes-hut": 0, "exact": 1}


def map(vectors, method="tsne", perplexity=30.0, iters=1000, solver="auto", theta=0.5, n_neighbors=15,
        min_dist=0.1, epochs=0, seed=1, threads=None):
    """A 2-D map of the rows (an (n, d) array, or Vectors) as `latent map`: t-SNE (scikit-learn's
    optimiser and defaults; solver "exact" up to 20,000 rows, "barnes-hut", or "auto": exact up
    to 2,000 rows), UMAP (n_neighbors, min_dist, epochs 0: 500 up to 10,000 rows, 200 beyond) or
    PCA. Returns an (n, 2) float32 array, in the rows' order; the same map as the CLI's at one
    thread (t-SNE: for any thread count)."""
    if method not in _MAP_METHODS:
        raise ValueError("method must be 'tsne', 'umap' or 'pca'")
    if solver not in _TSNE_SOLVERS:
        raise ValueError("solver must be 'auto', 'exact' or 'barnes-hut'")
    s = _store(vectors)
    opts = {"method": _MAP_METHODS[method], "perplexity": float(perplexity), "iters": int(iters),
            "exact": _TSNE_SOLVERS[solver], "theta": float(theta), "n_neighbors": int(n_neighbors),
            "min_dist": float(min_dist), "epochs": int(epochs), "seed": int(seed), "threads": _threads(threads)}
    raw, kl, exact = _latent.map(s, opts)
    return np.frombuffer(raw, np.float32).reshape(-1, 2).copy()


def report(vectors, labels=None, source=None, k=10, sample=2000, seed=1, threads=None):
    """The metrics of `latent report --json` as a dict (None where a metric needs what was not
    given): neighbourhood preservation against `source` (the same rows before encoding:
    trustworthiness, continuity, knn_overlap), redundancy (effective_rank, mean_abs_correlation,
    isotropy, dead_dims), intrinsic dimension, hubness, norms, and with `labels` (one per row, any
    values) the silhouette and the probes; "spectrum": the leading singular values. Defaults are
    the CLI's; the same values as the CLI at one thread."""
    V = _store(vectors)
    S = _store(source, "source") if source is not None else None
    lab, n_classes = None, 0
    if labels is not None:
        values = list(labels)
        if len(values) != V.n:
            raise ValueError("labels: %d for %d rows" % (len(values), V.n))
        ids = {}
        lab = np.array([ids.setdefault(v, len(ids)) for v in values], dtype=np.int32).tobytes()
        n_classes = len(ids)
    return _latent.quality(V, S, lab, n_classes, int(k), int(sample), int(seed), _threads(threads))


_METRICS = {"l2": 0, "ip": 1, "cosine": 2}   # lt_metric


def eval_probe(vectors, labels, test_vectors=None, test_labels=None, cv=None, classifier="logreg", C=1.0,
               max_iter=1000, tol=1e-4, standardize=False, k=5, weights="uniform", metric="l2", seed=1,
               threads=None):
    """`latent eval probe` as a dict: how well the rows separate known classes (accuracy, macro-F1,
    AUC for two classes) with a logistic-regression or kNN probe, on a held-out set (test_vectors,
    test_labels) or by stratified `cv`-fold cross-validation (one of the two is required, as the
    CLI's --test or --cv). Labels: one per row, any values (classes in sorted order)."""
    if (test_vectors is None) == (cv is None):
        raise ValueError("eval_probe: give test_vectors and test_labels, or cv (folds), not both")
    if classifier not in ("logreg", "knn") or weights not in ("uniform", "distance") or metric not in ("l2", "cosine"):
        raise ValueError("classifier logreg|knn, weights uniform|distance, metric l2|cosine")
    X = _store(vectors)
    y = [str(v) for v in labels]
    yt = [str(v) for v in test_labels] if test_vectors is not None else []
    classes = {c: i for i, c in enumerate(sorted(set(y) | set(yt)))}
    if len(y) != X.n:
        raise ValueError("labels: %d for %d rows" % (len(y), X.n))
    T = _store(test_vectors, "test_vectors") if test_vectors is not None else None
    if T is not None and len(yt) != T.n:
        raise ValueError("test_labels: %d for %d rows" % (len(yt), T.n))
    ids = lambda ls: np.array([classes[v] for v in ls], dtype=np.int32).tobytes()
    opts = {"kind": 0 if classifier == "logreg" else 1, "C": float(C), "max_iter": int(max_iter), "tol": float(tol),
            "standardize": int(bool(standardize)), "k": int(k), "distance_weights": int(weights == "distance"),
            "metric": _METRICS[metric], "threads": _threads(threads)}
    return _latent.probe(X, ids(y), T, ids(yt) if T is not None else None, len(classes), int(cv or 0), int(seed), opts)


def _keyed(vectors):
    """the store of Vectors, or of the file at a path (the evaluations match rows by their keys)"""
    if isinstance(vectors, Vectors):
        return vectors._s
    if isinstance(vectors, (str, os.PathLike)):
        return _latent.load(os.fspath(vectors))
    raise TypeError("vectors: Vectors (keyed by node or graph id) or a path")


def eval_nodes(vectors, labels, train_ratio=0.5, repeats=10, seed=1, C=1.0, train_list=None, threads=None):
    """`latent eval nodes` as a dict: node classification (one-vs-rest logistic regression over
    repeated splits; macro/micro-F1 under the top-k rule and under thresholding, with their sd).
    labels: a file of "node label" lines (a node may have several); vectors keyed by node id."""
    opts = {"train_ratio": float(train_ratio), "repeats": int(repeats), "seed": int(seed), "C": float(C),
            "threads": _threads(threads), "train_list": os.fspath(train_list) if train_list is not None else None}
    return _latent.eval_nodes(_keyed(vectors), os.fspath(labels), opts)


def eval_links(vectors, pairs, op="cosine", seed=1):
    """`latent eval links` as a dict: link-prediction ROC-AUC on "u v 1|0" pairs (as `latent graph
    split` writes them); op "cosine" scores directly, "hadamard", "average", "l1", "l2" train a
    logistic regression on that edge feature."""
    return _latent.eval_links(_keyed(vectors), os.fspath(pairs), str(op), int(seed))


def eval_graphs(vectors, labels, classifier="logreg", C=1.0, gamma="scale", folds=10, seed=1, threads=None):
    """`latent eval graphs` as a dict: graph classification accuracy by stratified k-fold
    cross-validation (logreg or an RBF SVM; C a number or a list, each fold then choosing by inner
    CV); labels: a file of "graph_id class" lines; vectors keyed by graph id."""
    if classifier not in ("logreg", "svm"):
        raise ValueError("classifier: logreg or svm")
    Cs = [float(c) for c in (C if isinstance(C, (list, tuple)) else [C])]
    opts = {"folds": int(folds), "seed": int(seed), "threads": _threads(threads), "svm": int(classifier == "svm"),
            "gamma": 0.0 if gamma == "scale" else float(gamma)}
    return _latent.eval_graphs(_keyed(vectors), os.fspath(labels), opts, Cs)


class Encoder:
    """A BERT-family sentence encoder from a Hugging Face or sentence-transformers folder.

    encode() returns float32 rows equal to `latent embed` (and to sentence-transformers'
    encode on the same folder)."""

    def __init__(self, model_dir, pooling=None, max_seq_length=None, threads=None):
        self._dir = os.fspath(model_dir)
        self._pool = pooling or ""
        self._max = int(max_seq_length or 0)
        self._threads = _threads(threads)
        self._models = {None: _latent.bert_load(self._dir, self._pool, -1, self._max)}
        info = self._models[None].info()
        self.dim = info["dim"]
        self.max_seq_length = info["max_seq"]
        self.pooling = info["pooling"]
        self.normalize = info["normalize"]
        self.prompts = info["prompts"]
        self.default_prompt_name = info["default_prompt_name"]

    def get_sentence_embedding_dimension(self):
        return self.dim

    def encode(self, sentences, batch_size=32, normalize=None, normalize_embeddings=None, latency=False, prompt_name=None,
               prompt=None, truncate_dim=None, precision="float32"):
        """Embeds a str or a list of str: (n, dim) float32 (or (dim,) for one str).
        normalize=None keeps the model folder's setting (2_Normalize), True/False force it.
        The library's pipeline, as `latent embed`: threads take whole batches, or with
        latency=True (`--latency`) all of them work inside one batch at a time; same rows.
        prompt_name / prompt as sentence-transformers (the folder's default prompt otherwise);
        truncate_dim keeps the first dimensions (Matryoshka), renormalised when the model
        normalises (`latent embed --dim`). precision "int8", "uint8" (each column's range over
        these sentences), "binary" or "ubinary" as sentence-transformers' quantize_embeddings."""
        if precision not in ("float32", "int8", "uint8", "binary", "ubinary"):
            raise ValueError("precision must be float32, int8, uint8, binary or ubinary")
        if prompt is None:
            if prompt_name is not None:
                if prompt_name not in self.prompts:
                    raise ValueError("no prompt %r (the folder has: %s)" % (prompt_name, ", ".join(sorted(self.prompts))))
                prompt = self.prompts[prompt_name]
            elif self.default_prompt_name is not None:
                prompt = self.prompts[self.default_prompt_name]
        if normalize is None:
            normalize = normalize_embeddings
        one = isinstance(sentences, str)
        texts = [sentences] if one else list(sentences)
        if normalize is not None and bool(normalize) == self.normalize:
            normalize = None
        if normalize not in self._models:
            self._models[normalize] = _latent.bert_load(self._dir, self._pool, int(normalize), self._max)
        dim = int(truncate_dim or 0)
        buf = self._models[normalize].encode(texts, int(batch_size), self._threads, bool(latency), prompt or None, dim)
        out = np.frombuffer(buf, dtype=np.float32).reshape(len(texts), dim or self.dim)
        if precision != "float32":
            n, d = out.shape
            q = _latent.quantize(np.ascontiguousarray(out).tobytes(), n, d, precision)
            w = (d + 7) // 8 if precision.endswith("binary") else d
            out = np.frombuffer(q, dtype=np.int8 if precision in ("int8", "binary") else np.uint8).reshape(n, w)
        return out[0] if one else out


class Encoding:
    """One text's tokens, as Hugging Face tokenizers' Encoding: ids, tokens, offsets (character
    ranges of the text, as tokenizers gives them), byte_offsets (UTF-8), type_ids,
    special_tokens_mask."""

    def __init__(self, ids, tokens, offsets, byte_offsets, type_ids, special):
        self.ids, self.tokens, self.offsets, self.byte_offsets = ids, tokens, offsets, byte_offsets
        self.type_ids, self.special_tokens_mask = type_ids, special

    def __len__(self):
        return len(self.ids)

    def __repr__(self):
        return "Encoding(num_tokens=%d, ids=%r)" % (len(self.ids), self.ids[:8] + (["..."] if len(self.ids) > 8 else []))


def _char_offsets(text, byte_offsets):
    """byte ranges of text's UTF-8 -> character ranges"""
    pos = {0: 0}
    b = 0
    for i, ch in enumerate(text):
        b += len(ch.encode("utf-8", "surrogatepass"))
        pos[b] = i + 1
    out = []
    for s, e in byte_offsets:
        out.append((pos.get(s, s), pos.get(e, e)))
    return out


class Tokenizer:
    """Any tokenizer.json (a path, or a model folder holding one), as Hugging Face tokenizers
    reads it: encode(text, pair=None, add_special_tokens=True, max_length=None) -> Encoding,
    the same ids and offsets as `latent tokenize` and as tokenizers itself."""

    def __init__(self, path):
        self._t = _latent.tokenizer_load(os.fspath(path))
        info = self._t.info()
        self.model = info["model"]
        self.vocab_size = info["vocab_size"]

    @classmethod
    def from_file(cls, path):
        return cls(path)

    def encode(self, text, pair=None, add_special_tokens=True, max_length=None):
        ids, boff, types, special = self._t.encode(text, pair, bool(add_special_tokens), int(max_length or 0))
        # offsets are of each token's own text (a pair's second text counts from its start)
        first = [t == 0 for t in types] if pair is not None else [True] * len(ids)
        coff = [None] * len(ids)
        idx_a = [i for i in range(len(ids)) if first[i]]
        idx_b = [i for i in range(len(ids)) if not first[i]]
        for idx, src in ((idx_a, text), (idx_b, pair)):
            if idx:
                for i, c in zip(idx, _char_offsets(src, [boff[i] for i in idx])):
                    coff[i] = c
        tokens = [self._t.token(i) for i in ids]
        return Encoding(ids, tokens, coff, boff, types, [int(s) for s in special])

    def encode_batch(self, texts, add_special_tokens=True):
        return [self.encode(t, add_special_tokens=add_special_tokens) for t in texts]

    def id_to_token(self, i):
        return self._t.token(int(i))


class ImageEncoder:
    """The image tower of a CLIP or ViT folder (config.json + model.safetensors, and
    preprocessor_config.json for files and raw images), as `latent embed MODEL IMAGES`.

    encode() takes image file paths (PNG, JPEG), RGB arrays (h, w, 3) of uint8, or pixels
    already preprocessed as float32 (n, C, S, S) / (C, S, S); files and uint8 arrays go through
    the folder's preprocessing (Pillow's resampling, crop, normalisation). Rows equal
    transformers' get_image_features (CLIP) or the class token (ViT)."""

    def __init__(self, model_dir, precision="float32", threads=None):
        if precision not in ("float32", "bfloat16"):
            raise ValueError("precision must be float32 or bfloat16")
        self._v = _latent.vision_load(os.fspath(model_dir), precision == "bfloat16")
        info = self._v.info()
        self.dim, self.image_size, self.channels = info["dim"], info["image_size"], info["channels"]
        self._threads = _threads(threads)

    def _pixels(self, item):
        if isinstance(item, (str, bytes, os.PathLike)):
            path = os.fsdecode(item)
            rgb, w, h = _latent.image_decode(path)
            return np.frombuffer(self._v.preprocess(rgb, w, h, path), dtype=np.float32)
        a = np.asarray(item)
        if a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3:
            a = np.ascontiguousarray(a)
            return np.frombuffer(self._v.preprocess(a.tobytes(), a.shape[1], a.shape[0], "<array>"), dtype=np.float32)
        raise ValueError("an image is a path, an RGB uint8 array (h, w, 3), or float32 pixels (C, S, S)")

    def encode(self, images, batch_size=32, normalize=False):
        """(n, dim) float32 rows; one path or array gives (dim,). normalize=True L2-normalises."""
        S, C = self.image_size, self.channels
        single = isinstance(images, (str, bytes, os.PathLike)) or (
            isinstance(images, np.ndarray) and images.ndim == 3)
        if isinstance(images, np.ndarray) and images.dtype != np.uint8 and images.ndim in (3, 4):
            px = np.ascontiguousarray(images, dtype=np.float32).reshape(-1, C, S, S)
        else:
            items = [images] if single else list(images)
            px = np.stack([self._pixels(x) for x in items]) if items else np.zeros((0, C * S * S), np.float32)
        out = np.empty((len(px), self.dim), dtype=np.float32)
        for b in range(0, len(px), max(1, int(batch_size))):
            chunk = np.ascontiguousarray(px[b:b + batch_size], dtype=np.float32)
            out[b:b + len(chunk)] = np.frombuffer(self._v.encode_pixels(chunk.tobytes(), len(chunk), self._threads),
                                                  dtype=np.float32).reshape(len(chunk), self.dim)
        if normalize:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out[0] if single else out


class CrossEncoder:
    """A cross-encoder (a *ForSequenceClassification folder: BERT, RoBERTa, XLM-R, DistilBERT) as
    sentence-transformers' CrossEncoder: predict(pairs) and rank(query, documents), the same
    numbers as `latent rerank`."""

    def __init__(self, model_dir, max_length=None, threads=None):
        self._m = _latent.bert_load(os.fspath(model_dir), "", -1, int(max_length or 0))
        info = self._m.info()
        if not info["labels"]:
            raise Error("%s is not a cross-encoder (config.json names no *ForSequenceClassification)" % model_dir)
        self.num_labels = info["labels"]
        self.max_length = info["max_seq"]
        self._threads = _threads(threads)

    def predict(self, sentences, batch_size=32, activation_fn=None, apply_softmax=False):
        """Scores of (a, b) pairs: (n,) for one label, else (n, labels); one pair gives a scalar
        (or (labels,)). activation_fn=None is CrossEncoder's default, a sigmoid for one label and
        none otherwise; pass a callable on the logits array, or `lambda x: x` for the logits."""
        one = len(sentences) == 2 and all(isinstance(s, str) for s in sentences)
        pairs = [sentences] if one else list(sentences)
        a = [p[0] for p in pairs]
        b = [p[1] for p in pairs]
        buf = self._m.score_pairs(a, b, int(batch_size), self._threads)
        x = np.frombuffer(buf, dtype=np.float32).reshape(len(pairs), self.num_labels)
        if activation_fn is not None:
            x = np.asarray(activation_fn(x), dtype=np.float32)
        elif self.num_labels == 1:
            x = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
        if apply_softmax and x.shape[1] > 1:
            e = np.exp(x - x.max(axis=1, keepdims=True))
            x = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        if self.num_labels == 1:
            x = x[:, 0]
        return x[0] if one else x

    def rank(self, query, documents, top_k=None, return_documents=False, batch_size=32, activation_fn=None):
        """The documents by score against query, best first: [{"corpus_id", "score"(, "text")}]."""
        docs = list(documents)
        s = self.predict([(query, d) for d in docs], batch_size=batch_size, activation_fn=activation_fn)
        order = sorted(range(len(docs)), key=lambda i: (-float(s[i]), i))
        out = [{"corpus_id": i, "score": float(s[i])} for i in order[: top_k if top_k is not None else len(docs)]]
        if return_documents:
            for r in out:
                r["text"] = docs[r["corpus_id"]]
        return out


class Index:
    """HNSW index (hnswlib/faiss style): add(x, ids=None), search(q, k) -> (D, I).

    Distances: l2 = squared Euclidean, ip = 1 - dot, cosine = 1 - cos; missing results have
    id -1 and distance inf."""

    def __init__(self, dim, metric="cosine", M=16, ef_construction=200, seed=100, storage="f32", threads=None, _h=None):
        self._h = _h if _h is not None else _latent.hnsw_new(int(dim), metric, int(M), int(ef_construction), int(seed), storage)
        info = self._h.info()
        self.dim = info["d"]
        self.metric = info["metric"]
        self.threads = _threads(threads)
        self._next = info["next_id"]   # past every id stored (a loaded index's ids need not be 0..n-1)

    @classmethod
    def load(cls, path, threads=None):
        return cls(0, _h=_latent.hnsw_load(os.fspath(path)), threads=threads)

    def add(self, x, ids=None):
        x = _as_f32(x, self.dim)
        if ids is None:
            self._h.add(x, None, self._next, self.threads)
            self._next += x.shape[0]
        else:
            raw = np.atleast_1d(np.asarray(ids))
            if raw.dtype.kind not in "iu" and not (raw.dtype.kind == "f" and np.all(np.floor(raw) == raw)):
                raise TypeError("ids must be integers (got %s)" % raw.dtype)   # 1.7 is not id 1
            ids = np.ascontiguousarray(raw, dtype=np.int64)
            if ids.shape[0] != x.shape[0]:
                raise ValueError("%d ids for %d vectors" % (ids.shape[0], x.shape[0]))
            self._h.add(x, ids, 0, self.threads)
            if ids.size:
                self._next = max(self._next, int(ids.max()) + 1)

    def search(self, q, k=10, ef=None, filter=None):
        """(D, I), each of shape (nq, k), k at most the vectors the index holds (live or deleted;
        ValueError beyond); fewer matches than k (deletions, a filter) leave id -1, distance inf.
        filter: allowed ids (array) or a callable id -> bool."""
        q = _as_f32(q, self.dim, "queries")
        k = int(k)
        if k < 1:
            raise ValueError("k must be >= 1")
        info = self._h.info()
        held = info["count"] + info["deleted"]
        if k > max(held, 1):   # no result arrays wider than the index (as hnswlib, which stops at the live count)
            raise ValueError("k=%d is larger than the %d vectors the index holds" % (k, held))
        ef = max(int(ef or 64), k)
        if filter is not None and not callable(filter):
            filter = np.unique(np.asarray(filter, dtype=np.int64))
        D, I = self._h.search(q, k, ef, filter, self.threads)
        return (np.frombuffer(D, dtype=np.float32).reshape(-1, k).copy(),
                np.frombuffer(I, dtype=np.int64).reshape(-1, k).copy())

    knn_query = search

    def delete(self, ids):
        for i in np.atleast_1d(ids):
            self._h.delete(int(i))

    def save(self, path):
        self._h.save(os.fspath(path))

    @property
    def info(self):
        return self._h.info()

    def __len__(self):
        return self._h.info()["count"]   # live vectors (the library's count excludes deleted ones)


def knn(base, queries, k=10, metric="cosine", threads=None):
    """Exact k-NN of each query among the rows of `base` (a Vectors or an array): (D, I), k at
    most the rows of base (ValueError beyond)."""
    if not isinstance(base, Vectors):
        base = Vectors.from_array(base)
    q = _as_f32(queries, base.vector_size, "queries")
    k = int(k)
    if k < 1:
        raise ValueError("k must be >= 1")
    if k > max(len(base), 1):   # as scikit-learn's NearestNeighbors: no more neighbours than rows
        raise ValueError("k=%d is larger than the %d rows of base" % (k, len(base)))
    D, I = _latent.knn_exact(base._s, q, k, metric, _threads(threads))
    return np.frombuffer(D, dtype=np.float32).reshape(-1, k).copy(), np.frombuffer(I, dtype=np.int64).reshape(-1, k).copy()
