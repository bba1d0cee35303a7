"""Penalized logistic regression: paths and single fits (binary labels).

Two scalings of one problem, for labels ``y_i`` in {-1, +1} (the larger of
the two classes in sort order is +1), sample weights ``sw`` and the
penalty ``pen(w) = sum_j pf_j (l1_ratio |w_j| + (1 - l1_ratio) / 2 w_j^2)``:

* the C form (scikit-learn's ``LogisticRegression``)::

      C * sum_i sw_i log(1 + exp(-y_i (x_i.w + b))) + pen(w)

* the alpha form (glmnet's and :func:`regcore.enet_path`'s scaling)::

      1 / sum(sw) * sum_i sw_i log(1 + exp(-y_i (x_i.w + b))) + alpha * pen(w)

They have the same minimizer when ``C = 1 / (alpha * sum(sw))``, i.e.
``C = 1 / (n alpha)`` without weights. The intercept ``b`` is never
penalized; ``pf`` (``penalty_factor``) is used as given (0 = unpenalized
feature, no rescaling).

``tol`` is a duality-gap tolerance relative to the objective of the zero
model, ``C * sum(sw) * log 2`` (``log 2`` in the alpha form), and the
reported ``dual_gaps`` are in the same units: a gap of ``1e-6`` certifies the
objective is within ``1e-6 * log 2`` (alpha form) of the optimum. The
certificate is a true bound when every penalty factor is positive; with
unpenalized features it adds, for each, its Newton decrement
``g_j^2 / (2 H_jj)`` (the decrease one Newton step on it would bring, the
intercept re-optimized), zero exactly at the optimum but no strict bound. Rounding
limits the reachable gap to about 1e-12 in float64 and 1e-6 in float32.

Multiclass problems are handled one-vs-rest by the estimators in
:mod:`regcore.sklearn`; there is no multinomial loss.
"""

import numbers
import warnings
from typing import NamedTuple

import numpy as np

from .. import _kernels
from .._validation import (as_float_array, check_bool, check_per_feature, check_scalar,
                           without_duplicates)
from ._coordinate_descent import MAX_IMPLICIT_OFFSET, centred_norms
from ._result import ConvergenceWarning

__all__ = ["logistic_path", "logistic_fit", "logistic_alpha_max", "LogisticPathResult",
           "LogisticFitResult", "ConvergenceWarning"]

_LOG2 = float(np.log(2.0))
# Smallest l1_ratio used to place an automatic grid (a ridge penalty has no
# alpha_max); the fit itself uses the l1_ratio given.
_GRID_MIN_L1_RATIO = 1e-3
# The Newton steps centre the curvature implicitly (lip - xbar h_col), which
# cancels when a column's mean is large against its spread: float32 gave NaN
# from the first step at mean/std 1e4 (dense) and diverged at 1e3 (sparse);
# float64 stopped at gap 0.1-0.9 from 1e7. Above MAX_IMPLICIT_OFFSET (the
# least-squares table), a dense X is centred in a copy (the intercept takes
# the shift back) and a sparse float32 X is solved in float64.
# A sparse float64 X keeps implicit centring: it held up to mean/std 1e6 and
# stalled from 3e6 on (suboptimality 1e-5 to 0.1), so beyond it is refused.
_MAX_SPARSE_OFFSET = 1e6
# max_iter goes to a C int
_MAX_ITER = 2**31 - 1


class LogisticFitResult(NamedTuple):
    """One penalized logistic fit.

    ``dual_gap`` is relative to the zero model's objective (see the module
    notes); ``n_iter`` counts prox-Newton steps.
    """

    coef: np.ndarray
    intercept: float
    dual_gap: float
    n_iter: int
    converged: bool


