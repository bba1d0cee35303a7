"""Ridge regression by factorization: a whole alpha path and leave-one-out errors.

Objective (scikit-learn's ``Ridge``, *not* divided by ``2 n``)::

    sum_i w_i (y_i - x_i . coef - b)^2 + alpha * ||coef||_2^2

with sample weights ``w`` used as given (not rescaled) and the intercept ``b``
never penalized. This is ``2 * sum(w)`` times the elastic-net objective of
``enet_path`` with ``l1_ratio=0`` at ``alpha_enet = alpha / sum(w)`` (``alpha / n``
without weights).

How it is solved. After centering (weighted means) and scaling rows by
``sqrt(w)``, call the design ``A`` and the response ``z``. One symmetric
eigendecomposition of the smaller of ``A^T A`` (p x p, when n >= p) or ``A A^T``
(n x n, when n < p) gives every alpha at the cost of two matrix products:
``coef(alpha) = V diag(1 / (lam + alpha)) V^T A^T z``. This is the spectrum of
a thin SVD of ``A`` (``lam = s^2``) obtained 7-15x faster than LAPACK's SVD on
5000 x 500 and 500 x 5000 (measured), at the price of squaring the condition
number: eigenvalues below ``lam_max * max(n, p) * eps`` are treated as zero
(minimum-norm solution), so for alpha far below that level use
``method="svd"``, which factors ``A`` itself. A single alpha uses a Cholesky
solve of the same Gram (or kernel) matrix, the cheapest exact method.

Choice rule of ``method="auto"``: one alpha -> ``"cholesky"``; several alphas
or leave-one-out -> ``"eigh"``. Sparse X (scipy.sparse, any format) is never
densified nor explicitly centered: the Gram or kernel matrix is formed by a
sparse product with the centering applied as a rank-one correction, so memory
is ``min(n, p)^2``; when ``min(n, p) > 4000`` "auto" switches to ``"lsqr"``
(scipy's damped LSQR per alpha, X used only through products with the
centering as a rank-one correction, memory O(n + p)). Leave-one-out needs the
factorization. ``method="svd"`` needs dense X.

Leave-one-out (``ridge_loo``) uses the hat matrix of the same factorization:
the LOO residual of sample i is ``r_i / (1 - h_ii)`` (the intercept is refit in
every fold: it adds ``w_i / sum(w)`` to ``h_ii``), the closed form of Golub,
Heath and Wahba (1979) that scikit-learn's ``RidgeCV`` also uses; ``"gcv"``
replaces ``h_ii`` by its mean ``trace(H) / n``. When n < p both ``r_i`` and
``1 - h_ii`` are computed from the factors ``alpha / (lam + alpha)`` of the
complete eigenbasis, free of cancellation at small alpha. float32 input is
factorized in float32 when that resolves every alpha of the grid, that is
when the rounding of the spectrum, ``lam_max * eps32``, is below ``1e-4``
times the smallest alpha; otherwise (columns with large means and no
intercept, tiny alphas, alpha = 0) the factorization runs in float64, as
scikit-learn's RidgeCV always does. Results are float32 either way. The
means are taken and subtracted in float64 in both cases, and the products
with a sparse X (whose centring is a rank-one correction) run in float64.
"""


import numpy as np

from .._validation import as_float_array, check_bool

RIDGE_METHODS = ("auto", "eigh", "svd", "cholesky", "lsqr")
# A float32 factorization is kept when lam_max * eps32 <= this * min(alpha):
# 1 / (lam + alpha) is then accurate to about this, relatively.
FLOAT32_SPECTRUM_RESOLUTION = 1e-4
# Sparse X whose smaller side exceeds this uses LSQR in "auto" mode: the dense
# min(n, p)^2 Gram or kernel matrix would not be worth (or fit in) memory.
MAX_SPARSE_GRAM_SIDE = 4000
LOO_CRITERIA = ("loo", "gcv")


