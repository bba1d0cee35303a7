"""Lasso benchmark: time to reach a relative objective suboptimality of 1e-6.

Every solver is run on the same problem with the same intercept handling and
judged on regcore's objective ``1/(2n)||y - X c - b||^2 + alpha ||c||_1``
against a tight reference (regcore at tol 1e-14, cross-checked with
scikit-learn at tol 1e-12: the best objective of the two per alpha is the
reference). Each library's own ``tol`` is tightened until the target is met
(``_harness.loosest_tolerance``), then all solvers of a row are timed in
turn, round after round (``_harness.interleaved_medians``). For a path, the accuracy is the worst over
its alphas. Competitors that are not installed are skipped; a solver that
needs more than the time cap for one solve is reported ``n/a`` (nothing is
extrapolated).

Each competitor is called through its public API in each of the ways its
documentation offers for the job (``VARIANTS``), and its fastest way counts:
the estimator refitted along the alphas with warm starts, and for paths the
library's path function (scikit-learn's ``enet_path`` with a precomputed Gram
on dense n > p designs, ``celer_path``, skglm's ``Lasso.path``); glmnet gets
a sparse design in CSR, the layout its wrapper validates, and for one alpha
also a 10-lambda sequence ending at it (glmnet's documentation advises
against fitting a single lambda). regcore is timed with its default thread
count and, in a column of its own, on one thread.
"""

import time
import warnings

import numpy as np

from . import _harness

TARGET = 1e-6
TOLS = [10.0 ** -k for k in range(2, 15)]


class _TooSlow(Exception):
    pass


# --- problems -----------------------------------------------------------------------