class LogisticPathResult(tuple):
    """Regularization path of a logistic model.

    Unpacks as ``(values, coefs, dual_gaps)`` where ``values`` are the
    ``alphas`` (decreasing) when the path was asked in the alpha form, or the
    ``Cs`` (increasing) in the C form; both run from the sparsest model to
    the densest. Attributes: ``alphas``, ``Cs`` (``C = 1 / (alpha * sum(sw))``),
    ``coefs`` (n_features, n_values), ``intercepts``, ``dual_gaps``,
    ``n_iters`` (n_values,) and ``converged`` (n_values,) bool.
    """

    def __new__(cls, values, *, alphas, Cs, coefs, intercepts, dual_gaps, n_iters, converged):
        self = super().__new__(cls, (values, coefs, dual_gaps))
        self.alphas = alphas
        self.Cs = Cs
        self.coefs = coefs
        self.intercepts = intercepts
        self.dual_gaps = dual_gaps
        self.n_iters = n_iters
        self.converged = converged
        return self

    def __getnewargs_ex__(self):
        return (self[0],), dict(alphas=self.alphas, Cs=self.Cs, coefs=self.coefs,
                                intercepts=self.intercepts, dual_gaps=self.dual_gaps,
                                n_iters=self.n_iters, converged=self.converged)


# --- input checks ---------------------------------------------------------------------

def _is_sparse(X):
    if not hasattr(X, "tocsc") or not hasattr(X, "nnz"):
        return False
    import scipy.sparse

    return scipy.sparse.issparse(X)


def _check_X(X, dtype=None):
    """X as a Fortran ndarray or a CSC matrix with int32 indices, float32/float64."""
    if _is_sparse(X):
        X = without_duplicates(X.tocsc())
        if dtype is not None and X.dtype != dtype:
            X = X.astype(dtype)
        elif X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float32 if X.dtype == np.float16 else np.float64)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X is empty (shape {X.shape}); at least one sample and one "
                             "feature are needed")
        as_float_array(X.data, "X", allow_empty=True)
        if X.nnz >= np.iinfo(np.int32).max:
            raise ValueError(f"X has {X.nnz} stored entries; at most 2**31 - 2 are supported")
        if X.indices.dtype != np.int32 or X.indptr.dtype != np.int32:
            X = X.copy()
            X.indices = X.indices.astype(np.int32)
            X.indptr = X.indptr.astype(np.int32)
        return X
    X = as_float_array(X, "X", dtype=dtype, min_ndim=2, max_ndim=2)
    return np.asfortranarray(X)


