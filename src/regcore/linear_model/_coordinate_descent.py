"""Elastic net, lasso and their paths by coordinate descent (NumPy in, NumPy out).

Objective (scikit-learn scaling)::

    1/(2 n) sum_i w_i (y_i - x_i . coef - b)^2
        + alpha * sum_j pf_j (l1_ratio |coef_j| + (1 - l1_ratio)/2 coef_j^2)

with sample weights ``w`` rescaled to sum to ``n``, penalty factors ``pf``
used as given (no rescaling, unlike glmnet), and the intercept ``b`` never
penalized. ``tol`` and the reported duality gaps are relative to
``||y - mean_w(y)||^2_w / (2 n)``.

The design is not centred in memory: the kernels centre implicitly through
the column means, so dense input is not copied unless it is C-ordered (copied
once to Fortran order, which makes column access contiguous) or weighted
(rows scaled by sqrt(w)); sparse input is never densified. Implicit centring
rounds badly when a column's mean is large against its spread (timestamps,
years, a large constant offset): then a dense design is centred in a copy, as
scikit-learn always does, and a sparse float32 design is solved in float64
(see ``MAX_IMPLICIT_OFFSET``).
"""

import numbers
import threading
import warnings
import weakref

import numpy as np

from .. import _kernels
from .._validation import (as_float_array, check_bool, check_finite, check_per_feature,
                           check_scalar, without_duplicates)
from ._result import ConvergenceWarning, FitResult, PathResult

__all__ = ["alpha_max", "enet_fit", "enet_path", "lasso_path"]

# An int ``alphas`` above this is refused: finer grids do not change a path
# visibly and only multiply the work.
MAX_N_ALPHAS = 10_000
# Covariance (Gram) updates need a p x p buffer; above this many features the
# design is used directly whatever ``precompute`` says in "auto" mode.
MAX_GRAM_FEATURES = 8_000
# First working set: up to twice this many KKT violators (fewer outer passes
# while the support is discovered; measured faster on 3 of 4 benchmark designs).
INITIAL_WS_HINT = 32
# Implicit centring reads Xs_j . r with r = y - Xs b: its rounding error
# grows with |mean_j| / std_j (the kernel re-centres r at every certificate,
# see _fold_offset in _cd_solver.pxi). Above this ratio, by dtype, a dense
# design is centred in a copy, a sparse float32 one is solved in float64 and
# a sparse float64 one is refused (the logistic solver uses the same table).
# Measured against independent float64 gaps (random problems, columns with
# means up to 1e7 times their spread): float32 certificates at tol 1e-6 held
# up to ratios of about 90 and came out 2-28x optimistic from 300 on; float64
# ones at tol 1e-12 held up to 3e4 and came out 10-400x optimistic from 1e5 on.
MAX_IMPLICIT_OFFSET = {np.dtype(np.float32): 30.0, np.dtype(np.float64): 1e4}
# Covariance (Gram) updates keep X^T y and the Gram in the kernels' dtype, which
# rounds at |mean_j| / std_j times the precision: above this ratio the design
# is used instead (measured: float32 certificates at tol 1e-6 came out 1.5x
# optimistic at ratio 29, float64 ones at 1e-12 2.3x at 9e3; both held at 9
# and 900).
MAX_GRAM_OFFSET = {np.dtype(np.float32): 10.0, np.dtype(np.float64): 1e3}
# float32 arithmetic resolves relative duality gaps to about this (measured
# against independent float64 gaps: at tol 1e-6 they held, at 1e-7 they came
# out up to 2x optimistic on centred data); a smaller tol is warned about.
FLOAT32_TOL_FLOOR = 1e-6
# The one-pass centred norm sq_j - n mean_j^2 has a relative rounding error of
# about eps (1 + mean_j^2 / var_j); above this mean_j^2 / var_j it is
# recomputed from the centred entries.
ONE_PASS_NORM_LIMIT = 1e4


def _is_sparse(X):
    return type(X).__module__.startswith("scipy.sparse")