class RidgePathResult(tuple):
    """``(alphas, coefs, intercepts)``; coefs has shape (n_features, n_alphas).

    Attributes ``alphas``, ``coefs``, ``intercepts`` and ``method`` (the
    factorization used) name the same arrays; ``dual_gaps`` (n_alphas,) holds
    the relative duality gaps when they were requested, else None. For a 2-D
    y, coefs is (n_features, n_alphas, n_targets) and intercepts and
    dual_gaps (n_alphas, n_targets).
    """

    def __new__(cls, alphas, coefs, intercepts, method, dual_gaps=None):
        self = super().__new__(cls, (alphas, coefs, intercepts))
        self.alphas, self.coefs, self.intercepts, self.method = alphas, coefs, intercepts, method
        self.dual_gaps = dual_gaps
        return self

    def __getnewargs__(self):  # pickling: rebuild through __new__ with every field
        return (self.alphas, self.coefs, self.intercepts, self.method, self.dual_gaps)


class RidgeLOOResult:
    """Leave-one-out (or GCV) scores of a ridge path and the model at the best alpha.

    Attributes
    ----------
    alphas : ndarray (n_alphas,)
        The alphas, in the order given.
    scores : ndarray (n_alphas,)
        Mean squared LOO error (``criterion="loo"``) or the GCV value, in the
        ``sqrt(w)``-scaled space: ``mean_i w_i e_i^2`` (also averaged over
        the targets of a 2-D y).
    best_index : int
        First index of the smallest score.
    alpha, coef, intercept
        The best alpha and the model fitted on all data at that alpha: coef
        (n_features,) and a float intercept, or coef (n_features, n_targets)
        and intercept (n_targets,) for a 2-D y.
    errors : ndarray (n_samples, n_alphas), (n_samples, n_targets, n_alphas) or None
        Squared LOO errors ``w_i e_i^2`` per sample (and target) when
        ``return_errors``.
    criterion : str
    """

    def __init__(self, alphas, scores, best_index, coef, intercept, errors, criterion):
        self.alphas, self.scores, self.best_index = alphas, scores, best_index
        self.alpha = alphas[best_index]
        self.coef, self.intercept, self.errors, self.criterion = coef, intercept, errors, criterion


def ridge_path(X, y, alphas, *, fit_intercept=True, sample_weight=None, method="auto",
               return_dual_gaps=False):
    """Ridge coefficients for every alpha from one factorization.

    Minimizes ``sum_i w_i (y_i - x_i . coef - b)^2 + alpha ||coef||^2``
    (scikit-learn's ``Ridge`` scaling) for each alpha.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        float32 input is computed and returned in float32.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Several targets are solved from one factorization.
    alphas : float or array-like of shape (n_alphas,)
        Non-negative penalties, kept in the order given. ``alpha = 0`` gives the
        minimum-norm least-squares solution.
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, used as given (not rescaled).
    method : {"auto", "eigh", "svd", "cholesky", "lsqr"}, default="auto"
        See the module docstring for the choice rule.
    return_dual_gaps : bool, default=False
        Also compute, from the returned coefficients, the duality gap of each
        alpha relative to ``sum_i w_i (y_i - ybar)^2`` (the scale-free units of
        regcore's ``tol``): an independent certificate of the factorization's
        accuracy. Costs two products with X per alpha; NaN at ``alpha = 0``.

    Returns
    -------
    RidgePathResult
        Unpacks as ``(alphas, coefs, intercepts)`` with coefs of shape
        (n_features, n_alphas).

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.linear_model import ridge_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> alphas, coefs, intercepts = ridge_path(X, [1.0, 2.0, 3.0], [0.0, 1.0],
    ...                                        fit_intercept=False)
    >>> coefs.round(6)  # alpha=0: exact fit; alpha=1: (X^T X + I)^-1 X^T y
    array([[1.   , 0.875],
           [2.   , 1.375]])
    """
    data = _prepare(X, y, sample_weight, fit_intercept, multi_target=True)
    alphas = _check_alphas(alphas, data.dtype, strictly_positive=False)
    method = _resolve_method(method, data, n_alphas=alphas.size, need_leverage=False)
    if method == "cholesky":
        coefs = _cholesky_path(data, alphas)
    elif method == "lsqr":
        coefs = _lsqr_path(data, alphas)
    else:
        coefs = _resolved_spectrum(data, method, alphas)[0].coefs(alphas).astype(data.dtype)
    gaps = _dual_gaps(data, coefs, alphas) if return_dual_gaps else None
    return RidgePathResult(alphas, coefs, data.intercepts(coefs), method, gaps)