def _binary_targets(y, n_samples, dtype):
    """Labels mapped to -1/+1 (the larger class is +1) in X's dtype."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, got shape {y.shape}")
    if y.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} samples but y has {y.shape[0]}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinity; labels must be finite")
    classes = np.unique(y)
    if classes.size != 2:
        if classes.size < 2:
            raise ValueError(f"y has a single class ({classes[0].item()!r}); logistic regression "
                             "needs samples of two classes")
        raise ValueError(
            f"y has {classes.size} classes; logistic_path and logistic_fit are binary "
            "(use regcore.sklearn.LogisticRegression for one-vs-rest multiclass)")
    return np.where(y == classes[1], 1, -1).astype(dtype), classes


def _check_weights(sample_weight, n_samples, dtype, y_signed):
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    sw = as_float_array(sample_weight, "sample_weight", dtype=dtype, min_ndim=1, max_ndim=1)
    if sw.shape[0] != n_samples:
        raise ValueError(f"sample_weight has {sw.shape[0]} entries but X has {n_samples} samples")
    if (sw < 0).any():
        raise ValueError("sample_weight must be non-negative")
    if not (sw > 0).any():
        raise ValueError("sample_weight is zero everywhere; some weight must be positive")
    if not (sw[y_signed > 0] > 0).any() or not (sw[y_signed < 0] > 0).any():
        raise ValueError("sample_weight leaves a single class with positive weight; "
                         "logistic regression needs samples of two classes")
    return np.ascontiguousarray(sw)


def _check_penalty_factor(penalty_factor, n_features, dtype):
    if penalty_factor is None:
        return np.ones(n_features, dtype=dtype)
    return check_per_feature(penalty_factor, "penalty_factor", n_features, dtype=dtype,
                             nonnegative=True)


def _check_coef_init(coef_init, n_features, dtype):
    if coef_init is None:
        return np.zeros(n_features, dtype=dtype)
    return check_per_feature(coef_init, "coef_init", n_features, dtype=dtype)


class _Problem:
    """Validated data of one binary problem, ready for the compiled solver."""

    def __init__(self, X, y, *, l1_ratio, fit_intercept, penalty_factor, sample_weight,
                 tol, max_iter, check_input=True):
        if check_input:
            X = _check_X(X)
        self.X = X
        self.sparse = _is_sparse(X)
        self.dtype = X.dtype
        n_samples, n_features = X.shape
        if check_input:
            self.y, self.classes = _binary_targets(y, n_samples, X.dtype)
        else:
            self.y, self.classes = y, None
        self.l1_ratio = check_scalar(l1_ratio, "l1_ratio", lo=0.0, hi=1.0)
        self.fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self.sw = _check_weights(sample_weight, n_samples, X.dtype, self.y)
        self.pf = _check_penalty_factor(penalty_factor, n_features, X.dtype)
        self.tol = check_scalar(tol, "tol", lo=0.0)
        self.max_iter = check_scalar(max_iter, "max_iter", lo=1, hi=_MAX_ITER, integer=True)
        self.sw_sum = float(self.sw.sum(dtype=np.float64))
        self.out_dtype = self.dtype  # of the coefficients returned
        self.shift = None  # column means subtracted from a dense X (a centred copy)
        self.means = None  # column means of a sparse float32 X solved in float64
        if self.fit_intercept:
            self._center_accurately()
        self.workspace = None  # scratch arrays shared by the solves of a path
        self.last_C = None  # C of the last solve, whose statistics the workspace holds

    def _center_accurately(self):
        """Centre a dense X in a copy, or solve a sparse float32 X in float64, when
        a column's mean exceeds MAX_IMPLICIT_OFFSET times its spread."""
        n, p = self.X.shape
        layout = 1 if self.sparse else 0
        data = self.X.data if self.sparse else self.X.reshape(-1, order="F")
        empty = np.zeros(0, dtype=np.int32)
        sums, sq, _ = _kernels.column_stats(
            layout, data, self.X.indices if self.sparse else empty,
            self.X.indptr if self.sparse else empty, n, p, np.zeros(0),
            np.zeros(n, dtype=self.dtype))
        mean = sums / n
        var = np.maximum(sq / n - mean**2, 0.0)  # one pass: rounding when mean^2 >> var
        big = mean**2 > MAX_IMPLICIT_OFFSET[self.dtype] ** 2 * var
        if not big.any():
            return
        if self.sparse and self.dtype == np.float64:
            cols = np.flatnonzero(big)  # two-pass variances; constant columns are fine
            var2 = centred_norms(self.X, cols, mean[cols])[0] / n
            live = var2 > (4 * np.finfo(np.float64).eps * mean[cols]) ** 2
            ratio = np.abs(mean[cols][live]) / np.sqrt(var2[live])
            if ratio.size and ratio.max() > _MAX_SPARSE_OFFSET:
                raise ValueError(
                    f"a column of sparse X (or of a cross-validation fold's training rows) "
                    f"has a mean {ratio.max():.3g} times its standard deviation; above "
                    f"{_MAX_SPARSE_OFFSET:g} the implicit centring of a sparse X cannot be "
                    f"made accurate: subtract that column's mean, pass X dense, or use "
                    f"fit_intercept=False")
            return
        if not self.sparse:
            shift = mean.astype(self.dtype)  # what is subtracted, exactly
            self.X = np.subtract(self.X, shift, order="F")
            self.shift = shift.astype(np.float64)
        elif self.dtype == np.float32:
            self.X = self.X.astype(np.float64)
            self.dtype = np.dtype(np.float64)
            self.y, self.sw, self.pf = (a.astype(np.float64) for a in (self.y, self.sw, self.pf))
            self.means = mean
            self._center_accurately()  # refused if float64 is not enough either

    def output(self, coef, intercept):
        """(coef, intercept) in the dtype of X as given. A float32 X solved in float64
        rounds coef to float32: the intercept takes back the mean of that rounding
        (a column's large mean times its rounding error)."""
        if self.out_dtype == self.dtype:
            return coef, float(intercept)
        rounded = coef.astype(self.out_dtype)
        if self.fit_intercept:
            intercept = float(intercept) + float((coef - rounded.astype(np.float64)) @ self.means)
        return rounded, float(intercept)

    def alpha_max(self):
        """Smallest alpha (alpha form) at which every penalized coefficient is zero:
        the largest correlation of a penalized feature with the residual of the
        model of the unpenalized part (intercept and features with pf = 0)."""
        penalized = self.pf > 0
        if not penalized.any():
            return float("inf")
        positive = np.where(self.y > 0, 1.0, 0.0)
        residual = self.sw * (positive - self._unpenalized_probabilities()) / self.sw_sum
        corr = np.abs(_t_dot(self.X, residual))
        corr[corr <= self._correlation_noise(residual)] = 0.0
        ratio = max(self.l1_ratio, _GRID_MIN_L1_RATIO)
        return float(np.max(corr[penalized] / (ratio * self.pf[penalized])))

    def _correlation_noise(self, residual):
        """Per column, the level below which |X_j . residual| is noise: the
        rounding of the product, plus what the inexact fit of the unpenalized
        part leaves on a column of their span (a penalized column there would
        otherwise give alpha_max ~ 1e-17 and a grid of C ~ 1e17)."""
        absX = abs(self.X) if self.sparse else np.abs(self.X)
        noise = 64 * np.finfo(np.float64).eps * _t_dot(absX, np.abs(residual))
        free = np.flatnonzero(self.pf == 0)
        norms = (np.sqrt(np.asarray(self.X.multiply(self.X).sum(axis=0), np.float64).ravel())
                 if self.sparse else np.sqrt(np.einsum("ij,ij->j", self.X, self.X,
                                                       dtype=np.float64)))
        stationarity = [np.abs(_t_dot(self.X[:, free], residual)) / np.maximum(norms[free],
                                                                              1e-300)]
        if self.fit_intercept:
            stationarity.append([abs(residual.sum()) / np.sqrt(residual.size)])
        level = max((float(np.max(v)) for v in stationarity if len(v)), default=0.0)
        return noise + 10 * level * norms

    def _unpenalized_probabilities(self):
        """P(y = +1) under the fit of the intercept and the pf = 0 features alone."""
        free = np.flatnonzero(self.pf == 0)
        if free.size == 0:
            if not self.fit_intercept:
                return 0.5
            return float(self.sw[self.y > 0].sum(dtype=np.float64)) / self.sw_sum
        X_free = self.X[:, free].astype(np.float64)
        if free.size <= _MAX_NEWTON_FREE:
            A = X_free.toarray() if self.sparse else np.asarray(X_free)
            if self.fit_intercept:
                A = np.column_stack([A, np.ones(A.shape[0])])
            return _sigmoid(A @ _unpenalized_newton(A, self.y, self.sw))
        if not self.sparse:
            X_free = np.asfortranarray(X_free)
        sub = _Problem(X_free, self.y.astype(np.float64), l1_ratio=1.0,
                       fit_intercept=self.fit_intercept, penalty_factor=np.zeros(free.size),
                       sample_weight=self.sw.astype(np.float64), tol=1e-10, max_iter=1000,
                       check_input=False)
        coef = np.zeros(free.size)
        intercept, _, _ = sub.solve(1.0, coef, 0.0)  # no penalty: any C
        return _sigmoid(np.asarray(X_free @ coef).ravel() + float(intercept))

    def solve(self, C, coef, intercept, resume=False):
        """Solve at one C from (coef, intercept) in place; return (intercept, gap, n_iter).

        ``resume=True`` promises that (coef, intercept) are exactly what the
        previous solve returned: its statistics are then reused.
        """
        if self.shift is not None:  # w.x + b = w.(x - m) + (b + w.m), in float64
            intercept = float(intercept) + float(coef.astype(np.float64) @ self.shift)
        if self.workspace is None:
            self.workspace = _kernels.logistic_workspace(*self.X.shape, self.dtype)
        s = (C * self.sw).astype(self.dtype)
        scale = C * self.sw_sum * _LOG2
        lam1, lam2 = self.l1_ratio, 1.0 - self.l1_ratio
        args = (self.y, s, self.pf, lam1, lam2, coef, float(intercept), self.fit_intercept,
                self.tol * scale, self.max_iter, 20, self.workspace,
                C / self.last_C if resume and self.last_C else 0.0)
        self.last_C = C
        if self.sparse:
            X = self.X
            b, gap, _, n_iter, *_ = _kernels.logistic_solve_sparse(
                X.data, X.indices, X.indptr, X.shape[0], *args)
        else:
            b, gap, _, n_iter, *_ = _kernels.logistic_solve_dense(self.X, *args)
        if self.shift is not None:
            b = float(b) - float(coef.astype(np.float64) @ self.shift)
        return b, gap / scale, n_iter


