"""scikit-learn estimators wrapping regcore's functional API.

Importing this module imports scikit-learn (the ``sklearn`` extra of the package).
"""

# --- least squares: Lasso, ElasticNet, LassoCV, ElasticNetCV ---------------

import warnings
from contextlib import contextmanager

import numpy as np

try:
    from sklearn.utils.validation import validate_data  # scikit-learn >= 1.6
except ImportError as error:
    raise ImportError("regcore.sklearn needs scikit-learn >= 1.7: "
                      "pip install 'scikit-learn>=1.7'") from error
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

_SELECTIONS = ("cyclic", "random")


class _LinearRegressor(RegressorMixin, BaseEstimator):
    """Shared input checks and ``predict`` of the least-squares estimators.

    Estimators whose ``_multi_output`` is True accept a 2-D y of shape
    (n_samples, n_targets) and fit each target on its own, as scikit-learn's
    Lasso, ElasticNet and Ridge do: ``coef_`` is then (n_targets, n_features)
    and ``intercept_``, ``n_iter_``, ``dual_gap_`` have one entry per target.
    With a single column, the shapes are scikit-learn's too: ``coef_``
    (n_features,), ``intercept_`` (1,), predictions (n_samples,).
    """

    _multi_output = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = self._multi_output
        return tags

    def _validate_fit_data(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, accept_sparse=["csc", "csr"],
                             dtype=[np.float64, np.float32], y_numeric=True,
                             multi_output=self._multi_output)
        y = y.astype(X.dtype, copy=False)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                                 ensure_non_negative=True)
        return X, y, sample_weight

    def _fit_targets(self, fit_one, y):
        """Fit each target with ``fit_one(y_k, k)``, which returns (coef,
        intercept, n_iter, dual_gap) for target column k (k is None for a
        1-D y), and set the fitted attributes (see :meth:`_set_fit`)."""
        if y.ndim == 1:
            self._set_fit(*fit_one(y, None))
            return
        coef, intercept, n_iter, gap = zip(*(fit_one(column, k)
                                             for k, column in enumerate(_target_columns(y))))
        self._set_fit(np.stack(coef), np.array(intercept, dtype=coef[0].dtype),
                      None if n_iter[0] is None else n_iter, np.array(gap))

    def _set_fit(self, coef, intercept, n_iter, dual_gap):
        """Set coef_, intercept_, n_iter_ (unless None) and dual_gap_: coef is
        (n_features,) for a 1-D y, else (n_targets, n_features) with one entry
        per target in the others (n_iter may be one number for all). A single
        target column gets scikit-learn's shapes: coef_ (n_features,),
        intercept_ (1,), float dual_gap_, int n_iter_."""
        if coef.ndim == 1:
            self.coef_, self.intercept_, self.dual_gap_ = coef, float(intercept), float(dual_gap)
            if n_iter is not None:
                self.n_iter_ = int(n_iter)
            return
        self.coef_, self.intercept_ = coef, np.asarray(intercept, dtype=coef.dtype)
        self.dual_gap_ = np.asarray(dual_gap, dtype=float)
        if n_iter is not None:
            self.n_iter_ = [int(v) for v in np.broadcast_to(n_iter, coef.shape[:1])]
        if coef.shape[0] == 1:  # scikit-learn's shapes for a single-column y
            self.coef_, self.dual_gap_ = coef[0], float(self.dual_gap_[0])
            if n_iter is not None:
                self.n_iter_ = self.n_iter_[0]

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                          reset=False)
        prediction = np.asarray(X @ self.coef_.T) + self.intercept_
        return prediction.ravel() if self.coef_.ndim == 1 else prediction


def _target_columns(y):
    """The targets of y as contiguous 1-D arrays (y itself when 1-D)."""
    if y.ndim == 1:
        return [y]
    return [np.ascontiguousarray(y[:, k]) for k in range(y.shape[1])]


def _check_selection(selection):
    if selection not in _SELECTIONS:
        raise ValueError(f"selection must be one of {_SELECTIONS}, got {selection!r}")


@contextmanager
def _sklearn_convergence_warnings():
    """Re-issue regcore's ConvergenceWarning as scikit-learn's, same message."""
    from .linear_model import ConvergenceWarning as RegcoreConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for record in caught:
        if issubclass(record.category, RegcoreConvergenceWarning):
            warnings.warn(str(record.message), ConvergenceWarning, stacklevel=3)
        else:
            warnings.warn_explicit(record.message, record.category, record.filename,
                                   record.lineno)