def ridge_loo(X, y, alphas, *, criterion="loo", fit_intercept=True, sample_weight=None,
              method="auto", return_errors=False):
    """Leave-one-out (or GCV) error of ridge for every alpha, in closed form.

    One factorization gives, for every alpha, the exact leave-one-out
    residuals ``r_i / (1 - h_ii)`` (the intercept refit in each fold) or the
    generalized cross-validation value ``mean(r^2) / (1 - trace(H)/n)^2``.

    Parameters
    ----------
    X, fit_intercept, sample_weight
        As in :func:`ridge_path`.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Several targets share the factorization (the hat matrix does not
        depend on the target); their scores are averaged, so one alpha is
        chosen for all of them (scikit-learn's ``alpha_per_target=False``).
    alphas : float or array-like of shape (n_alphas,)
        Strictly positive penalties, kept in the order given.
    criterion : {"loo", "gcv"}, default="loo"
        ``"loo"`` matches scikit-learn's ``RidgeCV(cv=None)``.
    method : {"auto", "eigh", "svd"}, default="auto"
        ``"auto"`` means ``"eigh"``.
    return_errors : bool, default=False
        Keep the per-sample squared errors (``RidgeLOOResult.errors``).

    Returns
    -------
    RidgeLOOResult

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.linear_model import ridge_loo
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(50)
    >>> res = ridge_loo(X, y, [0.01, 1.0, 100.0])
    >>> float(res.alpha), int(res.scores.argmin())
    (0.01, 0)
    """
    if criterion not in LOO_CRITERIA:
        raise ValueError(f"criterion must be one of {LOO_CRITERIA}, got {criterion!r}")
    data = _prepare(X, y, sample_weight, fit_intercept, multi_target=True)
    given = _check_alphas(alphas, np.float64, strictly_positive=True)  # reported as given
    alphas = given.astype(data.dtype, copy=False)
    method = _resolve_method(method, data, n_alphas=alphas.size, need_leverage=True)
    spectrum, solved = _resolved_spectrum(data, method, alphas)
    residuals, one_minus_h, trace = spectrum.residuals_and_complement(alphas, solved.z)
    residuals = residuals.reshape(data.n_samples, alphas.size, -1)  # (n, n_alphas, n_targets)
    if data.fit_intercept:
        one_minus_h -= (solved.sqrt_w ** 2 / solved.sum_w)[:, None]
        trace += 1
    if criterion == "loo":
        with np.errstate(divide="ignore", invalid="ignore"):
            errors = (residuals / one_minus_h[:, :, None]) ** 2
        errors[~np.isfinite(errors)] = np.inf  # h_ii == 1: sample not predictable
        scores = errors.mean(axis=(0, 2))
        # (n, n_alphas) for a 1-D y, (n, n_targets, n_alphas) for a 2-D one
        errors = errors[:, :, 0] if data.z.ndim == 1 else errors.transpose(0, 2, 1)
    else:
        errors = None
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = (residuals ** 2).mean(axis=(0, 2)) / (1 - trace / data.n_samples) ** 2
        scores[~np.isfinite(scores)] = np.inf  # trace(H) = n: GCV undefined
    if np.isinf(scores).all():
        raise ValueError(
            f"the {criterion.upper()} error is infinite at every alpha: no sample can be "
            f"predicted from the others (n_samples={data.n_samples}, fit_intercept="
            f"{data.fit_intercept})")
    best = int(np.argmin(scores))
    coef = spectrum.coefs(alphas[best:best + 1])[:, 0].astype(data.dtype)
    if errors is not None:
        errors = errors.astype(data.dtype, copy=False)
    return RidgeLOOResult(given, scores.astype(data.dtype, copy=False), best, coef,
                          data.intercepts(coef), errors if return_errors else None, criterion)