# Up to this many unpenalized features, their fit for alpha_max is a dense
# Newton solve with least-squares steps: coordinate descent stalled on nearly
# collinear ones (gap 7e-3 after 1000 steps) and alpha_max came out 0.
_MAX_NEWTON_FREE = 50


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + exp(-z)) without overflow


def _unpenalized_newton(A, y, sw, max_steps=100):
    """Coefficients of the unpenalized logistic fit of y (+-1) on the columns of A
    (weights sw): Newton steps solved by least squares (rank-deficient A gives
    the minimum-norm step), halved until the loss decreases."""
    sw = np.asarray(sw, dtype=np.float64)
    target = (np.asarray(y) > 0).astype(np.float64)

    def loss(beta):
        z = A @ beta
        return float(sw @ (np.logaddexp(0.0, z) - target * z))

    beta = np.zeros(A.shape[1])
    current = loss(beta)
    for _ in range(max_steps):
        p = _sigmoid(A @ beta)
        grad = A.T @ (sw * (p - target))
        hess = (A * (sw * p * (1 - p))[:, None]).T @ A
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        t = 1.0
        while t > 1e-10 and loss(beta - t * step) > current:
            t *= 0.5
        if t <= 1e-10:
            break
        beta -= t * step
        previous, current = current, loss(beta)
        if previous - current <= 1e-15 * max(abs(current), 1.0):
            break
    return beta


