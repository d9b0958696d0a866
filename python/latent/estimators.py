"""Dense encoders as scikit-learn estimators: PCA, RandomFourierFeatures, Nystroem, KernelPCA.

Each is a transformer in scikit-learn's sense (fit, transform, fit_transform, get_params,
set_params; inverse_transform for PCA), usable inside Pipeline and GridSearchCV, pickled through
the .lmodel bytes, saved to and loaded from the .lmodel files `latent fit` writes. The defaults
are the CLI's (`latent fit METHOD --help`). scikit-learn is optional: without it the classes
keep the same methods on a small base of their own.

    from sklearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression
    clf = Pipeline([("pca", latent.PCA(50)), ("lr", LogisticRegression())]).fit(X, y)
"""
import inspect
import os
import tempfile

import numpy as np

from . import _latent

def _threads(t):
    """a thread count: None means every core this process may use, as the CLI's default"""
    if t is None:
        try:
            return len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            return os.cpu_count() or 1
    t = int(t)
    if t < 1:
        raise ValueError("threads must be >= 1 (None: every core)")
    return t


try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.utils.validation import check_is_fitted as _sk_check_is_fitted
except ImportError:  # the same surface without scikit-learn
    _sk_check_is_fitted = None

    class BaseEstimator:
        @classmethod
        def _get_param_names(cls):
            sig = inspect.signature(cls.__init__)
            return sorted(p for p in sig.parameters if p != "self")

        def get_params(self, deep=True):
            return {k: getattr(self, k) for k in self._get_param_names()}

        def set_params(self, **params):
            names = self._get_param_names()
            for k, v in params.items():
                if k not in names:
                    raise ValueError(f"invalid parameter {k!r} for {type(self).__name__}")
                setattr(self, k, v)
            return self

        def __repr__(self):
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
            return f"{type(self).__name__}({args})"

    class TransformerMixin:
        def fit_transform(self, X, y=None, **fit_params):
            return self.fit(X, y, **fit_params).transform(X)


class NotFittedError(ValueError, AttributeError):
    """transform before fit (scikit-learn's NotFittedError when scikit-learn is present)."""


try:
    from sklearn.exceptions import NotFittedError  # noqa: F811
except ImportError:
    pass


def _rows(X, what="X", min_rows=1):
    """X as a C-contiguous float32 matrix, refused (ValueError, with scikit-learn's wording where
    its checks look for it) when not 2-D, complex, too small or not finite."""
    if hasattr(X, "toarray") and not isinstance(X, np.ndarray):
        raise TypeError(f"{what}: sparse input is not supported; pass a dense array")
    a = np.asarray(X)
    if np.iscomplexobj(a):
        raise ValueError(f"{what}: Complex data not supported")
    if a.dtype == object:
        a = a.astype(np.float64)  # a non-number raises float()'s TypeError, as scikit-learn's
    elif not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"{what}: numbers expected, got dtype {a.dtype}")
    if a.ndim != 2:
        raise ValueError(f"{what}: expected a 2-D array, got {a.ndim}-D. Reshape your data either "
                         "using X.reshape(-1, 1) if it has a single feature or X.reshape(1, -1) if "
                         "it contains a single sample.")
    if a.shape[0] < min_rows:
        raise ValueError(f"{what}: found array with {a.shape[0]} sample(s) (shape={a.shape}) while a "
                         f"minimum of {min_rows} is required.")
    if a.shape[1] < 1:
        raise ValueError(f"{what}: found array with 0 feature(s) (shape={a.shape}) while a minimum "
                         "of 1 is required.")
    a = np.ascontiguousarray(a, dtype=np.float32)
    if not np.isfinite(a).all():
        raise ValueError(f"{what}: input contains NaN or infinity")
    return a


def _vecs(a):
    return _latent.from_array(a, a.shape[1], None)