class _Problem:
    """Validated, implicitly centred problem shared by all alphas of a path."""

    def __init__(self, X, y, *, fit_intercept, penalty_factor, sample_weight, check_input):
        self.sparse = _is_sparse(X)
        if self.sparse:
            X = self._check_sparse(X, check_input)
        else:
            X = as_float_array(X, "X", ensure_finite=False, allow_empty=True)
            if X.ndim != 2:
                raise ValueError(f"X must be 2-dimensional, got shape {X.shape}")
        self.dtype = X.dtype
        n, p = X.shape
        if n == 0 or p == 0:
            raise ValueError(f"X is empty (shape {X.shape}); at least one sample and one "
                             f"feature are needed")
        y = as_float_array(y, "y", dtype=self.dtype, ensure_finite=check_input,
                           allow_empty=True)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-dimensional, got shape {y.shape}")
        if y.shape[0] != n:
            raise ValueError(f"X has {n} samples but y has {y.shape[0]}")
        self.n, self.p = n, p
        self.fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self.weights = self._check_weights(sample_weight)
        self.pf = self._check_penalty_factor(penalty_factor)
        self.out_dtype = self.dtype  # of coefficients and intercepts returned
        self.x_shift = np.zeros(p)   # subtracted from X in a centred copy
        self._center(X, y)
        if check_input and not np.isfinite(self.sq_norms).all():
            check_finite(X.data if self.sparse else X, "X")  # names NaN or infinity
            raise ValueError("X has entries too large: their squares overflow float64")
        self._center_accurately(X, y)
        self._unpenalized()
        self.G = None

    # -- validation -----------------------------------------------------------------

    def _check_sparse(self, X, check_input):
        import scipy.sparse as sp

        if X.ndim != 2:
            raise ValueError(f"X must be 2-dimensional, got shape {X.shape}")
        if X.format not in ("csc", "csr"):
            X = X.tocsc()
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
        X = sp.csc_matrix(X, dtype=dtype)  # CSR -> CSC once; no copy when already CSC
        X = without_duplicates(X)
        if X.nnz > np.iinfo(np.int32).max:
            raise ValueError("sparse X has more than 2**31 - 1 stored entries; "
                             "regcore's CSC kernels use 32-bit indices")
        if check_input:
            check_finite(X.data, "X")
        return X

    def _check_weights(self, sample_weight):
        if sample_weight is None:
            return None
        w = as_float_array(sample_weight, "sample_weight", dtype=np.float64)
        if w.ndim != 1 or w.shape[0] != self.n:
            raise ValueError(f"sample_weight must have shape ({self.n},), got {w.shape}")
        if (w < 0).any():
            raise ValueError("sample_weight must be non-negative")
        with np.errstate(over="ignore"):
            total = w.sum()
        if total <= 0:
            raise ValueError("sample_weight must have a positive sum")
        if not np.isfinite(total):
            raise ValueError("sample_weight is too large: its sum overflows float64")
        return w * (self.n / total)

    def _check_penalty_factor(self, penalty_factor):
        if penalty_factor is None:
            return np.ones(self.p)
        return check_per_feature(penalty_factor, "penalty_factor", self.p, nonnegative=True)

    # -- centring ---------------------------------------------------------------------

    def _offset_ratio(self):
        """Largest |mean_j| / std_j over the non-constant columns (0 without intercept)."""
        live = self.norm2 > 0
        if not self.fit_intercept or not live.any():
            return 0.0
        return float(np.sqrt(np.max(self.n * self.x_offset[live] ** 2
                                    / self.norm2[live].astype(np.float64))))

    def _center_accurately(self, X, y):
        """Centre a dense X in a copy or solve a sparse float32 X in float64, when
        implicit centring would round too much (MAX_IMPLICIT_OFFSET)."""
        ratio = self._offset_ratio()
        if ratio <= MAX_IMPLICIT_OFFSET[self.dtype]:
            return
        if not self.sparse:
            shift = self.x_offset.astype(self.dtype)  # what is subtracted, exactly
            self.x_shift = shift.astype(np.float64)
            X = np.subtract(X, shift, order="F")
        elif self.dtype == np.float32:
            self.dtype = np.dtype(np.float64)
            X, y = X.astype(np.float64), np.asarray(y, dtype=np.float64)
            self._center(X, y)
            self._center_accurately(X, y)  # refused if float64 is not enough either
            return
        else:
            raise ValueError(
                f"a column of sparse X (or of a cross-validation fold's training rows) has "
                f"a mean {ratio:.3g} times its standard deviation; above "
                f"{MAX_IMPLICIT_OFFSET[self.dtype]:g} the implicit centring of a "
                f"sparse X cannot be made accurate: subtract that column's mean, pass X "
                f"dense, or use fit_intercept=False")
        self._center(X, y)


    def _center(self, X, y):
        n, dt = self.n, self.dtype
        w = self.weights
        sw = None if w is None else np.sqrt(w)
        if self.fit_intercept:
            self.y_offset = float(np.average(y, weights=w))
        else:
            self.y_offset = 0.0
        ys = (y - dt.type(self.y_offset)).astype(dt, copy=False)
        if sw is not None:
            ys = ys * sw.astype(dt)
        self.y = np.ascontiguousarray(ys, dtype=dt)
        self.yy = _sum_of_products(self.y, self.y)
        if self.sparse:
            Xs = X
            if sw is not None:
                Xs = X.copy()
                Xs.data = Xs.data * sw[Xs.indices].astype(dt)
            self.X = Xs
            self.data = np.ascontiguousarray(Xs.data, dtype=dt)
            self.indices = np.ascontiguousarray(Xs.indices, dtype=np.int32)
            self.indptr = np.ascontiguousarray(Xs.indptr, dtype=np.int32)
            self.layout = 1
        else:
            Xs = np.asfortranarray(X)
            if sw is not None:
                Xs = np.asfortranarray(Xs * sw[:, None].astype(dt))
            self.X = Xs
            self.data = Xs.reshape(-1, order="F")
            self.indices = self.indptr = np.zeros(0, dtype=np.int32)
            self.layout = 0
        # one pass: sum_i sqrt(w_i) Xs_ij = sum_i w_i x_ij, sum_i Xs_ij^2 and
        # Xs^T y, the gradient at coef = 0 (y is orthogonal to sqrt(w))
        sums, sq, xty = _kernels.column_stats(self.layout, self.data, self.indices,
                                              self.indptr, n, self.p,
                                              np.zeros(0) if sw is None else sw, self.y)
        self.sq_norms = sq
        self.grad_at_zero = xty.astype(dt)
        mean = sums / n
        if not self.fit_intercept:
            mean = np.zeros(self.p)
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf X is refused next
            norm2 = sq - n * mean**2
            inexact = n * mean**2 > ONE_PASS_NORM_LIMIT * np.abs(norm2)
            if inexact.any():
                cols = np.flatnonzero(inexact)
                norm2[cols], mean[cols] = centred_norms(Xs, cols, mean[cols], sw)
            # A column whose centred entries are rounding noise (std / |mean|
            # below 4 eps) is constant: coef 0.
            norm2[norm2 <= (4 * np.finfo(np.float64).eps) ** 2 * sq] = 0.0
        self.x_offset = mean  # of the design as stored
        self.x_mean = mean + self.x_shift  # of X as given
        self.norm2 = norm2.astype(dt)
        self.colnorm = np.sqrt(self.norm2.astype(np.float64))  # for screening bounds
        self.mu = mean.astype(dt)
        self.sqrt_w = np.zeros(0, dtype=dt) if sw is None else sw.astype(dt)

    def _centring_vector(self):
        """v = sqrt(w) (ones unweighted), in float64: Xc = Xs - v mu^T."""
        return np.ones(self.n) if self.weights is None else np.sqrt(self.weights)

    def _centered_columns(self, cols):
        """Dense Xc[:, cols] (n x len(cols)) in float64."""
        if self.sparse:
            block = self.X[:, cols].toarray().astype(np.float64)
        else:
            block = np.asarray(self.X[:, cols], dtype=np.float64)
        return block - np.outer(self._centring_vector(), self.x_offset[cols])

    def _gram_times(self, v):
        """Xc^T Xc v in float64, without forming Xc (Xc = Xs - c mu^T, c the
        centring vector)."""
        c = self._centring_vector()
        u = np.asarray(self.X @ v, dtype=np.float64) - c * (self.x_offset @ v)
        return self._xs_t_dot(u[:, None]).ravel() - self.x_offset * (c @ u)

    def _xs_t_dot(self, M):
        """Xs^T @ M for a dense (n, k) M, in float64."""
        return np.asarray(self.X.T @ M, dtype=np.float64)

    def _unpenalized(self):
        U = np.flatnonzero((self.pf == 0) & (self.norm2 > 0)).astype(np.int32)
        self.U = U
        dt = self.dtype
        if U.size == 0:
            self.GU = np.zeros((0, 0), dtype=dt, order="F")
            self.Ginv = np.zeros((0, 0), order="F")
            self.XtyU = np.zeros(0)
            return
        XcU = self._centered_columns(U)
        GU = self._xs_t_dot(XcU)  # = Xc^T XcU because v^T XcU = 0
        self.GU = np.asfortranarray(GU, dtype=dt)
        self.Ginv = np.asfortranarray(np.linalg.pinv(GU[U], hermitian=True))
        self.XtyU = XcU.T @ self.y.astype(np.float64)

    # -- covariance mode --------------------------------------------------------------

    def use_covariance(self, precompute, n_alphas):
        """Decide covariance updates and prepare (lazily or fully) the Gram buffer."""
        if isinstance(precompute, np.ndarray):
            self._set_gram(self._check_gram(precompute), cached=True)
            return True
        if precompute == "auto":
            # One alpha touches few columns: the design is cheaper than any Gram.
            use = n_alphas > 1 and self.n > self.p and self.p <= MAX_GRAM_FEATURES
            full = use and not self.sparse
        elif precompute is True or precompute is False:
            use, full = precompute, precompute
        elif precompute == "lazy":
            use, full = True, False
        else:
            raise ValueError(f"precompute must be 'auto', 'lazy', True, False or a Gram "
                             f"matrix, got {precompute!r}")
        if not use or self._offset_ratio() > MAX_GRAM_OFFSET[self.dtype]:
            return False
        if self.G is None:
            if full:
                self._set_gram(self._full_gram(), cached=True)
            else:
                self._set_gram(np.zeros((self.p, self.p), dtype=self.dtype, order="F"),
                               cached=False)
        return True

    def _check_gram(self, G):
        """A user's Gram matrix, checked against X (the certificate rests on it).

        It must be Xc^T Xc for the centred, sqrt(weight)-scaled design: its
        diagonal is compared with the column norms and its product with a
        random vector with Xc^T (Xc v). scikit-learn's convention, the Gram
        of the uncentred X, is accepted with a warning and centred.
        """
        G = as_float_array(G, "precompute", dtype=self.dtype)
        if G.shape != (self.p, self.p):
            raise ValueError(f"precompute must be a ({self.p}, {self.p}) Gram matrix, "
                             f"got shape {G.shape}")
        rtol = 1e-4 if self.dtype == np.float32 else 1e-8
        # entries are compared at the largest uncentred squared norm, the size
        # of the rounding of a Gram computed by updates (cross-validation
        # folds downdate one; a column constant in a fold is 0 up to it)
        uncentred = self.norm2.astype(np.float64) + self.n * self.x_mean**2
        scale = max(float(uncentred.max()), np.finfo(np.float64).tiny)
        if not _close(G, G.T, rtol, scale):
            raise ValueError("precompute must be a symmetric Gram matrix")
        diag = np.diag(G).astype(np.float64)
        if self.fit_intercept and _close(diag, uncentred, rtol, scale) \
                and not _close(diag, self.norm2, rtol, scale):
            warnings.warn("precompute is the Gram matrix of the uncentred X; centring it "
                          "(fit_intercept=True)", UserWarning, stacklevel=4)
            G = G - (self.n * np.outer(self.x_mean, self.x_mean)).astype(self.dtype)
            diag = np.diag(G).astype(np.float64)
        # The certificate is computed from G, so every entry must be right: one
        # product with a fixed random v checks them all (an error e in G_ij
        # moves (G v)_i by e v_j), at the cost of two passes over X.
        v = np.random.default_rng(0).standard_normal(self.p)
        if not (_close(diag, self.norm2, rtol, scale)
                and _close(G @ v, self._gram_times(v), rtol, scale * np.abs(v).sum())):
            raise ValueError("precompute does not match X: it must be the Gram matrix "
                             "Xc^T Xc of the centred (and sqrt(sample_weight)-scaled) "
                             "design; pass precompute=True to have it computed")
        return np.asfortranarray(G)

    def _full_gram(self):
        if self.sparse:  # in float64: the centring subtracts n mu mu^T
            X = self.X.astype(np.float64)
            G = (X.T @ X).toarray()
            G -= self.n * np.outer(self.x_offset, self.x_offset)
            return np.asfortranarray(G, dtype=self.dtype)
        # Fortran-ordered like X, and without an n x p outer product when unweighted:
        # 5000 x 500, 17.9 instead of 27.4 ms with the BLAS product included
        shift = self.mu if self.weights is None else \
            np.outer(self._centring_vector().astype(self.dtype), self.mu)
        Xc = np.subtract(self.X, shift, order="F")
        return np.asfortranarray(Xc.T @ Xc)

    def _set_gram(self, G, cached):
        self.G = G
        self.cached = np.full(self.p, 1 if cached else 0, dtype=np.uint8)
        self.Xty = np.ascontiguousarray(self._xs_t_dot(self.y[:, None]).ravel(),
                                        dtype=self.dtype)

    # -- solving --------------------------------------------------------------------

    def solve(self, coef, alpha, l1_ratio, *, positive, tol, max_iter, covariance,
              screen=True, anderson=True, grad=None):
        """Run the kernel at one alpha from ``coef`` (updated in place).

        ``grad``: a buffer kept along a path; when given and not None it holds
        Xc^T R at ``coef`` from the previous alpha (``grad[0]`` is the buffer,
        ``grad[1]`` says whether it is valid) and is refreshed on return.
        """
        if self.yy == 0:
            coef[:] = 0
            return 0.0, 0
        lam1, lam2 = self._penalties(alpha, l1_ratio)
        dt = self.dtype
        empty = np.zeros(0, dtype=dt)
        # the design goes along in covariance mode even once every Gram column
        # is cached: a stalled solve tests its support's columns for a null
        # direction on it (the kernel's _drop_along_null)
        if covariance:
            G, cached, Xty = self.G, self.cached, self.Xty
        else:
            G, cached, Xty = np.zeros((0, 0), dtype=dt, order="F"), \
                np.zeros(0, dtype=np.uint8), empty
        if grad is None:
            buf, valid = np.zeros(self.p, dtype=dt), False
        else:
            buf, valid = grad
        carry = valid  # the previous alpha of this path left the kernel's state
        if not valid and not coef.any():  # the gradient at zero came with the stats
            buf[:] = self.grad_at_zero
            valid = True
        _, gap, n_iter, _ = _kernels.enet_cd(
            coef, self.layout, self.data, self.indices, self.indptr, self.n, self.y, self.mu,
            self.fit_intercept, self.sqrt_w, self.norm2, self.colnorm, lam1, lam2,
            bool(positive), bool(covariance), G, cached, Xty,
            self.yy, self.U, self.GU, self.Ginv, self.XtyU, tol * self.yy / 2,
            int(max_iter), buf, valid, INITIAL_WS_HINT, bool(screen), bool(anderson),
            self._workspace(covariance), carry)
        if grad is not None:
            grad[1] = True
        return 2 * gap / self.yy, int(n_iter)

    def _penalties(self, alpha, l1_ratio):
        """Per-feature lam1 = n alpha l1_ratio pf and lam2 = n alpha (1 - l1_ratio) pf.

        The buffers are reused along a path (fresh p-sized arrays cost page
        faults on wide designs), and an all-zero lam2 is not rewritten.
        """
        lam1, lam2, zero = self.__dict__.setdefault(
            "_lams", [np.empty(self.p), np.empty(self.p), False])
        np.multiply(self.pf, self.n * alpha * l1_ratio, out=lam1)
        if not (zero and l1_ratio == 1):
            np.multiply(self.pf, self.n * alpha * (1.0 - l1_ratio), out=lam2)
            self._lams[2] = l1_ratio == 1
        return lam1, lam2

    def _workspace(self, covariance):
        """Kernel work buffers, one set per problem and mode.

        One per mode: their path state (residual, screening) carries over
        from one alpha to the next. They come from the spare sets of earlier
        problems of the same shapes when there is one, and go back there
        when this problem is released.
        """
        cache = self.__dict__.setdefault("_workspaces", {})
        mode = bool(covariance)
        if mode not in cache:
            key = (self.n, self.p, self.U.size, mode, self.layout, self.dtype)
            cache[mode] = _take_workspace(key)
            weakref.finalize(self, _spare_workspace, key, cache[mode])
        return cache[mode]

    def intercept(self, coef):
        if not self.fit_intercept:
            return 0.0
        return float(self.y_offset - _sum_of_products(self.x_mean, coef))

    def alpha_max(self, l1_ratio, positive=False):
        """Smallest alpha whose solution is all zero (penalized features); with
        ``positive`` only positive correlations count."""
        penalized = self.pf > 0
        if not penalized.any():
            raise ValueError("penalty_factor is zero for every feature: no feature is "
                             "penalized, so alpha_max is undefined")
        if l1_ratio <= 0:
            raise ValueError("alpha_max is infinite for l1_ratio=0 (pure ridge); pass an "
                             "explicit array of alphas")
        R = self.y.astype(np.float64)
        if self.U.size:
            XcU = self._centered_columns(self.U)
            R = R - XcU @ (self.Ginv @ (XcU.T @ R))
        # Xc^T R = Xs^T R - mu (v . R) with v = sqrt(w); v . R is 0 up to the
        # rounding of y's centring, which large column means would amplify
        v_dot_R = float(self._centring_vector() @ R)
        grad = self._xs_t_dot(R[:, None]).ravel() - self.x_offset * v_dot_R
        grad = np.maximum(grad, 0.0) if positive else np.abs(grad)
        grad[self.norm2 == 0] = 0.0
        return float(np.max(grad[penalized] / (self.n * l1_ratio * self.pf[penalized])))


