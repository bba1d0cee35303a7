"""Sparse logistic regression: time to a relative suboptimality of 1e-6.

Common problem (every library solves exactly this one; celer has no
intercept, so none is fitted)::

    F(w) = C * sum_i log(1 + exp(-y_i x_i.w)) + ||w||_1,   y_i in {-1, +1}

skglm's alpha is ``1 / (n C)``. For each design and setting the optimum is
computed once by regcore at a duality-gap tolerance of 1e-13 (the gap
certifies it, whoever computed it); each solver is then run at its own
tolerances ``1e-3, 1e-4, ...`` until its solution is within ``1e-6``
(relative) of that optimum; then all solvers of a row are timed there in
turn, round after round (medians), so a change in the machine's load moves
them alike. Along a
path every one of the 50 values must reach the target; solvers with warm
starts use them. A solver whose single run exceeds the time budget is
reported as n/a (never extrapolated). celer is timed both through its
estimator and through ``celer_path`` (``VARIANTS``; the estimator ignores
``warm_start``), the faster counting; scikit-learn gets the design in the
layout it validates to (C order or CSR), converted once outside the timing.
"""

import time
import warnings

import numpy as np

from . import _harness

TARGET = 1e-6


class _TooSlow(Exception):
    pass


# --- designs ------------------------------------------------------------------------------

def _labels(rng, margin):
    """y = sign(margin + noise) in {-1, +1} with about 10% label noise."""
    noisy = margin + 0.3 * np.std(margin) * rng.standard_normal(margin.shape[0])
    return np.where(noisy > 0, 1.0, -1.0)


def leukemia_like(rng, n=72, p=7129):
    """Dense, p >> n, correlated columns (a few latent factors), standardized."""
    factors = rng.standard_normal((n, 5))
    X = factors @ rng.standard_normal((5, p)) * 0.5 + rng.standard_normal((n, p))
    X = (X - X.mean(0)) / X.std(0)
    w = np.zeros(p)
    w[rng.choice(p, 20, replace=False)] = rng.standard_normal(20)
    return np.asfortranarray(X), _labels(rng, X @ w)


def tall_dense(rng, n=20000, p=200):
    """Dense, n >> p, standardized Gaussian columns with mild correlation."""
    X = rng.standard_normal((n, p)) + 0.3 * rng.standard_normal((n, 1))
    X = (X - X.mean(0)) / X.std(0)
    w = np.zeros(p)
    w[:100] = rng.standard_normal(100) * np.geomspace(1, 0.01, 100)
    return np.asfortranarray(X), _labels(rng, X @ w)


def text_like(rng, n=20000, p=100000, words_per_doc=40):
    """Sparse CSC, power-law column frequencies (Zipf), rows l2-normalized tf-idf-like."""
    import scipy.sparse as sp

    freq = 1.0 / np.arange(1, p + 1) ** 1.1
    freq /= freq.sum()
    lengths = rng.poisson(words_per_doc, n) + 1
    rows = np.repeat(np.arange(n), lengths)
    cols = rng.choice(p, size=rows.size, p=freq)
    X = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    idf = np.log(n / (1.0 + np.bincount(X.indices, minlength=p)))
    X = X @ sp.diags(idf)
    X = sp.diags(1.0 / np.maximum(np.sqrt(X.multiply(X).sum(1)).A1, 1e-12)) @ X
    X = sp.csc_matrix(X)
    w = np.zeros(p)
    informative = rng.choice(5000, 200, replace=False)
    w[informative] = rng.standard_normal(200) * 5
    return X, _labels(rng, X @ w)


# --- the common objective and the solvers --------------------------------------------------

def objective(X, y, C, coef):
    """C * sum log(1 + exp(-y X w)) + ||w||_1."""
    coef = np.asarray(coef, dtype=np.float64).ravel()
    return C * np.logaddexp(0.0, -y * (X @ coef)).sum() + np.abs(coef).sum()


def _regcore(X, y, Cs, tol):
    from ..linear_model import logistic_path

    path = logistic_path(X, y, Cs=Cs, tol=tol, max_iter=1000, fit_intercept=False)
    return path.coefs.T