# --- input preparation -----------------------------------------------------------

def _is_sparse(X):
    """True for scipy.sparse matrices/arrays, without importing scipy otherwise."""
    if not type(X).__module__.startswith("scipy"):
        return False
    import scipy.sparse

    return scipy.sparse.issparse(X)


def _check_alphas(alphas, dtype, *, strictly_positive):
    arr = as_float_array(alphas, "alphas", min_ndim=0, max_ndim=1).astype(dtype, copy=False)
    arr = np.atleast_1d(arr)
    if strictly_positive and (arr <= 0).any():
        raise ValueError(f"alphas must be strictly positive, got min {float(arr.min())!r}")
    if (arr < 0).any():
        raise ValueError(f"alphas must be non-negative, got min {float(arr.min())!r}")
    return arr


def _resolve_method(method, data, *, n_alphas, need_leverage):
    allowed = RIDGE_METHODS if not need_leverage else ("auto", "eigh", "svd")
    if method not in allowed:
        raise ValueError(f"method must be one of {allowed}, got {method!r}")
    if method == "svd" and data.sparse:
        raise ValueError("method='svd' needs a dense X; use 'eigh' or 'auto' for sparse X")
    if method == "lsqr":
        _require_scipy("method='lsqr'")
    if method == "auto":
        if data.sparse and min(data.n_samples, data.n_features) > MAX_SPARSE_GRAM_SIDE \
                and not need_leverage:
            return "lsqr"
        return "cholesky" if n_alphas == 1 and not need_leverage else "eigh"
    return method


def _require_scipy(what):
    try:
        import scipy.sparse.linalg  # noqa: F401
    except ImportError:
        raise ImportError(f"{what} needs scipy") from None