# Kernel workspaces of finished problems, by shapes, mode and dtype: a fit
# reuses one instead of allocating about 25 n + 25 p values, whose fresh
# pages cost about 0.4 ms on a 5000 x 500 design (a tenth of a fit at
# alpha_max / 10). The newest are kept, _SPARE_BYTES in all at most.
_SPARE = {}
# Folds finish in parallel threads. The lock is only ever tried: the
# collector may run a finalizer (_spare_workspace) inside a locked block of
# the same thread, where waiting would deadlock; a busy table just means one
# allocation, or one workspace not kept.
_SPARE_LOCK = threading.Lock()
_SPARE_BYTES = 64 << 20


def _take_workspace(key):
    """A spare workspace for ``key`` (n, p, k, covariance, layout, dtype), or
    a new one (a workspace holds nothing of its problem: see cd_workspace)."""
    ws = None
    if _SPARE_LOCK.acquire(blocking=False):
        try:
            ws, _ = _SPARE.pop(key, (None, 0))
        finally:
            _SPARE_LOCK.release()
    return _kernels.cd_workspace(*key) if ws is None else ws


def _spare_workspace(key, ws):
    """Keep ``ws`` for the next problem of the same shapes (called when its
    problem is garbage collected), dropping the oldest spares beyond
    _SPARE_BYTES."""
    size = sum(a.nbytes for a in ws.values())
    if size > _SPARE_BYTES:
        return
    if not _SPARE_LOCK.acquire(blocking=False):
        return
    try:
        _SPARE.pop(key, None)
        _SPARE[key] = (ws, size)  # the newest last
        total = sum(nbytes for _, nbytes in _SPARE.values())
        while total > _SPARE_BYTES:
            total -= _SPARE.pop(next(iter(_SPARE)))[1]
    finally:
        _SPARE_LOCK.release()


