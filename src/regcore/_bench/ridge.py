"""Cross-validated ridge and lasso: regcore against scikit-learn and NumPy.

Rows (median wall time of repeats, measured side by side in one process, the
contenders of a row timed in turn, round after round):

- RidgeCV, closed-form leave-one-out over 50 alphas, on 5000 x 500 and
  500 x 5000: regcore's ``RidgeCV`` / scikit-learn's, both estimators (each
  fit validates, scores every alpha and refits the chosen one). Both compute
  exact LOO errors, so accuracy is equal (the selected alphas are checked to
  agree).
- The same with 10 targets sharing one alpha (scikit-learn's default
  ``alpha_per_target=False``): regcore's ``RidgeCV`` / scikit-learn's.
- ridge_path over the same 50 alphas: regcore / the NumPy reference (thin SVD).
- LassoCV, 5 folds x 100 alphas, on a correlated Toeplitz design (rho 0.6,
  20 true features, SNR 3): regcore / scikit-learn ``LassoCV``, both at their
  default ``tol`` (whose meanings differ). The accuracy column gives each
  library's largest relative deviation of the CV curve ``mse_path_`` from a
  tight reference (regcore at tol=1e-12), so the speed ratio can be read at
  the accuracy actually delivered; "same alpha_" says whether both pick it.
"""

import warnings

import numpy as np

from ._harness import Table, machine_description, round_robin_medians

RIDGE_ALPHAS = np.logspace(-2, 4, 50)