class _LatentTransformer(TransformerMixin, BaseEstimator):
    """Shared by the encoders: fit through the library, transform, pickling, .lmodel files."""

    _kind = None

    def _opts(self, X):
        raise NotImplementedError

    def fit(self, X, y=None):
        a = _rows(X, min_rows=2)  # every dense model needs two rows: n_samples=1 is refused
        self._model = _latent.model_fit(self._kind, _vecs(a), self._opts(a))
        self.n_features_in_ = a.shape[1]
        self._fitted_from_model()
        return self

    def _fitted_from_model(self):
        kind, meta, names = self._model.info()
        self.n_components_ = int(meta.get("dim", 0)) or None

    def _check_fitted(self):
        if getattr(self, "_model", None) is None:
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call "
                                 "'fit' with appropriate arguments before using this estimator.")

    def transform(self, X):
        self._check_fitted()
        a = _rows(X)
        if a.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {a.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input")
        z = self._model.transform(_vecs(a), _threads(getattr(self, "n_threads", None)))
        return _store_array(z)

    def _array(self, name):
        rows, cols, raw = self._model.array(name)
        return np.frombuffer(raw, np.float64).reshape(rows, cols).copy()

    def save(self, path):
        """Writes the fitted model as an .lmodel (what `latent fit` writes; `latent encode` reads it)."""
        self._check_fitted()
        self._model.save(os.fspath(path))

    @classmethod
    def load(cls, path):
        """An estimator holding the .lmodel at path (from `latent fit` or save)."""
        m = _latent.model_load(os.fspath(path))
        kind = m.info()[0]
        want = cls._kind if cls is not _LatentTransformer else kind
        if kind != want:
            raise ValueError(f"{path}: a '{kind}' model, not '{want}'")
        est = _KINDS[kind]._from_model(m)
        return est

    @classmethod
    def _from_model(cls, m):
        est = cls()
        meta = m.info()[1]
        est._params_from_meta(meta)
        est._model = m
        est.n_features_in_ = int(meta["input_dim"])
        est._fitted_from_model()
        return est

    def _params_from_meta(self, meta):
        pass

    def __getstate__(self):
        state = self.__dict__.copy()
        m = state.pop("_model", None)
        if m is not None:
            fd, tmp = tempfile.mkstemp(suffix=".lmodel")
            os.close(fd)
            try:
                m.save(tmp)
                with open(tmp, "rb") as f:
                    state["_model_bytes"] = f.read()
            finally:
                os.unlink(tmp)
        return state

    def __setstate__(self, state):
        raw = state.pop("_model_bytes", None)
        self.__dict__.update(state)
        if raw is not None:
            self._model = _latent.model_parse(raw)

    def _more_tags(self):
        return {"preserves_dtype": [np.float32]}


def _store_array(v):
    """A Vecs result as an (n, d) float32 numpy array of its own."""
    return np.array(memoryview(v), dtype=np.float32, copy=True)


class PCA(_LatentTransformer):
    """Principal component analysis, as `latent fit pca` (defaults equal the CLI's: 50
    components, covariance solver up to 4096 columns, randomized beyond, seed 1).

    Fitted attributes with scikit-learn's names: components_, explained_variance_,
    explained_variance_ratio_, mean_, n_components_, n_features_in_. Components' signs follow
    latent's rule (the largest coordinate of each positive), which may differ from
    scikit-learn's; the subspace and the variances are the same."""

    _kind = "pca"

    def __init__(self, n_components=50, whiten=False, svd_solver="auto", random_state=1,
                 oversample=10, power_iters=-1, n_threads=None):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.random_state = random_state
        self.oversample = oversample
        self.power_iters = power_iters
        self.n_threads = n_threads

    def _opts(self, X):
        k = int(self.n_components)
        if not 1 <= k <= min(X.shape):
            raise ValueError(f"n_components={k} must be between 1 and min(n_samples, n_features)="
                             f"{min(X.shape)}")
        solver = {"auto": "auto", "full": "covariance", "covariance_eigh": "covariance",
                  "covariance": "covariance", "randomized": "randomized"}.get(self.svd_solver)
        if solver is None:
            raise ValueError(f"svd_solver={self.svd_solver!r}: auto, full or randomized")
        return {"dim": k, "whiten": int(bool(self.whiten)), "solver": solver,
                "seed": int(self.random_state if self.random_state is not None else 1),
                "oversample": int(self.oversample), "power_iters": int(self.power_iters),
                "threads": _threads(self.n_threads)}

    def _params_from_meta(self, meta):
        self.n_components = int(meta["dim"])
        self.whiten = meta.get("whiten", "0") not in ("0", "false", "no")

    def _fitted_from_model(self):
        super()._fitted_from_model()
        self.components_ = self._array("components")
        self.mean_ = self._array("mean").ravel()
        self.explained_variance_ = self._array("explained_variance").ravel()
        self.explained_variance_ratio_ = self._array("explained_variance_ratio").ravel()
        self.n_components_ = self.components_.shape[0]

    def inverse_transform(self, X):
        self._check_fitted()
        a = _rows(X)
        if a.shape[1] != self.n_components_:
            raise ValueError(f"X has {a.shape[1]} components, the model {self.n_components_}")
        return _store_array(self._model.inverse(_vecs(a)))


class _KernelMap(_LatentTransformer):
    def _kernel_opts(self, X, kernel):
        k = int(self.n_components)
        if k < 1:
            raise ValueError(f"n_components={k} must be >= 1")
        o = {"dim": k, "kernel": kernel,
             "gamma": float(self.gamma) if self.gamma is not None else 0.0,
             "seed": int(self.random_state if self.random_state is not None else 1),
             "threads": _threads(self.n_threads)}
        return o

    def _params_from_meta(self, meta):
        self.n_components = int(meta["dim"])
        if "gamma" in meta:
            self.gamma = float(meta["gamma"])


class RandomFourierFeatures(_KernelMap):
    """Random Fourier features (scikit-learn's RBFSampler for rbf), as `latent fit rff`.
    gamma None: latent's 'auto' (1 / the median squared distance of a seeded sample)."""

    _kind = "rff"

    def __init__(self, n_components=100, kernel="rbf", gamma=None, random_state=1, n_threads=None):
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.random_state = random_state
        self.n_threads = n_threads

    def _opts(self, X):
        return self._kernel_opts(X, self.kernel)


class _FullKernelMap(_KernelMap):
    """the kernel maps that take any kernel with its degree and coef0 (Nystroem, KernelPCA)"""

    def __init__(self, n_components=100, kernel="rbf", gamma=None, degree=3, coef0=1.0,
                 random_state=1, n_threads=None):
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.random_state = random_state
        self.n_threads = n_threads

    def _opts(self, X):
        o = self._kernel_opts(X, self.kernel)
        if o["dim"] > X.shape[0]:
            raise ValueError(f"n_components={o['dim']} from {X.shape[0]} rows")
        o.update(degree=int(self.degree), coef0=float(self.coef0))
        return o


class Nystroem(_FullKernelMap):
    """Nystroem kernel map (scikit-learn's Nystroem), as `latent fit nystroem`: n_components
    landmark rows drawn without replacement."""

    _kind = "nystroem"


class KernelPCA(_FullKernelMap):
    """Exact kernel PCA (scikit-learn's KernelPCA), as `latent fit kpca`."""

    _kind = "kpca"


# ---- table encoders ----
_MISSING = "\x1e"   # the missing-value marker of the CSV handed to the library: None and NaN
_UNKNOWN = {"error": 0, "ignore": 1, "infrequent_if_exist": 2, "infrequent": 2}


def _cell(v):
    if v is None or (isinstance(v, float) and v != v):
        return _MISSING
    if isinstance(v, (float, np.floating)) and not np.isfinite(v):
        raise ValueError("X: input contains infinity (None and NaN are missing values; infinity is not one)")
    t = str(v)
    if _MISSING in t or "\n" in t or "\r" in t:
        raise ValueError(f"table value {t!r}: line breaks and the byte 0x1e are not supported")
    if "," in t or '"' in t or t != t.strip() or t == "":
        t = '"' + t.replace('"', '""') + '"'
    return t


def _table_csv(X):
    """X (a pandas DataFrame, a 2-D array or a list of rows) as CSV bytes with a header, its
    column count and names"""
    if hasattr(X, "columns") and hasattr(X, "itertuples"):  # a DataFrame
        names = [str(c) for c in X.columns]
        rows = X.itertuples(index=False, name=None)
    else:
        if hasattr(X, "toarray") and not isinstance(X, np.ndarray):
            raise TypeError("X: sparse input is not supported; pass a dense array")
        a = np.asarray(X, dtype=object) if not isinstance(X, np.ndarray) else X
        if np.iscomplexobj(a):
            raise ValueError("X: Complex data not supported")
        if a.ndim != 2:
            raise ValueError(f"X: expected a 2-D array, got {a.ndim}-D. Reshape your data either using "
                             "X.reshape(-1, 1) if it has a single feature or X.reshape(1, -1) if it contains a "
                             "single sample.")
        names = [f"x{j}" for j in range(a.shape[1])]
        rows = a.tolist()
    lines = [",".join(_cell(n) for n in names)]
    for r in rows:
        lines.append(",".join(_cell(v) for v in r))
    n = len(lines) - 1
    if n < 1:
        raise ValueError(f"X: found array with 0 sample(s) (shape=({n}, {len(names)})) while a minimum of 1 is required.")
    if not names:
        raise ValueError(f"X: found array with 0 feature(s) (shape=({n}, 0)) while a minimum of 1 is required.")
    return ("\n".join(lines) + "\n").encode("utf-8"), len(names), names


class _TableEncoder(_LatentTransformer):
    """Shared by the table encoders: rows of categories (and numbers) through a CSV table."""

    def _check_numeric(self):
        if self.numeric not in ("auto", "categorical"):
            raise ValueError(f"numeric={self.numeric!r}: 'auto' or 'categorical'")
        return int(self.numeric == "categorical")

    def _check_numbers(self, X):
        """numeric="auto" reads a float array's columns as numeric: NaN and infinity are refused
        there (impute them first), as the CLI refuses missing values in a numeric column"""
        if self.numeric == "auto" and isinstance(X, np.ndarray) and np.issubdtype(X.dtype, np.number) \
                and not np.iscomplexobj(X) and not np.isfinite(X).all():
            raise ValueError("X: input contains NaN or infinity in numeric columns (impute them first, or "
                             "pass numeric='categorical' to make NaN a category)")

    def fit(self, X, y=None):
        self._check_numbers(X)
        csv, ncols, names = _table_csv(X)
        self._model = _latent.model_fit_table(self._kind, csv, _MISSING, self._opts())
        self.n_features_in_ = ncols
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(names, dtype=object)
        self._fitted_from_model()
        return self

    def transform(self, X):
        self._check_fitted()
        self._check_numbers(X)
        csv, ncols, names = _table_csv(X)
        if ncols != self.n_features_in_:
            raise ValueError(f"X has {ncols} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input")
        if not hasattr(X, "columns"):  # the names the model was fitted with, in order
            csv = b",".join(_cell(n).encode() for n in self._names) + csv[csv.index(b"\n"):]
        return _store_array(self._model.transform_table(csv))

    def _fitted_from_model(self):
        kind, meta, names = self._model.info()
        cols = int(meta.get("columns", 0))
        self._names = [meta.get(f"col{c}.name", "") for c in range(cols)]
        self.n_features_out_ = int(meta.get("dim", 0))
        cats = []
        for c in range(cols):
            if meta.get(f"col{c}.type") == "categorical":
                cats.append(np.array(self._model.categories(c), dtype=object))
            else:
                cats.append(None)  # a numeric column (numeric="auto"): standardised, no categories
        self.categories_ = cats

    @classmethod
    def _from_model(cls, m):
        est = cls()
        est._model = m
        meta = m.info()[1]
        est.n_features_in_ = int(meta["columns"])
        est._params_from_meta(meta)
        est._fitted_from_model()
        return est

    def _more_tags(self):
        # NaN and None are missing values, a category of their own (as scikit-learn's encoders)
        return {"preserves_dtype": [np.float32], "X_types": ["2darray", "string"],
                "allow_nan": self.numeric == "categorical"}


class OneHotEncoder(_TableEncoder):
    """One-hot encoding, as `latent fit onehot`: each categorical column's sorted categories (the
    missing value, None or NaN, a category of its own, sorted last) become 0/1 columns, after the
    numeric columns, standardised. numeric="auto" (the CLI's default): a column of numbers is
    numeric; "categorical": every column is categorical, as scikit-learn's OneHotEncoder
    (`--all-categorical`). handle_unknown: "error", "ignore" (all zeros) or "infrequent_if_exist";
    min_frequency: categories seen fewer times share one infrequent column. Returns dense rows."""

    _kind = "onehot"

    def __init__(self, handle_unknown="error", min_frequency=0, numeric="auto"):
        self.handle_unknown = handle_unknown
        self.min_frequency = min_frequency
        self.numeric = numeric

    def _opts(self):
        if self.handle_unknown not in _UNKNOWN:
            raise ValueError(f"handle_unknown={self.handle_unknown!r}: error, ignore or infrequent_if_exist")
        return {"unknown": _UNKNOWN[self.handle_unknown], "min_frequency": int(self.min_frequency or 0),
                "all_categorical": self._check_numeric()}


class OrdinalEncoder(OneHotEncoder):
    """Ordinal codes, as `latent fit ordinal`: a categorical column becomes its category's index in
    sorted order (infrequent ones share the last; unknown ones -1 with handle_unknown="ignore");
    parameters as OneHotEncoder's."""

    _kind = "ordinal"


class HashingEncoder(_TableEncoder):
    """Feature hashing of "column=value" strings (scikit-learn's FeatureHasher: signed 32-bit
    MurmurHash3), as `latent fit hash`, n_features columns, after the standardised numeric columns."""

    _kind = "hash"

    def __init__(self, n_features=1024, numeric="auto"):
        self.n_features = n_features
        self.numeric = numeric

    def _opts(self):
        if int(self.n_features) < 1:
            raise ValueError(f"n_features={self.n_features} must be >= 1")
        return {"dim": int(self.n_features), "all_categorical": self._check_numeric()}


_KINDS = {"pca": PCA, "rff": RandomFourierFeatures, "nystroem": Nystroem, "kpca": KernelPCA, "onehot": OneHotEncoder,
          "ordinal": OrdinalEncoder, "hash": HashingEncoder}


def load_model(path):
    """The estimator for any .lmodel of these kinds (pca, rff, nystroem, kpca, onehot, ordinal, hash)."""
    return _LatentTransformer.load(path)


# ---- trained networks ----
class NeuralModel:
    """A network trained by latent (train_autoencoder, train_cnn, train_entity, or the .lmodel of
    `latent train autoencoder|cnn|entity`): `encode(X, layer=None)` gives the rows through the
    network up to `layer` (None: the model's encode layer, the bottleneck or the penultimate;
    "output", a layer name or number; entity models also "embed"), as `latent encode` does.
    `losses_`: the training loss of every epoch (when trained here); `kind`, `metadata`."""

    def __init__(self, model, losses=None):
        self._model = model
        self.kind, self.metadata, _ = model.info()
        self.losses_ = list(losses) if losses is not None else None

    def encode(self, X, layer=None, batch=256, threads=None):
        if self.kind == "entity":
            csv, _, _ = _table_csv(X)
            return _store_array(self._model.encode(csv, layer, _threads(threads), int(batch)))
        a = _rows(_images(X) if self.kind == "cnn" else X)
        return _store_array(self._model.encode(_vecs(a), layer, _threads(threads), int(batch)))

    def save(self, path):
        self._model.save(os.fspath(path))

    @classmethod
    def load(cls, path):
        m = _latent.model_load(os.fspath(path))
        if m.info()[0] not in ("autoencoder", "cnn", "entity"):
            raise ValueError(f"{path}: a '{m.info()[0]}' model, not a network (autoencoder, cnn, entity)")
        return cls(m)

    def __repr__(self):
        return f"NeuralModel(kind={self.kind!r}, arch={self.metadata.get('nn_arch')!r})"


def _images(X):
    """images as rows: (n, h, w[, c]) arrays flattened channels-last"""
    a = np.asarray(X)
    return a.reshape(a.shape[0], -1) if a.ndim >= 3 else a


def _train_opts(epochs, batch, lr, optimizer, loss, scale, val, seed, threads, weight_decay, arch):
    o = {"epochs": int(epochs), "batch": int(batch), "lr": float(lr), "optimizer": optimizer, "seed": int(seed),
         "threads": _threads(threads), "weight_decay": float(weight_decay), "val": float(val), "arch": arch}
    if loss is not None:
        o["loss"] = loss
    if scale is not None:
        o["scale"] = scale
    return o


def train_autoencoder(X, arch=None, epochs=10, batch=128, lr=1e-3, optimizer="adam", loss="mse", scale=None,
                      val=0.0, seed=1, threads=None, weight_decay=0.0):
    """An MLP autoencoder of X's rows, as `latent train autoencoder` (the same defaults: arch None
    is d-256-32-256-d, 10 epochs, batch 128, Adam at 1e-3, mse); returns a NeuralModel whose encode
    gives the bottleneck."""
    a = _rows(X, min_rows=2)
    m, losses = _latent.train_neural("autoencoder", _vecs(a), None, 0, None, None,
                                     _train_opts(epochs, batch, lr, optimizer, loss, scale, val, seed, threads,
                                                 weight_decay, arch))
    return NeuralModel(m, losses)


def train_cnn(X, y, arch=None, shape=None, epochs=10, batch=128, lr=1e-3, optimizer="adam", scale=None, val=0.0,
              seed=1, threads=None, weight_decay=0.0):
    """A convolutional classifier, as `latent train cnn`: X images ((n, h, w), (n, h, w, c) or rows
    with shape=(h, w, c)), y their labels (any values; classes in sorted order). arch None is
    c16k3-p2-c32k3-p2-f64-fK. encode gives the penultimate layer's features."""
    a0 = np.asarray(X)
    if shape is None and a0.ndim >= 3:
        shape = a0.shape[1:] + ((1,) if a0.ndim == 3 else ())
    a = _rows(_images(a0), min_rows=2)
    labels = [str(v) for v in np.asarray(y).ravel()]
    if len(labels) != a.shape[0]:
        raise ValueError(f"y: {len(labels)} labels for {a.shape[0]} images")
    classes = sorted(set(labels))
    index = {c: i for i, c in enumerate(classes)}
    ids = np.array([index[v] for v in labels], dtype=np.int32)
    o = _train_opts(epochs, batch, lr, optimizer, None, scale, val, seed, threads, weight_decay, arch)
    if shape is not None:
        o.update(height=int(shape[0]), width=int(shape[1]), channels=int(shape[2]) if len(shape) > 2 else 1)
    m, losses = _latent.train_neural("cnn", _vecs(a), ids.tobytes(), len(classes), None, None, o)
    model = NeuralModel(m, losses)
    model.classes_ = np.array(classes, dtype=object)
    return model


def train_entity(table, target, arch=None, epochs=10, batch=128, lr=1e-3, optimizer="adam", val=0.0, seed=1,
                 threads=None, weight_decay=0.0):
    """Entity embeddings (Guo and Berkhahn), as `latent train entity`: a learned vector per category
    of each categorical column of `table` (a DataFrame, or a 2-D array whose columns are x0, x1, ...),
    with the standardised numerics, through an MLP (arch None: f64-f64) predicting the column
    `target`. encode(table) gives the hidden features; encode(table, layer="embed") the category
    vectors alone."""
    csv, _, names = _table_csv(table)
    if str(target) not in names:
        raise ValueError(f"target {target!r} is not a column ({', '.join(names)})")
    m, losses = _latent.train_neural("entity", None, None, 0, csv, str(target),
                                     _train_opts(epochs, batch, lr, optimizer, None, None, val, seed, threads,
                                                 weight_decay, arch))
    return NeuralModel(m, losses)