def _sklearn(solver):
    import sklearn
    from sklearn.utils.fixes import parse_version

    # L1: from scikit-learn 1.8 on l1_ratio=1 says it; before, only penalty="l1" did
    new_api = parse_version(sklearn.__version__) >= parse_version("1.8")
    penalty = {"l1_ratio": 1.0} if new_api else {"penalty": "l1"}

    def solve(X, y, Cs, tol):
        from sklearn.linear_model import LogisticRegression

        warm = solver == "saga"
        model = LogisticRegression(C=Cs[0], solver=solver, tol=tol, fit_intercept=False,
                                   max_iter=100000, warm_start=warm, random_state=0,
                                   **penalty)
        return [model.set_params(C=C).fit(X, y).coef_.ravel().copy() for C in Cs]

    return solve


def _celer(X, y, Cs, tol):
    from celer import LogisticRegression

    model = LogisticRegression(C=Cs[0], tol=tol, fit_intercept=False, max_iter=1000,
                               max_epochs=100000, warm_start=True)
    return [model.set_params(C=C).fit(X, y).coef_.ravel().copy() for C in Cs]


def _celer_path(X, y, Cs, tol):
    """celer_path with prox-Newton (its estimator's solver), warm-started along
    the alphas 1 / C (the estimator ignores warm_start: each C starts cold)."""
    from celer import celer_path

    _, coefs, _ = celer_path(X, y, "logreg", alphas=1.0 / np.asarray(Cs), tol=tol,
                             max_iter=1000, max_epochs=100000, use_PN=True)
    return [coefs[:, k].copy() for k in range(len(Cs))]


def _skglm(X, y, Cs, tol):
    from skglm import SparseLogisticRegression

    n = X.shape[0]
    model = SparseLogisticRegression(alpha=1.0 / (n * Cs[0]), tol=tol, fit_intercept=False,
                                     max_iter=1000, max_epochs=100000, warm_start=True)
    return [model.set_params(alpha=1.0 / (n * C)).fit(X, y).coef_.ravel().copy() for C in Cs]


def _numpy_reference(X, y, Cs, tol):
    from .. import _reference

    coefs, coef = [], None
    for C in Cs:
        coef, _, _ = _reference.logistic_regression(X, y, C=C, fit_intercept=False, tol=tol,
                                                    max_iter=200000, coef_init=coef)
        coefs.append(coef)
    return coefs


def _competitors():
    """name -> solver(X, y, Cs, tol) for every importable library."""
    solvers = {"regcore": _regcore}
    try:
        import sklearn  # noqa: F401

        solvers["liblinear"] = _sklearn("liblinear")
        solvers["saga"] = _sklearn("saga")
    except ImportError:
        pass
    for name, fn, module in (("celer", _celer, "celer"), ("skglm", _skglm, "skglm")):
        try:
            __import__(module)
            solvers[name] = fn
        except ImportError:
            pass
    solvers["numpy"] = _numpy_reference
    return solvers


# further ways of calling a competitor; the fastest that reaches the target counts
VARIANTS = {"celer": (_celer_path,)}


def _layout_for(name, X):
    """X in the layout a solver validates to (converted once, untimed): scikit-learn
    copies a Fortran-ordered or CSC design into C order or CSR on every fit."""
    if name not in ("liblinear", "saga"):
        return X
    return X.tocsr() if hasattr(X, "tocsr") else np.ascontiguousarray(X)


# --- settings ------------------------------------------------------------------------------

def _C_for_support(X, y, target, C_min):
    """A C (found by bisection on log C) whose L1 solution has about ``target`` non-zeros."""
    from ..linear_model import logistic_fit

    lo, hi = np.log(C_min), np.log(C_min * 1e4)
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        nnz = np.count_nonzero(logistic_fit(X, y, C=np.exp(mid), tol=1e-6, max_iter=200,
                                            fit_intercept=False).coef)
        if nnz == target:
            break
        lo, hi = (mid, hi) if nnz < target else (lo, mid)
    return float(np.exp(mid))


def _settings(X, y, n_path):
    from ..linear_model import logistic_alpha_max

    C_min = 1.0 / (logistic_alpha_max(X, y, fit_intercept=False) * X.shape[0])
    dense_support = min(100, int(0.8 * X.shape[0]))
    C10 = _C_for_support(X, y, 10, C_min)
    C100 = _C_for_support(X, y, dense_support, C_min)
    path = np.geomspace(C_min, C100, n_path)
    return [("~10 nnz", np.array([C10])), (f"~{dense_support} nnz", np.array([C100])),
            (f"path {n_path}", path)]


# --- measurement -----------------------------------------------------------------------------

def _worst_suboptimality(X, y, Cs, best):
    def score(solution):
        if solution is None:
            return float("inf")
        subs = [_harness.relative_suboptimality(objective(X, y, C, coef), f)
                for C, coef, f in zip(Cs, solution, best)]
        return 1.0 + max(subs)

    return score