def _t_dot(X, v):
    """X.T @ v in float64 for a float64 v (a float32 X is read as float64)."""
    return np.asarray(X.T @ v, dtype=np.float64).ravel()


def _warn_not_converged(gaps, tol, what):
    worst = float(np.max(gaps))  # NaN when a solve broke down: warned about too
    if not worst <= tol:
        warnings.warn(
            f"{what} did not converge: relative duality gap {worst:.3g} > tol={tol:.3g}. "
            "Increase max_iter, loosen tol or strengthen the penalty.",
            ConvergenceWarning, stacklevel=3)


def _value_grid(problem, Cs, alphas, eps):
    """(alphas, Cs, C form?) of the path, from the sparsest to the densest model."""
    if Cs is not None and alphas is not None:
        raise ValueError("pass either Cs or alphas, not both")
    c_form = Cs is not None
    values = Cs if c_form else (100 if alphas is None else alphas)
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        count = check_scalar(values, "Cs" if c_form else "alphas", lo=1, integer=True)
        eps = check_scalar(eps, "eps", lo=0.0, hi=1.0, lo_open=True)
        top = problem.alpha_max()
        if not np.isfinite(top):
            raise ValueError("every penalty factor is 0, so there is no alpha_max: pass an "
                             "explicit grid")
        if top == 0:  # no penalized feature correlates with the residual of the
            top = 1.0   # unpenalized model: every alpha gives them 0, and a moderate
            # one keeps the unpenalized fit well conditioned (C = 1 / sum(sw))
        grid_alphas = np.geomspace(top, top * eps, count)
    else:
        name = "Cs" if c_form else "alphas"
        grid = as_float_array(values, name, dtype=np.float64, min_ndim=1, max_ndim=1)
        if (grid <= 0).any():
            raise ValueError(f"{name} must be positive, got min {grid.min()!r}")
        grid_alphas = np.sort(1.0 / (grid * problem.sw_sum) if c_form else grid)[::-1]
    return grid_alphas, 1.0 / (grid_alphas * problem.sw_sum), c_form