class _RidgeData:
    """Centered, sqrt(w)-scaled design ``A = S (X - 1 m^T)`` and response ``z``.

    Dense X is centered in a copy; sparse X stays sparse and the centering is
    applied as a rank-one correction in every product. A 2-D y (one column
    per target) gives a 2-D z and one y_mean per target.

    The means are computed and subtracted in float64 whatever X's dtype: with
    float32 columns of mean 300, means rounded to float32 left the columns of
    A summing to about n eps32 |m| instead of 0, and the LOO formulas of
    n < p (which take sqrt(w) for an exact null vector of A A^T) then picked
    the wrong alpha. Sparse products run in float64 for the same reason (the
    rank-one correction subtracts sum(w) m m^T from the uncentered Gram).
    """

    def __init__(self, X, y, sqrt_w, fit_intercept):
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self.sparse = _is_sparse(X)
        self.fit_intercept = fit_intercept
        self._source = (X, y, sqrt_w)
        self.sqrt_w = sqrt_w = sqrt_w.astype(np.float64)
        w = sqrt_w * sqrt_w
        self.sum_w = w.sum()
        # the design in float64: the sparse one scaled by sqrt(w) here, the dense
        # one (not copied when already float64) centred and scaled below
        if self.sparse:
            import scipy.sparse

            X64 = (scipy.sparse.diags(sqrt_w) @ X.astype(np.float64)).tocsr()
        else:
            X64 = X.astype(np.float64, copy=False)
        if fit_intercept:
            # sum_i w_i x_i = (sqrt(w) X)^T sqrt(w) for the scaled sparse design
            sums = X64.T @ sqrt_w if self.sparse else w @ X64
            self.x_mean = np.asarray(sums).ravel() / self.sum_w
            self.y_mean = (w @ y.astype(np.float64)) / self.sum_w
        else:
            self.x_mean = np.zeros(self.n_features)
            self.y_mean = np.float64(0) if y.ndim == 1 else np.zeros(y.shape[1])
        self.z = ((sqrt_w if y.ndim == 1 else sqrt_w[:, None]) * (y - self.y_mean)).astype(
            self.dtype, copy=False)
        if self.sparse:
            self.SX, self.A = X64, None
        else:
            A = X64 - self.x_mean
            A *= sqrt_w[:, None]
            self.A = A.astype(self.dtype, copy=False)

    def matmul(self, M):
        """A @ M for a dense M of shape (p, k)."""
        if not self.sparse:
            return self.A @ M
        return np.asarray(self.SX @ M) - np.outer(self.sqrt_w, self.x_mean @ M)

    def rmatmul(self, M):
        """A.T @ M for a dense M of shape (n,) or (n, k)."""
        if not self.sparse:
            return self.A.T @ M
        return np.asarray(self.SX.T @ M) - np.multiply.outer(self.x_mean, self.sqrt_w @ M)

    def gram(self):
        """A.T @ A, shape (p, p), in the data's dtype."""
        if not self.sparse:
            return self.A.T @ self.A
        G = (self.SX.T @ self.SX).toarray()
        G -= self.sum_w * np.outer(self.x_mean, self.x_mean)
        return G.astype(self.dtype, copy=False)

    def kernel(self):
        """A @ A.T, shape (n, n), in the data's dtype."""
        if not self.sparse:
            return self.A @ self.A.T
        K = (self.SX @ self.SX.T).toarray()
        v = self.sqrt_w
        if self.fit_intercept:
            u = np.asarray(self.SX @ self.x_mean).ravel()
            K -= np.outer(u, v)
            K -= np.outer(v, u)
            K += (self.x_mean @ self.x_mean) * np.outer(v, v)
            K = _project_out(K, v)
        return K.astype(self.dtype, copy=False)

    def intercepts(self, coefs):
        """b = ybar - m . coef for coefs of shape (p,), (p, k) or (p, k, n_targets)."""
        if not self.fit_intercept:
            return np.zeros(coefs.shape[1:], self.dtype)[()]
        return (self.y_mean - np.tensordot(self.x_mean, coefs, axes=1)).astype(
            self.dtype, copy=False)

    @property
    def primal(self):
        return self.n_samples >= self.n_features

    def as_float64(self):
        """The same problem prepared in float64 from the (float32) input itself,
        not from its rounded centred copy (float32 data, ill-conditioned)."""
        X, y, sqrt_w = self._source
        return _RidgeData(X.astype(np.float64), y.astype(np.float64),
                          sqrt_w.astype(np.float64), self.fit_intercept)


def _project_out(K, v):
    """P K P with P = I - v v^T / (v . v), for a symmetric K whose exact value has
    K v = 0. The rank-one centring of a sparse kernel cancels entries of size
    |m|^2 p into ones of size p: the rounding left K v about eps |m|^2 p away
    from 0 (3e-10 at mean 30, above the level at which eigenvalues count as
    zero), and the LOO formulas of n < p, which take v for an exact null
    vector, were 4% off at alpha 1e-4."""
    vv = v @ v
    Kv = K @ v
    K = K - np.outer(v, Kv) / vv - np.outer(Kv, v) / vv
    K += ((v @ Kv) / vv**2) * np.outer(v, v)
    return K