def centred_norms(X, cols, means, sqrt_w=None):
    """Centred squared norms ||X_j - v m_j||^2 and means m_j of the columns
    ``cols`` of a dense or CSC X (v = sqrt_w, ones when None; the weights sum
    to n), from d = X_j - v means_j with the one-pass means given: the
    corrected two-pass formula ||d||^2 - (v . d)^2 / n and m_j = means_j +
    (v . d) / n. A constant column gives 0, not the rounding of its mean."""
    n = X.shape[0]
    v = np.ones(n) if sqrt_w is None else np.asarray(sqrt_w, dtype=np.float64)
    s1, s2 = np.empty(cols.size), np.empty(cols.size)
    if isinstance(X, np.ndarray):
        for start in range(0, cols.size, 256):  # bounded float64 temporaries
            c = slice(start, start + 256)
            d = np.asarray(X[:, cols[c]], dtype=np.float64) - np.outer(v, means[c])
            s1[c] = v @ d
            s2[c] = np.einsum("ij,ij->j", d, d)
    else:
        for k, j in enumerate(cols):
            rows = X.indices[X.indptr[j]:X.indptr[j + 1]]
            d = X.data[X.indptr[j]:X.indptr[j + 1]].astype(np.float64) - v[rows] * means[k]
            # the unstored entries are -v_i means_j, with sum of v_i^2 = w_un
            # (summed over those rows: n - v[rows] . v[rows] would leave the
            # rounding of n where every row is stored)
            unstored = np.ones(n, dtype=bool)
            unstored[rows] = False
            w_un = float(v[unstored] @ v[unstored])
            s1[k] = v[rows] @ d - means[k] * w_un
            s2[k] = d @ d + w_un * means[k] ** 2
    return np.maximum(s2 - s1 * s1 / n, 0.0), means + s1 / n