class ElasticNet(_LinearRegressor):
    """Linear regression with combined L1 and L2 penalties, by coordinate descent.

    Minimizes ``1/(2 n) sum_i w_i (y_i - x_i . coef - b)^2 + alpha * sum_j pf_j
    (l1_ratio |coef_j| + (1 - l1_ratio)/2 coef_j^2)`` with sample weights
    rescaled to sum to n and the intercept never penalized: scikit-learn's
    objective plus glmnet's penalty factors. Wraps :func:`regcore.enet_fit`.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (positive: alpha = 0 is unregularized least squares, refused).
    l1_ratio : float, default=0.5
        Mix of L1 (1.0) and L2 (0.0) penalties, in [0, 1].
    fit_intercept : bool, default=True
    precompute : "auto", bool or ndarray, default=False
        Use the Gram matrix X^T X ("auto": when n_samples >> n_features). An
        array is checked against X; scikit-learn's uncentred ``X.T @ X`` is
        centred (with a warning) when an intercept is fitted.
    max_iter : int, default=1000
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility: regcore never modifies X.
    tol : float, default=1e-4
        Duality-gap tolerance relative to ``sum_i w_i (y_i - ybar)^2 / (2 n)``;
        ``dual_gap_`` is reported in the same units, a certificate of accuracy.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : None, int or Generator, default=None
        Accepted for compatibility (see ``selection``).
    selection : {"cyclic", "random"}, default="cyclic"
        Accepted for scikit-learn compatibility and validated; regcore's solver
        orders its coordinate updates itself (working sets ranked by KKT
        violation), so both values give the same, deterministic result.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of the penalty (0 = unpenalized), used as given.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        One row per target when y is 2-D (each target fitted on its own).
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
    dual_gap_ : float or ndarray of shape (n_targets,)
        Relative duality gap reached (see ``tol``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X had string feature names.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import ElasticNet
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> model = ElasticNet(alpha=0.1, l1_ratio=0.5).fit(X, [0.0, 1.0, 2.0])
    >>> model.coef_.round(4), round(model.intercept_, 4)
    (array([0.4458, 0.4458]), 0.1084)
    """

    _multi_output = True

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor

    def fit(self, X, y, sample_weight=None):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        from .linear_model import enet_fit

        _check_selection(self.selection)
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight)

        def fit_one(target, k):
            with _sklearn_convergence_warnings():
                result = enet_fit(
                    X, target, alpha=self.alpha, l1_ratio=self.l1_ratio, tol=self.tol,
                    max_iter=self.max_iter, fit_intercept=self.fit_intercept,
                    positive=self.positive, penalty_factor=self.penalty_factor,
                    sample_weight=sample_weight, coef_init=self._warm_coef(X, y, k),
                    precompute=self.precompute,
                )
            return result.coef, result.intercept, result.n_iter, result.dual_gap

        self._fit_targets(fit_one, y)
        return self

    def _warm_coef(self, X, y, k):
        # the previous fit's coefficients of target k, when they fit this
        # problem (projected on the constraint when positive was switched on)
        coef = getattr(self, "coef_", None)
        if not self.warm_start or coef is None or coef.shape[-1] != X.shape[1]:
            return None
        if k is None:
            start = coef if coef.ndim == 1 else None
        else:
            start = coef[k] if coef.shape == (y.shape[1], X.shape[1]) else None
        if start is None:
            return None
        start = start.astype(X.dtype)
        if self.positive:
            free = np.zeros(X.shape[1], bool) if self.penalty_factor is None else \
                np.asarray(self.penalty_factor) == 0
            start[~free] = np.maximum(start[~free], 0)
        return start


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty: :class:`ElasticNet` with ``l1_ratio=1``.

    Minimizes ``1/(2 n) sum_i w_i (y_i - x_i . coef - b)^2 + alpha * sum_j pf_j
    |coef_j|``. Parameters and attributes are those of :class:`ElasticNet`
    without ``l1_ratio``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import Lasso
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> model = Lasso(alpha=0.1).fit(X, [0.0, 1.0, 2.0])
    >>> model.coef_.round(4), round(model.intercept_, 4)
    (array([0.85, 0.  ]), 0.15)
    """

    l1_ratio = 1.0

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor


class ElasticNetCV(_LinearRegressor):
    """Elastic net with alpha (and l1_ratio) chosen by k-fold cross-validation.

    For each l1_ratio, one alpha grid from ``alpha_max`` (full data) down to
    ``eps * alpha_max``; every training fold runs :func:`regcore.enet_path`
    on it and the held-out mean squared error is averaged over folds. The
    best (l1_ratio, alpha) pair by mean error gives ``alpha_min_``; glmnet's
    1-SE rule gives ``alpha_1se_`` (largest alpha within one standard error);
    ``selection_rule`` decides which one the final refit on all data uses.
    Wraps :func:`regcore.linear_model.enet_path_cv`.

    Parameters
    ----------
    l1_ratio : float or sequence of floats, default=0.5
    eps : float, default=1e-3
    alphas : int or array-like, default=100
        Number of alphas on the log grid, or the grid itself.
    fit_intercept, precompute, max_iter, tol, copy_X, positive, random_state,
    selection, penalty_factor
        As in :class:`ElasticNet` (``precompute`` defaults to "auto").
    cv : None, int, splitter or iterable of splits, default=None
        None means 5 contiguous folds (scikit-learn's ``KFold(5)``).
    n_jobs : int or None, default=None
        Folds run in that many threads through joblib (``prefer="threads"``),
        so a Dask or Ray joblib backend can take them over.
    selection_rule : {"min", "1se"}, default="min"

    Attributes
    ----------
    alpha_, alpha_min_, alpha_1se_ : float
    l1_ratio_ : float
    alphas_ : ndarray (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
    coef_, intercept_, n_iter_, dual_gap_, n_features_in_
        Of the refit on all data.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import ElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 8))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.5 * rng.standard_normal(100)
    >>> model = ElasticNetCV(l1_ratio=[0.2, 0.8, 1.0]).fit(X, y)
    >>> model.l1_ratio_, model.mse_path_.shape    # (n_l1_ratio, n_alphas, n_folds)
    (1.0, (3, 100, 5))
    """

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True,
                 n_jobs=None, positive=False, random_state=None, selection="cyclic",
                 penalty_factor=None, selection_rule="min"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.selection_rule = selection_rule

    def fit(self, X, y, sample_weight=None, groups=None):
        """Cross-validate the path, then refit at the selected alpha.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the fits and of the held-out errors.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter (``GroupKFold``) or, with an
            int ``cv``, folds of whole groups
            (:func:`regcore.linear_model.make_folds`).

        Returns
        -------
        self
        """
        from .linear_model import enet_path_cv

        _check_selection(self.selection)
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight)
        with _sklearn_convergence_warnings():
            result = enet_path_cv(
                X, y, l1_ratio=self.l1_ratio, alphas=self.alphas, eps=self.eps,
                cv=5 if self.cv is None else self.cv, selection_rule=self.selection_rule,
                tol=self.tol, max_iter=self.max_iter, fit_intercept=self.fit_intercept,
                positive=self.positive, penalty_factor=self.penalty_factor,
                sample_weight=sample_weight, precompute=self.precompute, n_jobs=self.n_jobs,
                groups=groups,
            )
        single = np.size(self.l1_ratio) == 1  # shapes as scikit-learn's for one l1_ratio
        self.alpha_ = result.alpha
        self.alpha_min_ = result.alpha_min
        self.alpha_1se_ = result.alpha_1se
        self.l1_ratio_ = result.l1_ratio
        self.alphas_ = result.alphas[0] if single else result.alphas
        self.mse_path_ = result.mse_path[0] if single else result.mse_path
        self.coef_ = result.fit.coef
        self.intercept_ = float(result.fit.intercept)
        self.n_iter_ = int(result.fit.n_iter)
        self.dual_gap_ = float(result.fit.dual_gap)
        return self


class LassoCV(ElasticNetCV):
    """Lasso with alpha chosen by k-fold cross-validation: :class:`ElasticNetCV`
    with ``l1_ratio=1``. Parameters and attributes as there, without
    ``l1_ratio``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import LassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 8))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.5 * rng.standard_normal(100)
    >>> model = LassoCV(selection_rule="1se").fit(X, y)
    >>> model.alpha_ == model.alpha_1se_ >= model.alpha_min_
    True
    >>> np.flatnonzero(model.coef_)      # the 1-SE model keeps the two true features
    array([0, 1])
    """

    l1_ratio = 1.0

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, n_jobs=None, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None,
                 selection_rule="min"):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.selection_rule = selection_rule


# --- ridge: Ridge, RidgeCV ---------------------------------------------------

_RIDGE_SOLVERS = ("auto", "eigh", "svd", "cholesky", "lsqr")


class Ridge(_LinearRegressor):
    """Linear least squares with an L2 penalty, solved by factorization.

    Minimizes ``sum_i w_i (y_i - x_i . coef - b)^2 + alpha ||coef||_2^2``:
    scikit-learn's ``Ridge`` objective and ``alpha`` (not divided by ``2 n``,
    unlike :class:`ElasticNet`; ``Ridge(alpha=a)`` equals
    ``ElasticNet(alpha=a / sum(w), l1_ratio=0)``). Sample weights are used as
    given. A 2-D y (n_samples, n_targets) fits each target on its own, all
    from one factorization. Wraps :func:`regcore.linear_model.ridge_path`.

    Parameters
    ----------
    alpha : float, default=1.0
        Non-negative penalty.
    fit_intercept : bool, default=True
    copy_X : bool, default=True
        Accepted for compatibility: regcore never modifies X.
    max_iter : int or None, default=None
        Used only with ``positive=True`` (coordinate descent; None means 1000).
    tol : float, default=1e-4
        Used only with ``positive=True`` (relative duality gap).
    solver : {"auto", "eigh", "svd", "cholesky", "lsqr"}, default="auto"
        See :func:`regcore.linear_model.ridge_path`: "auto" is a Cholesky solve
        of the Gram (n >= p) or kernel (n < p) matrix, or scipy's LSQR for
        sparse X with more than 4000 samples and features.
    positive : bool, default=False
        Non-negative coefficients, solved by coordinate descent
        (:func:`regcore.enet_fit` with ``l1_ratio=0``).
    random_state : None
        Accepted for compatibility; unused.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        Relative duality gap of the returned solution, computed from it (a
        certificate: about machine precision for the factorizations).
    n_iter_ : int or list of int
        1 for the factorizations (one direct solve); coordinate-descent
        epochs with ``positive=True``.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import Ridge
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> model = Ridge(alpha=1.0).fit(X, [0.0, 1.0, 2.0])
    >>> model.coef_.round(4), round(model.intercept_, 4)
    (array([0.4, 0.4]), 0.2)
    """

    _multi_output = True

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None, tol=1e-4,
                 solver="auto", positive=False, random_state=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit ridge regression.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        if self.solver not in _RIDGE_SOLVERS:
            raise ValueError(f"solver must be one of {_RIDGE_SOLVERS}, got {self.solver!r}")
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight)
        if self.solver == "svd" and not isinstance(X, np.ndarray):
            raise ValueError("solver='svd' needs a dense X; use 'auto' for sparse X")
        if self.positive:
            self._fit_targets(lambda target, k: self._fit_positive(X, target, sample_weight), y)
            return self
        alpha = _check_scalar(self.alpha, "alpha", lo=0.0)
        self._set_fit(**_ridge_at(X, y, alpha, fit_intercept=self.fit_intercept,
                                  sample_weight=sample_weight, method=self.solver), n_iter=1)
        return self

    def _fit_positive(self, X, y, sample_weight):
        from .linear_model import enet_fit

        alpha = _check_scalar(self.alpha, "alpha", lo=0.0, lo_open=True)
        total_weight = X.shape[0] if sample_weight is None else float(sample_weight.sum())
        max_iter = 1000 if self.max_iter is None else self.max_iter
        with _sklearn_convergence_warnings():
            result = enet_fit(X, y, alpha=alpha / total_weight, l1_ratio=0.0,
                              tol=self.tol, max_iter=max_iter,
                              fit_intercept=self.fit_intercept, positive=True,
                              sample_weight=sample_weight)
        return result.coef, result.intercept, result.n_iter, result.dual_gap


def _ridge_at(X, y, alpha, *, fit_intercept, sample_weight, method):
    """Keyword arguments coef, intercept, dual_gap of :meth:`_set_fit` for
    ridge at one alpha, every target of y solved from one factorization."""
    from .linear_model import ridge_path

    path = ridge_path(X, y, alpha, fit_intercept=fit_intercept, sample_weight=sample_weight,
                      method=method, return_dual_gaps=True)
    return {"coef": path.coefs[:, 0].T, "intercept": path.intercepts[0],
            "dual_gap": path.dual_gaps[0]}


def _standard_error(errors):
    """Standard error of the mean over samples (rows); inf where an error is inf."""
    n = errors.shape[0]
    if n < 2:
        return np.zeros(errors.shape[1], errors.dtype)
    finite = np.isfinite(errors).all(axis=0)
    se = np.full(errors.shape[1], np.inf, errors.dtype)
    se[finite] = errors[:, finite].std(axis=0, ddof=1) / np.sqrt(n)
    return se


class RidgeCV(_LinearRegressor):
    """Ridge with alpha chosen by leave-one-out (closed form) or k-fold CV.

    With ``cv=None`` one factorization gives the exact leave-one-out errors of
    every alpha (``criterion="loo"``, the default, as scikit-learn's RidgeCV)
    or the generalized cross-validation value (``criterion="gcv"``). With an
    int or a splitter, k-fold CV runs one :func:`ridge_path` per fold and
    scores by held-out mean squared error (scikit-learn's RidgeCV scores
    k-fold by R^2 unless told otherwise). Same objective and ``alpha`` as
    :class:`Ridge`. A 2-D y (n_samples, n_targets) gets one alpha for all
    targets, the one minimizing the error averaged over them (scikit-learn's
    default, ``alpha_per_target=False``); one factorization serves every
    target, in the scoring and in the refit.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Strictly positive penalties.
    fit_intercept : bool, default=True
    scoring : None
        Only None (mean squared error) is supported; anything else raises.
    cv : None, int, splitter or iterable of splits, default=None
    gcv_mode : {None, "auto", "eigh", "svd"}, default=None
        Factorization (None and "auto" mean "eigh"; "svd" factors X itself,
        more accurate for tiny alphas, dense X only).
    store_cv_results : bool, default=False
        Keep the per-sample squared LOO errors in ``cv_results_`` (cv=None).
    criterion : {"loo", "gcv"}, default="loo"
        Closed-form criterion used when ``cv=None``.
    selection_rule : {"min", "1se"}, default="min"
        The 1-SE rule uses the standard error over folds, or over samples for
        leave-one-out; it is not available with ``criterion="gcv"``.
    n_jobs : int or None, default=None
        Threads over folds when ``cv`` is not None.

    Attributes
    ----------
    alpha_, alpha_min_, alpha_1se_ : float
    best_score_ : float
        Minus the mean squared error at ``alpha_`` (scikit-learn's sign).
    alphas_ : ndarray (n_alphas,)
    mse_path_ : ndarray (n_alphas,) for cv=None, (n_alphas, n_folds) otherwise
    cv_results_ : ndarray (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        When ``store_cv_results`` and ``cv=None`` (criterion "loo").
    coef_, intercept_, n_features_in_
        As in :class:`Ridge`.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Relative duality gap of the refit, computed from it (see :class:`Ridge`).

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 3))
    >>> y = X @ [1.0, 2.0, 0.0] + 0.5 * rng.standard_normal(40)
    >>> model = RidgeCV(alphas=[0.1, 1.0, 10.0, 100.0]).fit(X, y)
    >>> float(model.alpha_), int(model.mse_path_.argmin())  # same alpha_ as scikit-learn's
    (0.1, 0)
    """

    _multi_output = True

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None,
                 gcv_mode=None, store_cv_results=False, criterion="loo", selection_rule="min",
                 n_jobs=None):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.criterion = criterion
        self.selection_rule = selection_rule
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None, groups=None):
        """Select alpha and fit ridge on all data.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None
        groups : array-like of shape (n_samples,), default=None
            Group labels for k-fold ``cv`` (see :class:`ElasticNetCV`); the
            closed-form leave-one-out of ``cv=None`` leaves out single rows
            and refuses them.

        Returns
        -------
        self
        """
        self._check_params()
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight)
        if self.gcv_mode == "svd" and not isinstance(X, np.ndarray):
            raise ValueError("gcv_mode='svd' needs a dense X; use None, 'auto' or 'eigh' "
                             "for sparse X")
        method = "auto" if self.gcv_mode is None else self.gcv_mode
        if self.cv is None:
            if groups is not None:
                raise ValueError("groups need a k-fold cv: cv=None is the closed-form "
                                 "leave-one-out, which leaves out single rows")
            self._fit_loo(X, y, sample_weight, method)
        else:
            self._fit_kfold(X, y, sample_weight, method, groups)
        return self

    def _check_params(self):
        from .linear_model._cv import SELECTION_RULES

        if self.scoring is not None:
            raise ValueError(
                "scoring must be None: regcore's RidgeCV selects by mean squared error")
        if self.gcv_mode not in (None, "auto", "eigh", "svd"):
            raise ValueError(
                f"gcv_mode must be None, 'auto', 'eigh' or 'svd', got {self.gcv_mode!r}")
        if self.selection_rule not in SELECTION_RULES:
            raise ValueError(
                f"selection_rule must be one of {SELECTION_RULES}, got {self.selection_rule!r}")
        if self.cv is not None and self.store_cv_results:
            raise ValueError("store_cv_results=True needs cv=None (closed-form leave-one-out)")
        if self.criterion not in ("loo", "gcv"):
            raise ValueError(f"criterion must be 'loo' or 'gcv', got {self.criterion!r}")
        if self.criterion == "gcv" and self.selection_rule == "1se":
            raise ValueError("selection_rule='1se' needs per-sample errors; use criterion='loo'")

    def _fit_loo(self, X, y, sample_weight, method):
        from .linear_model import ridge_loo, select_alpha

        # one factorization scores every target; they share one alpha, chosen
        # from the errors averaged over them
        result = ridge_loo(X, y, self.alphas, criterion=self.criterion,
                           fit_intercept=self.fit_intercept, sample_weight=sample_weight,
                           method=method, return_errors=True)
        alphas, scores, errors = result.alphas, result.scores, result.errors
        if errors is not None:  # (n_samples[, n_targets], n_alphas)
            se = _standard_error(errors if y.ndim == 1 else errors.mean(axis=1))
            index_min, index_1se = select_alpha(alphas, scores, se)
        else:
            index_min = index_1se = int(np.argmin(scores))
        chosen = self._set_selection(alphas, scores, index_min, index_1se)
        if self.store_cv_results and errors is not None:
            self.cv_results_ = errors
        self._set_fit(**_ridge_at(X, y, alphas[chosen], fit_intercept=self.fit_intercept,
                                  sample_weight=sample_weight, method=method), n_iter=None)

    def _fit_kfold(self, X, y, sample_weight, method, groups):
        from .linear_model import ridge_path_cv

        result = ridge_path_cv(X, y, self.alphas, cv=self.cv, selection_rule=self.selection_rule,
                               fit_intercept=self.fit_intercept, sample_weight=sample_weight,
                               method=method, n_jobs=self.n_jobs, groups=groups)
        grid = list(result.alphas)
        self._set_selection(result.alphas, result.mse_mean, grid.index(result.alpha_min),
                            grid.index(result.alpha_1se))
        self.mse_path_ = result.mse_path
        self._set_fit(result.coef, result.intercept, None, result.dual_gap)

    def _set_selection(self, alphas, mean_mse, index_min, index_1se):
        """Record the CV curve and both alphas; returns the index selection_rule picks."""
        chosen = index_min if self.selection_rule == "min" else index_1se
        self.alphas_ = alphas
        self.mse_path_ = mean_mse
        self.alpha_min_ = float(alphas[index_min])
        self.alpha_1se_ = float(alphas[index_1se])
        self.alpha_ = float(alphas[chosen])
        self.best_score_ = -float(mean_mse[chosen])
        return chosen


# --- logistic: LogisticRegression, LogisticRegressionCV -----------------------

import warnings as _warnings

import numpy as _np
from sklearn.base import BaseEstimator as _BaseEstimator
from sklearn.base import ClassifierMixin as _ClassifierMixin
from sklearn.exceptions import ConvergenceWarning as _SkConvergenceWarning
from sklearn.utils.class_weight import compute_class_weight as _compute_class_weight
from sklearn.utils.multiclass import check_classification_targets as _check_targets
from sklearn.utils.validation import check_is_fitted as _check_is_fitted
from sklearn.utils.validation import validate_data as _validate_data

from ._validation import check_scalar as _check_scalar
from .linear_model import _logistic as _logi
from .linear_model._cv import check_test_weights as _check_test_weights

_LOGISTIC_PENALTIES = ("l1", "l2", "elasticnet")


def _logistic_l1_ratio(penalty, l1_ratio):
    """The l1_ratio of the regcore objective for a scikit-learn style penalty."""
    if penalty not in _LOGISTIC_PENALTIES:
        raise ValueError(f"penalty must be one of {_LOGISTIC_PENALTIES}, got {penalty!r}")
    if penalty == "elasticnet":
        if l1_ratio is None:
            raise ValueError('penalty="elasticnet" needs l1_ratio, a float in [0, 1]')
        return _check_scalar(l1_ratio, "l1_ratio", lo=0.0, hi=1.0)
    return 1.0 if penalty == "l1" else 0.0


def _reraise_convergence_warnings(fn, *args, **kwargs):
    """Call fn, turning regcore's ConvergenceWarning into scikit-learn's."""
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always", _logi.ConvergenceWarning)
        result = fn(*args, **kwargs)
    for item in caught:
        if issubclass(item.category, _logi.ConvergenceWarning):
            _warnings.warn(str(item.message), _SkConvergenceWarning, stacklevel=3)
        else:
            _warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return result


class _LogisticBase(_ClassifierMixin, _BaseEstimator):
    """Shared prediction code and input handling of the logistic estimators."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _prepare(self, X, y, sample_weight):
        """Validated (X, y, per-sample weights with class weights, binary problems)."""
        X, y = _validate_data(self, X, y, accept_sparse=["csc", "csr"],
                              dtype=[_np.float64, _np.float32], order="F")
        _check_targets(y)
        self.classes_ = _np.unique(y)
        if self.classes_.size < 2:
            raise ValueError(f"y has only one class ({self.classes_[0].item()!r}); logistic "
                             "regression needs samples of at least 2 classes")
        X = _logi._check_X(X)
        n = X.shape[0]
        if sample_weight is None:
            sw = _np.ones(n, dtype=X.dtype)
        else:
            sw = _logi.as_float_array(sample_weight, "sample_weight", dtype=X.dtype,
                                      min_ndim=1, max_ndim=1)
            if sw.shape[0] != n:
                raise ValueError(f"sample_weight has {sw.shape[0]} entries but X has {n} "
                                 "samples")
            if (sw < 0).any():
                raise ValueError("sample_weight must be non-negative")
            if not (sw > 0).any():
                raise ValueError("sample_weight is zero everywhere; some weight must be "
                                 "positive")
            sw = sw.copy()
        if self.class_weight is not None:
            index = _np.searchsorted(self.classes_, y)
            if isinstance(self.class_weight, str) and self.class_weight == "balanced":
                # by weight, not by count: a weight of 2 is a repeated row
                mass = _np.bincount(index, weights=sw, minlength=self.classes_.size)
                per_class = mass.sum() / (self.classes_.size * _np.where(mass > 0, mass, 1))
            else:
                per_class = _compute_class_weight(self.class_weight, classes=self.classes_,
                                                  y=y)
                if not (_np.isfinite(per_class) & (per_class >= 0)).all():
                    raise ValueError(f"class_weight must be finite and non-negative, got "
                                     f"{self.class_weight!r}")
            sw = sw * per_class[index].astype(X.dtype)
        positives = self.classes_[1:] if self.classes_.size == 2 else self.classes_
        targets = [_np.where(y == label, 1, -1).astype(X.dtype) for label in positives]
        return X, y, sw, targets

    def decision_function(self, X):
        """Signed distance to the separating hyperplane(s): ``X @ coef_.T + intercept_``.

        Shape (n_samples,) for two classes (positive: ``classes_[1]``), else
        (n_samples, n_classes) with one-vs-rest scores.
        """
        _check_is_fitted(self)
        X = _validate_data(self, X, accept_sparse=["csc", "csr"],
                           dtype=[_np.float64, _np.float32], reset=False)
        scores = _np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Class labels: the sign of the decision function, or its argmax (one-vs-rest)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[_np.argmax(scores, axis=1)]

    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes).

        Two classes: the logistic model's probabilities. More: the one-vs-rest
        probabilities of each class, normalized to sum to 1 per sample.
        """
        scores = self.decision_function(X)
        probs = 0.5 * (1.0 + _np.tanh(0.5 * scores))  # sigmoid without overflow
        if probs.ndim == 1:
            return _np.column_stack([1.0 - probs, probs])
        return probs / probs.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with _np.errstate(divide="ignore"):
            return _np.log(self.predict_proba(X))

    def _store(self, fits, dtype):
        self.coef_ = _np.array([fit.coef for fit in fits], dtype=dtype)
        self.intercept_ = _np.array([fit.intercept for fit in fits], dtype=dtype)
        self.n_iter_ = _np.array([fit.n_iter for fit in fits], dtype=_np.int32)
        self.dual_gap_ = _np.array([fit.dual_gap for fit in fits])


class LogisticRegression(_LogisticBase):
    """L1, L2 or elastic-net penalized logistic regression (prox-Newton, certified).

    Minimizes, per binary problem (labels mapped to -1/+1),
    ``C * sum_i sw_i log(1 + exp(-y_i (x_i.w + b))) + sum_j pf_j (r |w_j| +
    (1 - r)/2 w_j^2)`` with ``r = 1`` for ``penalty="l1"``, 0 for ``"l2"``
    and ``l1_ratio`` for ``"elasticnet"`` (scikit-learn's objective; the
    intercept is not penalized). More than two classes are fitted one-vs-rest.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet"}, default="l2"
    C : float, default=1.0
        Inverse regularization strength, > 0.
    l1_ratio : float in [0, 1], optional
        Mixing parameter, used (and needed) only with ``penalty="elasticnet"``.
    fit_intercept : bool, default=True
    tol : float, default=1e-4
        Duality-gap tolerance relative to ``C * sum(sw) * log 2`` (the
        objective of the zero model).
    max_iter : int, default=100
        Maximum prox-Newton steps per binary problem.
    warm_start : bool, default=False
        Start from the previous ``coef_``/``intercept_`` when shapes match.
    penalty_factor : array-like of shape (n_features,), optional
        Per-feature penalty multipliers (0 leaves a feature unpenalized).
    class_weight : dict, "balanced" or None
        Multiplies the sample weights of each class (scikit-learn's meaning);
        "balanced" gives class k ``sum(sw) / (n_classes * sum(sw[y == k]))``.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
    coef_ : ndarray (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray (1,) or (n_classes,)
    n_iter_ : ndarray of int (1,) or (n_classes,)
        Prox-Newton steps of each binary problem.
    dual_gap_ : ndarray (1,) or (n_classes,)
        Relative duality gap reached by each binary problem.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import LogisticRegression
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> clf = LogisticRegression(penalty="l1", C=10.0).fit(X, ["a", "a", "b", "b"])
    >>> clf.predict([[2.5, 0.5]]).tolist()
    ['b']
    """

    def __init__(self, penalty="l2", *, C=1.0, l1_ratio=None, fit_intercept=True, tol=1e-4,
                 max_iter=100, warm_start=False, penalty_factor=None, class_weight=None):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.penalty_factor = penalty_factor
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Fit the model (one binary problem, or one per class for more classes).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        l1_ratio = _logistic_l1_ratio(self.penalty, self.l1_ratio)
        C = _check_scalar(self.C, "C", lo=0.0, lo_open=True)
        X, y, sw, targets = self._prepare(X, y, sample_weight)
        starts = self._warm_starts(len(targets), X.shape[1])
        fits = [
            _reraise_convergence_warnings(
                _logi.logistic_fit, X, target, C=C, l1_ratio=l1_ratio, tol=self.tol,
                max_iter=self.max_iter, fit_intercept=self.fit_intercept,
                penalty_factor=self.penalty_factor, sample_weight=sw, coef_init=coef,
                intercept_init=intercept, check_input=False)
            for target, (coef, intercept) in zip(targets, starts)
        ]
        self._store(fits, X.dtype)
        return self

    def _warm_starts(self, n_problems, n_features):
        previous = getattr(self, "coef_", None)
        if self.warm_start and previous is not None and previous.shape == (n_problems,
                                                                           n_features):
            return list(zip(previous, map(float, self.intercept_)))
        return [(None, 0.0)] * n_problems


_LOGISTIC_SCORINGS = ("neg_log_loss", "accuracy")


class LogisticRegressionCV(_LogisticBase):
    """Penalized logistic regression with C chosen by k-fold cross-validation.

    Every training fold runs :func:`regcore.logistic_path` over one grid of
    C (increasing, warm-started); the held-out loss (weighted log-loss, or
    the misclassification rate with ``scoring="accuracy"``) is averaged over
    folds. ``C_min_`` minimizes the mean loss; ``C_1se_`` is the smallest C
    (the most regularized, sparsest model) whose mean loss is within one
    standard error of that minimum (glmnet's 1-SE rule). ``selection_rule``
    decides which one the final refit on all data uses. With more than two
    classes each one-vs-rest problem gets its own C (arrays of length
    n_classes). ``alpha_min_``/``alpha_1se_`` give the same choices in the
    alpha scaling of the least-squares CV estimators,
    ``alpha = 1 / (C * sum(sample_weight))``.

    Parameters
    ----------
    Cs : int or array-like, default=10
        The grid, or its size: ``l2`` uses scikit-learn's
        ``logspace(-4, 4, Cs)``; ``l1``/``elasticnet`` use ``Cs`` values
        log-spaced over four decades from the C below which every
        coefficient is zero (for all classes).
    cv : None, int, splitter or iterable of splits, default=None
        None means 5 folds; an int k gives k stratified folds (each class
        dealt round-robin, no shuffling).
    penalty, l1_ratio, fit_intercept, tol, max_iter, penalty_factor, class_weight
        As in :class:`LogisticRegression`.
    scoring : {"neg_log_loss", "accuracy"}, default="neg_log_loss"
    selection_rule : {"min", "1se"}, default="min"
    n_jobs : int or None, default=None
        Folds run in that many threads (joblib ``prefer="threads"``).

    Attributes
    ----------
    Cs_ : ndarray (n_Cs,)
    C_, C_min_, C_1se_, alpha_min_, alpha_1se_ : ndarray (1,) or (n_classes,)
    loss_path_ : ndarray (1 or n_classes, n_Cs, n_folds)
        Held-out loss (log-loss or error rate) per problem, C and fold.
    classes_, coef_, intercept_, n_iter_, dual_gap_, n_features_in_
        As in :class:`LogisticRegression`, of the refit on all data.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.sklearn import LogisticRegressionCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 20))
    >>> y = (X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(200) > 0).astype(int)
    >>> clf = LogisticRegressionCV(penalty="l1", selection_rule="1se").fit(X, y)
    >>> bool(clf.C_1se_[0] <= clf.C_min_[0]), clf.loss_path_.shape
    (True, (1, 10, 5))
    """

    def __init__(self, *, Cs=10, cv=None, penalty="l2", l1_ratio=None, fit_intercept=True,
                 tol=1e-4, max_iter=100, scoring="neg_log_loss", selection_rule="min",
                 penalty_factor=None, class_weight=None, n_jobs=None):
        self.Cs = Cs
        self.cv = cv
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.scoring = scoring
        self.selection_rule = selection_rule
        self.penalty_factor = penalty_factor
        self.class_weight = class_weight
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None, groups=None):
        """Cross-validate the C grid, then refit each problem at its selected C.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Weights of the fits and of the held-out losses.
        groups : array-like of shape (n_samples,), optional
            Group labels for a group splitter or, with an int ``cv``, folds
            of whole groups (then not stratified; see
            :func:`regcore.linear_model.make_folds`).

        Returns
        -------
        self
        """
        from .linear_model._cv import _mean_and_se, make_folds, map_folds, select_alpha

        l1_ratio = _logistic_l1_ratio(self.penalty, self.l1_ratio)
        if self.selection_rule not in ("min", "1se"):
            raise ValueError(f"selection_rule must be one of ('min', '1se'), got "
                             f"{self.selection_rule!r}")
        if self.scoring not in _LOGISTIC_SCORINGS:
            raise ValueError(f"scoring must be one of {_LOGISTIC_SCORINGS}, got "
                             f"{self.scoring!r}")
        X, y, sw, targets = self._prepare(X, y, sample_weight)
        folds = make_folds(X.shape[0], 5 if self.cv is None else self.cv, y=y, groups=groups,
                           stratify=True)
        grid = self._grid(X, targets, sw, l1_ratio)
        options = dict(l1_ratio=l1_ratio, tol=self.tol, max_iter=self.max_iter,
                       fit_intercept=self.fit_intercept, penalty_factor=self.penalty_factor,
                       check_input=False)
        tasks = [(target, fold) for target in targets for fold in folds]
        losses = map_folds(lambda task: self._fold_loss(X, sw, grid, options, *task), tasks,
                           self.n_jobs)
        self.loss_path_ = _np.array(losses).reshape(len(targets), len(folds), -1)
        self.loss_path_ = self.loss_path_.transpose(0, 2, 1)
        self.Cs_ = grid
        picks = [select_alpha(1.0 / grid, *_mean_and_se(curve)) for curve in self.loss_path_]
        self.C_min_ = grid[[i_min for i_min, _ in picks]]
        self.C_1se_ = grid[[i_1se for _, i_1se in picks]]
        self.C_ = self.C_min_ if self.selection_rule == "min" else self.C_1se_
        total = float(sw.sum(dtype=_np.float64))
        self.alpha_min_ = 1.0 / (self.C_min_ * total)
        self.alpha_1se_ = 1.0 / (self.C_1se_ * total)
        fits = [
            _reraise_convergence_warnings(_logi.logistic_fit, X, target, C=float(C),
                                          sample_weight=sw, **options)
            for target, C in zip(targets, self.C_)
        ]
        self._store(fits, X.dtype)
        return self

    def _grid(self, X, targets, sw, l1_ratio):
        """Increasing C grid (see the ``Cs`` parameter)."""
        if not isinstance(self.Cs, (int, _np.integer)) or isinstance(self.Cs, bool):
            grid = _logi.as_float_array(self.Cs, "Cs", dtype=_np.float64, min_ndim=1,
                                        max_ndim=1)
            if (grid <= 0).any():
                raise ValueError(f"Cs must be positive, got min {grid.min()!r}")
            return _np.sort(grid)
        count = _check_scalar(self.Cs, "Cs", lo=1, integer=True)
        if l1_ratio == 0.0:
            return _np.logspace(-4, 4, count)
        total = float(sw.sum(dtype=_np.float64))
        alpha_max = max(
            _logi.logistic_alpha_max(X, target, l1_ratio=l1_ratio,
                                     fit_intercept=self.fit_intercept,
                                     penalty_factor=self.penalty_factor, sample_weight=sw)
            for target in targets)
        if not _np.isfinite(alpha_max) or alpha_max <= 0:
            return _np.logspace(-4, 4, count)
        return _np.geomspace(1.0 / (alpha_max * total), 1e4 / (alpha_max * total), count)

    def _fold_loss(self, X, sw, grid, options, target, fold):
        """Held-out loss of every C of the grid, trained on one fold's rows."""
        train, test = fold
        y_train, sw_train = target[train], sw[train]
        X_test = X[test]
        if not ((sw_train[y_train > 0] > 0).any() and (sw_train[y_train < 0] > 0).any()):
            # a single class in the training rows: the model is the constant prior
            prior = float(y_train[sw_train > 0][0] > 0) if (sw_train > 0).any() else 0.5
            scores = _np.full((test.size, grid.size), 40.0 * (2 * prior - 1))
        else:
            path = _reraise_convergence_warnings(
                _logi.logistic_path, _logi._check_X(X[train]), y_train, Cs=grid,
                sample_weight=sw_train, **options)
            # in float64: a float32 product of columns with large means was off by
            # 0.04 in score (1e-3 in loss, enough to move the choice of C)
            scores = _np.asarray(X_test @ path.coefs.astype(_np.float64)) + path.intercepts
        margins = target[test][:, None] * scores
        if self.scoring == "accuracy":
            per_sample = (margins <= 0).astype(float)
        else:
            per_sample = _np.logaddexp(0.0, -margins)
        return _np.average(per_sample, axis=0, weights=_check_test_weights(sw[test]))