def _check_inputs(X, y, sample_weight, sparse_format, *, multi_target=False):
    """Validate X (dense, or scipy.sparse converted to ``sparse_format``), y and weights.

    y (1-D, or also 2-D with ``multi_target``) and the weights take X's float
    dtype; weights must be non-negative with a positive entry. Shared by the
    ridge functions and the CV drivers.
    """
    if _is_sparse(X):
        X = X.asformat(sparse_format)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X is empty (shape {X.shape}); at least one element is needed")
        # the stored values' checks (a complex X raises instead of losing its
        # imaginary part to a cast) and their float dtype
        data = as_float_array(X.data, "X", allow_empty=True)
        if data.dtype != X.dtype:
            X = X.astype(data.dtype)
    else:
        X = as_float_array(X, "X", min_ndim=2, max_ndim=2)
    y = as_float_array(y, "y", dtype=X.dtype, min_ndim=1, max_ndim=2 if multi_target else 1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
    if sample_weight is not None:
        sample_weight = as_float_array(sample_weight, "sample_weight", dtype=X.dtype,
                                       min_ndim=1, max_ndim=1)
        if sample_weight.shape[0] != X.shape[0]:
            raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries, "
                             f"X has {X.shape[0]} samples")
        if (sample_weight < 0).any() or not (sample_weight > 0).any():
            raise ValueError("sample_weight must be non-negative with at least one positive entry")
    return X, y, sample_weight


def _prepare(X, y, sample_weight, fit_intercept, *, multi_target=False):
    X, y, sample_weight = _check_inputs(X, y, sample_weight, "csr", multi_target=multi_target)
    sqrt_w = np.ones(X.shape[0], X.dtype) if sample_weight is None else np.sqrt(sample_weight)
    return _RidgeData(X, y, sqrt_w, check_bool(fit_intercept, "fit_intercept"))


# --- solvers ------------------------------------------------------------------------

def _cholesky_path(data, alphas):
    """One Cholesky solve per alpha on the Gram (n >= p) or kernel (n < p) matrix.

    alpha = 0 (and a matrix found not positive definite) goes to the
    minimum-norm eigh path: a singular Gram or kernel often factors without
    error because of rounding (a centred square X, rank-deficient columns),
    and the solve then returned coefficients of size 1 / rounding.
    """
    def minimum_norm():
        return _resolved_spectrum(data, "eigh", alphas)[0].coefs(alphas).astype(data.dtype)

    if (alphas == 0).any():
        return minimum_norm()
    M = data.gram() if data.primal else data.kernel()
    rhs = data.rmatmul(data.z) if data.primal else data.z
    coefs = np.empty((data.n_features, alphas.size) + data.z.shape[1:], data.dtype)
    for j, alpha in enumerate(alphas):
        sol = _solve_spd(M, alpha, rhs)
        if sol is None:
            return minimum_norm()
        coefs[:, j] = sol if data.primal else data.rmatmul(sol)
    return coefs


def _lsqr_path(data, alphas):
    """One damped LSQR solve per alpha (damp = sqrt(alpha)), X used only through products.

    Stops at relative residual tolerances sqrt(eps) / 100 of the dtype (about
    1.5e-10 in float64); ``return_dual_gaps`` certifies the accuracy reached.
    """
    from scipy.sparse.linalg import LinearOperator, lsqr

    shape = (data.n_samples, data.n_features)
    operator = LinearOperator(shape, dtype=data.dtype,
                              matvec=lambda v: data.matmul(v.reshape(-1, 1)).ravel(),
                              rmatvec=lambda v: data.rmatmul(v.reshape(-1)).ravel())
    tol = np.sqrt(np.finfo(data.dtype).eps) / 100
    z = data.z.reshape(data.n_samples, -1)
    coefs = np.empty((data.n_features, alphas.size, z.shape[1]), data.dtype)
    for j, alpha in enumerate(alphas):
        for k in range(z.shape[1]):
            coefs[:, j, k] = lsqr(operator, z[:, k], damp=float(np.sqrt(alpha)), atol=tol,
                                  btol=tol, iter_lim=10 * sum(shape))[0]
    return coefs.reshape((data.n_features, alphas.size) + data.z.shape[1:])