def _close(a, b, rtol, scale):
    """|a - b| <= rtol * scale, elementwise."""
    return bool(np.all(np.abs(np.asarray(a, np.float64) - b) <= rtol * scale))


def _sum_of_products(a, b):
    """sum(a * b) in float64 without BLAS (whose idle threads spin on a busy machine)."""
    return float(np.einsum("i,i->", a, b, dtype=np.float64))


def _warn_if_tol_below_float32(problem, tol):
    if problem.dtype == np.float32 and 0 < tol < FLOAT32_TOL_FLOOR:
        warnings.warn(f"tol={tol:g} is below what float32 arithmetic certifies (about "
                      f"{FLOAT32_TOL_FLOOR:g}): a duality gap reported below it may be "
                      f"optimistic; pass float64 data for tighter certificates",
                      UserWarning, stacklevel=3)


def _check_common(l1_ratio, tol, max_iter, positive, check_input):
    check_bool(positive, "positive")
    check_bool(check_input, "check_input")
    l1_ratio = check_scalar(l1_ratio, "l1_ratio", lo=0.0, hi=1.0)
    tol = check_scalar(tol, "tol", lo=0.0)
    max_iter = check_scalar(max_iter, "max_iter", lo=1, integer=True)
    return l1_ratio, tol, max_iter


