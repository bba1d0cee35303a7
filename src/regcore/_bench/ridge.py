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
  20 true features, SNR 3): regcore / scikit-learn ``LassoCV`` at equal
  accuracy. Each library's own ``tol`` is tightened by decades until its CV
  curve ``mse_path_`` is within ``LASSOCV_TARGET`` (relative, in every fold
  at every alpha) of a tight reference (regcore at tol=1e-12), by
  ``_harness.loosest_tolerance``; both are then timed at those tols in
  interleaved rounds. The note gives the tols, the deviations reached and
  whether each chose the reference's alpha_.
"""

import numpy as np

from ._harness import (Table, interleaved_medians, loosest_tolerance, machine_description,
                       quiet, round_robin_medians)

RIDGE_ALPHAS = np.logspace(-2, 4, 50)

# LassoCV is judged on what it computes, the CV curve: scikit-learn's estimator
# keeps none of its fold fits, so their objective suboptimality cannot be read
# from it. 1e-2 relative in every fold at every alpha is well inside the curve's
# own statistical error (its standard error at the minimum is 2.6% at 5000x500
# and 5.8% at 500x5000): an error that small moves the chosen alpha only among
# alphas whose CV errors the data cannot tell apart. Both libraries reach it: at
# 500x5000 both need tol 1e-6 (a scikit-learn fit then takes about 50 s); 1e-3
# would need 1e-7 or less.
LASSOCV_TARGET = 1e-2
LASSOCV_TOLS = [10.0 ** -k for k in range(2, 11)]
LASSOCV_MAX_ITER = 1_000_000  # tol, not an iteration cap, ends every fit


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
        exact = quiet(LassoCV(cv=folds, tol=1e-12, max_iter=100000).fit, X, y)
        calls, notes = {}, []
        for name, cls in (("ours", LassoCV), ("theirs", SkLassoCV)):
            def fit(tol, cls=cls):
                return quiet(cls(cv=folds, tol=tol, max_iter=LASSOCV_MAX_ITER).fit, X, y)
            tol, dev, once, model = _loosest_lassocv(fit, exact)
            if tol is not None:
                calls[name] = (lambda fit=fit, tol=tol: fit(tol), once, repeats)
                notes.append(f"tol {tol:.0e} dev {dev:.1e} same alpha_ "
                             f"{bool(np.isclose(model.alpha_, exact.alpha_))}")
            else:
                notes.append(f"no tol reaches {LASSOCV_TARGET:g}")
        t = interleaved_medians(calls)
        rows.append(_row(table, "LassoCV 5 folds x 100 alphas", f"{n}x{p}", "scikit-learn",
                         t.get("ours", float("nan")), t.get("theirs", float("nan")),
                         " vs ".join(notes)))
    return rows


def _loosest_lassocv(fit, exact):
    """The loosest of ``LASSOCV_TOLS`` at which a LassoCV meets ``LASSOCV_TARGET``.

    Parameters
    ----------
    fit : callable
        ``fit(tol)`` returns a LassoCV fitted at its own tolerance ``tol``.
    exact : LassoCV
        The reference fit; its ``mse_path_`` is the exact CV curve.

    Returns
    -------
    tol : float or None
        That tolerance, None when none of them reaches the target.
    deviation : float
        The largest relative deviation of the last fit's ``mse_path_``.
    seconds : float
        Wall time of the fit at ``tol`` (nan when None).
    model : LassoCV
        The last fit made.
    """
    fits = []

    def objective(model):  # 1 + deviation against a best of 1: the harness's
        fits.append(model)  # relative suboptimality is then the deviation itself
        return 1.0 + _curve_deviation(model.mse_path_, exact.mse_path_)
    tol, deviation, seconds = loosest_tolerance(fit, objective, 1.0, target=LASSOCV_TARGET,
                                                tols=LASSOCV_TOLS)
    return tol, deviation, seconds, fits[-1]


def _curve_deviation(curve, exact):
    """Largest relative deviation of a CV curve ``mse_path_`` from the exact one."""
    return float(np.max(np.abs(curve - exact) / exact))


def _row(table, task, shape, competitor, t_ours, t_other, note):
    ratio = t_ours / t_other
    table.add(task, shape, competitor, t_ours, t_other, ratio, note)
    return dict(task=task, shape=shape, competitor=competitor, regcore_s=t_ours,
                competitor_s=t_other, ratio=ratio, note=note)


def run(quick=False, table=None):
    """Run the rows and return them as dicts (ratio = regcore time / competitor time).

    ``quick`` uses smaller problems and fewer repeats (about 20 s).
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
    print("ratio = regcore's time / the other's (< 1: regcore faster); LassoCV at equal "
          f"accuracy: each library at its loosest tol whose mse_path is within "
          f"{LASSOCV_TARGET:g} (relative) of an exact one; note: regcore's tol, deviation and "
          "choice of the exact alpha_ vs scikit-learn's")
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