def _solve_spd(M, alpha, rhs):
    """(M + alpha I)^-1 rhs by Cholesky; None when not positive definite."""
    shifted = M.copy()
    shifted.flat[:: M.shape[0] + 1] += alpha
    try:
        import scipy.linalg
    except ImportError:  # numpy only: Cholesky factor then two general solves
        try:
            L = np.linalg.cholesky(shifted)
        except np.linalg.LinAlgError:
            return None
        return np.linalg.solve(L.T, np.linalg.solve(L, rhs))
    try:
        factor = scipy.linalg.cho_factor(shifted, lower=True, overwrite_a=True,
                                         check_finite=False)
    except np.linalg.LinAlgError:
        return None
    return scipy.linalg.cho_solve(factor, rhs, check_finite=False)


def _dual_gaps(data, coefs, alphas):
    """Relative Fenchel duality gap of ||z - A c||^2 + alpha ||c||^2 per alpha (and target).

    With r = z - A c, the dual point theta = 2 r gives
    D = 2 r.z - ||r||^2 - ||A^T r||^2 / alpha; the gap P - D is clipped at 0
    (rounding) and divided by ||z||^2. ``coefs`` is (p, n_alphas) or, for a
    2-D z, (p, n_alphas, n_targets); the gaps have its shape without p.
    """
    shape = coefs.shape[1:]
    # one column per (alpha, target), in the order of coefs' flattened axes
    z = np.tile(data.z.reshape(data.n_samples, -1), (1, alphas.size))
    coefs = coefs.reshape(data.n_features, -1)
    alphas = np.repeat(alphas, z.shape[1] // alphas.size)
    residuals = z - data.matmul(coefs)
    r2 = (residuals * residuals).sum(axis=0)
    primal = r2 + alphas * (coefs * coefs).sum(axis=0)
    correlations = data.rmatmul(residuals)
    with np.errstate(divide="ignore", invalid="ignore"):
        dual = (2 * (z * residuals).sum(axis=0) - r2
                - (correlations * correlations).sum(axis=0) / alphas)
    gaps = np.where(alphas > 0, np.maximum(primal - dual, 0), np.nan)
    scale = (z * z).sum(axis=0)
    gaps = np.divide(gaps, scale, out=gaps.copy(), where=scale > 0)
    return gaps.reshape(shape).astype(data.dtype, copy=False)


class _Spectrum:
    """Ridge in the eigenbasis of A^T A (or A A^T, or the SVD of A).

    ``coef(alpha) = coef_map(proj / (lam + alpha))``, where ``coef_map`` is the
    linear map ``V @`` (primal, svd) or ``A^T U @`` applied right to left, so
    A^T U is never formed (dual). The fitted values in the scaled space are
    ``left @ (proj * num / (lam + alpha))``; the hat
    diagonal is ``left**2 @ (num / (lam + alpha))``. ``num`` is 1 when ``left``
    is ``A V`` (primal) and ``lam`` when ``left`` is U (dual, svd).
    """

    def __init__(self, lam, proj, coef_map, left_fn, num, complete=False):
        self.lam, self.proj, self.coef_map = lam, proj, coef_map
        self._left_fn, self._left, self.num = left_fn, None, num
        self.complete = complete

    @property
    def left(self):
        if self._left is None:
            self._left = self._left_fn()
        return self._left

    def coefs(self, alphas):
        """(n_features, n_alphas), or (n_features, n_alphas, n_targets) for a 2-D z."""
        lam = self.lam[:, None, None]
        proj = _with_target_axis(self.proj)
        # lam == 0 marks null directions of a complete basis: no part of coef
        factors = np.divide(proj, lam + alphas[:, None], where=lam > 0,
                            out=np.zeros((lam.shape[0], alphas.size, proj.shape[2]),
                                         self.proj.dtype))
        return self._per_target(self.coef_map(factors.reshape(lam.shape[0], -1)), alphas)

    def residuals_and_complement(self, alphas, z):
        """Scaled residuals (n, n_alphas[, n_targets]), 1 - h_ii (n, n_alphas)
        and trace(H) (n_alphas,).

        With a complete eigenbasis of A A^T (dual), both come from the
        factors alpha / (lam + alpha) and carry no cancellation: r = U (c
        alpha / (lam + alpha)) and 1 - h_ii = sum_k U_ik^2 alpha / (lam_k +
        alpha). Otherwise they are z - fitted and 1 - leverage. The hat
        matrix does not depend on the target: one factorization serves all.
        """
        lam = self.lam[:, None]
        trace = (lam / (lam + alphas)).sum(axis=0)
        left = self.left
        proj = _with_target_axis(self.proj)
        if self.complete:
            kept = alphas / (lam + alphas)
            residuals = left @ (proj * kept[:, :, None]).reshape(lam.shape[0], -1)
            return self._per_target(residuals, alphas), (left * left) @ kept, trace
        shrink = self.num[:, None] / (lam + alphas)
        fitted = left @ (proj * shrink[:, :, None]).reshape(lam.shape[0], -1)
        residuals = _with_target_axis(z) - fitted.reshape(z.shape[0], alphas.size, -1)
        return self._per_target(residuals, alphas), 1 - (left * left) @ shrink, trace

    def _per_target(self, M, alphas):
        # M (m, n_alphas * t) as (m, n_alphas), or (m, n_alphas, t) for a 2-D z
        M = M.reshape(M.shape[0], alphas.size, -1)
        return M[:, :, 0] if self.proj.ndim == 1 else M


def _with_target_axis(v):
    """v of shape (m,) or (m, t) as (m, 1, t): an alpha axis, then the targets."""
    return v.reshape(v.shape[0], 1, -1)


def _kept(lam, data):
    """Mask of eigenvalues above the rounding level (the rest count as zero)."""
    top = lam.max() if lam.size else 0
    return lam > top * max(data.n_samples, data.n_features) * np.finfo(data.dtype).eps


def _resolved_spectrum(data, method, alphas):
    """(spectrum, data it was computed from): _spectrum in the data's dtype, or
    in float64 when a float32 spectrum cannot resolve the smallest alpha
    (FLOAT32_SPECTRUM_RESOLUTION)."""
    spectrum = _spectrum(data, method)
    if data.dtype == np.float32:
        top = float(spectrum.lam.max()) if spectrum.lam.size else 0.0
        if top * np.finfo(np.float32).eps > FLOAT32_SPECTRUM_RESOLUTION * float(alphas.min()):
            data = data.as_float64()
            spectrum = _spectrum(data, method)
    return spectrum, data


def _spectrum(data, method):
    if method == "svd":
        U, s, Vt = np.linalg.svd(data.A, full_matrices=False)
        lam = s * s
        keep = _kept(lam, data)
        # n <= p: U is a complete basis; kept whole (as the dual eigh) for the
        # cancellation-free LOO formulas, else z - fitted lost 1e-4 at alpha 1e-10
        complete = data.n_samples <= data.n_features
        if complete:
            lam[~keep] = 0
        else:
            U, s, Vt, lam = U[:, keep], s[keep], Vt[keep], lam[keep]
        V_scaled = Vt.T * s
        return _Spectrum(lam, U.T @ data.z, V_scaled.__matmul__, lambda: U, lam,
                         complete=complete)
    if data.primal:
        lam, V = np.linalg.eigh(data.gram())
        keep = _kept(lam, data)
        lam, V = lam[keep], V[:, keep]
        proj = V.T @ data.rmatmul(data.z)
        return _Spectrum(lam, proj, V.__matmul__, lambda: data.matmul(V), np.ones_like(lam))
    # Dual: keep the complete basis (eigenvalues at rounding level set to 0,
    # contributing nothing to coef) for the cancellation-free LOO formulas.
    lam, U = np.linalg.eigh(data.kernel())
    lam[~_kept(lam, data)] = 0
    return _Spectrum(lam, U.T @ data.z, lambda M: data.rmatmul(U @ M), lambda: U, lam,
                     complete=True)
