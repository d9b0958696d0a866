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
        z = self._model.transform(_vecs(a), int(getattr(self, "n_threads", 1) or 1))
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
                 oversample=10, power_iters=-1, n_threads=1):
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
                "threads": int(self.n_threads or 1)}

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
             "threads": int(self.n_threads or 1)}
        return o

    def _params_from_meta(self, meta):
        self.n_components = int(meta["dim"])
        if "gamma" in meta:
            self.gamma = float(meta["gamma"])


class RandomFourierFeatures(_KernelMap):
    """Random Fourier features (scikit-learn's RBFSampler for rbf), as `latent fit rff`.
    gamma None: latent's 'auto' (1 / the median squared distance of a seeded sample)."""

    _kind = "rff"

    def __init__(self, n_components=100, kernel="rbf", gamma=None, random_state=1, n_threads=1):
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
                 random_state=1, n_threads=1):
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


_KINDS = {"pca": PCA, "rff": RandomFourierFeatures, "nystroem": Nystroem, "kpca": KernelPCA}


def load_model(path):
    """The estimator for any .lmodel of a dense kind (pca, rff, nystroem, kpca)."""
    return _LatentTransformer.load(path)