def _check_coef_init(coef_init, problem, positive):
    if coef_init is None:
        return np.zeros(problem.p, dtype=problem.dtype)
    coef = check_per_feature(coef_init, "coef_init", problem.p, dtype=problem.dtype)
    if positive and (coef[problem.pf > 0] < 0).any():  # unpenalized features stay free
        raise ValueError("coef_init has negative entries on penalized features but "
                         "positive=True")
    coef[problem.norm2 == 0] = 0  # constant columns carry no information
    return coef


def _alpha_grid(alphas, eps, problem, l1_ratio, positive):
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        n_alphas = check_scalar(alphas, "alphas", lo=1, hi=MAX_N_ALPHAS, integer=True)
        eps = check_scalar(eps, "eps", lo=0.0, hi=1.0, lo_open=True)
        top = problem.alpha_max(l1_ratio, positive)
        if top == 0:  # X^T y = 0: coef = 0 for every alpha; any grid will do
            top = 1.0
        return top * np.logspace(0, np.log10(eps), n_alphas)
    grid = as_float_array(alphas, "alphas", dtype=np.float64)
    if grid.ndim != 1:
        raise ValueError(f"alphas must be an int or a 1-D array, got shape {grid.shape}")
    if grid.shape[0] > MAX_N_ALPHAS:
        raise ValueError(f"alphas has {grid.shape[0]} values; at most {MAX_N_ALPHAS} "
                         f"are accepted")
    if (grid <= 0).any():
        raise ValueError("alphas must be positive (alpha=0 is unregularized least "
                         "squares: use an ordinary solver)")
    return np.sort(grid)[::-1].copy()