def toeplitz_problem(n, p, *, rho=0.6, n_informative=20, snr=3.0, seed=0):
    """Gaussian design with corr(x_i, x_j) = rho^|i-j| and a sparse signal at given SNR."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    scale = np.sqrt(1 - rho * rho)
    for j in range(1, p):  # AR(1) across columns gives the Toeplitz correlation
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n)
    coef = np.zeros(p)
    support = rng.choice(p, size=min(n_informative, p), replace=False)
    coef[support] = rng.choice([-1.0, 1.0], size=support.size) * rng.uniform(0.5, 2, support.size)
    signal = X @ coef
    noise = rng.standard_normal(n) * np.std(signal) / snr
    return X, signal + noise


def _ridgecv_rows(shapes, repeats, table):
    from sklearn.linear_model import RidgeCV

    from .. import _reference
    from ..linear_model import ridge_path
    from ..sklearn import RidgeCV as RegcoreRidgeCV

    rows = []
    for n, p in shapes:
        X, y = toeplitz_problem(n, p, seed=1)
        X = np.ascontiguousarray(X)
        for task, target in (("RidgeCV LOO, 50 alphas", y),
                             ("RidgeCV LOO, 10 targets", _targets(X, y, 10))):
            rows.append(_ridgecv_row(table, task, RegcoreRidgeCV, RidgeCV, X, target, repeats))
        t = round_robin_medians({"ours": lambda: ridge_path(X, y, RIDGE_ALPHAS),
                                 "numpy": lambda: _reference.ridge_path(X, y, RIDGE_ALPHAS)},
                                repeats)
        rows.append(_row(table, "ridge_path, 50 alphas", f"{n}x{p}", "NumPy SVD",
                         t["ours"], t["numpy"], ""))
    return rows


def _ridgecv_row(table, task, ours, theirs, X, y, repeats):
    """One row: regcore's RidgeCV estimator against scikit-learn's on (X, y).

    Parameters
    ----------
    table : Table
        Where the row is printed.
    task : str
        The row's label.
    ours, theirs : type
        regcore's and scikit-learn's ``RidgeCV`` classes, both fitted with
        ``alphas=RIDGE_ALPHAS``.
    X, y : ndarray
        The design and the target(s).
    repeats : int
        Rounds of the interleaved timing.

    Returns
    -------
    dict
        The row (see :func:`_row`); its note says whether both chose the same alpha.
    """
    same = bool(ours(alphas=RIDGE_ALPHAS).fit(X, y).alpha_
                == theirs(alphas=RIDGE_ALPHAS).fit(X, y).alpha_)
    t = round_robin_medians({"ours": lambda: ours(alphas=RIDGE_ALPHAS).fit(X, y),
                             "theirs": lambda: theirs(alphas=RIDGE_ALPHAS).fit(X, y)}, repeats)
    n, p = X.shape
    return _row(table, task, f"{n}x{p}", "scikit-learn", t["ours"], t["theirs"],
                f"same alpha_: {same}")


def _targets(X, y, k, seed=3):
    """y and k - 1 more targets: other sparse signals of X plus noise."""
    rng = np.random.default_rng(seed)
    coef = rng.standard_normal((X.shape[1], k - 1)) * (rng.random((X.shape[1], k - 1)) < 0.05)
    signal = X @ coef
    return np.column_stack([y, signal + rng.standard_normal(signal.shape) * signal.std()])


def _lassocv_rows(shapes, repeats, table):
    from sklearn.linear_model import LassoCV as SkLassoCV
    from sklearn.model_selection import KFold

    from ..sklearn import LassoCV

    rows = []
    for n, p in shapes:
        X, y = toeplitz_problem(n, p, seed=2)
        folds = KFold(5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn may not converge on some alphas
            exact = LassoCV(cv=folds, tol=1e-12, max_iter=100000).fit(X, y)
            ours = LassoCV(cv=folds).fit(X, y)
            theirs = SkLassoCV(cv=folds).fit(X, y)
            t = round_robin_medians({"ours": lambda: LassoCV(cv=folds).fit(X, y),
                                     "theirs": lambda: SkLassoCV(cv=folds).fit(X, y)}, repeats)
            t_ours, t_sk = t["ours"], t["theirs"]
        dev_ours = _curve_deviation(ours.mse_path_, exact.mse_path_)
        dev_sk = _curve_deviation(theirs.mse_path_, exact.mse_path_)
        same_sk = bool(np.isclose(theirs.alpha_, exact.alpha_))
        note = (f"mse_path dev {dev_ours:.1e} vs {dev_sk:.1e}; same alpha_: "
                f"{ours.alpha_ == exact.alpha_} vs {same_sk}")
        rows.append(_row(table, "LassoCV 5 folds x 100 alphas", f"{n}x{p}", "scikit-learn",
                         t_ours, t_sk, note))
    return rows


def _curve_deviation(curve, exact):
    return float(np.max(np.abs(curve - exact) / exact))


def _row(table, task, shape, competitor, t_ours, t_other, note):
    ratio = t_ours / t_other
    table.add(task, shape, competitor, t_ours, t_other, ratio, note)
    return dict(task=task, shape=shape, competitor=competitor, regcore_s=t_ours,
                competitor_s=t_other, ratio=ratio, note=note)


def run(quick=False, table=None):
    """Run the rows and return them as dicts (ratio = regcore time / competitor time).

    ``quick`` uses smaller problems and fewer repeats (about 10-15 s).
    """
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("scikit-learn is not installed: nothing to compare with")
        return []
    print(machine_description())
    with _blas_threads(1):
        return _run(quick, table)


def _blas_threads(n):
    """Limit BLAS/LAPACK threads for both libraries alike (this machine is shared:
    multithreaded LAPACK spins badly under load); a no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        from contextlib import nullcontext

        return nullcontext()
    print(f"BLAS/LAPACK limited to {n} thread(s) for every library (threadpoolctl)")
    return threadpool_limits(limits=n, user_api="blas")


def _run(quick, table):
    print("ratio = regcore's time / the other's (< 1: regcore faster); note: the "
          "largest relative deviation of each mse_path from an exact one, and whether "
          "both chose the exact alpha_")
    table = table or Table(["task", "shape", "vs", "regcore s", "other s", "ratio", "note"],
                           widths=[30, 11, 14, 11, 10, 8, 20])
    if quick:
        ridge_shapes, lasso_shapes, repeats = [(2000, 200), (200, 2000)], [(100, 500)], 3
    else:
        ridge_shapes, lasso_shapes, repeats = [(5000, 500), (500, 5000)], \
            [(500, 5000), (5000, 500)], 5
    rows = _ridgecv_rows(ridge_shapes, repeats, table)
    rows += _lassocv_rows(lasso_shapes, 1 if quick else 3, table)
    return rows