def toeplitz_problem(n, p, *, rho=0.6, n_true=20, snr=3.0, seed=0):
    """Gaussian design with corr(x_i, x_j) = rho^|i-j| (AR(1) columns), Fortran order."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    scale = np.sqrt(1 - rho**2)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n)
    return X, _sparse_target(X, rng, n_true, snr, support=np.linspace(0, p - 1, n_true))


def leukemia_like_problem(n=72, p=7129, *, n_factors=10, seed=0):
    """Synthetic stand-in with leukemia's shape: factor-structured 'expression'
    matrix (strongly correlated genes) and a +-1 target from a sparse rule."""
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((n, n_factors))
    W = rng.standard_normal((n_factors, p)) * rng.uniform(0.2, 1.5, p)
    X = np.asfortranarray(F @ W + rng.standard_normal((n, p)))
    score = _sparse_target(X, rng, 10, 2.0, support=rng.choice(p, 10, replace=False))
    return X, np.where(score > np.median(score), 1.0, -1.0)


def text_like_problem(n=20000, p=100000, *, mean_terms=40, zipf=1.1, seed=0):
    """Sparse CSC 'bag of words': row lengths ~ Poisson(mean_terms), terms drawn
    with power-law frequencies (rank^-zipf), values 1 + log(count); every
    column has at least one entry."""
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    prob = (np.arange(p) + 10.0) ** -zipf
    prob /= prob.sum()
    lengths = rng.poisson(mean_terms, n)
    rows = np.repeat(np.arange(n), lengths)
    cols = rng.choice(p, size=rows.size, p=prob)
    rows = np.concatenate([rows, rng.integers(0, n, p)])
    cols = np.concatenate([cols, np.arange(p)])
    counts = sp.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, p)).tocsc()
    counts.sum_duplicates()
    counts.data = 1.0 + np.log(counts.data)
    support = rng.choice(np.arange(50, 5000), 20, replace=False)
    return counts, _sparse_target(counts, rng, 20, 3.0, support=support)


def _sparse_target(X, rng, n_true, snr, *, support):
    beta = np.zeros(X.shape[1])
    beta[np.asarray(support, dtype=int)] = rng.choice([-1.0, 1.0], n_true) * rng.uniform(
        0.5, 2.0, n_true)
    signal = X @ beta
    noise = rng.standard_normal(X.shape[0])
    noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    return signal + noise


# --- objective and reference ---------------------------------------------------------

def lasso_objective(X, y, coef, intercept, alpha):
    # X @ coef without BLAS for a dense X: a BLAS call wakes its threads,
    # which then spin for a while on the other cores, into the timed runs
    # that follow, and take those cores from a solver that uses them
    # (regcore's passes over the design ran at one-thread speed after it)
    Xc = np.einsum("ij,j->i", X, coef) if isinstance(X, np.ndarray) else X @ coef
    r = y - Xc - intercept
    return float(r @ r / (2 * X.shape[0]) + alpha * np.abs(coef).sum())


def _path_objectives(X, y, solution, alphas):
    if solution is None:
        return np.full(len(alphas), np.inf)
    return np.array([lasso_objective(X, y, c, b, a) for (c, b), a in zip(solution, alphas)])


def reference_objectives(X, y, alphas, *, check=True):
    """Best objective per alpha of regcore at tol 1e-14 and (when ``check``)
    scikit-learn at 1e-12."""
    return _reference(X, y, alphas, check=check)[0]


def _reference(X, y, alphas, *, check=True):
    """(:func:`reference_objectives`, regcore's coefficients at tol 1e-14, p x alphas)."""
    from regcore.linear_model import lasso_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = lasso_path(X, y, alphas=alphas, tol=1e-14, max_iter=200_000)
    ours = _path_objectives(X, y, list(zip(res.coefs.T, res.intercepts)), alphas)
    best = ours.copy()
    if not check:
        return best, res.coefs
    try:
        sk = _sklearn_solver(X, y, alphas)(1e-12)
        theirs = _path_objectives(X, y, sk, alphas)
        best = np.minimum(ours, theirs)
        worse = np.max((ours - best) / np.abs(best))
        if worse > 1e-9:
            print(f"# warning: regcore's reference is {worse:.2g} above scikit-learn's")
    except (ImportError, _TooSlow):
        pass
    return best, res.coefs


# --- solvers: each returns solve(tol) -> [(coef, intercept) per alpha] ----------------

def _regcore_solver(X, y, alphas):
    from regcore.linear_model import enet_fit, lasso_path

    def solve(tol):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if len(alphas) == 1:
                fit = enet_fit(X, y, alpha=alphas[0], l1_ratio=1.0, tol=tol, max_iter=100_000)
                return [(fit.coef, fit.intercept)]
            res = lasso_path(X, y, alphas=alphas, tol=tol, max_iter=100_000)
        return list(zip(res.coefs.T, res.intercepts))
    return solve


def _estimator_loop(make):
    """Warm-started estimator refitted along the alphas (the path idiom of
    scikit-learn-style libraries)."""
    def run(X, y, alphas, tol):
        model, out = None, []
        for alpha in alphas:
            model = make(alpha, tol, model)
            model.fit(X, y)
            out.append((np.array(model.coef_, dtype=float).ravel().copy(),
                        float(np.ravel(model.intercept_)[0])))
        return out
    return run


def _sklearn_solver(X, y, alphas):
    from sklearn.linear_model import Lasso

    def make(alpha, tol, model):
        if model is None:
            return Lasso(alpha=alpha, tol=tol, max_iter=1_000_000, warm_start=True)
        return model.set_params(alpha=alpha)
    run = _estimator_loop(make)
    return lambda tol: _harness.quiet(run, X, y, alphas, tol)


def _working_set_lasso_solver(Lasso, X, y, alphas):
    """celer's and skglm's Lasso share their parameters (outer max_iter, inner max_epochs)."""

    def make(alpha, tol, model):
        if model is None:
            return Lasso(alpha=alpha, tol=tol, max_iter=1000, max_epochs=1_000_000,
                         warm_start=True)
        return model.set_params(alpha=alpha)
    run = _estimator_loop(make)
    return lambda tol: _harness.quiet(run, X, y, alphas, tol)


def _celer_solver(X, y, alphas):
    from celer import Lasso

    return _working_set_lasso_solver(Lasso, X, y, alphas)


def _skglm_solver(X, y, alphas):
    from skglm import Lasso

    return _working_set_lasso_solver(Lasso, X, y, alphas)


def _glmnet_solver(X, y, alphas):
    """python-glmnet (Fortran glmnet). Its gaussian objective matches ours at
    lambda = alpha when standardize=False; it solves the whole lambda_path
    (one lambda for a single alpha) with its own warm starts. (Its wrapper
    picks covariance updates when n >= p, naive ones otherwise; it offers no
    public switch.)"""
    from glmnet import ElasticNet

    if not isinstance(X, np.ndarray):
        X = X.tocsr()  # the layout its wrapper validates (CSC would be converted twice)

    def run(X, y, alphas, tol):
        model = ElasticNet(alpha=1.0, lambda_path=np.asarray(alphas), standardize=False,
                           fit_intercept=True, tol=tol, n_splits=0, max_iter=10_000_000)
        try:
            model.fit(X, y)
        except (RuntimeError, ValueError):
            return None
        if model.coef_path_.shape[1] != len(alphas):
            return None
        return [(model.coef_path_[:, i].copy(), float(model.intercept_path_[i]))
                for i in range(len(alphas))]
    return lambda tol: _harness.quiet(run, X, y, alphas, tol)


def _centred_dense(X, y):
    """(Xc, yc, x_mean, y_mean) of a dense X, for the path functions that fit no
    intercept themselves (inside the timed solve: a user pays it too)."""
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    return np.asfortranarray(X - x_mean), y - y_mean, x_mean, y_mean


def _with_intercepts(coefs, x_mean, y_mean):
    return [(coefs[:, i].copy(), y_mean - float(x_mean @ coefs[:, i]))
            for i in range(coefs.shape[1])]


def _sklearn_gram_path(X, y, alphas):
    """scikit-learn's enet_path with a precomputed Gram (dense n > p paths)."""
    from sklearn.linear_model import enet_path

    if len(alphas) == 1 or not isinstance(X, np.ndarray) or X.shape[0] <= X.shape[1]:
        return None

    def solve(tol):
        Xc, yc, x_mean, y_mean = _centred_dense(X, y)
        _, coefs, _ = enet_path(Xc, yc, l1_ratio=1.0, alphas=alphas, precompute=True,
                                tol=tol, max_iter=1_000_000)
        return _with_intercepts(coefs, x_mean, y_mean)
    return lambda tol: _harness.quiet(solve, tol)


def _celer_path(X, y, alphas):
    """celer_path on the centred dense design (paths)."""
    from celer import celer_path

    if len(alphas) == 1 or not isinstance(X, np.ndarray):
        return None

    def solve(tol):
        Xc, yc, x_mean, y_mean = _centred_dense(X, y)
        _, coefs, _ = celer_path(Xc, yc, "lasso", alphas=alphas, tol=tol, max_iter=1000,
                                 max_epochs=1_000_000)
        return _with_intercepts(coefs, x_mean, y_mean)
    return lambda tol: _harness.quiet(solve, tol)


def _skglm_path(X, y, alphas):
    """skglm's Lasso.path (paths); its coefficients end with the intercept."""
    from skglm import Lasso

    if len(alphas) == 1:
        return None

    def solve(tol):
        model = Lasso(alpha=alphas[0], tol=tol, max_iter=1000, max_epochs=1_000_000)
        _, coefs, _, _ = model.path(X, y, np.asarray(alphas))
        p = X.shape[1]
        return [(coefs[:p, i].copy(), float(coefs[p, i])) for i in range(len(alphas))]
    return lambda tol: _harness.quiet(solve, tol)


def _glmnet_sequence(X, y, alphas):
    """glmnet on 10 lambdas from alpha_max down to a single alpha, the last one kept."""
    from regcore.linear_model import alpha_max

    if len(alphas) != 1:
        return None
    lambdas = np.geomspace(alpha_max(X, y), alphas[0], 10)
    inner = _glmnet_solver(X, y, lambdas)

    def solve(tol):
        out = inner(tol)
        return None if out is None else out[-1:]
    return solve


def _numpy_solver(X, y, alphas, cap=20.0):
    """The pure-NumPy reference CD (its CSC variant on sparse designs),
    warm-started along a path; a path that has used ``cap`` seconds stops
    between alphas."""
    from regcore import _reference

    cd = (_reference.enet_coordinate_descent if isinstance(X, np.ndarray)
          else _reference.enet_coordinate_descent_csc)

    def solve(tol):
        start, coef, out = time.perf_counter(), None, []
        for alpha in alphas:
            if time.perf_counter() - start > cap:
                raise _TooSlow
            coef, b, _, _ = cd(X, y, alpha, 1.0, tol=tol, max_iter=100_000, coef_init=coef)
            out.append((coef, b))
        return out
    return solve


SOLVERS = {
    "regcore": (_regcore_solver, None),
    "sklearn": (_sklearn_solver, "sklearn"),
    "celer": (_celer_solver, "celer"),
    "skglm": (_skglm_solver, "skglm"),
    "glmnet": (_glmnet_solver, "glmnet"),
    "numpy": (_numpy_solver, None),
}
# further ways to call a competitor (a factory returns None where it does not
# apply); the fastest that reaches the target counts
VARIANTS = {
    "sklearn": (_sklearn_gram_path,),
    "celer": (_celer_path,),
    "skglm": (_skglm_path,),
    "glmnet": (_glmnet_sequence,),
}


def _available(module):
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _capped(solve, cap):
    """solve(tol) that raises _TooSlow once a call has taken more than cap seconds."""
    def run(tol):
        start = time.perf_counter()
        out = solve(tol)
        if time.perf_counter() - start > cap:
            raise _TooSlow
        return out
    return run


def _factories(name):
    """The ways ``name`` is called: its main factory, then its VARIANTS."""
    return (SOLVERS[name][0],) + VARIANTS.get(name, ())


def _worst_objective(X, y, alphas, best):
    """objective(solution) = 1 + the worst relative suboptimality over the
    alphas; against best = 1 the harness then measures exactly that."""
    def objective(solution):
        worst = np.max((_path_objectives(X, y, solution, alphas) - best) / np.abs(best))
        return 1.0 + worst
    return objective


def _candidates(name, X, y, alphas, best, *, cap, repeats, tols):
    """{(name, way): (fn, seconds of one call, repeats)}: every way of calling
    ``name`` that reaches the target within the cap, at its loosest tolerance."""
    if not _available(SOLVERS[name][1]):
        return {}
    objective = _worst_objective(X, y, alphas, best)
    found = {}
    for factory in _factories(name):
        solve = factory(X, y, alphas, cap) if name == "numpy" else factory(X, y, alphas)
        if solve is None:
            continue
        try:
            tol, _, once = _harness.loosest_tolerance(_capped(solve, cap), objective, 1.0,
                                                      target=TARGET, tols=tols)
        except _TooSlow:
            continue
        if tol is not None:
            found[(name, factory.__name__.strip("_"))] = (
                lambda solve=solve, tol=tol: solve(tol), once, repeats)
    return found


def _on_one_thread(fn):
    import regcore

    def run():
        before = regcore.get_num_threads()
        regcore.set_num_threads(1)
        try:
            return fn()
        finally:
            regcore.set_num_threads(before)
    return run


def time_row(solvers, X, y, alphas, best, *, cap, repeats, tols):
    """({solver: seconds of its fastest way}, {solver: that way}, regcore's
    seconds on one thread); every way of every solver is timed in turn, round
    after round (``_harness.interleaved_medians``). nan: absent or too slow."""
    calls = {}
    for name in solvers:
        calls.update(_candidates(name, X, y, alphas, best, cap=cap, tols=tols,
                                 repeats=1 if name == "numpy" else repeats))
    if ("regcore", "regcore_solver") in calls:
        fn, once, runs = calls[("regcore", "regcore_solver")]
        calls[("regcore", "one thread")] = (_on_one_thread(fn), once, runs)
    medians = _harness.interleaved_medians(calls)
    single = medians.pop(("regcore", "one thread"), float("nan"))
    return (*_harness.fastest_ways(medians, solvers), single)


def _warm_up():
    """Compile numba solvers and load libraries outside the timed region."""
    X, y = toeplitz_problem(30, 40, n_true=3, seed=1)
    for name, (_, module) in SOLVERS.items():
        if not _available(module) or name == "numpy":
            continue
        for factory in _factories(name):
            for alphas in (np.array([0.1]), np.array([0.1, 0.05])):
                try:
                    solve = factory(X, y, alphas)
                    if solve is not None:
                        solve(1e-4)
                except Exception:  # a broken optional competitor must not stop the run
                    pass


def _have_scipy():
    try:
        import scipy.sparse  # noqa: F401
    except ImportError:
        return False
    return True


def problems(quick):
    if quick:
        return [
            ("toeplitz 100x400", lambda: toeplitz_problem(100, 400)),
            ("toeplitz 1000x100", lambda: toeplitz_problem(1000, 100)),
            ("text CSC 2000x5000", lambda: text_like_problem(2000, 5000, mean_terms=20)),
        ]
    return [
        ("toeplitz 500x5000", lambda: toeplitz_problem(500, 5000)),
        ("toeplitz 5000x500", lambda: toeplitz_problem(5000, 500)),
        ("leukemia-like 72x7129", leukemia_like_problem),
        ("text CSC 20000x100000", text_like_problem),
    ]


def run(quick=False, table=None, *, solvers=None, settings=None, cap=None, repeats=None,
        problems_filter=None):
    """Run the benchmark; returns the list of row dicts (also printed as they come)."""
    from regcore.linear_model import alpha_max

    solvers = list(solvers or SOLVERS)
    settings = settings or (("amax/10", "path") if quick else ("amax/10", "amax/100", "path"))
    cap = cap if cap is not None else (5.0 if quick else 20.0)
    repeats = repeats if repeats is not None else (1 if quick else 3)
    n_path = 10 if quick else 100
    print(f"# {_harness.machine_description()}")
    print(f"# time to relative suboptimality <= {TARGET:g}; ratio = regcore / other "
          f"(< 1: regcore faster); n/a = absent or over the {cap:g} s cap")
    columns = (["problem", "setting", "regcore_s", "1thread_s"]
               + [f"/{s}" for s in solvers if s != "regcore"])
    table = table or _harness.Table(columns, widths=[24, 10, 11, 10] + [10] * (len(columns) - 4))
    _warm_up()
    rows = []
    for label, make in problems(quick):
        if problems_filter and not any(f in label for f in problems_filter):
            continue
        if "CSC" in label and not _have_scipy():
            print(f"# {label}: skipped (sparse designs need scipy)")
            continue
        X, y = make()
        amax = alpha_max(X, y)
        for setting in settings:
            if setting == "path":
                alphas = amax * np.logspace(0, -3, n_path)
            else:
                alphas = np.array([amax / float(setting.split("/")[1])])
            # scikit-learn's cross-check of a 100-alpha path at tol 1e-12 takes
            # minutes on the larger designs: paths are cross-checked on small ones
            check = setting != "path" or X.shape[0] * X.shape[1] <= 1e6
            best = reference_objectives(X, y, alphas, check=check)
            times, ways, single = time_row(solvers, X, y, alphas, best, cap=cap,
                                           repeats=repeats,
                                           tols=TOLS[2:] if setting == "path" else TOLS)
            ours = times.get("regcore", float("nan"))
            ratios = [ours / times[s] if times[s] == times[s] else float("nan")
                      for s in solvers if s != "regcore"]
            table.add(label, setting, ours, single, *ratios)
            rows.append({"problem": label, "setting": setting, "times": times,
                         "regcore_one_thread": single, "fastest_way": ways})
    print("# fastest way of each competitor per row (see VARIANTS):")
    for row in rows:
        ways = ", ".join(f"{k}={v}" for k, v in row["fastest_way"].items()
                         if v is not None and k not in ("regcore", "numpy"))
        print(f"#   {row['problem']} {row['setting']}: {ways}")
    return rows


# --- how far working-set CD could go on one alpha -------------------------------------

def _support_solver(X, y, alphas, support):
    """regcore told the solution's support in advance: the fit on those
    columns only, then one pass Xc^T R over every column, which certifies
    that no other feature enters. No working-set solver reads the design
    less (it has to find the support too), so its time bounds theirs."""
    from regcore import _kernels
    from regcore.linear_model import enet_fit

    X_support = np.asfortranarray(X[:, support])
    flat, empty = X.reshape(-1, order="F"), np.zeros(0, dtype=np.int32)

    def solve(tol):
        fit = enet_fit(X_support, y, alpha=alphas[0], l1_ratio=1.0, tol=tol,
                       max_iter=100_000)
        coef = np.zeros(X.shape[1])
        coef[support] = fit.coef
        residual = y - fit.intercept - np.einsum("ij,j->i", X_support, fit.coef)
        _kernels.column_stats(0, flat, empty, empty, X.shape[0], X.shape[1], np.zeros(0),
                              residual)  # X^T R (with the sums that centre it) in one pass
        return [(coef, fit.intercept)]
    return solve


def support_floor(X, y, alpha, *, cap=20.0, repeats=3):
    """Seconds of regcore, of regcore on the known support (:func:`_support_solver`)
    and of the NumPy reference on one alpha of a dense design, each at its
    loosest tolerance reaching TARGET and timed in turn (absent: none reached
    it within the cap); also the support size."""
    alphas = np.array([alpha])
    best, coefs = _reference(X, y, alphas)
    support = np.flatnonzero(coefs[:, 0])
    calls = {}
    for name in ("regcore", "numpy"):
        calls.update(_candidates(name, X, y, alphas, best, cap=cap, tols=TOLS,
                                 repeats=1 if name == "numpy" else repeats))
    solve = _support_solver(X, y, alphas, support)
    tol, _, once = _harness.loosest_tolerance(lambda t: _harness.quiet(solve, t),
                                              _worst_objective(X, y, alphas, best), 1.0,
                                              target=TARGET, tols=TOLS)
    if tol is not None:
        calls[("support", "known support")] = (lambda: _harness.quiet(solve, tol), once,
                                                repeats)
    medians = _harness.interleaved_medians(calls)
    times = {name: seconds for (name, _), seconds in medians.items()}
    return times, len(support)


def run_floor(*, problems_filter=("5000x500",), settings=("amax/10", "amax/100"), cap=20.0):
    """Print :func:`support_floor` for the dense problems selected."""
    from regcore.linear_model import alpha_max

    print(f"# {_harness.machine_description()}")
    print(f"# time to relative suboptimality <= {TARGET:g}; 'support': regcore fitted on the "
          f"solution's support, known in advance, plus one pass over X")
    table = _harness.Table(["problem", "setting", "support", "regcore_s", "support_s",
                            "numpy_s", "regcore/numpy", "support/numpy"],
                           widths=[24, 10, 8, 10, 10, 10, 14, 14])
    _warm_up()
    for label, make in problems(False):
        if "CSC" in label or not any(f in label for f in problems_filter):
            continue
        X, y = make()
        amax = alpha_max(X, y)
        for setting in settings:
            times, size = support_floor(X, y, amax / float(setting.split("/")[1]), cap=cap)
            ours, floor, ref = (times.get(k, float("nan")) for k in ("regcore", "support", "numpy"))
            table.add(label, setting, size, ours, floor, ref, ours / ref, floor / ref)