def enet_path(X, y, *, l1_ratio=0.5, alphas=100, eps=1e-3, tol=1e-4, max_iter=1000,
              fit_intercept=True, positive=False, penalty_factor=None, sample_weight=None,
              coef_init=None, precompute="auto", check_input=True, _screen=True,
              _anderson=True):
    """Elastic-net regularization path by working-set coordinate descent.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        Design. Dense input is best Fortran-ordered (C order is copied once);
        CSR is converted to CSC once; sparse input is never densified.
        float32 input is solved in float32; other dtypes become float64.
    y : array_like of shape (n_samples,)
        Target, converted to the dtype of X.
    l1_ratio : float in [0, 1], default 0.5
        Mix of l1 and l2 penalties; 1 is the lasso, 0 ridge (then ``alphas``
        must be explicit: alpha_max is infinite).
    alphas : int or array_like, default 100
        Number of alphas on a log grid from :func:`alpha_max` down to
        ``eps * alpha_max`` (at most 10000), or explicit positive alphas (sorted
        decreasing).
    eps : float in (0, 1], default 1e-3
        Ratio of the smallest to the largest alpha of the grid.
    tol : float, default 1e-4
        Stop when the duality gap, relative to ``||y - mean_w(y)||^2_w / (2 n)``,
        is at most ``tol``.
    max_iter : int, default 1000
        Maximum coordinate-descent epochs (passes over the working set) per alpha.
    fit_intercept : bool, default True
        Fit an unpenalized intercept (by implicit centring).
    positive : bool, default False
        Constrain the penalized coefficients to be non-negative (unpenalized
        features, ``penalty_factor == 0``, stay free).
    penalty_factor : array_like of shape (n_features,), optional
        Per-feature multiplier of alpha (glmnet's), used as given: no
        rescaling. 0 leaves a feature unpenalized (keep such features few:
        the certificate projects on their span).
    sample_weight : array_like of shape (n_samples,), optional
        Non-negative weights, rescaled to sum to n_samples.
    coef_init : array_like of shape (n_features,), optional
        Starting point for the first alpha (then warm starts along the path).
    precompute : {"auto", "lazy", True, False} or ndarray, default "auto"
        Covariance (Gram) updates instead of residual updates. "auto" uses
        them for paths with n_samples > n_features (a full Gram by BLAS for
        dense X, lazily cached columns for sparse X) and never for a single
        alpha, where the design is cheaper; "lazy" computes a Gram column the
        first time its feature moves; True computes the full Gram (the three
        use the design instead when a column's mean exceeds ``MAX_GRAM_OFFSET``
        times its standard deviation, where the Gram would round); an ndarray
        is taken as the Gram matrix of the centred, weighted design, checked
        against X (its diagonal and its product with a random vector, so
        any wrong entry is caught): scikit-learn's uncentred
        ``X.T @ X`` is centred with a warning, a matrix that does not match
        is refused.
    check_input : bool, default True
        Check X and y for NaN/inf (shapes and ranges are always checked).

    Returns
    -------
    PathResult
        Unpacks as ``(alphas, coefs, dual_gaps)`` with coefs of shape
        (n_features, n_alphas); also ``.intercepts`` and ``.n_iters``.

    Notes
    -----
    A constant (after weighting) column gets coefficient 0. A
    :class:`ConvergenceWarning` is emitted when some alpha stops at max_iter
    with a gap above ``tol``. A column whose mean is large against its
    spread (a timestamp, a year) makes implicit centring round badly: a
    dense X is then centred in a copy and a sparse float32 X solved in
    float64; a sparse float64 X whose means exceed 1e4 times their standard
    deviation is refused (``MAX_IMPLICIT_OFFSET``). float32 certificates are
    reliable down to ``tol`` of about 1e-6 (``FLOAT32_TOL_FLOOR``): a smaller
    ``tol`` on float32 data gets a warning.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore import enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 10)); y = X[:, 0] + 0.1 * rng.standard_normal(50)
    >>> alphas, coefs, gaps = enet_path(X, y, l1_ratio=0.9, alphas=5)
    >>> coefs.shape
    (10, 5)
    """
    l1_ratio, tol, max_iter = _check_common(l1_ratio, tol, max_iter, positive,
                                            check_input)
    problem = _Problem(X, y, fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                       sample_weight=sample_weight, check_input=check_input)
    _warn_if_tol_below_float32(problem, tol)
    grid = _alpha_grid(alphas, eps, problem, l1_ratio, positive)
    coef = _check_coef_init(coef_init, problem, positive)
    covariance = problem.use_covariance(precompute, grid.shape[0])
    coefs = np.empty((problem.p, grid.shape[0]), dtype=problem.out_dtype, order="F")
    gaps = np.empty(grid.shape[0])
    intercepts = np.empty(grid.shape[0])  # float64: one of 1e5 rounds by 0.01 in float32
    n_iters = np.empty(grid.shape[0], dtype=np.int64)
    grad = [np.zeros(problem.p, dtype=problem.dtype), False]  # reused between alphas
    for i, alpha in enumerate(grid):
        gaps[i], n_iters[i] = problem.solve(coef, alpha, l1_ratio, positive=positive,
                                            tol=tol, max_iter=max_iter,
                                            covariance=covariance, screen=_screen,
                                            anderson=_anderson, grad=grad)
        coefs[:, i] = coef
        intercepts[i] = problem.intercept(coef)
    failed = gaps > tol
    if failed.any():
        worst = int(np.argmax(gaps))
        warnings.warn(
            f"Coordinate descent did not converge for {int(failed.sum())} of "
            f"{grid.shape[0]} alphas: duality gap {gaps[worst]:.3g} > tol {tol:.3g} at "
            f"alpha={grid[worst]:.4g} after {max_iter} epochs. Increase max_iter or tol.",
            ConvergenceWarning, stacklevel=2)
    return PathResult(grid.astype(problem.out_dtype), coefs, gaps, intercepts, n_iters)


