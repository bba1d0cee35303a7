"""Elastic-net coordinate descent: optimality certificates, agreement with
scikit-learn and closed forms, layouts (dense / CSC / Gram), dtypes, errors."""

import contextlib
import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regcore
from regcore import _reference
from regcore.linear_model import (
    ConvergenceWarning,
    FitResult,
    PathResult,
    alpha_max,
    enet_fit,
    enet_path,
    lasso_path,
)


# --- independent oracles ---------------------------------------------------------------

def centred_weighted(X, y, sample_weight, fit_intercept):
    """sqrt(w)-scaled, explicitly centred design and target (float64, dense)."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    X = X.astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    w = np.ones(n) if sample_weight is None else sample_weight * (n / sample_weight.sum())
    if fit_intercept:
        X = X - w @ X / n
        y = y - w @ y / n
    sw = np.sqrt(w)
    return X * sw[:, None], y * sw


def independent_gap(X, y, coef, alpha, l1_ratio, *, sample_weight=None, penalty_factor=None,
                    fit_intercept=True, positive=False):
    """Relative duality gap recomputed from scratch with explicit centring.

    The dual point is the residual projected orthogonally to the unpenalized
    columns (least squares), rescaled into the l1 dual ball when l1_ratio = 1.
    """
    Xc, yc = centred_weighted(X, y, sample_weight, fit_intercept)
    n, p = Xc.shape
    pf = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, float)
    lam1, lam2 = n * alpha * l1_ratio * pf, n * alpha * (1 - l1_ratio) * pf
    coef = np.asarray(coef, dtype=np.float64)
    R = yc - Xc @ coef
    theta = R.copy()
    free = pf == 0
    if free.any():
        XU = Xc[:, free]
        theta -= XU @ np.linalg.lstsq(XU, R, rcond=None)[0]
    xt = Xc.T @ theta
    mag = xt if positive else np.abs(xt)
    s = 1.0
    l1_only = (lam2 == 0) & (lam1 > 0)
    if l1_only.any():
        s = min(1.0, np.min(lam1[l1_only] / np.maximum(mag[l1_only], 1e-300)))
    conj = 0.0
    ridge = lam2 > 0
    conj = np.sum(np.maximum(s * mag[ridge] - lam1[ridge], 0) ** 2 / (2 * lam2[ridge]))
    primal = 0.5 * R @ R + np.sum(lam1 * np.abs(coef) + 0.5 * lam2 * coef**2)
    dual = s * (yc @ theta) - 0.5 * s * s * (theta @ theta) - conj
    return (primal - dual) / (0.5 * yc @ yc)


def assert_lasso_path_certified(X, y, res, penalty_factor, *, tol, bound):
    """Every alpha of a lasso path reports a gap <= tol, no more than the gap
    recomputed from scratch (to 1e-9), which is itself <= bound."""
    assert (res.dual_gaps <= tol).all()
    for i, alpha in enumerate(res.alphas):
        gap = independent_gap(X, y, res.coefs[:, i], alpha, 1.0, penalty_factor=penalty_factor)
        assert res.dual_gaps[i] <= gap + 1e-9 and gap <= bound


def kkt_violation(X, y, coef, alpha, l1_ratio, *, sample_weight=None, penalty_factor=None,
                  fit_intercept=True, positive=False, gap=0.0):
    """Largest violation of the optimality conditions, relative to alpha * max(pf).

    ``gap`` (relative, as the solvers report it): a nonzero coefficient whose
    removal raises the objective by no more than the gap may be a zero of
    the optimum (1e-8 left by a combination of iterates where the optimum
    has 0), so it only has to meet the conditions of either.
    """
    Xc, yc = centred_weighted(X, y, sample_weight, fit_intercept)
    n, p = Xc.shape
    pf = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, float)
    coef = np.asarray(coef, dtype=np.float64)
    R = yc - Xc @ coef
    grad = Xc.T @ R / n - alpha * (1 - l1_ratio) * pf * coef
    bound = alpha * l1_ratio * pf
    at_zero = np.maximum(grad - bound, 0) if positive else np.maximum(np.abs(grad) - bound, 0)
    if positive:
        at_zero = np.where(pf > 0, at_zero, np.abs(grad))
    at_nonzero = np.abs(grad - bound * np.sign(coef))
    # objective change of setting coefficient j alone to zero (1/(2n) units)
    removal = ((2 * coef * (Xc.T @ R) + coef**2 * (Xc**2).sum(axis=0)) / (2 * n)
               - alpha * pf * (l1_ratio * np.abs(coef) + 0.5 * (1 - l1_ratio) * coef**2))
    may_be_zero = (coef != 0) & (pf > 0) & (removal <= gap * (yc @ yc) / (2 * n))
    viol = np.where(coef != 0, at_nonzero, at_zero)
    viol = np.where(may_be_zero, np.minimum(at_nonzero, at_zero), viol)
    return viol.max() / (alpha * max(pf.max(), 1e-300))


def kkt_tolerance(X, y, gap, alpha, *, sample_weight=None, penalty_factor=None,
                  fit_intercept=True, positive=False):
    """What a relative duality gap lets kkt_violation reach: the residual is
    within sqrt(2 gap) (absolute gap) of the optimal one, since the objective
    is 1-strongly convex in it, so each gradient Xc_j . R / n is within
    ||Xc_j|| times that of its optimal value (relative to alpha max(pf), as
    kkt_violation). Floored at 1e-3: on a near-degenerate design (few samples
    beyond the unpenalized columns) a gap of 1e-11 still allows gradients
    1e-3 alpha off."""
    Xc, yc = centred_weighted(X, y, sample_weight, fit_intercept)
    pf = np.ones(Xc.shape[1]) if penalty_factor is None else np.asarray(penalty_factor, float)
    residual_distance = np.sqrt(2 * max(gap, 0.0) * 0.5 * (yc @ yc))
    bound = (np.linalg.norm(Xc, axis=0).max() * residual_distance
             / (Xc.shape[0] * alpha * max(pf.max(), 1e-300)))
    return max(1e-3, 1.01 * bound)


def float32_reach(X, y, coef, *, sample_weight=None, fit_intercept=True, **_):
    """The relative gap float32 rounding can hide on the support of ``coef``:
    float32's epsilon times the squared condition number of the centred
    support columns (infinite when they are rank deficient)."""
    Xc, _ = centred_weighted(X, y, sample_weight, fit_intercept)
    support = Xc[:, np.flatnonzero(coef)]
    if support.shape[1] == 0:
        return 0.0
    return np.finfo(np.float32).eps * np.linalg.cond(support) ** 2


def objective_rounding(X, y, fit, sample_weight=None):
    """Bound on the rounding of ``objective``'s data term: each entry of
    y - X w - b carries up to 4 eps times the magnitudes it sums, which a
    column mean of 1e3 makes 1e-12 of a 3-sample objective."""
    Xd = (X.toarray() if sp.issparse(X) else X).astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    w = np.ones(n) if sample_weight is None else sample_weight * (n / sample_weight.sum())
    coef = fit.coef.astype(np.float64)
    R = y - Xd @ coef - fit.intercept
    size = np.abs(y) + np.abs(Xd) @ np.abs(coef) + abs(fit.intercept)
    return 4 * np.finfo(np.float64).eps * np.sum(w * np.abs(R) * size) / n


def objective(X, y, fit, alpha, l1_ratio, sample_weight=None, penalty_factor=None):
    Xd = X.toarray() if sp.issparse(X) else X
    return _reference.enet_objective(Xd.astype(np.float64), np.asarray(y, np.float64),
                                     fit.coef.astype(np.float64), fit.intercept, alpha,
                                     l1_ratio, sample_weight, penalty_factor)


def make_problem(rng, n=40, p=60, n_true=5, dtype=np.float64, density=None):
    X = rng.standard_normal((n, p))
    if density is not None:
        X *= rng.random((n, p)) < density
    coef = np.zeros(p)
    coef[:n_true] = rng.choice([-2.0, 2.0], n_true)
    y = X @ coef + 0.5 * rng.standard_normal(n) + 1.5
    return X.astype(dtype), y.astype(dtype)


# --- certificates on random problems (hypothesis) ---------------------------------------

@st.composite
def problems(draw):
    n = draw(st.integers(3, 25))
    p = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    layout = draw(st.sampled_from(["dense", "fortran", "sparse", "gram"]))
    X = rng.standard_normal((n, p))
    if layout == "sparse":
        X *= rng.random((n, p)) < 0.5
    y = X[:, : min(p, 3)].sum(axis=1) + rng.standard_normal(n)
    fit_intercept = draw(st.booleans())
    if fit_intercept:  # columns whose means dwarf their spread: centring rounds
        X += draw(st.sampled_from([0.0, 0.0, 0.0, 30.0, 1e3])) * rng.uniform(0.5, 1.5, p)
    pf = None
    if draw(st.booleans()):
        pf = rng.choice([0.0, 0.5, 1.0, 2.0], p)
        if pf.max() == 0:
            pf[0] = 1.0
        if (pf == 0).sum() >= n - 1:  # keep the unpenalized block well posed
            pf[pf == 0] = 1.0
    sw = rng.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    return dict(
        X=X, y=y, layout=layout, pf=pf, sw=sw,
        fit_intercept=fit_intercept,
        positive=draw(st.booleans()),
        l1_ratio=draw(st.sampled_from([1.0, 0.7, 0.2])),
        frac=draw(st.sampled_from([0.9, 0.3, 0.05])),
    )


def prepared(prob, dtype):
    """The drawn problem in ``dtype`` and its layout: (X, y, Xin, precompute,
    kwargs, yc, alpha_max), or None when the centred problem is degenerate."""
    X, y = prob["X"].astype(dtype), prob["y"].astype(dtype)
    kwargs = dict(penalty_factor=prob["pf"], sample_weight=prob["sw"],
                  fit_intercept=prob["fit_intercept"], positive=prob["positive"])
    Xin = {"sparse": sp.csc_matrix, "fortran": np.asfortranarray}.get(
        prob["layout"], lambda A: A)(X)
    Xc, yc = centred_weighted(X, y, prob["sw"], prob["fit_intercept"])
    if yc @ yc < 1e-8 or np.abs(Xc).max() < 1e-8:
        return None
    try:
        top = alpha_max(Xin, y, l1_ratio=prob["l1_ratio"], **{
            k: v for k, v in kwargs.items() if k != "positive"})
    except ValueError as error:  # a sparse column whose mean is > 1e4 times its spread
        assert "has a mean" in str(error)
        return None
    return X, y, Xin, prob["layout"] == "gram", kwargs, yc, top


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prob=problems(), dtype=st.sampled_from([np.float32, np.float64]))
def test_certificate_and_kkt_on_random_problems(prob, dtype):
    problem = prepared(prob, dtype)
    if problem is None:
        return
    X, y, Xin, precompute, kwargs, yc, top = problem
    alpha = max(top * prob["frac"], 1e-3)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    fit = enet_fit(Xin, y, alpha=alpha, l1_ratio=prob["l1_ratio"], tol=tol, max_iter=100_000,
                   precompute=precompute, **kwargs)
    assert fit.coef.dtype == dtype
    assert fit.converged and fit.dual_gap <= tol
    # the residual dual point, rebuilt here from scratch, certifies the fit too
    gap = independent_gap(X, y, fit.coef, alpha, prob["l1_ratio"], **kwargs)
    # float32: coefficients rounded to ~1e-7 move X^T R by that much relative to
    # ||X|| ||y||, which the rescaled residual turns into ~1e-3 gaps at small alpha
    # (the residual point's gap is first order in the residual's error while
    # the suboptimality is second order: it only has to be small, not tight)
    assert gap <= (2e-2 if dtype == np.float32 else 1e-3)
    if prob["positive"]:
        pf = np.ones(X.shape[1]) if prob["pf"] is None else prob["pf"]
        assert (fit.coef[pf > 0] >= 0).all()
    if dtype == np.float64:
        assert fit.dual_gap <= gap + 1e-9
        assert (kkt_violation(X, y, fit.coef, alpha, prob["l1_ratio"], gap=gap, **kwargs)
                < kkt_tolerance(X, y, gap, alpha, **kwargs))
        # the reported gap bounds the suboptimality against a tighter solve
        tight = enet_fit(X, y, alpha=alpha, l1_ratio=prob["l1_ratio"], tol=1e-14,
                         max_iter=100_000, **kwargs)
        args = (alpha, prob["l1_ratio"], prob["sw"], prob["pf"])
        null = 0.5 * yc @ yc / len(y)
        sub = (objective(X, y, fit, *args) - objective(X, y, tight, *args)) / null
        rounding = sum(objective_rounding(X, y, f, prob["sw"]) for f in (fit, tight)) / null
        assert sub <= fit.dual_gap + 1e-12 + rounding


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prob=problems(), dtype=st.sampled_from([np.float32, np.float64]))
def test_every_alpha_of_a_path_is_certified(prob, dtype):
    # Along a path the kernel keeps the features screened at earlier alphas
    # and only bounds their correlation with the residual; the gap it reports
    # at every alpha must still be the whole problem's, recomputed here.
    problem = prepared(prob, dtype)
    if problem is None:
        return
    X, y, Xin, precompute, kwargs, _, top = problem
    l1_ratio = prob["l1_ratio"]
    grid = max(top, 1e-3) * np.logspace(0, -2, 12)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # asserted below
        res = enet_path(Xin, y, l1_ratio=l1_ratio, alphas=grid, tol=tol, max_iter=100_000,
                        precompute=precompute, **kwargs)
    for i, alpha in enumerate(res.alphas):
        gap = independent_gap(X, y, res.coefs[:, i], alpha, l1_ratio, **kwargs)
        # float32 cannot certify what its rounding of an ill-conditioned
        # support hides (a 3 x 3 design of condition number 360: 8.5e-4)
        reach = float32_reach(X, y, res.coefs[:, i], **kwargs) if dtype == np.float32 else 0
        assert res.dual_gaps[i] <= max(tol, reach)
        if dtype == np.float64:
            assert res.dual_gaps[i] <= gap + 1e-9
            assert gap <= 1e-3
            # as in the single-fit test, the optimality conditions are checked
            # down to top / 20: below, a gap of 1e-10 on a 4-sample problem
            # still leaves gradients 1e-3 alpha away from their optimum. Not
            # at alpha_max itself either: with unpenalized features the largest
            # correlation sits on the boundary, which coordinate descent only
            # approaches (1.8e-10 left on a coefficient at a gap of 5e-11)
            if top / 20 <= alpha < top * (1 - 1e-9):
                assert (kkt_violation(X, y, res.coefs[:, i], alpha, l1_ratio, gap=gap,
                                      **kwargs)
                        < kkt_tolerance(X, y, gap, alpha, **kwargs))
        else:
            assert gap <= 2e-2  # see test_certificate_and_kkt_on_random_problems


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float64, 1e-4),
                                        (np.float32, 1e-4)])
def test_sequential_screening_on_a_wide_sparse_path(rng, dtype, tol):
    # A wide sparse design where most features stay screened for many alphas
    # (the case the bounds exist for): every alpha is certified independently
    # and matches the path solved without any screening. At a loose tol the
    # residual moves little between gaps, so most gaps skip the bounded
    # features through the slack: their certificate must hold all the same.
    n, p = 120, 3000
    X = sp.random(n, p, density=0.02, format="csc", random_state=1, dtype=np.float64)
    X.data = 1.0 + rng.random(X.nnz)
    coef = np.zeros(p)
    coef[rng.choice(p, 8, replace=False)] = rng.choice([-3.0, 3.0], 8)
    y = X @ coef + 0.3 * rng.standard_normal(n)
    Xd = X.astype(dtype)
    res = lasso_path(Xd, y.astype(dtype), alphas=40, eps=1e-3, tol=tol, max_iter=100_000)
    plain = enet_path(Xd, y.astype(dtype), l1_ratio=1.0, alphas=res.alphas, tol=tol,
                      max_iter=100_000, _screen=False)
    scale = np.var(y) / 2  # the unit of relative gaps
    for i, alpha in enumerate(res.alphas):
        gap = independent_gap(X, y, res.coefs[:, i], float(alpha), 1.0)
        assert res.dual_gaps[i] <= tol
        assert gap <= (2e-2 if dtype == np.float32 else tol * 1.01)
        fits = [FitResult(c[:, i], b[i], 0.0, 0, True) for c, b in
                ((res.coefs, res.intercepts), (plain.coefs, plain.intercepts))]
        ours, unscreened = (objective(X, y, f, float(alpha), 1.0) for f in fits)
        # both are within their gap of the optimum (up to rounding)
        rounding = (1e-5 if dtype == np.float32 else 1e-12) * unscreened
        assert abs(ours - unscreened) <= (
            (res.dual_gaps[i] + plain.dual_gaps[i]) * scale * 1.01 + rounding)


@pytest.mark.parametrize("layout", ["dense", "sparse", "gram"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_reported_gap_bounds_suboptimality(rng, layout, l1_ratio):
    X, y = make_problem(rng, density=0.4 if layout == "sparse" else None)
    Xin = sp.csc_matrix(X) if layout == "sparse" else X
    alpha = alpha_max(X, y, l1_ratio=l1_ratio) / 20
    loose = enet_fit(Xin, y, alpha=alpha, l1_ratio=l1_ratio, tol=1e-3,
                     precompute=layout == "gram")
    tight = enet_fit(X, y, alpha=alpha, l1_ratio=l1_ratio, tol=1e-13)
    scale = np.var(y) / 2
    sub = (objective(X, y, loose, alpha, l1_ratio) - objective(X, y, tight, alpha, l1_ratio))
    assert 0 <= sub / scale <= loose.dual_gap <= 1e-3
    # the reported gap is the residual dual point's, recomputed here
    assert loose.dual_gap <= independent_gap(X, y, loose.coef, alpha, l1_ratio) + 1e-12


# --- agreement with scikit-learn ------------------------------------------------------

@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_matches_sklearn_objective(rng, sparse, fit_intercept, weighted, l1_ratio):
    from sklearn.linear_model import ElasticNet

    X, y = make_problem(rng, n=50, p=80, density=0.3 if sparse else None)
    sw = rng.uniform(0.2, 2.0, X.shape[0]) if weighted else None
    Xin = sp.csc_matrix(X) if sparse else X
    alpha = alpha_max(Xin, y, l1_ratio=l1_ratio, sample_weight=sw,
                      fit_intercept=fit_intercept) / 15
    ours = enet_fit(Xin, y, alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, sample_weight=sw,
                    fit_intercept=fit_intercept)
    ref = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=200_000,
                     fit_intercept=fit_intercept).fit(Xin, y, sample_weight=sw)
    ref_fit = FitResult(ref.coef_, ref.intercept_, 0.0, 0, True)
    o_ours = objective(X, y, ours, alpha, l1_ratio, sw)
    o_ref = objective(X, y, ref_fit, alpha, l1_ratio, sw)
    assert abs(o_ours - o_ref) <= 1e-6 * o_ref
    assert o_ours <= o_ref * (1 + 1e-10)  # both within their tolerances
    np.testing.assert_allclose(ours.coef, ref.coef_, atol=1e-5)


def test_dense_sparse_and_gram_give_the_same_model(rng):
    X, y = make_problem(rng, n=60, p=40, density=0.3)
    sw = rng.uniform(0.5, 2.0, 60)
    pf = np.ones(40)
    pf[2] = 0.0
    fits = [enet_fit(Xin, y, alpha=0.05, l1_ratio=0.8, tol=1e-13, sample_weight=sw,
                     penalty_factor=pf, precompute=pre)
            for Xin, pre in [(X, False), (np.asfortranarray(X), False), (sp.csc_matrix(X), False),
                             (sp.csr_matrix(X), False), (X, True), (sp.csc_matrix(X), True)]]
    for fit in fits[1:]:
        np.testing.assert_allclose(fit.coef, fits[0].coef, atol=1e-9)
        assert fit.intercept == pytest.approx(fits[0].intercept, abs=1e-9)


@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("precompute", [False, "lazy", True])
def test_sparse_x_with_duplicate_entries_is_the_matrix_it_sums_to(rng, fmt, precompute):
    # scipy keeps duplicate (row, column) entries until sum_duplicates(); the
    # kernels' column norms and Gram columns counted a^2 + b^2 for them, and
    # the lazy Gram fits came out up to 0.98 (relative) above the optimum with
    # a gap of 1e-16
    X, y = make_problem(rng, n=40, p=10, density=0.5)
    csc = sp.csc_matrix(X)
    halves = sp.csc_matrix((np.repeat(csc.data / 2, 2), np.repeat(csc.indices, 2),
                            2 * csc.indptr), shape=X.shape).asformat(fmt)
    stored = halves.data.copy()
    assert not halves.has_canonical_format
    for alpha in (0.5, 0.05):
        fit = enet_fit(halves, y, alpha=alpha, l1_ratio=1.0, tol=1e-12, precompute=precompute)
        dense = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-12)
        np.testing.assert_allclose(fit.coef, dense.coef, atol=1e-8)
        assert independent_gap(X, y, fit.coef, alpha, 1.0) <= 1e-10
    np.testing.assert_array_equal(halves.data, stored)  # the caller's matrix is left as is


@pytest.mark.parametrize("sparse", [False, True])
def test_lazy_gram_columns_match_design(rng, sparse):
    X, y = make_problem(rng, n=120, p=30, density=0.5 if sparse else None)
    Xin = sp.csc_matrix(X) if sparse else X
    sw = rng.uniform(0.5, 2.0, 120)
    lazy = enet_path(Xin, y, l1_ratio=0.7, alphas=8, precompute="lazy", tol=1e-12,
                     sample_weight=sw)
    design = enet_path(Xin, y, l1_ratio=0.7, alphas=8, precompute=False, tol=1e-12,
                       sample_weight=sw)
    auto = enet_path(Xin, y, l1_ratio=0.7, alphas=8, tol=1e-12, sample_weight=sw)
    np.testing.assert_allclose(lazy.coefs, design.coefs, atol=1e-7)
    np.testing.assert_allclose(auto.coefs, design.coefs, atol=1e-7)
    np.testing.assert_allclose(lazy.intercepts, design.intercepts, atol=1e-7)
    assert (lazy.dual_gaps <= 1e-12).all() and (design.dual_gaps <= 1e-12).all()


def test_user_gram_matrix(rng):
    X, y = make_problem(rng, n=80, p=20)
    X += 3.0  # columns far from centred: the two Gram conventions differ
    Xc = X - X.mean(axis=0)
    by_gram = enet_path(X, y, alphas=5, precompute=Xc.T @ Xc, tol=1e-12)
    by_design = enet_path(X, y, alphas=5, precompute=False, tol=1e-12)
    np.testing.assert_allclose(by_gram.coefs, by_design.coefs, atol=1e-9)
    # scikit-learn's convention (uncentred X^T X) is centred, with a warning
    with pytest.warns(UserWarning, match="Gram matrix of the uncentred X"):
        uncentred = enet_path(X, y, alphas=5, precompute=X.T @ X, tol=1e-12)
    np.testing.assert_allclose(uncentred.coefs, by_design.coefs, atol=1e-9)


@pytest.mark.parametrize("make_gram, match", [
    (lambda X, Xc: np.eye(X.shape[1]), "precompute does not match X"),
    (lambda X, Xc: Xc.T @ Xc * 1.01, "precompute does not match X"),
    (lambda X, Xc: Xc.T @ Xc + np.triu(np.ones((X.shape[1],) * 2), 1), "symmetric"),
    (lambda X, Xc: (Xc.T @ Xc)[:, ::-1].copy(), "symmetric|does not match"),
    (lambda X, Xc: with_wrong_pair(Xc.T @ Xc, 3, 5), "precompute does not match X"),
])
def test_user_gram_matrix_that_does_not_match_x_is_refused(rng, make_gram, match):
    X, y = make_problem(rng, n=80, p=20)
    Xc = X - X.mean(axis=0)
    with pytest.raises(ValueError, match=match):
        enet_fit(X, y, alpha=0.1, precompute=make_gram(X, Xc))


def with_wrong_pair(G, i, j):
    """G with the symmetric pair (i, j) off by a tenth of the largest diagonal entry."""
    G = G.copy()
    G[i, j] += 0.1 * G.diagonal().max()
    G[j, i] = G[i, j]
    return G


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_user_gram_with_one_wrong_off_diagonal_pair_is_refused(rng, dtype, weighted):
    # the certificate is computed from the Gram: a wrong pair away from the
    # diagonal and the first row used to be accepted, and the fit reported a
    # zero gap for a model far from the optimum
    X, y = make_problem(rng, n=60, p=12)
    X, y = X.astype(dtype), y.astype(dtype)
    w = rng.uniform(0.5, 2.0, 60) if weighted else None
    Xc, _ = centred_weighted(X, y, w, fit_intercept=True)
    G = (Xc.T @ Xc).astype(dtype)
    exact = enet_fit(X, y, alpha=0.05, precompute=G, sample_weight=w, tol=1e-6)
    assert exact.converged  # the true Gram, rounded to X's dtype, passes the check
    with pytest.raises(ValueError, match="precompute does not match X"):
        enet_fit(X, y, alpha=0.05, precompute=with_wrong_pair(G, 4, 9), sample_weight=w)


# --- closed forms --------------------------------------------------------------------

def test_orthogonal_design_is_soft_thresholding(rng):
    n, p = 64, 8
    Q, _ = np.linalg.qr(rng.standard_normal((n, p)))
    X = Q * np.sqrt(n)  # X^T X / n = I
    y = rng.standard_normal(n) * 3
    pf = np.array([1.0, 0.5, 2.0, 0.0, 1.0, 1.0, 3.0, 1.0])
    alpha, l1_ratio = 0.4, 0.7
    fit = enet_fit(X, y, alpha=alpha, l1_ratio=l1_ratio, penalty_factor=pf,
                   fit_intercept=False, tol=1e-14)
    z = X.T @ y / n
    expected = (_reference.soft_threshold(z, alpha * l1_ratio * pf)
                / (1 + alpha * (1 - l1_ratio) * pf))
    np.testing.assert_allclose(fit.coef, expected, rtol=1e-10, atol=1e-12)


def test_ridge_by_cd_matches_normal_equations(rng):
    X, y = make_problem(rng, n=30, p=50)
    alpha = 0.3
    fit = enet_fit(X, y, alpha=alpha, l1_ratio=0.0, tol=1e-14)
    Xc, yc = X - X.mean(0), y - y.mean()
    coef = np.linalg.solve(Xc.T @ Xc + len(y) * alpha * np.eye(50), Xc.T @ yc)
    # strong convexity (modulus n alpha) turns the gap into a distance bound
    gap_abs = fit.dual_gap * (yc @ yc) / 2
    assert np.sum((fit.coef - coef) ** 2) <= 2 * gap_abs / (len(y) * alpha) + 1e-24
    np.testing.assert_allclose(fit.coef, coef, rtol=1e-5, atol=1e-6)
    assert fit.intercept == pytest.approx(y.mean() - X.mean(0) @ coef, abs=1e-6)


def test_numpy_reference_agrees_with_kernel(rng):
    X, y = make_problem(rng, n=30, p=20)
    scale = np.var(y) / 2  # the unit of relative gaps
    for l1_ratio in (1.0, 0.5):
        coef, b, gap, _ = _reference.enet_coordinate_descent(X, y, 0.05, l1_ratio, tol=1e-13)
        fit = enet_fit(X, y, alpha=0.05, l1_ratio=l1_ratio, tol=1e-13)
        assert gap <= 1e-13
        # both objectives are within their gaps of the optimum
        ours = _reference.enet_objective(X, y, fit.coef, fit.intercept, 0.05, l1_ratio)
        theirs = _reference.enet_objective(X, y, coef, b, 0.05, l1_ratio)
        assert abs(ours - theirs) <= (gap + fit.dual_gap) * scale + 1e-14 * theirs
        # a gap of 1e-13 pins coefficients to ~sqrt(gap / curvature), not closer
        np.testing.assert_allclose(fit.coef, coef, atol=1e-5)
        assert fit.intercept == pytest.approx(b, abs=1e-5)


# --- features of the API -------------------------------------------------------------

@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_numpy_reference_matches_the_dense_one(rng, fit_intercept):
    # the CSC reference (the benchmark's baseline on sparse designs) runs the
    # same sweeps as the dense one on the same numbers, never densifying X
    X, y = make_problem(rng, n=50, p=70, density=0.2)
    Xs = sp.csc_matrix(X)
    for l1_ratio in (1.0, 0.5):
        dense = _reference.enet_coordinate_descent(X, y, 0.02, l1_ratio, tol=1e-12,
                                                   fit_intercept=fit_intercept)
        csc = _reference.enet_coordinate_descent_csc(Xs, y, 0.02, l1_ratio, tol=1e-12,
                                                     fit_intercept=fit_intercept)
        np.testing.assert_allclose(csc[0], dense[0], rtol=1e-9, atol=1e-12)
        assert csc[1] == pytest.approx(dense[1], abs=1e-9)
        assert csc[2] <= 1e-12 and csc[3] == dense[3]
        fit = enet_fit(Xs, y, alpha=0.02, l1_ratio=l1_ratio, tol=1e-12,
                       fit_intercept=fit_intercept)
        np.testing.assert_allclose(fit.coef, csc[0], atol=1e-5)


def test_unpenalized_and_constant_features(rng):
    X, y = make_problem(rng, n=50, p=30)
    X[:, 4] = 7.0  # constant column
    pf = np.ones(30)
    pf[[1, 10]] = 0.0
    top = alpha_max(X, y, penalty_factor=pf)
    fit = enet_fit(X, y, alpha=top, l1_ratio=1.0, penalty_factor=pf, tol=1e-12)
    # at alpha_max itself the largest correlation sits on the boundary, which
    # coordinate descent approaches geometrically: zero up to the certificate
    assert np.abs(np.delete(fit.coef, [1, 10])).max() <= 1e-6
    fit = enet_fit(X, y, alpha=1.001 * top, l1_ratio=1.0, penalty_factor=pf, tol=1e-12)
    assert fit.coef[4] == 0
    assert np.flatnonzero(fit.coef).tolist() == [1, 10]  # only the free ones above it
    Xc, yc = X[:, [1, 10]] - X[:, [1, 10]].mean(0), y - y.mean()
    np.testing.assert_allclose(fit.coef[[1, 10]], np.linalg.lstsq(Xc, yc, rcond=None)[0],
                               rtol=1e-8)


@pytest.mark.parametrize("layout", ["dense", "csc", "gram"])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_ill_conditioned_unpenalized_block_converges(rng, layout, dtype, tol):
    # Eight unpenalized columns close to one another (condition number ~300):
    # coordinate steps on them alone converge at the rate of that conditioning
    # (4400 epochs to a gap of 1e-10); the solver minimises over the whole
    # unpenalized block exactly, so the fit certifies in a few epochs.
    n, p, k = 40, 20, 8
    X = rng.standard_normal((n, p))
    X[:, :k] = rng.standard_normal(n)[:, None] + 0.01 * rng.standard_normal((n, k))
    y = X[:, k:k + 3].sum(axis=1) + X[:, :k] @ rng.standard_normal(k) + rng.standard_normal(n)
    pf = np.r_[np.zeros(k), np.ones(p - k)]
    sw = rng.uniform(0.5, 2.0, n)
    Xin = sp.csc_matrix(X.astype(dtype)) if layout == "csc" else X.astype(dtype)
    for l1_ratio in (1.0, 0.5):
        fit = enet_fit(Xin, y.astype(dtype), alpha=0.05, l1_ratio=l1_ratio, tol=tol,
                       max_iter=2000, penalty_factor=pf, sample_weight=sw,
                       precompute=layout == "gram")
        assert fit.converged and fit.dual_gap <= tol
        gap = independent_gap(X, y, fit.coef, 0.05, l1_ratio, penalty_factor=pf,
                              sample_weight=sw)
        assert gap <= (1e-3 if dtype == np.float32 else tol * 1.01)


def test_anderson_steps_under_positive_leave_unpenalized_features_free():
    # positive=True constrains the penalized features only. Anderson's
    # candidates were refused whenever any coefficient went negative, an
    # unpenalized one included, so with one negative at the optimum no step
    # was ever taken (a 6 x 6 hypothesis path stalled at a gap of 3e-7 after
    # 100000 epochs; here the fit ran exactly as without Anderson).
    rng = np.random.default_rng(0)
    n, p = 30, 8
    X = rng.standard_normal((n, p))
    X[:, 5] = X[:, :5] @ rng.uniform(0.5, 1, 5) + 0.01 * rng.standard_normal(n)
    y = X @ rng.standard_normal(p) + 0.1 * rng.standard_normal(n)
    pf = np.array([0, 0.5, 0, 0, 2, 0, 1, 1.0])
    kwargs = dict(alpha=0.01, l1_ratio=1.0, positive=True, penalty_factor=pf, tol=1e-10)
    fast = enet_fit(X, y, **kwargs)
    plain = enet_fit(X, y, _anderson=False, **kwargs)
    assert fast.coef[0] < 0 and (fast.coef[pf > 0] >= 0).all()
    assert fast.dual_gap <= 1e-10 and plain.dual_gap <= 1e-10
    assert fast.n_iter < plain.n_iter
    np.testing.assert_allclose(fast.coef, plain.coef, atol=1e-6)


@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_stalled_degenerate_support_drops_along_the_null_direction(layout):
    # 16 samples (rank 15 once centred), 30 features of which 7 unpenalized:
    # at small alphas coordinate descent reaches 15 or 16 nonzeros whose
    # columns are dependent; the residual is then flat along a null direction
    # and the l1 penalty linear along it, which coordinate steps cannot follow
    # (this path took 76070 epochs at one alpha, and stalled at a gap of 2e-6
    # after 100000 before the unpenalized block step). A stalled inner solve
    # moves along that direction until a penalized coefficient reaches zero.
    rng = np.random.default_rng(156)
    n, p = 16, 30
    X = rng.standard_normal((n, p))
    y = X[:, :3].sum(axis=1) + rng.standard_normal(n)
    pf = np.ones(p)
    pf[rng.choice(p, 7, replace=False)] = 0
    top = alpha_max(X, y, penalty_factor=pf)
    Xin = sp.csc_matrix(X) if layout == "csc" else X
    res = enet_path(Xin, y, l1_ratio=1.0, alphas=top * np.logspace(0, -2, 12), tol=1e-10,
                    max_iter=5000, penalty_factor=pf)
    assert_lasso_path_certified(X, y, res, pf, tol=1e-10, bound=1e-9)
    # the dropped solution has no more nonzeros than the centred rank
    assert (np.count_nonzero(res.coefs, axis=0) <= n - 1).all()


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("dependence, seed", [("twin", 7), ("twin", 15), ("twin", 16),
                                              ("difference", 0), ("difference", 3)])
def test_drop_step_ignores_dependence_among_unpenalized_features(layout, dependence, seed):
    # Dependent unpenalized columns (two identical, or one the difference of
    # two others): a null direction among them alone moves no penalized
    # coefficient, and rounding gave it ~1e-16 entries on penalized ones, so
    # a drop step along it sent them to 1e13-1e15 and certified fits whose
    # true gap was 3e-3. The drop step looks only for null directions
    # through a penalized column.
    rng = np.random.default_rng(seed)
    n, p = 16, 30
    X = rng.standard_normal((n, p))
    pf = np.ones(p)
    free = rng.choice(p, 7, replace=False)
    pf[free] = 0
    if dependence == "twin":
        X[:, free[1]] = X[:, free[0]]
    else:
        X[:, free[2]] = X[:, free[0]] - X[:, free[1]]
    y = X[:, :3].sum(axis=1) + rng.standard_normal(n)
    top = alpha_max(X, y, penalty_factor=pf)
    Xin = sp.csc_matrix(X) if layout == "csc" else X
    res = enet_path(Xin, y, l1_ratio=1.0, alphas=top * np.logspace(0, -2, 12), tol=1e-10,
                    max_iter=5000, penalty_factor=pf)
    assert_lasso_path_certified(X, y, res, pf, tol=1e-10, bound=1e-9)
    assert np.abs(res.coefs).max() < 1e3


@pytest.mark.parametrize("precompute", ["auto", False])
@pytest.mark.parametrize("seed", [104, 146, 175])
def test_drop_step_on_rank_deficient_tall_designs(precompute, seed):
    # More samples than features but rank r < p: once a path's support holds
    # more than r features their columns are dependent, far below the n - 1
    # nonzeros at which a wide design's support must be, and coordinate
    # descent stalled (gaps of 4e-8 to 5e-6 after 20000 epochs, with the
    # Gram of the default precompute or with the design). A stalled solve
    # now tests small supports too, and does it on the design in covariance
    # mode as well.
    rng = np.random.default_rng(seed)
    p = int(rng.integers(10, 30))
    r = int(rng.integers(3, p - 2))
    n = p + int(rng.integers(1, 20))
    X = rng.standard_normal((n, r)) @ rng.standard_normal((r, p))
    pf = np.ones(p)
    if rng.random() < 0.5:
        pf[rng.choice(p, int(rng.integers(1, r)), replace=False)] = 0
    y = X[:, :3].sum(axis=1) + rng.standard_normal(n)
    top = alpha_max(X, y, penalty_factor=pf)
    res = enet_path(X, y, l1_ratio=1.0, alphas=top * np.logspace(0, -3, 10), tol=1e-9,
                    max_iter=20000, penalty_factor=pf, precompute=precompute)
    assert_lasso_path_certified(X, y, res, pf, tol=1e-9, bound=1e-8)


def test_positive_constraint_matches_sklearn(rng):
    from sklearn.linear_model import Lasso

    X, y = make_problem(rng)
    fit = enet_fit(X, y, alpha=0.05, l1_ratio=1.0, positive=True, tol=1e-12)
    ref = Lasso(alpha=0.05, positive=True, tol=1e-14, max_iter=100_000).fit(X, y)
    assert (fit.coef >= 0).all()
    np.testing.assert_allclose(fit.coef, ref.coef_, atol=1e-6)


def test_alpha_max_is_the_smallest_all_zero_alpha(rng):
    X, y = make_problem(rng)
    sw = rng.uniform(0.5, 1.5, X.shape[0])
    for l1_ratio in (1.0, 0.4):
        top = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw)
        at = enet_fit(X, y, alpha=top, l1_ratio=l1_ratio, sample_weight=sw, tol=1e-12)
        below = enet_fit(X, y, alpha=top * 0.99, l1_ratio=l1_ratio, sample_weight=sw,
                         tol=1e-12)
        assert not at.coef.any()
        assert np.count_nonzero(below.coef) >= 1


def test_alpha_max_under_the_positive_constraint(rng):
    X, y = make_problem(rng)
    y = -X[:, 0] + 0.3 * rng.standard_normal(X.shape[0])  # the strongest link is negative
    Xc, yc = X - X.mean(0), y - y.mean()
    top = alpha_max(X, y, positive=True)
    assert top == pytest.approx(max((Xc.T @ yc).max(), 0) / len(y), rel=1e-12)
    assert top < alpha_max(X, y)
    at = enet_fit(X, y, alpha=top, l1_ratio=1.0, positive=True, tol=1e-12)
    below = enet_fit(X, y, alpha=top * 0.99, l1_ratio=1.0, positive=True, tol=1e-12)
    assert not at.coef.any() and np.count_nonzero(below.coef) >= 1
    path = lasso_path(X, y, alphas=5, positive=True)
    assert path.alphas[0] == pytest.approx(top, rel=1e-12)
    assert np.count_nonzero(path.coefs[:, 1]) >= 1  # only the first alpha is all zero


def test_alpha_grid_starts_at_a_tiny_alpha_max(rng):
    # float32 data at a 1e-4 scale: alpha_max ~ 1e-8 is below float32's
    # resolution (1e-6), and the grid must still start there
    from regcore.linear_model import alpha_grid

    X, y = make_problem(rng, n=100, p=10)
    X, y = (X * 1e-4).astype(np.float32), (y * 1e-4).astype(np.float32)
    top = alpha_max(X, y)
    grid = alpha_grid(X, y, n_alphas=10)
    assert top < 1e-6
    assert grid[0] == pytest.approx(top, rel=1e-6) and grid[-1] == pytest.approx(top * 1e-3)
    assert alpha_grid(X, np.full(100, 2.0, dtype=np.float32), n_alphas=3)[0] > 0


def test_path_shape_order_and_pointwise_fits(rng):
    X, y = make_problem(rng)
    res = enet_path(X, y, l1_ratio=0.8, alphas=[0.01, 0.5, 0.1], tol=1e-12)
    assert isinstance(res, PathResult)
    alphas, coefs, gaps = res
    np.testing.assert_array_equal(alphas, [0.5, 0.1, 0.01])
    assert coefs.shape == (X.shape[1], 3) and gaps.shape == (3,)
    assert res.intercepts.shape == (3,) and res.n_iters.shape == (3,)
    for i, alpha in enumerate(alphas):
        fit = enet_fit(X, y, alpha=alpha, l1_ratio=0.8, tol=1e-12)
        on_path = FitResult(coefs[:, i], res.intercepts[i], gaps[i], 0, True)
        assert objective(X, y, on_path, alpha, 0.8) == pytest.approx(
            objective(X, y, fit, alpha, 0.8), rel=1e-11)
        np.testing.assert_allclose(coefs[:, i], fit.coef, atol=1e-4)
    grid = lasso_path(X, y, alphas=7, eps=1e-2)
    np.testing.assert_allclose(grid.alphas, alpha_max(X, y) * np.logspace(0, -2, 7))
    assert not grid.coefs[:, 0].any()
    assert regcore.lasso_path is lasso_path and regcore.enet_path is enet_path


def test_path_result_pickles_and_copies(rng):
    import copy
    import pickle

    X, y = make_problem(rng)
    res = enet_path(X, y, l1_ratio=0.5, alphas=4)
    for clone in (pickle.loads(pickle.dumps(res)), copy.deepcopy(res), copy.copy(res)):
        assert isinstance(clone, PathResult)
        for name in ("alphas", "coefs", "dual_gaps", "intercepts", "n_iters"):
            np.testing.assert_array_equal(getattr(clone, name), getattr(res, name))


def test_coef_init_continuation_equals_one_run(rng):
    X, y = make_problem(rng, n=40, p=100)
    alpha = alpha_max(X, y) / 30
    with pytest.warns(ConvergenceWarning):
        first = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-12, max_iter=5)
    second = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-12, coef_init=first.coef)
    whole = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-12)
    np.testing.assert_allclose(second.coef, whole.coef, atol=1e-8)
    again = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-12, coef_init=whole.coef)
    assert again.converged and again.n_iter <= 10  # restarting at a solution is cheap
    np.testing.assert_allclose(again.coef, whole.coef, atol=1e-8)


@pytest.mark.parametrize("sparse", [False, True])
def test_a_fit_on_work_buffers_of_an_earlier_problem_is_the_same_fit(rng, sparse):
    # a finished problem's kernel buffers serve the next one of the same
    # shapes (_coordinate_descent._SPARE): nothing of it may reach that fit,
    # here column norms 0.1-10x apart and a path state left mid-path
    from regcore.linear_model import _coordinate_descent as cd

    def design(X):
        return sp.csc_matrix(X) if sparse else X
    X1, y1 = make_problem(rng, n=60, p=200, density=0.3 if sparse else None)
    X2, y2 = make_problem(rng, n=60, p=200, density=0.3 if sparse else None)
    X1, X2 = design(X1 * rng.uniform(0.1, 10, size=200)), design(X2)
    alphas = alpha_max(X2, y2) * np.array([0.3, 0.05, 0.01])
    cd._SPARE.clear()
    fresh = [enet_fit(X2, y2, alpha=a, l1_ratio=0.9, tol=1e-10) for a in alphas]
    cd._SPARE.clear()
    lasso_path(X1, y1, alphas=5, eps=0.02, tol=1e-10)
    ((kept, _),) = cd._SPARE.values()
    for a, before in zip(alphas, fresh):
        again = enet_fit(X2, y2, alpha=a, l1_ratio=0.9, tol=1e-10)
        ((spare, _),) = cd._SPARE.values()
        assert spare is kept  # the same buffers, reused
        np.testing.assert_array_equal(again.coef, before.coef)
        assert (again.dual_gap, again.n_iter) == (before.dual_gap, before.n_iter)


def test_a_fit_never_waits_for_the_table_of_spare_buffers(rng):
    # the collector may finalize a problem (which hands its buffers to the
    # table) inside a locked block of the same thread: a fit meanwhile must
    # neither deadlock nor touch the table
    import threading

    from regcore.linear_model import _coordinate_descent as cd

    X, y = make_problem(rng, n=30, p=20)
    cd._SPARE.clear()
    results = []

    def fit_while_locked():
        with cd._SPARE_LOCK:
            results.append(enet_fit(X, y, alpha=0.1, l1_ratio=1.0, tol=1e-10))
    worker = threading.Thread(target=fit_while_locked, daemon=True)
    worker.start()
    worker.join(60)  # a deadlock guard, not a timing: the fit takes milliseconds
    assert not worker.is_alive()
    assert not cd._SPARE
    np.testing.assert_array_equal(results[0].coef,
                                  enet_fit(X, y, alpha=0.1, l1_ratio=1.0, tol=1e-10).coef)


def test_float32_is_kept_and_agrees_with_float64(rng):
    X, y = make_problem(rng, n=60, p=40)
    for Xin in (X, sp.csc_matrix(X)):
        f64 = enet_path(Xin, y, l1_ratio=0.9, alphas=10, tol=1e-10)
        X32 = Xin.astype(np.float32)
        f32 = enet_path(X32, y.astype(np.float32), l1_ratio=0.9, alphas=10, tol=1e-5)
        assert f32.coefs.dtype == np.float32 and f32.alphas.dtype == np.float32
        # intercepts stay float64 (as enet_fit's): one of 1e5 rounds by 0.01 in float32
        assert f32.intercepts.dtype == np.float64
        np.testing.assert_allclose(f32.coefs, f64.coefs, atol=2e-3)
        np.testing.assert_allclose(f32.intercepts, f64.intercepts, atol=2e-3)
        fit = enet_fit(X32, y, alpha=0.1, tol=1e-5)
        assert fit.coef.dtype == np.float32


def test_float32_tol_below_its_resolution_is_warned_about(rng):
    X, y = make_problem(rng, n=60, p=20)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    with pytest.warns(UserWarning, match="tol=1e-08 is below what float32 arithmetic"):
        enet_fit(X32, y32, alpha=0.1, tol=1e-8)
    with pytest.warns(UserWarning, match="below what float32 arithmetic"):
        enet_path(sp.csc_matrix(X32), y32, alphas=3, tol=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        enet_fit(X32, y32, alpha=0.1, tol=1e-6)
        enet_fit(X, y, alpha=0.1, tol=1e-12)


def test_convergence_warning_states_gap_and_tol(rng):
    X, y = make_problem(rng, n=40, p=100)
    with pytest.warns(ConvergenceWarning, match=r"duality gap .* > tol 1e-12"):
        fit = enet_fit(X, y, alpha=0.01, tol=1e-12, max_iter=1)
    assert not fit.converged and fit.n_iter == 1
    with pytest.warns(ConvergenceWarning, match=r"did not converge for \d+ of 3 alphas"):
        enet_path(X, y, alphas=3, tol=1e-12, max_iter=1)
    assert issubclass(ConvergenceWarning, UserWarning)


def test_read_only_and_c_ordered_inputs(rng):
    X, y = make_problem(rng)
    Xf = np.asfortranarray(X)
    X.flags.writeable = False
    y.flags.writeable = False
    a = enet_fit(X, y, alpha=0.1, tol=1e-12)
    b = enet_fit(Xf, y, alpha=0.1, tol=1e-12)
    c = enet_fit(Xf[:, ::1], y, alpha=0.1, tol=1e-12)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-12)
    np.testing.assert_allclose(a.coef, c.coef, atol=1e-12)


# --- columns whose mean dwarfs their spread (timestamps, years, offsets) ----------------

def offset_problem(rng, offset, n=60, p=15):
    Z = rng.standard_normal((n, p)) * rng.uniform(0.5, 2, p)
    y = Z[:, :3] @ [1.5, -2.0, 0.7] + 0.3 * rng.standard_normal(n) + 5
    return Z + offset * rng.uniform(0.5, 1.5, p), y


@pytest.mark.parametrize("dtype, sparse, offsets, tol", [
    (np.float64, False, [10.0, 1e3, 1e6, 1e9], 1e-12),   # centred in a copy from 1e4 on
    (np.float64, True, [10.0, 1e3], 1e-12),
    (np.float32, False, [3.0, 10.0, 1e3, 1e5], 1e-6),     # centred in a copy from 30 on
    (np.float32, True, [3.0, 10.0, 1e3], 1e-6),           # solved in float64 from 30 on
])
def test_certificate_holds_for_columns_with_large_means(rng, dtype, sparse, offsets, tol):
    # the terms of implicit centring grow with |mean_j| / std_j: the kernel
    # re-centres the residual at every certificate, and beyond a ratio a
    # dense X is centred in a copy and a sparse float32 X solved in float64
    for offset in offsets:
        X, y = offset_problem(rng, offset)
        X, y = X.astype(dtype), y.astype(dtype)
        Xc, yc = centred_weighted(X, y, None, True)
        alpha = np.abs(Xc.T @ yc).max() / len(y) / 20
        for a in (alpha, alpha / 10):
            fit = enet_fit(sp.csc_matrix(X) if sparse else X, y, alpha=a, l1_ratio=1.0,
                           tol=tol, max_iter=10_000)
            assert fit.converged and fit.coef.dtype == dtype
            assert independent_gap(X, y, fit.coef, a, 1.0) <= 1.01 * tol
            centred = enet_fit(Xc, yc, alpha=a, l1_ratio=1.0, tol=1e-14, fit_intercept=False)
            np.testing.assert_allclose(fit.coef, centred.coef,
                                       atol=1e-3 if dtype == np.float32 else 1e-6)


@pytest.mark.parametrize("sparse", [False, True])
def test_weighted_certificate_holds_for_columns_with_large_means(rng, sparse):
    # the residual is re-centred along sqrt(w), the weighted centring vector
    X, y = offset_problem(rng, 1e3)
    w = rng.uniform(0.1, 3.0, len(y))
    Xc, yc = centred_weighted(X, y, w, True)
    top = np.abs(Xc.T @ yc).max() / len(y)
    for alpha in (top / 5, top / 20, top / 100):
        fit = enet_fit(sp.csc_matrix(X) if sparse else X, y, alpha=alpha, l1_ratio=1.0,
                       sample_weight=w, tol=1e-12, max_iter=10_000)
        assert fit.converged
        assert independent_gap(X, y, fit.coef, alpha, 1.0, sample_weight=w) <= 1.01e-12


@pytest.mark.parametrize("dtype, ratio, tol", [
    (np.float64, 9e2, 1e-12), (np.float64, 9e3, 1e-12),  # Gram, then the design
    (np.float32, 9.0, 1e-6), (np.float32, 29.0, 1e-6),
])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("precompute", [True, "lazy"])
def test_gram_certificates_hold_for_columns_with_large_means(rng, dtype, ratio, tol,
                                                             sparse, precompute):
    # Gram columns are products of centred columns (and a sparse Gram is
    # formed in float64): Xs_i . Xs_j - n mu_i mu_j would cancel. Above
    # MAX_GRAM_OFFSET the design replaces the Gram; the larger ratios are
    # just below those where a dense design would be centred in a copy.
    X = rng.standard_normal((400, 12))
    X[rng.random(X.shape) < 0.5] = 0
    X += ratio * rng.choice([-1, 1], 12) * X.std(0)
    y = X[:, :5] @ rng.standard_normal(5) + 0.5 * rng.standard_normal(400)
    X, y = X.astype(dtype), y.astype(dtype)
    path = enet_path(sp.csc_matrix(X) if sparse else X, y, l1_ratio=0.7, alphas=8, eps=1e-2,
                     tol=tol, precompute=precompute, max_iter=10_000)
    for alpha, coef, gap in zip(path.alphas, path.coefs.T, path.dual_gaps):
        assert gap <= tol
        assert independent_gap(X, y, coef, float(alpha), 0.7) <= 1.01 * tol


def test_timestamp_feature_matches_sklearn(rng):
    from sklearn.linear_model import Lasso

    t = 1.7e9 + rng.uniform(0, 3600, 200)
    y = 0.01 * (t - t.mean()) + rng.standard_normal(200)
    fit = enet_fit(t[:, None], y, alpha=0.1, l1_ratio=1.0, tol=1e-12)
    ref = Lasso(alpha=0.1, tol=1e-12, max_iter=100_000).fit(t[:, None], y)
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=1e-8)
    np.testing.assert_allclose(fit.intercept, ref.intercept_, rtol=1e-12)


def test_sparse_column_with_too_large_a_mean_is_refused(rng):
    X, y = offset_problem(rng, 1e6)
    for dtype in (np.float64, np.float32):
        with pytest.raises(ValueError, match=r"sparse X \(or of a cross-validation fold.s training rows\) has a mean .* times its standard deviation"):
            enet_fit(sp.csc_matrix(X.astype(dtype)), y, alpha=0.01)
    fit = enet_fit(sp.csc_matrix(X), y, alpha=0.01, fit_intercept=False)  # nothing to centre
    assert fit.coef.shape == (X.shape[1],)


def test_nearly_constant_column_keeps_its_norm(rng):
    # std / |mean| = 1e-9: the one-pass centred norm sq - n mean^2 is
    # rounding noise there, and the column is not constant
    X, y = make_problem(rng, n=50, p=5)
    X[:, 0] += 1e9
    Xc = X - X.mean(0)
    fit = enet_fit(X, y, alpha=1e-3, l1_ratio=1.0, tol=1e-12)
    ref = enet_fit(Xc, y, alpha=1e-3, l1_ratio=1.0, tol=1e-14)
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=1e-7)
    assert abs(fit.coef[0]) > 1


@pytest.mark.parametrize("value", [0.1, 1.0, 3.7, 1234.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_constant_column_is_recognised_whatever_its_value(rng, value, weighted):
    # the rounding of its mean must not make it a column of huge mean / std,
    # which would be refused (sparse) or centred in a copy (dense)
    # (several sizes and weight draws: a sparse column stored at every row
    # has no unstored weight, which must come out 0, not the rounding of
    # n - sum(w) that made a constant column look 1e8 times its std)
    for n, draw in [(n, draw) for n in (50, 300) for draw in range(4)]:
        X = np.column_stack([np.full(n, value), rng.standard_normal(n)])
        y = X[:, 1] + 1
        w = rng.uniform(0.1, 3.0, n) if weighted else None
        for dtype in (np.float64, np.float32):
            for Xin in (X.astype(dtype), sp.csc_matrix(X.astype(dtype))):
                fit = enet_fit(Xin, y.astype(dtype), alpha=0.01, sample_weight=w, tol=1e-6)
                assert fit.coef[0] == 0 and fit.coef[1] > 0.8


def test_constant_target_gives_zero_model():
    X = np.arange(12.0).reshape(6, 2)
    fit = enet_fit(X, np.full(6, 3.0), alpha=0.1)
    assert not fit.coef.any() and fit.intercept == 3.0 and fit.dual_gap == 0


# --- bad input -------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, match", [
    (dict(alpha=-1.0), ValueError, r"alpha must be in \(0.0, inf\]"),
    (dict(alpha=0.0), ValueError, r"alpha must be in \(0.0, inf\]"),
    (dict(alpha=0.1, l1_ratio=1.5), ValueError, r"l1_ratio must be in \[0.0, 1.0\]"),
    (dict(alpha=0.1, tol=-1), ValueError, r"tol must be in \[0.0, inf\]"),
    (dict(alpha=0.1, max_iter=0), ValueError, r"max_iter must be in \[1, inf\]"),
    (dict(alpha=0.1, penalty_factor=np.ones(3)), ValueError,
     "penalty_factor has 3 entries but X has 5 features"),
    (dict(alpha=0.1, penalty_factor=-np.ones(5)), ValueError,
     "penalty_factor must be non-negative"),
    (dict(alpha=0.1, sample_weight=np.ones(3)), ValueError,
     r"sample_weight must have shape \(8,\), got \(3,\)"),
    (dict(alpha=0.1, sample_weight=-np.ones(8)), ValueError,
     "sample_weight must be non-negative"),
    (dict(alpha=0.1, sample_weight=np.zeros(8)), ValueError,
     "sample_weight must have a positive sum"),
    (dict(alpha=0.1, coef_init=np.ones(4)), ValueError,
     "coef_init has 4 entries but X has 5 features"),
    (dict(alpha=0.1, coef_init=-np.ones(5), positive=True), ValueError,
     "coef_init has negative entries on penalized features but positive=True"),
    (dict(alpha=0.1, sample_weight=np.full(8, 1e308)), ValueError,
     "sample_weight is too large: its sum overflows"),
    (dict(alpha=0.1, precompute="yes"), ValueError, "precompute must be 'auto', 'lazy', True"),
    (dict(alpha=0.1, precompute=np.eye(3)), ValueError,
     r"precompute must be a \(5, 5\) Gram matrix"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    X, y = np.random.default_rng(0).standard_normal((8, 5)), np.arange(8.0)
    with pytest.raises(error, match=match):
        enet_fit(X, y, **kwargs)


def test_bad_data_is_named():
    X, y = np.random.default_rng(0).standard_normal((8, 5)), np.arange(8.0)
    bad = X.copy()
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        enet_fit(bad, y, alpha=0.1)
    with pytest.raises(ValueError, match="X contains NaN"):
        enet_fit(sp.csc_matrix(bad), y, alpha=0.1)
    bad[2, 3] = -np.inf
    with pytest.raises(ValueError, match="X contains infinity"):
        enet_fit(bad, y, alpha=0.1)
    bad[2, 3] = 1e160  # finite, but its square overflows: dense and sparse alike
    for Xin in (bad, sp.csc_matrix(bad)):
        with pytest.raises(ValueError, match="X has entries too large"):
            enet_fit(Xin, y, alpha=0.1)
    with pytest.raises(ValueError, match="y contains infinity"):
        enet_fit(X, np.r_[y[:-1], np.inf], alpha=0.1)
    with pytest.raises(ValueError, match="X has 8 samples but y has 7"):
        enet_fit(X, y[:7], alpha=0.1)
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 5\)\)"):
        enet_fit(np.zeros((0, 5)), np.zeros(0), alpha=0.1)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        enet_fit(np.ones(5), y[:5], alpha=0.1)
    with pytest.raises(ValueError, match="y must be 1-dimensional"):
        enet_fit(X, y[:, None], alpha=0.1)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        enet_fit(X.astype(complex), y, alpha=0.1)



@pytest.mark.parametrize("precompute", [True, False])
def test_float32_gaps_do_not_grow_with_epochs_below_reach(precompute):
    # tol 1e-8 is below float32's reach, so inner solves run to max_iter; the
    # rounding of their incremental updates used to accumulate (Gram mode:
    # worst gap 1.3e-5 after 1000 epochs, 1.3e-4 after 10000)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((48, 10)).astype(np.float32)
    y = (X @ rng.standard_normal(10) + 0.5 * rng.standard_normal(48)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for max_iter in (1000, 10000):
            res = enet_path(X, y, l1_ratio=1.0, alphas=30, tol=1e-8, max_iter=max_iter,
                            precompute=precompute)
            assert res.dual_gaps.max() < 1e-6, max_iter

@pytest.mark.parametrize("flag", ["fit_intercept", "positive", "check_input"])
def test_flags_must_be_bools(flag):
    # bool("no") is True: a string flag used to be taken for its truth value
    X, y = np.random.default_rng(0).standard_normal((8, 5)), np.arange(8.0)
    for bad in ("no", 0, None):
        with pytest.raises(TypeError, match=f"{flag} must be a bool, got {type(bad).__name__}"):
            enet_fit(X, y, alpha=0.1, **{flag: bad})
        with pytest.raises(TypeError, match=f"{flag} must be a bool"):
            enet_path(X, y, alphas=3, **{flag: bad})
    assert enet_fit(X, y, alpha=0.1, **{flag: np.bool_(True)}).converged


def test_bad_path_arguments_are_named():
    X, y = np.random.default_rng(0).standard_normal((8, 5)), np.arange(8.0)
    with pytest.raises(ValueError, match="alphas must be in \\[1, 10000\\]"):
        enet_path(X, y, alphas=0)
    with pytest.raises(ValueError, match="alphas must be in \\[1, 10000\\]"):
        enet_path(X, y, alphas=10**6)
    with pytest.raises(ValueError, match="alphas must be positive"):
        enet_path(X, y, alphas=[0.1, 0.0])
    with pytest.raises(ValueError, match=r"eps must be in \(0.0, 1.0\]"):
        enet_path(X, y, eps=0)
    with pytest.raises(ValueError, match="alpha_max is infinite for l1_ratio=0"):
        enet_path(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match="penalty_factor is zero for every feature"):
        lasso_path(X, y, penalty_factor=np.zeros(5))
    # explicit alphas make pure ridge and all-unpenalized fits well defined
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        enet_path(X, y, l1_ratio=0.0, alphas=[1.0, 0.1], tol=1e-8)


def test_certificate_on_rank_deficient_design_with_repeated_rows():
    # Regression: the extrapolated dual point once reported a zero gap here
    # while the fit was 3% suboptimal. The reported gap must agree with one
    # recomputed independently, and the objective with scikit-learn's.
    from sklearn.linear_model import Lasso as SkLasso

    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15).astype(float)
    counts = rng.randint(0, 5, size=15)
    X = np.vstack([X.repeat(counts, axis=0), X, X])
    y = np.hstack([y.repeat(counts), y, y])
    alpha = 1e-4
    fit = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-12, max_iter=100000)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    independent = _reference.enet_duality_gap(Xc, yc, fit.coef, alpha, 1.0)
    assert independent <= 1e-10
    assert fit.dual_gap <= 1e-12
    ref = SkLasso(alpha=alpha, tol=1e-14, max_iter=1_000_000).fit(X, y)
    ours = _reference.enet_objective(X, y, fit.coef, fit.intercept, alpha, 1.0)
    best = _reference.enet_objective(X, y, ref.coef_, ref.intercept_, alpha, 1.0)
    assert ours <= best * (1 + 1e-8)


@pytest.mark.parametrize("seed, l1_ratio", [(825, 0.2), (1352, 0.7), (1401, 0.7)])
def test_extrapolation_leaves_exact_zeros(seed, l1_ratio):
    # Regression: an Anderson step once left ~1e-11 coefficients where the
    # optimum is exactly zero; the gap was tiny but the support (and the
    # optimality conditions of those coordinates) wrong.
    rng = np.random.default_rng(seed)
    n, p = rng.integers(3, 26), rng.integers(1, 31)
    X = rng.standard_normal((n, p))
    y = X[:, :min(p, 3)].sum(axis=1) + rng.standard_normal(n)
    kwargs = dict(sample_weight=rng.uniform(0.1, 3.0, n), fit_intercept=False)
    alpha = 0.3 * alpha_max(X, y, l1_ratio=l1_ratio, **kwargs)
    fit = enet_fit(X, y, alpha=alpha, l1_ratio=l1_ratio, tol=1e-10, max_iter=100_000,
                   **kwargs)
    assert kkt_violation(X, y, fit.coef, alpha, l1_ratio, **kwargs) < 1e-4
    assert np.abs(fit.coef[fit.coef != 0]).min() > 1e-8


def test_anderson_converges_when_few_coordinates_move():
    # 3 samples, 16 features, 3 of them active and correlated: plain cyclic
    # CD contracts so slowly that scikit-learn needs ~50000 epochs for a gap
    # of 1e-10. With fewer moving coordinates than Anderson's K = 5
    # differences, their Gram matrix is singular; the extrapolation must
    # still happen (it finds the fixed point of the affine CD map).
    rng = np.random.default_rng(900)
    X, y = rng.standard_normal((3, 16)), rng.standard_normal(3)
    kwargs = dict(sample_weight=rng.uniform(0.1, 3.0, 3), fit_intercept=False)
    alpha = rng.uniform(0.01, 0.9) * alpha_max(X, y, **kwargs)
    fit = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-10, max_iter=200, **kwargs)
    assert fit.dual_gap <= 1e-10
    assert np.count_nonzero(fit.coef) == 3
    assert kkt_violation(X, y, fit.coef, alpha, 1.0, **kwargs) < 1e-6
    with pytest.warns(ConvergenceWarning):
        plain = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-10, max_iter=200,
                         _anderson=False, **kwargs)
    assert plain.dual_gap > 1e-6  # the problem is hard for plain CD


@pytest.mark.parametrize("seed", range(6))
def test_float32_anderson_does_not_diverge_with_many_unpenalized_features(seed):
    # 13 unpenalized features and 4 samples: the unpenalized block is rank
    # deficient and float32 cannot certify tol=1e-6 (a ConvergenceWarning is
    # right), but the iterates must stay near the float64 solution. Anderson
    # steps accepted on a combined float32 state used to drive them to 1e9-1e13.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, 47)).astype(np.float32)
    y = rng.standard_normal(4).astype(np.float32)
    pf = rng.uniform(0, 2, 47)
    pf[:13] = 0
    kwargs = dict(sample_weight=rng.uniform(0.1, 3.0, 4), penalty_factor=pf)
    alpha = 0.0015 * alpha_max(X, y, l1_ratio=0.1, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = enet_fit(X, y, alpha=alpha, l1_ratio=0.1, tol=1e-6, max_iter=5000, **kwargs)
        ref = enet_fit(X.astype(np.float64), y.astype(np.float64), alpha=alpha, l1_ratio=0.1,
                       tol=1e-10, max_iter=5000, **kwargs)
    assert np.abs(fit.coef).max() <= 1.5 * np.abs(ref.coef).max()
    def objective(coef, intercept):
        return _reference.enet_objective(X.astype(np.float64), y, coef, intercept, alpha, 0.1,
                                         sample_weight=kwargs["sample_weight"],
                                         penalty_factor=pf)
    # the optimum interpolates (objective ~1e-11): compare with the null model's
    null = objective(np.zeros(47), np.average(y, weights=kwargs["sample_weight"]))
    assert objective(fit.coef, fit.intercept) - objective(ref.coef, ref.intercept) <= 1e-6 * null


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("n", [1, 7, 8, 9, 203, 2051])
def test_column_stats_match_numpy(rng, dtype, layout, n):
    # the one-pass statistics kernel (vectorized by 8 rows, a scalar tail;
    # dense columns of 2048 rows or more by groups of four, p = 6 leaving two)
    # against float64 NumPy, with and without weights
    p = 6
    X = rng.standard_normal((n, p)).astype(dtype)
    X[rng.random((n, p)) < 0.5] = 0
    v = rng.standard_normal(n).astype(dtype)
    w = rng.uniform(0.5, 2.0, n)
    if layout == "dense":
        data = np.asfortranarray(X).reshape(-1, order="F")
        indices = indptr = np.zeros(0, dtype=np.int32)
        code = 0
    else:
        C = sp.csc_matrix(X)
        data, indices, indptr, code = C.data, C.indices.astype(np.int32), \
            C.indptr.astype(np.int32), 1
    X64, v64 = X.astype(np.float64), v.astype(np.float64)
    for weights in (np.zeros(0), w):
        sums, sumsq, xtv = regcore._kernels.column_stats(code, data, indices, indptr, n, p,
                                                          weights, v)
        expected_sums = (weights if weights.size else np.ones(n)) @ X64
        np.testing.assert_allclose(sums, expected_sums, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(sumsq, (X64 * X64).sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(xtv, X64.T @ v64, rtol=1e-12, atol=1e-12)


@contextlib.contextmanager
def _threads(n):
    """regcore.set_num_threads(n) inside the block, restored on exit."""
    before = regcore.get_num_threads()
    regcore.set_num_threads(n)
    try:
        yield
    finally:
        regcore.set_num_threads(before)


def _pool_problem(rng, dtype=np.float64):
    # n * p above the pool's threshold (2**20 elements), so full passes split;
    # n >= 2048, so gradients go by fours (p % 4 == 2: a short last group);
    # n >= 4096, so the sweeps' passes are cut in two halves of rows that two
    # threads may share
    n, p = 4200, 302
    X = (rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1))).astype(dtype)
    y = (X[:, :15] @ rng.standard_normal(15) + rng.standard_normal(n)).astype(dtype)
    return np.asfortranarray(X), y


@pytest.mark.skipif(not regcore._kernels.pool_enabled(), reason="no POSIX threads (MSVC)")
def test_pool_helpers_take_part_in_dense_passes(rng):
    # the helper threads join the passes over a large dense design (on a
    # loaded machine they may miss some: the caller never waits for them)
    X, y = _pool_problem(rng)
    data = X.reshape(-1, order="F")
    none = np.zeros(0, dtype=np.int32)
    before = regcore._kernels.pool_helper_chunks()
    with _threads(2):
        for _ in range(200):
            regcore._kernels.column_stats(0, data, none, none, X.shape[0], X.shape[1],
                                          np.zeros(0), y)
            if regcore._kernels.pool_helper_chunks() > before:
                break
    assert regcore._kernels.pool_helper_chunks() > before


@pytest.mark.skipif(not regcore._kernels.pool_enabled(), reason="no POSIX threads (MSVC)")
def test_pool_helper_takes_part_in_the_sweeps(rng):
    # 4200 x 200 is under the pool's threshold for full passes (2**20
    # elements), so only the coordinate sweeps (columns of 4096 rows or more,
    # working sets of 16 or more) can hand work to a helper thread
    n, p = 4200, 200
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X[:, :60] @ rng.standard_normal(60) + rng.standard_normal(n)
    before = regcore._kernels.pool_helper_chunks()
    with _threads(2):
        for _ in range(100):
            enet_fit(X, y, alpha=0.001, l1_ratio=1.0, tol=1e-6)
            if regcore._kernels.pool_helper_chunks() > before:
                break
    assert regcore._kernels.pool_helper_chunks() > before


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_fit_does_not_depend_on_the_thread_count(rng, dtype):
    # the column statistics and the gradient passes over a large dense design
    # run on the work-sharing pool; each column's sum is computed by one
    # thread with one kernel, so the fit is bit-for-bit the same
    X, y = _pool_problem(rng, dtype)
    runs = []
    for threads in (1, 2, 3):
        with _threads(threads):
            runs.append([enet_fit(X, y, alpha=a, l1_ratio=0.8, tol=1e-8)
                         for a in (0.3, 0.03)])
    for other in runs[1:]:
        for fit, ref in zip(other, runs[0]):
            np.testing.assert_array_equal(fit.coef, ref.coef)
            assert fit.dual_gap == ref.dual_gap and fit.n_iter == ref.n_iter
    # and they are right: the duality gap recomputed with NumPy's products
    for fit, alpha in zip(runs[0], (0.3, 0.03)):
        gap = independent_gap(X, y, fit.coef, alpha, 0.8)
        assert gap <= (1e-5 if dtype == np.float32 else 1.01e-8)


def _fit_coef(problem):
    return enet_fit(*problem, alpha=0.05, l1_ratio=1.0, tol=1e-8).coef


def test_dense_fits_in_concurrent_threads_match_serial_fits(rng):
    # one job at a time on the pool: a caller that finds it busy runs its
    # pass serially, with the same values
    from concurrent.futures import ThreadPoolExecutor

    problems = [_pool_problem(np.random.default_rng(seed)) for seed in range(4)]
    with _threads(1):
        serial = [_fit_coef(problem) for problem in problems]
    with _threads(2), ThreadPoolExecutor(4) as executor:
        for _ in range(3):
            for coef, ref in zip(executor.map(_fit_coef, problems), serial):
                np.testing.assert_array_equal(coef, ref)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the platform has no fork()")
def test_dense_fit_in_a_forked_child_after_the_pool_started(rng):
    # the child of a fork has none of the parent's helper threads: its fits
    # must neither hang nor differ
    import multiprocessing

    problem = _pool_problem(rng)
    with _threads(2):
        ref = _fit_coef(problem)  # helpers started in the parent
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
            with multiprocessing.get_context("fork").Pool(1) as pool:
                coef = pool.apply_async(_fit_coef, (problem,)).get(timeout=120)
    np.testing.assert_array_equal(coef, ref)


def test_sparse_path_does_not_depend_on_the_thread_count(rng):
    # Gradient passes over a large enough CSC design run on the OpenMP team;
    # every feature's sum is computed by one thread in one order, so the path
    # is bit-for-bit the same on one thread.
    n, p = 2000, 16000
    X = sp.random(n, p, density=0.01, format="csc", random_state=2, dtype=np.float64)
    assert X.nnz > regcore._kernels.PARALLEL_MIN_SIZE  # a full pass runs threaded
    y = X[:, :10] @ rng.standard_normal(10) + 0.1 * rng.standard_normal(n)
    before = regcore.get_num_threads()
    try:
        runs = []
        for threads in (1, 2):
            regcore.set_num_threads(threads)
            runs.append(lasso_path(X, y, alphas=5, eps=1e-2, tol=1e-6))
    finally:
        regcore.set_num_threads(before)
    np.testing.assert_array_equal(runs[0].coefs, runs[1].coefs)
    np.testing.assert_array_equal(runs[0].dual_gaps, runs[1].dual_gaps)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted, positive, l1_ratio", [(False, False, 1.0),
                                                          (True, False, 0.7),
                                                          (False, True, 1.0)])
def test_block_sweeps_on_long_columns_follow_the_cyclic_sweep(rng, dtype, weighted, positive,
                                                              l1_ratio):
    # dense columns of 2048 rows or more are swept four coordinates at a time,
    # the later gradients of a block corrected with the block's column
    # products; a CSC design is swept one coordinate at a time. Both visit the
    # same coordinates in the same order, so at a loose tolerance (stopped
    # after few epochs) they must stop at the same epoch with the same
    # coefficients. p % 4 = 3, a constant column (skipped inside a block), an
    # unpenalized feature and a column with a large mean.
    n, p = 2100, 47
    X = rng.standard_normal((n, p)) + 0.6 * rng.standard_normal((n, 1))
    X[:, 5] = 2.5
    X[:, 9] += 40.0
    y = X[:, :8] @ rng.standard_normal(8) + rng.standard_normal(n)
    X, y = np.asfortranarray(X.astype(dtype)), y.astype(dtype)
    pf = np.ones(p)
    pf[3] = 0
    kwargs = dict(alpha=0.02, l1_ratio=l1_ratio, positive=positive, penalty_factor=pf,
                  sample_weight=rng.uniform(0.5, 2.0, n) if weighted else None)
    for tol in (1e-2, 1e-4):
        dense = enet_fit(X, y, tol=tol, **kwargs)
        csc = enet_fit(sp.csc_matrix(X), y, tol=tol, **kwargs)
        assert dense.n_iter == csc.n_iter
        np.testing.assert_allclose(dense.coef, csc.coef,
                                   rtol=1e-3 if dtype == np.float32 else 1e-9,
                                   atol=1e-5 if dtype == np.float32 else 1e-12)
    tight = enet_fit(X, y, tol=1e-5 if dtype == np.float32 else 1e-10, **kwargs)
    assert kkt_violation(X, y, tight.coef, penalty_factor=pf, positive=positive,
                         **{k: kwargs[k] for k in ("alpha", "l1_ratio", "sample_weight")}
                         ) < (1e-2 if dtype == np.float32 else 1e-5)