# --- public API -------------------------------------------------------------------------

def logistic_path(X, y, *, Cs=None, alphas=None, eps=1e-3, l1_ratio=1.0, tol=1e-4,
                  max_iter=100, fit_intercept=True, penalty_factor=None, sample_weight=None,
                  coef_init=None, intercept_init=0.0, check_input=True):
    """Regularization path of L1 / L2 / elastic-net penalized logistic regression.

    Solves, from the sparsest to the densest model with warm starts, the
    problem described in the module notes (C form or alpha form) by
    proximal Newton with coordinate descent on working sets.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        Dense (Fortran order avoids a copy) or sparse (CSC avoids a copy;
        CSR and others are converted once). float32 is kept float32.
    y : array-like of shape (n_samples,)
        Two distinct labels; the larger one (in sort order) is the positive
        class.
    Cs : int or array-like, optional
        Inverse regularization strengths (C form). An int k gives k values
        from the C at which the model becomes non-zero up to ``1/eps`` times
        it. Mutually exclusive with ``alphas``.
    alphas : int or array-like, optional
        Regularization strengths (alpha form); default 100 values log-spaced
        from ``alpha_max`` down to ``eps * alpha_max``.
    eps : float, default=1e-3
        Length of an automatic grid.
    l1_ratio : float in [0, 1], default=1.0
        1 is the L1 (lasso) penalty, 0 the ridge penalty. An automatic grid
        for ``l1_ratio < 1e-3`` is placed as if ``l1_ratio = 1e-3``.
    tol : float, default=1e-4
        Duality-gap tolerance relative to the zero model's objective.
    max_iter : int, default=100
        Maximum prox-Newton steps per value of the grid.
    fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), optional
        Per-feature penalty multipliers ``pf_j >= 0`` (0 leaves a feature
        unpenalized), used as given.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights of the loss terms.
    coef_init : array-like of shape (n_features,), optional
        Starting coefficients for the first value of the grid.
    intercept_init : float, default=0.0
    check_input : bool, default=True
        False skips validation (for callers that already validated).

    Returns
    -------
    LogisticPathResult
        Unpacks as ``(alphas or Cs, coefs, dual_gaps)``; ``coefs`` has shape
        (n_features, n_values); also ``.intercepts``, ``.n_iters``,
        ``.alphas``, ``.Cs``, ``.converged``.

    Warns
    -----
    ConvergenceWarning
        When some value of the grid stopped at ``max_iter`` with a gap above ``tol``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore import logistic_path
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> path = logistic_path(X, [0, 0, 1, 1], alphas=[0.1, 0.01])
    >>> path.coefs.shape
    (2, 2)
    >>> bool(path.coefs[0, 1] > path.coefs[0, 0] > 0)
    True
    """
    problem = _Problem(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                       penalty_factor=penalty_factor, sample_weight=sample_weight, tol=tol,
                       max_iter=max_iter, check_input=check_input)
    grid_alphas, grid_Cs, c_form = _value_grid(problem, Cs, alphas, eps)
    n_features = problem.X.shape[1]
    coef = _check_coef_init(coef_init, n_features, problem.dtype)
    intercept = check_scalar(intercept_init, "intercept_init") if fit_intercept else 0.0
    n_values = grid_alphas.size
    coefs = np.empty((n_features, n_values), dtype=problem.out_dtype, order="F")
    intercepts = np.empty(n_values)  # float64: a float32 intercept of 3e5 rounds by 0.03
    gaps = np.empty(n_values)
    n_iters = np.empty(n_values, dtype=np.int64)
    for k, C in enumerate(grid_Cs):
        intercept, gaps[k], n_iters[k] = problem.solve(C, coef, intercept, resume=k > 0)
        coefs[:, k], intercepts[k] = problem.output(coef, intercept)
    converged = gaps <= problem.tol
    _warn_not_converged(gaps, problem.tol, "logistic_path")
    values = grid_Cs if c_form else grid_alphas
    return LogisticPathResult(values, alphas=grid_alphas, Cs=grid_Cs, coefs=coefs,
                              intercepts=intercepts, dual_gaps=gaps, n_iters=n_iters,
                              converged=converged)