def _candidate(solver, X, y, Cs, best, budget):
    """``(call, seconds of one call)``: ``solver`` at the loosest tolerance that
    brings every C within TARGET of ``best``, or None.

    A run longer than ``budget`` seconds does not count (the next, tighter
    tolerance is tried: some solvers are faster there); None when the search
    over tolerances takes more than ``3 * budget`` in all.
    """
    # untimed warm-up: JIT compilation, caches (at tol 1e-1 skglm stopped at the
    # zero model before compiling its Newton steps, and 6 s of JIT then fell
    # into the first timed run)
    _harness.quiet(solver, X, y, Cs[-1:], 1e-4)
    spent = [0.0]

    def solve(tol):
        start = time.perf_counter()
        out = _harness.quiet(solver, X, y, Cs, tol)
        elapsed = time.perf_counter() - start
        spent[0] += elapsed
        if spent[0] > 3 * budget:
            raise _TooSlow
        return None if elapsed > budget else out  # too slow here: try the next tol

    try:
        tol, _, once = _harness.loosest_tolerance(
            solve, _worst_suboptimality(X, y, Cs, best), 1.0, target=TARGET,
            tols=[10.0 ** -k for k in range(3, 13)])
    except _TooSlow:
        return None
    if tol is None:
        return None
    return (lambda: _harness.quiet(solver, X, y, Cs, tol)), once


def _time_row(solvers, X, y, Cs, best, budget, repeats):
    """{solver: seconds of its fastest way} (nan: none reached the target within
    its budget); every way of every solver is timed in turn, round after round
    (``_harness.interleaved_medians``), so a change in the machine's load moves
    them alike."""
    calls = {}
    for name, solver in solvers.items():
        data = _layout_for(name, X)
        for way in (solver,) + VARIANTS.get(name, ()):
            found = _candidate(way, data, y, Cs, best, budget)
            if found is not None:
                calls[(name, way.__name__)] = (found[0], found[1], repeats)
    return _harness.fastest_ways(_harness.interleaved_medians(calls), solvers)[0]


DESIGNS = {
    "leukemia": ("leukemia-like 72x7129", leukemia_like),
    "dense": ("dense 20000x200", tall_dense),
    "sparse": ("sparse 20000x100000", text_like),
}


def run(quick=False, table=None, designs=None, budget=5.0):
    """Benchmark regcore's logistic solver against the others; returns row dicts.

    ``designs`` picks among ``DESIGNS`` (all by default); ``budget`` is the
    longest single solver run (seconds) before the solver is reported n/a
    (see :func:`_candidate`).
    """
    from ..linear_model import logistic_path

    if quick:
        rng = np.random.default_rng(0)
        designs = [("leukemia-like 72x1000 quick", leukemia_like(rng, 72, 1000))]
        n_path, budget, repeats = 10, 1.0, 1
    else:
        designs = [(DESIGNS[key][0], DESIGNS[key][1](np.random.default_rng(0)))
                   for key in (designs or list(DESIGNS))]
        n_path, repeats = 50, 7
    solvers = _competitors()
    if quick:  # skglm's JIT compilation and saga alone would take longer than the run
        solvers = {k: v for k, v in solvers.items() if k not in ("skglm", "saga")}
    others = [name for name in solvers if name != "regcore"]
    print(_harness.machine_description())
    print("/other = regcore's time / the other's (< 1: regcore faster); n/a: the solver "
          "did not reach the target within its time budget")
    table = table or _harness.Table(
        ["design", "setting", "regcore s"] + [f"/{name}" for name in others],
        widths=[28, 12, 11] + [11] * len(others))
    rows = []
    for design_name, (X, y) in designs:
        for setting, Cs in _settings(X, y, n_path):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = logistic_path(X, y, Cs=Cs, tol=1e-13, max_iter=1000,
                                    fit_intercept=False)
            best = [objective(X, y, C, ref.coefs[:, k]) for k, C in enumerate(Cs)]
            is_path = Cs.size > 1  # a path gets 4x the budget and one timed repeat
            times = _time_row(solvers, X, y, Cs, best, budget * (4 if is_path else 1),
                              1 if is_path else repeats)
            ratios = [times["regcore"] / times[name] for name in others]
            table.add(design_name, setting, times["regcore"], *ratios)
            rows.append(dict(design=design_name, setting=setting, seconds=times,
                             ratios=dict(zip(others, ratios))))
    return rows