def lasso_path(X, y, *, alphas=100, eps=1e-3, tol=1e-4, max_iter=1000, fit_intercept=True,
               positive=False, penalty_factor=None, sample_weight=None, coef_init=None,
               precompute="auto", check_input=True):
    """Lasso regularization path: :func:`enet_path` with ``l1_ratio=1``.

    See :func:`enet_path` for the parameters and the returned
    :class:`PathResult` ``(alphas, coefs, dual_gaps)``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore import lasso_path
    >>> X = np.eye(3); y = np.array([3.0, -1.0, 0.5])
    >>> alphas, coefs, gaps = lasso_path(X, y, alphas=[0.1], fit_intercept=False)
    >>> np.round(coefs[:, 0], 6)          # exact soft-thresholding: y_j - 3 * 0.1
    array([ 2.7, -0.7,  0.2])
    """
    return enet_path(X, y, l1_ratio=1.0, alphas=alphas, eps=eps, tol=tol, max_iter=max_iter,
                     fit_intercept=fit_intercept, positive=positive,
                     penalty_factor=penalty_factor, sample_weight=sample_weight,
                     coef_init=coef_init, precompute=precompute, check_input=check_input)


def enet_fit(X, y, *, alpha, l1_ratio=0.5, tol=1e-4, max_iter=1000, fit_intercept=True,
             positive=False, penalty_factor=None, sample_weight=None, coef_init=None,
             precompute="auto", check_input=True, _screen=True, _anderson=True):
    """Elastic net at a single alpha.

    Parameters are those of :func:`enet_path` with one positive ``alpha``
    (``precompute="auto"`` uses lazily cached Gram columns when n_samples >
    n_features).

    Returns
    -------
    FitResult
        ``coef``, ``intercept``, ``dual_gap`` (relative), ``n_iter`` (epochs),
        ``converged``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.linear_model import enet_fit
    >>> X = np.eye(3); y = np.array([3.0, -1.0, 0.5])
    >>> fit = enet_fit(X, y, alpha=0.1, l1_ratio=1.0, fit_intercept=False, tol=1e-10)
    >>> np.round(fit.coef, 6)
    array([ 2.7, -0.7,  0.2])
    """
    l1_ratio, tol, max_iter = _check_common(l1_ratio, tol, max_iter, positive,
                                            check_input)
    alpha = check_scalar(alpha, "alpha", lo=0.0, lo_open=True)
    problem = _Problem(X, y, fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                       sample_weight=sample_weight, check_input=check_input)
    _warn_if_tol_below_float32(problem, tol)
    coef = _check_coef_init(coef_init, problem, positive)
    covariance = problem.use_covariance(precompute, 1)
    gap, n_iter = problem.solve(coef, alpha, l1_ratio, positive=positive, tol=tol,
                                max_iter=max_iter, covariance=covariance, screen=_screen,
                                anderson=_anderson)
    converged = gap <= tol
    if not converged:
        warnings.warn(
            f"Coordinate descent did not converge: duality gap {gap:.3g} > tol {tol:.3g} "
            f"after {n_iter} epochs (alpha={alpha:.4g}). Increase max_iter or tol.",
            ConvergenceWarning, stacklevel=2)
    return FitResult(coef.astype(problem.out_dtype, copy=False), problem.intercept(coef), gap,
                     n_iter, bool(converged))


def alpha_max(X, y, *, l1_ratio=1.0, fit_intercept=True, penalty_factor=None,
              sample_weight=None, positive=False):
    """Smallest alpha for which every penalized coefficient is zero.

    ``max_j |Xc_j . R0| / (n * l1_ratio * pf_j)`` over penalized features,
    where ``R0`` is the (weighted, centred) target with the unpenalized
    features already fitted by least squares. With ``positive=True`` only
    positive correlations count: ``max_j max(Xc_j . R0, 0) / (...)`` (0 when
    no feature correlates positively: every alpha then gives coef 0).

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.linear_model import alpha_max
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]); y = np.array([1.0, 2.0, 0.0])
    >>> round(alpha_max(X, y), 6)
    0.333333
    """
    l1_ratio = check_scalar(l1_ratio, "l1_ratio", lo=0.0, hi=1.0)
    problem = _Problem(X, y, fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                       sample_weight=sample_weight, check_input=True)
    return problem.alpha_max(l1_ratio, positive)