def logistic_fit(X, y, *, C=None, alpha=None, l1_ratio=1.0, tol=1e-4, max_iter=100,
                 fit_intercept=True, penalty_factor=None, sample_weight=None, coef_init=None,
                 intercept_init=0.0, check_input=True):
    """One penalized logistic fit at ``C`` (C form) or ``alpha`` (alpha form).

    Parameters are those of :func:`logistic_path`, with one value ``C > 0``
    or ``alpha > 0`` (exactly one of them) instead of a grid.

    Returns
    -------
    LogisticFitResult
        ``(coef, intercept, dual_gap, n_iter, converged)``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore import logistic_fit
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> fit = logistic_fit(X, [0, 0, 1, 1], C=10.0, tol=1e-10)
    >>> fit.converged, bool(fit.coef[0] > 0)
    (True, True)
    """
    if (C is None) == (alpha is None):
        raise ValueError("pass exactly one of C and alpha")
    problem = _Problem(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                       penalty_factor=penalty_factor, sample_weight=sample_weight, tol=tol,
                       max_iter=max_iter, check_input=check_input)
    if C is not None:
        C = check_scalar(C, "C", lo=0.0, lo_open=True)
    else:
        C = 1.0 / (check_scalar(alpha, "alpha", lo=0.0, lo_open=True) * problem.sw_sum)
    coef = _check_coef_init(coef_init, problem.X.shape[1], problem.dtype)
    intercept = check_scalar(intercept_init, "intercept_init") if fit_intercept else 0.0
    intercept, gap, n_iter = problem.solve(C, coef, intercept)
    _warn_not_converged([gap], problem.tol, "logistic_fit")
    coef, intercept = problem.output(coef, intercept)
    return LogisticFitResult(coef, intercept, float(gap), int(n_iter), bool(gap <= problem.tol))


def logistic_alpha_max(X, y, *, l1_ratio=1.0, fit_intercept=True, penalty_factor=None,
                       sample_weight=None):
    """Smallest alpha (alpha form) at which every penalized coefficient is zero.

    In the C form the model is zero for ``C <= 1 / (alpha_max * sum(sw))``.
    ``inf`` when no feature is penalized; ``l1_ratio`` below 1e-3 is taken
    as 1e-3 (a ridge penalty never zeroes a coefficient).
    """
    problem = _Problem(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                       penalty_factor=penalty_factor, sample_weight=sample_weight, tol=0.0,
                       max_iter=1)
    return problem.alpha_max()
