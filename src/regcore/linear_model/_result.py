"""Result objects and the warning of the least-squares coordinate descent."""

import numpy as np

__all__ = ["ConvergenceWarning", "FitResult", "PathResult"]


class ConvergenceWarning(UserWarning):
    """A solver stopped (``max_iter`` reached) before its duality gap met ``tol``."""


class PathResult(tuple):
    """Regularization path: unpacks as ``(alphas, coefs, dual_gaps)`` like scikit-learn.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Penalty strengths, in decreasing order.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients, one column per alpha.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gaps relative to ``||y - mean_w(y)||^2_w / (2 n)``.
    intercepts : ndarray of shape (n_alphas,)
        Intercepts (zeros when ``fit_intercept=False``), float64 whatever the
        dtype of X: a float32 intercept of 1e5 would round by 0.01.
    n_iters : ndarray of shape (n_alphas,)
        Coordinate-descent epochs spent at each alpha.
    """

    def __new__(cls, alphas, coefs, dual_gaps, intercepts, n_iters):
        self = super().__new__(cls, (alphas, coefs, dual_gaps))
        self.intercepts = intercepts
        self.n_iters = n_iters
        return self

    def __getnewargs__(self):
        # pickle and copy rebuild the object through __new__ with every field
        return (*self, self.intercepts, self.n_iters)

    @property
    def alphas(self):
        return self[0]

    @property
    def coefs(self):
        return self[1]

    @property
    def dual_gaps(self):
        return self[2]

    def __repr__(self):
        return (f"PathResult(n_alphas={self.alphas.shape[0]}, "
                f"n_features={self.coefs.shape[0]}, dtype={self.coefs.dtype})")


class FitResult:
    """Single elastic-net fit.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
    intercept : float
    dual_gap : float
        Duality gap relative to ``||y - mean_w(y)||^2_w / (2 n)``; an upper
        bound on the relative objective suboptimality in those units.
    n_iter : int
        Coordinate-descent epochs (passes over the working set).
    converged : bool
        ``dual_gap <= tol``.
    """

    __slots__ = ("coef", "intercept", "dual_gap", "n_iter", "converged")

    def __init__(self, coef, intercept, dual_gap, n_iter, converged):
        self.coef = coef
        self.intercept = intercept
        self.dual_gap = dual_gap
        self.n_iter = n_iter
        self.converged = converged

    def __iter__(self):
        return iter((self.coef, self.intercept, self.dual_gap, self.n_iter, self.converged))

    def __repr__(self):
        nnz = int(np.count_nonzero(self.coef))
        return (f"FitResult(nnz={nnz}/{self.coef.shape[0]}, intercept={self.intercept:.6g}, "
                f"dual_gap={self.dual_gap:.3g}, n_iter={self.n_iter}, "
                f"converged={self.converged})")
