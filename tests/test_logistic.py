"""Penalized logistic regression: certificates, agreement with scikit-learn and the
NumPy reference, float32, paths, one-vs-rest, estimators and bad input."""

import doctest
import warnings

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")
sklm = pytest.importorskip("sklearn.linear_model")
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import regcore  # noqa: E402
from regcore import _kernels, _reference, logistic_fit, logistic_path  # noqa: E402
from regcore.linear_model import ConvergenceWarning, logistic_alpha_max  # noqa: E402
from regcore.linear_model import _logistic  # noqa: E402
from regcore.sklearn import LogisticRegression, LogisticRegressionCV  # noqa: E402


def sklearn_logistic(l1_ratio, **kwargs):
    """scikit-learn's LogisticRegression with our l1_ratio: from 1.8 on l1_ratio
    alone picks the penalty; before, ``penalty`` has to say it (l1_ratio by
    itself was ignored and L2 fitted)."""
    import sklearn
    from sklearn.utils.fixes import parse_version

    if parse_version(sklearn.__version__) >= parse_version("1.8"):
        return sklm.LogisticRegression(l1_ratio=l1_ratio, **kwargs)
    if l1_ratio in (0.0, 1.0):
        return sklm.LogisticRegression(penalty="l1" if l1_ratio == 1.0 else "l2", **kwargs)
    return sklm.LogisticRegression(penalty="elasticnet", l1_ratio=l1_ratio, **kwargs)

PENALTIES = [1.0, 0.5, 0.0]  # l1_ratio: lasso, elastic net, ridge


def make_data(rng, n=80, p=30, *, offset=0.0, sparse=False, dtype=np.float64):
    X = rng.standard_normal((n, p)) + offset
    if sparse:
        X[rng.random((n, p)) < 0.7] = 0
    w = np.zeros(p)
    w[:5] = [2, -2, 1.5, -1, 1]
    y = np.where(X @ w + 0.7 * rng.standard_normal(n) > np.median(X @ w), 1, -1)
    X = X.astype(dtype)
    return (sp.csc_matrix(X) if sparse else X), y


def dense(X):
    return X.toarray() if sp.issparse(X) else X


def kkt_violation(X, y, coef, intercept, *, C, l1_ratio, fit_intercept=True, sw=None,
                  pf=None):
    """Largest violation of the optimality conditions, computed from scratch in NumPy."""
    X = dense(X).astype(float)
    sw = np.ones(X.shape[0]) if sw is None else sw
    pf = np.ones(X.shape[1]) if pf is None else pf
    coef = coef.astype(float)
    z = X @ coef + intercept
    dz = -C * sw * y / (1 + np.exp(y * z))
    grad = X.T @ dz
    smooth = grad + pf * (1 - l1_ratio) * coef
    viol = np.where(coef != 0, np.abs(smooth + pf * l1_ratio * np.sign(coef)),
                    np.maximum(np.abs(smooth) - pf * l1_ratio, 0))
    worst = viol.max()
    return max(worst, abs(dz.sum())) if fit_intercept else worst


def objective(X, y, fit, C, l1_ratio, sw=None, pf=None):
    return _reference.logistic_objective(dense(X).astype(float), y, fit.coef, fit.intercept,
                                         C=C, l1_ratio=l1_ratio, sample_weight=sw,
                                         penalty_factor=pf)


# --- optimality --------------------------------------------------------------------------

@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("l1_ratio", PENALTIES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_optimality_kkt_and_gap(rng, sparse, l1_ratio, fit_intercept):
    X, y = make_data(rng, sparse=sparse, offset=1.0)
    C = 0.3
    fit = logistic_fit(X, y, C=C, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-11)
    assert fit.converged and fit.dual_gap <= 1e-11
    assert kkt_violation(X, y, fit.coef, fit.intercept, C=C, l1_ratio=l1_ratio,
                         fit_intercept=fit_intercept) < 1e-5
    gap = _reference.logistic_duality_gap(dense(X), y, fit.coef, fit.intercept, C=C,
                                          l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    scale = C * X.shape[0] * np.log(2)
    assert -1e-12 * scale <= gap <= 1e-11 * scale
    if l1_ratio > 0:
        assert 0 < np.count_nonzero(fit.coef) < X.shape[1]


def test_gap_bounds_suboptimality_of_early_stops(rng):
    """The reported gap is a certificate: it bounds the distance to the optimum."""
    X, y = make_data(rng, offset=0.5)
    C = 1.0
    best = objective(X, y, logistic_fit(X, y, C=C, tol=1e-12), C, 1.0)
    scale = C * X.shape[0] * np.log(2)
    for max_iter in (1, 2, 3, 4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            early = logistic_fit(X, y, C=C, tol=1e-12, max_iter=max_iter)
        subopt = objective(X, y, early, C, 1.0) - best
        assert 0 <= subopt <= early.dual_gap * scale * (1 + 1e-9) + 1e-12
        reference_gap = _reference.logistic_duality_gap(X, y, early.coef, early.intercept, C=C)
        assert early.dual_gap * scale == pytest.approx(reference_gap, rel=1e-6, abs=1e-10)


def test_converges_on_uncentred_and_separable_data(rng):
    X = rng.normal(loc=100.0, size=(40, 2))
    y = (X[:, 0] > 100).astype(int)  # separable: only the penalty keeps w finite
    for l1_ratio in (0.0, 1.0):
        fit = logistic_fit(X, y, C=1e3, l1_ratio=l1_ratio, tol=1e-10, max_iter=100)
        assert fit.converged
        assert kkt_violation(X, np.where(y == 1, 1, -1), fit.coef, fit.intercept, C=1e3,
                             l1_ratio=l1_ratio) < 1e-4


# --- agreement with scikit-learn and the NumPy reference ----------------------------------

@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_matches_liblinear_objective(rng, sparse):
    X, y = make_data(rng, n=100, p=40, sparse=sparse)
    C = 0.5
    # liblinear penalizes its intercept: compare without one
    fit = logistic_fit(X, y, C=C, fit_intercept=False, tol=1e-11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sklearn_logistic(1.0, C=C, solver="liblinear", tol=1e-11,
                               fit_intercept=False, max_iter=100000).fit(X, y)
    ours = objective(X, y, fit, C, 1.0)
    theirs = _reference.logistic_objective(dense(X), y, ref.coef_.ravel(), 0.0, C=C)
    assert ours <= theirs * (1 + 1e-9)
    assert ours == pytest.approx(theirs, rel=1e-6)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("l1_ratio", PENALTIES)
def test_matches_saga_objective_with_intercept(rng, sparse, l1_ratio):
    X, y = make_data(rng, n=60, p=10, sparse=sparse)
    C = 0.5
    fit = logistic_fit(X, y, C=C, l1_ratio=l1_ratio, tol=1e-11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sklearn_logistic(l1_ratio, C=C, solver="saga", tol=1e-11,
                               max_iter=100000).fit(X, y)
    ours = objective(X, y, fit, C, l1_ratio)
    theirs = _reference.logistic_objective(dense(X), y, ref.coef_.ravel(), ref.intercept_[0],
                                           C=C, l1_ratio=l1_ratio)
    assert ours <= theirs * (1 + 1e-9)
    assert ours == pytest.approx(theirs, rel=1e-6)
    np.testing.assert_allclose(fit.coef, ref.coef_.ravel(), atol=1e-4)


@pytest.mark.parametrize("l1_ratio", PENALTIES)
def test_matches_numpy_reference(rng, l1_ratio):
    X, y = make_data(rng, n=50, p=20)
    C = 0.4
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    pf = rng.uniform(0.5, 2.0, X.shape[1])
    fit = logistic_fit(X, y, C=C, l1_ratio=l1_ratio, sample_weight=sw, penalty_factor=pf,
                       tol=1e-11)
    coef, b, _ = _reference.logistic_regression(X, y, C=C, l1_ratio=l1_ratio,
                                                sample_weight=sw, penalty_factor=pf, tol=1e-9)
    ref_obj = _reference.logistic_objective(X, y, coef, b, C=C, l1_ratio=l1_ratio,
                                            sample_weight=sw, penalty_factor=pf)
    assert objective(X, y, fit, C, l1_ratio, sw, pf) <= ref_obj * (1 + 1e-12)
    assert objective(X, y, fit, C, l1_ratio, sw, pf) == pytest.approx(ref_obj, rel=1e-8)
    np.testing.assert_allclose(fit.coef, coef, atol=1e-4)


def test_kernel_counts_work(rng):
    X, y = make_data(rng)
    w = np.zeros(X.shape[1])
    n = X.shape[0]
    out = _kernels.logistic_solve_dense(np.asfortranarray(X), y.astype(float), np.ones(n),
                                        np.ones(X.shape[1]), 1.0, 0.0, w, 0.0, True, 1e-10, 50)
    b, gap, primal, n_iter, n_epochs, n_halvings = out
    assert 0 < n_iter <= n_epochs and n_halvings >= 0 and gap <= 1e-10
    assert primal == pytest.approx(_reference.logistic_objective(X, y, w, b, C=1.0), rel=1e-12)


# --- dtypes, layouts, sparse formats ----------------------------------------------------------

@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_float32_stays_float32(rng, sparse):
    X64, y = make_data(rng, sparse=sparse)
    X32 = X64.astype(np.float32)
    fit32 = logistic_fit(X32, y, C=0.5, l1_ratio=0.5, tol=1e-7)
    fit64 = logistic_fit(X64, y, C=0.5, l1_ratio=0.5, tol=1e-11)
    assert fit32.coef.dtype == np.float32
    np.testing.assert_allclose(fit32.coef, fit64.coef, atol=2e-3)
    path = logistic_path(X32, y, alphas=5, tol=1e-5)
    # intercepts stay float64, as logistic_fit's: one of 3e5 rounds by 0.03 in
    # float32, more than the certificate allows when the columns have large means
    assert path.coefs.dtype == np.float32 and path.intercepts.dtype == np.float64
    clf = LogisticRegression(penalty="l1").fit(X32, y)
    assert clf.coef_.dtype == np.float32 and clf.predict_proba(X32).shape == (X64.shape[0], 2)


def test_layouts_and_sparse_formats_agree(rng):
    X, y = make_data(rng, sparse=True)
    Xd = X.toarray()
    expected = logistic_fit(np.asfortranarray(Xd), y, C=0.5, tol=1e-11).coef
    csr64 = sp.csr_matrix(Xd)
    csr64.indices = csr64.indices.astype(np.int64)
    csr64.indptr = csr64.indptr.astype(np.int64)
    for variant in (np.ascontiguousarray(Xd), Xd[:, ::1].copy(order="C")[::1],
                    np.asfortranarray(np.repeat(Xd, 2, axis=1))[:, ::2], sp.csc_matrix(Xd),
                    csr64, sp.coo_matrix(Xd)):
        np.testing.assert_allclose(logistic_fit(variant, y, C=0.5, tol=1e-11).coef, expected,
                                   rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_x_with_duplicate_entries_is_the_matrix_it_sums_to(rng, fmt):
    # scipy keeps duplicate (row, column) entries until sum_duplicates(); the
    # kernels square stored entries one by one (a^2 + b^2 for a pair): the fit
    # stalled at a gap of 1e-7 instead of converging
    X, y = make_data(rng, sparse=True)
    halves = sp.csc_matrix((np.repeat(X.data / 2, 2), np.repeat(X.indices, 2), 2 * X.indptr),
                           shape=X.shape).asformat(fmt)
    stored = halves.data.copy()
    assert not halves.has_canonical_format
    fit = logistic_fit(halves, y, C=0.5, tol=1e-10, max_iter=200)
    expected = logistic_fit(X.toarray(), y, C=0.5, tol=1e-10, max_iter=200)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, expected.coef, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(halves.data, stored)  # the caller's matrix is left as is


# --- paths, scalings, weights --------------------------------------------------------------

def test_path_matches_independent_fits_and_forms(rng):
    X, y = make_data(rng)
    path = logistic_path(X, y, alphas=8, eps=1e-2, tol=1e-11)
    alphas, coefs, gaps = path
    assert np.all(np.diff(alphas) < 0) and coefs.shape == (X.shape[1], 8)
    assert np.all(gaps <= 1e-11) and np.all(path.converged)
    assert np.count_nonzero(coefs[:, 0]) == 0  # starts at alpha_max
    for k in (1, 4, 7):
        fit = logistic_fit(X, y, alpha=alphas[k], tol=1e-11)
        np.testing.assert_allclose(coefs[:, k], fit.coef, atol=1e-6)
        by_C = logistic_fit(X, y, C=1 / (X.shape[0] * alphas[k]), tol=1e-11)
        np.testing.assert_allclose(by_C.coef, fit.coef, atol=1e-8)
    c_path = logistic_path(X, y, Cs=path.Cs, tol=1e-11)
    assert np.all(np.diff(c_path[0]) > 0)
    np.testing.assert_allclose(c_path.coefs, coefs, atol=1e-8)


def test_alpha_max_is_the_zero_threshold(rng):
    X, y = make_data(rng, offset=0.5)
    sw = rng.uniform(0.5, 2, X.shape[0])
    top = logistic_alpha_max(X, y, sample_weight=sw)
    above = logistic_fit(X, y, alpha=top * 1.001, sample_weight=sw, tol=1e-10)
    below = logistic_fit(X, y, alpha=top * 0.98, sample_weight=sw, tol=1e-10)
    assert np.count_nonzero(above.coef) == 0
    assert np.count_nonzero(below.coef) >= 1


def test_sample_weight_equals_repetition(rng):
    X, y = make_data(rng, n=40)
    counts = rng.integers(0, 3, X.shape[0])
    weighted = logistic_fit(X, y, C=0.7, l1_ratio=0.5, sample_weight=counts, tol=1e-12)
    repeated = logistic_fit(np.repeat(X, counts, axis=0), np.repeat(y, counts), C=0.7,
                            l1_ratio=0.5, tol=1e-12)
    np.testing.assert_allclose(weighted.coef, repeated.coef, rtol=1e-6, atol=1e-9)
    assert weighted.intercept == pytest.approx(repeated.intercept, rel=1e-6)


def test_penalty_factor_zero_leaves_feature_unpenalized(rng):
    X, y = make_data(rng)
    pf = np.ones(X.shape[1])
    pf[7] = 0.0  # a noise feature, unpenalized
    top = logistic_alpha_max(X, y)
    fit = logistic_fit(X, y, alpha=top * 2, penalty_factor=pf, tol=1e-11)
    assert np.flatnonzero(fit.coef).tolist() == [7]
    C = 1 / (X.shape[0] * top * 2)
    assert kkt_violation(X, y, fit.coef, fit.intercept, C=C, l1_ratio=1.0, pf=pf) < 1e-8


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_ill_conditioned_unpenalized_block_converges(sparse, fit_intercept, dtype, tol):
    # Eight unpenalized columns close to one another (condition number ~3000,
    # ~300 in float32, which cannot certify the former): coordinate steps on
    # them alone converged at that block's rate (float64: a gap of 1.7e-5
    # after 20000 Newton steps); the inner solver steps over the whole block
    # exactly, so the fit certifies in a few Newton steps.
    rng = np.random.default_rng(0)
    n, p, k = 200, 20, 8
    X = rng.standard_normal((n, p))
    spread = 0.001 if dtype == np.float64 else 0.01
    X[:, :k] = rng.standard_normal(n)[:, None] + spread * rng.standard_normal((n, k))
    if sparse:
        X[:, k:] *= rng.random((n, p - k)) < 0.5
    z = X[:, k:k + 3].sum(axis=1) + 0.3 * X[:, :k] @ rng.standard_normal(k)
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), 1, -1)
    pf = np.r_[np.zeros(k), np.ones(p - k)]
    sw = rng.uniform(0.5, 2.0, n)
    Xin = sp.csc_matrix(X.astype(dtype)) if sparse else X.astype(dtype)
    for l1_ratio in (1.0, 0.5):
        fit = logistic_fit(Xin, y, C=1.0, l1_ratio=l1_ratio, penalty_factor=pf,
                           sample_weight=sw, fit_intercept=fit_intercept, tol=tol,
                           max_iter=2000)
        assert fit.converged and fit.dual_gap <= tol and fit.n_iter <= 50
        assert kkt_violation(X, y, fit.coef, fit.intercept, C=1.0, l1_ratio=l1_ratio,
                             fit_intercept=fit_intercept, sw=sw, pf=pf) < (
            1e-2 if dtype == np.float32 else 1e-6)


@pytest.mark.parametrize("sparse", [False, True])
def test_large_ill_conditioned_unpenalized_block_converges(sparse):
    # 60 nearly collinear unpenalized columns: a block that large is formed
    # only once coordinate steps have stalled without it (forming it at every
    # Newton step made fits with hundreds of well-conditioned unpenalized
    # features 5x slower), and then it must be: never forming it left a gap
    # of 0.1 after 500 Newton steps.
    rng = np.random.default_rng(57)
    n, p, k = 300, 140, 60
    X = rng.standard_normal((n, p))
    base = rng.standard_normal(n)
    X[:, :k] = base[:, None] + 0.003 * rng.standard_normal((n, k))
    if sparse:
        X[:, k:] *= rng.random((n, p - k)) < 0.5
    y = np.where(X[:, k:k + 5].sum(axis=1) + 0.3 * base + rng.standard_normal(n) > 0, 1, -1)
    pf = np.r_[np.zeros(k), np.ones(p - k)]
    Xin = sp.csc_matrix(X) if sparse else X
    fit = logistic_fit(Xin, y, C=0.1, penalty_factor=pf, tol=1e-8, max_iter=500)
    assert fit.converged and fit.dual_gap <= 1e-8
    assert kkt_violation(X, y, fit.coef, fit.intercept, C=0.1, l1_ratio=1.0, pf=pf) < 1e-6


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_unpenalized_feature_is_fitted_even_from_zero(fit_intercept):
    # an unpenalized feature correlated with y, at a C where every penalized
    # one is zero: the gap must not certify coef 0 for it (it once did, with
    # gap 0 after 0 steps, because its dual residual vanishes at w_j = 0;
    # with an intercept when the classes are balanced, so it starts at 0 too)
    rng = np.random.default_rng(1)
    n = 400
    x0 = rng.standard_normal(n)
    if fit_intercept:
        y = np.r_[np.ones(n // 2), -np.ones(n // 2)]
        X = np.column_stack([y * np.abs(x0) * 0.3 + rng.standard_normal(n),
                             rng.standard_normal(n)])
    else:
        X = np.column_stack([x0, x0 + 0.5 * rng.standard_normal(n)])
        y = np.where(0.7 * x0 + rng.standard_normal(n) > 0, 1, -1)
    fit = logistic_fit(X, y, C=0.01, penalty_factor=[0, 1], fit_intercept=fit_intercept,
                       tol=1e-10)
    assert fit.converged and fit.n_iter > 0 and fit.coef[0] > 0.3 and fit.coef[1] == 0
    assert kkt_violation(X, y, fit.coef, fit.intercept, C=0.01, l1_ratio=1.0,
                         fit_intercept=fit_intercept, pf=np.array([0.0, 1.0])) < 1e-7
    nearly = logistic_fit(X, y, C=0.01, penalty_factor=[1e-12, 1],
                          fit_intercept=fit_intercept, tol=1e-10)
    np.testing.assert_allclose(fit.coef, nearly.coef, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_alpha_max_fits_the_unpenalized_features_first(rng, fit_intercept):
    n = 400
    x0 = rng.standard_normal(n)
    X = np.column_stack([x0, x0 + 0.5 * rng.standard_normal(n), rng.standard_normal(n)])
    y = np.where(0.7 * x0 + 0.3 * X[:, 2] + rng.standard_normal(n) > 0, 1, -1)
    pf = [0, 1, 1]
    top = logistic_alpha_max(X, y, penalty_factor=pf, fit_intercept=fit_intercept)
    above = logistic_fit(X, y, alpha=top * 1.001, penalty_factor=pf,
                         fit_intercept=fit_intercept, tol=1e-12)
    below = logistic_fit(X, y, alpha=top * 0.98, penalty_factor=pf,
                         fit_intercept=fit_intercept, tol=1e-12)
    assert not above.coef[1:].any() and above.coef[0] != 0
    assert below.coef[1:].any()


@pytest.mark.parametrize("dtype, offset, sparse", [
    (np.float32, 1e3, False), (np.float32, 1e3, True), (np.float32, 1e4, False),
    (np.float32, 1e4, True), (np.float64, 1.7e9, False),  # a timestamp-like offset
])
def test_columns_with_large_means(rng, dtype, offset, sparse):
    # float32 gave NaN (dense, 1e4) or diverged (sparse, 1e3), float64 stopped
    # far from the optimum at timestamp-like offsets: such a dense X is now
    # centred in a copy and a sparse float32 X solved in float64 (a sparse
    # float64 X keeps implicit centring, which held up to offsets of 1e6)
    Z, y = make_data(rng, n=200, p=5)
    X = (Z + offset).astype(dtype)
    fit = logistic_fit(sp.csc_matrix(X) if sparse else X, y, C=1.0, l1_ratio=0.0, tol=1e-6)
    ref = logistic_fit(Z, y, C=1.0, l1_ratio=0.0, tol=1e-12)  # the same model, uncentred data
    assert fit.converged and fit.coef.dtype == dtype
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=2e-3, atol=2e-3)
    offset_back = ref.intercept - float(ref.coef @ np.full(5, offset))
    assert fit.intercept == pytest.approx(offset_back, rel=1e-3, abs=1e-2 * abs(offset_back))


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_gap_bounds_what_is_returned_with_large_means(rng, sparse):
    # the intercept takes the centring shift back in float64 (a float32 dot
    # was off by 6e-3 at means of 1e5), and float32 coefficients rounded from
    # a float64 solve give the intercept the mean of their rounding
    n, p = 184, 6
    Z = rng.standard_normal((n, p))
    y = np.where(Z @ rng.standard_normal(p) + rng.standard_normal(n) > 0, 1, -1)
    X32 = (Z + np.array([10, 0, 10, 1e5, 1e5, 1e5])).astype(np.float32)
    X64 = X32.astype(np.float64)  # the same data: only the arithmetic differs
    C = 0.532
    fit = logistic_fit(sp.csc_matrix(X32) if sparse else X32, y, C=C, l1_ratio=0.0, tol=1e-6)
    best = logistic_fit(X64, y, C=C, l1_ratio=0.0, tol=1e-13)
    scale = C * n * np.log(2)
    sub = (objective(X64, y, fit, C, 0.0) - objective(X64, y, best, C, 0.0)) / scale
    assert fit.converged and fit.coef.dtype == np.float32
    assert sub <= max(fit.dual_gap, 0.0) + 1e-7


def test_path_intercepts_keep_the_certificate_with_float32_large_means(rng):
    n, p = 300, 5
    Z = rng.standard_normal((n, p))
    y = np.where(Z @ rng.standard_normal(p) + rng.standard_normal(n) > 0, 1, -1)
    X32 = (Z + np.array([10, 0, 1e5, 1e5, 1e5])).astype(np.float32)
    X64 = X32.astype(np.float64)
    path = logistic_path(X32, y, alphas=4, eps=1e-2, tol=1e-6)
    scale = n * np.log(2)  # alpha form: relative to sum(sw) log 2 ...
    for alpha, coef, b, gap in zip(path.alphas, path.coefs.T, path.intercepts,
                                   path.dual_gaps):
        C = 1.0 / (alpha * n)
        best = logistic_fit(X64, y, C=C, tol=1e-13)
        fit = _logistic.LogisticFitResult(coef, float(b), gap, 0, True)
        sub = (objective(X64, y, fit, C, 1.0) - objective(X64, y, best, C, 1.0)) / (C * scale)
        assert sub <= gap + 1e-7


def test_alpha_max_keeps_small_real_correlations_in_float32(rng):
    # one feature, predictive only on lightly weighted rows: its correlation is
    # 1e-4 of ||x|| ||r||, far above rounding, and must not be taken for noise
    n = 2000
    x = np.where(np.arange(n) < n // 2, rng.standard_normal(n), 0.0)
    y = np.where(2 * x + rng.standard_normal(n) > 0, 1, -1)
    sw = np.where(np.arange(n) < n // 2, 1.0, 1e4)
    top64 = logistic_alpha_max(x[:, None], y, sample_weight=sw)
    top32 = logistic_alpha_max(x[:, None].astype(np.float32), y, sample_weight=sw)
    assert top64 > 0 and top32 == pytest.approx(top64, rel=1e-4)


def test_penalized_column_in_the_unpenalized_span_gets_a_usable_grid():
    # its correlation with the unpenalized model's residual is rounding noise:
    # alpha_max is 0 and the grid starts at 1, not at 1e-17 (C ~ 1e17)
    u = np.random.default_rng(3).standard_normal(200)
    X = np.column_stack([u, u])
    y = np.where(u + np.random.default_rng(4).standard_normal(200) > 0, 1, -1)
    assert logistic_alpha_max(X, y, penalty_factor=[0, 1]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = logistic_path(X, y, penalty_factor=[0, 1], alphas=5, tol=1e-8)
    assert path.alphas[0] == 1.0 and not path.coefs[1].any() and path.converged.all()


def test_float32_alpha_max_with_unpenalized_features_matches_float64(rng):
    X, y = make_data(rng, n=300, p=12, offset=0.3)
    pf = np.ones(12)
    pf[:4] = 0
    top64 = logistic_alpha_max(X, y, penalty_factor=pf)
    top32 = logistic_alpha_max(X.astype(np.float32), y, penalty_factor=pf)
    assert top32 == pytest.approx(top64, rel=1e-5)


def test_alpha_max_does_not_depend_on_how_the_unpenalized_span_is_written():
    # nearly collinear unpenalized columns (u, u + 1e-3 w) span what (u, w)
    # spans: alpha_max must agree. Coordinate descent stalled on the first pair
    # (gap 7e-3 after 1000 steps) and its residue zeroed a real correlation
    rng = np.random.default_rng(2)
    n = 2000
    u, w = rng.standard_normal(n), rng.standard_normal(n)
    light = np.arange(n) < 200
    xj = np.where(light, rng.standard_normal(n), 0.0)
    y = np.where(u + 0.3 * w + 2 * xj + rng.logistic(size=n) > 0, 1, -1)
    sw = np.where(light, 1e-3, 1.0)
    pf = [0, 0, 1]
    plain = logistic_alpha_max(np.column_stack([u, w, xj]), y, penalty_factor=pf,
                               sample_weight=sw)
    for dtype in (np.float64, np.float32):
        X = np.column_stack([u, u + 1e-3 * w, xj]).astype(dtype)
        for Xin in (X, sp.csc_matrix(X)):
            top = logistic_alpha_max(Xin, y, penalty_factor=pf, sample_weight=sw)
            assert top == pytest.approx(plain, rel=1e-5) and top > 0


def test_alpha_max_with_a_separating_unpenalized_column_does_not_overflow():
    # its coefficient runs to ~1e3 and 1 / (1 + exp(-z)) overflowed
    rng = np.random.default_rng(0)
    n = 200
    x = rng.standard_normal(n)
    y = np.where(x + rng.logistic(size=n) > 0, 1, -1)
    f = np.zeros(n)
    f[np.flatnonzero(y > 0)[:3]] = [2.0, 0.4, 1.0]
    f[np.flatnonzero(y < 0)[:3]] = [-1.2, -0.017, -0.9]  # its sign separates its rows
    assert logistic_alpha_max(np.column_stack([f, x]), y, penalty_factor=[0, 1]) > 0


def test_cv_fold_scores_of_float32_data_match_float64():
    # the held-out scores are computed in float64: a float32 product of columns
    # with large means moved the losses by 1e-3
    rng = np.random.default_rng(7)
    n = 400
    Z = rng.standard_normal((n, 4))
    y = np.where(Z[:, 0] - Z[:, 1] + rng.standard_normal(n) > 0, 1, 0)
    X32 = (Z + np.array([1e5, 1e5, 0, 0])).astype(np.float32)
    a = LogisticRegressionCV(Cs=6, cv=3, tol=1e-6).fit(X32, y)
    b = LogisticRegressionCV(Cs=6, cv=3, tol=1e-6).fit(X32.astype(np.float64), y)
    np.testing.assert_allclose(a.loss_path_, b.loss_path_, rtol=1e-5, atol=1e-7)


def test_sparse_float64_column_with_too_large_a_mean_is_refused(rng):
    Z, y = make_data(rng, n=100, p=6)
    X = sp.csc_matrix(Z * 1e-3 + 1e4)  # mean / std about 1e7
    with pytest.raises(ValueError, match=r"sparse X \(or of a cross-validation fold.s training rows\) has a mean .* times its standard deviation"):
        logistic_fit(X, y, C=1.0)
    constant = sp.csc_matrix(np.column_stack([np.full(100, 1e4), Z]))  # constant: fine
    assert logistic_fit(constant, y, C=1.0).coef[0] == 0


def test_a_broken_down_solve_is_warned_about():
    with pytest.warns(ConvergenceWarning, match="gap nan > tol"):
        _logistic._warn_not_converged(np.array([np.nan]), 1e-4, "logistic_fit")


def test_warm_start_continues_exactly(rng):
    X, y = make_data(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first = logistic_fit(X, y, C=2.0, tol=1e-14, max_iter=3)
        resumed = logistic_fit(X, y, C=2.0, tol=1e-14, max_iter=3, coef_init=first.coef,
                               intercept_init=first.intercept)
        straight = logistic_fit(X, y, C=2.0, tol=1e-14, max_iter=6)
    np.testing.assert_allclose(resumed.coef, straight.coef, rtol=1e-9, atol=1e-11)
    clf = LogisticRegression(penalty="l1", C=2.0, warm_start=True, max_iter=3, tol=1e-14)
    with pytest.warns(SkConvergenceWarning, match="did not converge"):
        clf.fit(X, y)
    with pytest.warns(SkConvergenceWarning):
        clf.fit(X, y)
    np.testing.assert_allclose(clf.coef_.ravel(), straight.coef, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.0])
@pytest.mark.parametrize("start", [dict(intercept_init=30.0), dict(intercept_init=800.0),
                                   dict(coef_init=np.r_[1e3, np.zeros(29)])],
                         ids=["intercept30", "intercept800", "coef1000"])
def test_converges_from_a_start_where_the_loss_is_flat(rng, l1_ratio, start):
    """Starts that saturate the probabilities have (almost) no curvature: the Newton
    step was far too long, taken anyway after 30 halvings, and diverged; beyond
    margins of 745 the curvature is exactly 0 and the solver did not move."""
    X, y = make_data(rng)
    y_signed = np.where(y > 0, 1, -1)
    cold = logistic_fit(X, y, C=1.0, l1_ratio=l1_ratio, tol=1e-10)
    fit = logistic_fit(X, y, C=1.0, l1_ratio=l1_ratio, tol=1e-10, max_iter=300, **start)
    assert fit.converged
    scale = X.shape[0] * np.log(2)
    assert objective(X, y_signed, fit, 1.0, l1_ratio) <= (
        objective(X, y_signed, cold, 1.0, l1_ratio) + 1e-9 * scale)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_float32_converges_from_a_start_with_one_unsaturated_sample(rng, sparse):
    """Every sample but one far out: in float32 the centred curvatures of the
    Newton model are rounding, and its step overflowed to NaN."""
    X, y = make_data(rng, n=40, p=5, sparse=sparse, dtype=np.float32)
    coef_init = 400 * rng.standard_normal(5)
    intercept_init = -float(dense(X)[0].astype(float) @ coef_init)  # sample 0 at margin 0
    fit = logistic_fit(X, y, C=1.0, coef_init=coef_init, intercept_init=intercept_init,
                       tol=1e-5)
    assert fit.converged and np.isfinite(fit.coef).all()
    cold = logistic_fit(X, y, C=1.0, tol=1e-5)
    scale = X.shape[0] * np.log(2)
    assert objective(X, y, fit, 1.0, 1.0) <= objective(X, y, cold, 1.0, 1.0) + 2e-5 * scale


def test_convergence_warning(rng):
    X, y = make_data(rng)
    with pytest.warns(ConvergenceWarning, match=r"relative duality gap .* > tol=1e-14"):
        fit = logistic_fit(X, y, C=1.0, tol=1e-14, max_iter=1)
    assert not fit.converged and fit.n_iter == 1
    with pytest.warns(ConvergenceWarning, match="logistic_path did not converge"):
        logistic_path(X, y, alphas=3, tol=1e-14, max_iter=1)


# --- estimators ---------------------------------------------------------------------------------

def test_estimator_binary_matches_functional(rng):
    X, y = make_data(rng)
    labels = np.where(y > 0, "spam", "ham")
    clf = LogisticRegression(penalty="elasticnet", l1_ratio=0.3, C=0.8, tol=1e-11)
    clf.fit(X, labels)
    fit = logistic_fit(X, labels, C=0.8, l1_ratio=0.3, tol=1e-11)
    assert clf.classes_.tolist() == ["ham", "spam"]
    assert clf.coef_.shape == (1, X.shape[1]) and clf.intercept_.shape == (1,)
    np.testing.assert_allclose(clf.coef_[0], fit.coef)
    scores = clf.decision_function(X)
    assert scores.shape == (X.shape[0],)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores)), rtol=1e-11)
    assert np.array_equal(clf.predict(X), np.where(scores > 0, "spam", "ham"))
    assert clf.n_iter_.shape == (1,) and clf.dual_gap_[0] <= 1e-11


def test_one_vs_rest_multiclass(rng):
    X = rng.standard_normal((150, 6))
    y = np.argmax(X[:, :3] + 0.3 * rng.standard_normal((150, 3)), axis=1)
    clf = LogisticRegression(penalty="l1", C=0.5, tol=1e-11).fit(X, y)
    assert clf.coef_.shape == (3, 6) and clf.decision_function(X).shape == (150, 3)
    for k in range(3):
        binary = logistic_fit(X, (y == k).astype(int), C=0.5, tol=1e-11)
        np.testing.assert_allclose(clf.coef_[k], binary.coef, rtol=1e-10, atol=1e-11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sklearn.multiclass import OneVsRestClassifier

        ref = OneVsRestClassifier(sklearn_logistic(
            1.0, C=0.5, solver="saga", tol=1e-11, max_iter=100000)).fit(X, y)
    np.testing.assert_allclose(clf.coef_, np.vstack([e.coef_ for e in ref.estimators_]),
                               atol=1e-4)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (clf.predict(X) == y).mean() > 0.8


def test_class_weight_scales_sample_weights(rng):
    X, y = make_data(rng)
    balanced = LogisticRegression(penalty="l1", class_weight={-1: 3.0, 1: 0.5}, tol=1e-11)
    balanced.fit(X, y)
    sw = np.where(y == -1, 3.0, 0.5)
    fit = logistic_fit(X, y, C=1.0, sample_weight=sw, tol=1e-11)
    np.testing.assert_allclose(balanced.coef_[0], fit.coef)


@pytest.mark.parametrize("Estimator", [LogisticRegression, LogisticRegressionCV])
def test_balanced_class_weight_counts_sample_weights_like_repeated_rows(rng, Estimator):
    """"balanced" divides by each class's total weight (scikit-learn's meaning);
    it counted rows, so weights and repeated rows gave different models."""
    X, y = make_data(rng, n=60, p=5)
    sw = np.where(y > 0, 4, 1) * rng.integers(1, 3, y.size)
    rows = np.repeat(np.arange(y.size), sw)
    options = dict(class_weight="balanced", tol=1e-12)
    halves = np.arange(0, 60, 2), np.arange(1, 60, 2)
    if Estimator is LogisticRegressionCV:
        options.update(Cs=[0.1, 1.0], cv=[halves, halves[::-1]])
    weighted = Estimator(**options).fit(X, y, sample_weight=sw)
    repeated = Estimator(**options)
    if Estimator is LogisticRegressionCV:  # the same folds, as repeated rows
        halves = [np.flatnonzero(np.isin(rows, half)) for half in halves]
        repeated.set_params(cv=[halves, halves[::-1]])
    repeated.fit(X[rows], y[rows])
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("selection_rule", ["min", "1se"])
def test_cv_with_a_single_split(rng, selection_rule):
    """One train/test split has no standard error: it is 0 (the least-squares CV
    estimators' convention), not NaN, which failed in select_alpha."""
    X, y = make_data(rng)
    split = [(np.arange(0, 80, 2), np.arange(1, 80, 2))]
    cv = LogisticRegressionCV(Cs=5, cv=split, selection_rule=selection_rule).fit(X, y)
    assert cv.loss_path_.shape == (1, 5, 1)
    assert cv.C_1se_ == cv.C_min_ == cv.Cs_[np.argmin(cv.loss_path_[0, :, 0])]


def test_cv_losses_and_rules(rng):
    X, y = make_data(rng, n=120, p=15)
    folds = [(np.setdiff1d(np.arange(120), test), test)
             for test in np.array_split(np.arange(120), 4)]
    clf = LogisticRegressionCV(Cs=[0.01, 0.05, 0.2, 1.0, 5.0], cv=folds, penalty="l1",
                               tol=1e-10, selection_rule="1se").fit(X, y)
    manual = np.empty((5, 4))
    for f, (train, test) in enumerate(folds):
        for k, C in enumerate(clf.Cs_):
            fit = logistic_fit(X[train], y[train], C=C, tol=1e-10)
            z = X[test] @ fit.coef + fit.intercept
            manual[k, f] = np.mean(np.logaddexp(0, -y[test] * z))
    np.testing.assert_allclose(clf.loss_path_[0], manual, rtol=1e-6)
    mean, se = manual.mean(1), manual.std(1, ddof=1) / 2
    best = np.argmin(mean)
    assert clf.C_min_[0] == clf.Cs_[best]
    assert clf.C_1se_[0] == clf.Cs_[np.flatnonzero(mean <= mean[best] + se[best])[0]]
    assert clf.C_[0] == clf.C_1se_[0] and clf.C_1se_[0] <= clf.C_min_[0]
    assert clf.alpha_1se_[0] == pytest.approx(1 / (clf.C_1se_[0] * 120))
    refit = logistic_fit(X, y, C=clf.C_[0], tol=1e-10)
    np.testing.assert_allclose(clf.coef_[0], refit.coef)


def test_cv_multiclass_and_accuracy_scoring(rng):
    X = rng.standard_normal((90, 5))
    y = np.argmax(X[:, :3], axis=1)
    clf = LogisticRegressionCV(Cs=4, scoring="accuracy", penalty="l1").fit(X, y)
    assert clf.loss_path_.shape == (3, 4, 5) and clf.C_.shape == (3,)
    assert np.all((clf.loss_path_ >= 0) & (clf.loss_path_ <= 1))
    assert clf.score(X, y) > 0.8


@parametrize_with_checks([
    LogisticRegression(),
    LogisticRegression(penalty="l1", C=0.5),
    LogisticRegression(penalty="elasticnet", l1_ratio=0.5),
    LogisticRegressionCV(),
    LogisticRegressionCV(penalty="l1", selection_rule="1se"),
])
def test_check_estimator(estimator, check):
    with warnings.catch_warnings():
        # separable toy data at large C: a capped solve is fine for these checks
        warnings.simplefilter("ignore", SkConvergenceWarning)
        check(estimator)


def test_docstring_examples_run():
    for module in (_logistic, regcore.sklearn):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0
    assert doctest.testmod(_logistic).attempted >= 4


# --- bad input ----------------------------------------------------------------------------------

def test_label_errors(rng):
    X = rng.standard_normal((6, 2))
    with pytest.raises(ValueError, match=r"y has 3 classes; logistic_path and logistic_fit "
                                         r"are binary \(use regcore.sklearn.LogisticRegression"):
        logistic_path(X, [0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match=r"y has a single class \(1.0\); logistic regression "
                                         "needs samples of two classes"):
        logistic_fit(X, np.ones(6), C=1.0)
    with pytest.raises(ValueError, match=r"y has only one class \('a'\)"):
        LogisticRegression().fit(X, ["a"] * 6)
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        logistic_fit(X, [0, 1, np.nan, 0, 1, 0], C=1.0)
    with pytest.raises(ValueError, match="X has 6 samples but y has 5"):
        logistic_fit(X, [0, 1, 0, 1, 0], C=1.0)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, rng.standard_normal(6))


def test_data_errors(rng):
    X = rng.standard_normal((6, 2))
    y = [0, 1, 0, 1, 0, 1]
    for bad, word in ((np.nan, "NaN"), (np.inf, "infinity")):
        Xb = X.copy()
        Xb[2, 1] = bad
        with pytest.raises(ValueError, match=f"X contains {word}; all values must be finite"):
            logistic_fit(Xb, y, C=1.0)
        with pytest.raises(ValueError, match=f"X contains {word}"):
            logistic_fit(sp.csc_matrix(Xb), y, C=1.0)
        with pytest.raises(ValueError, match="Input X contains"):
            LogisticRegression().fit(Xb, y)
    with pytest.raises(ValueError, match=r"X must have 2 dimension\(s\), got shape \(6,\)"):
        logistic_fit(X[:, 0], y, C=1.0)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        logistic_fit(X.astype(complex), y, C=1.0)
    with pytest.raises(TypeError, match="fit_intercept must be a bool, got str"):
        logistic_fit(X, y, C=1.0, fit_intercept="no")  # bool("no") fitted an intercept


def test_hyperparameter_errors(rng):
    X = rng.standard_normal((6, 2))
    y = [0, 1, 0, 1, 0, 1]
    with pytest.raises(ValueError, match=r"C must be in \(0.0, inf\], got -1.0"):
        logistic_fit(X, y, C=-1.0)
    with pytest.raises(ValueError, match=r"max_iter must be in \[1, 2147483647\]"):
        logistic_fit(X, y, C=1.0, max_iter=2**31)
    with pytest.raises(ValueError, match=r"C must be in \(0.0, inf\], got -1.0"):
        LogisticRegression(C=-1.0).fit(X, y)
    with pytest.raises(ValueError, match=r"alpha must be in \(0.0, inf\], got 0.0"):
        logistic_fit(X, y, alpha=0.0)
    with pytest.raises(ValueError, match="pass exactly one of C and alpha"):
        logistic_fit(X, y)
    with pytest.raises(ValueError, match="pass either Cs or alphas, not both"):
        logistic_path(X, y, Cs=3, alphas=3)
    with pytest.raises(ValueError, match=r"Cs must be positive"):
        logistic_path(X, y, Cs=[1.0, -2.0])
    with pytest.raises(ValueError, match=r"l1_ratio must be in \[0.0, 1.0\], got 1.5"):
        logistic_fit(X, y, C=1.0, l1_ratio=1.5)
    with pytest.raises(ValueError, match=r"penalty must be one of \('l1', 'l2', 'elasticnet'\)"):
        LogisticRegression(penalty="none").fit(X, y)
    with pytest.raises(ValueError, match='penalty="elasticnet" needs l1_ratio'):
        LogisticRegression(penalty="elasticnet").fit(X, y)
    with pytest.raises(ValueError, match="class_weight must be finite and non-negative"):
        LogisticRegression(class_weight={0: -1.0, 1: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match=r"selection_rule must be one of \('min', '1se'\)"):
        LogisticRegressionCV(selection_rule="best").fit(X, y)
    with pytest.raises(ValueError, match=r"scoring must be one of \('neg_log_loss', 'accuracy'\)"):
        LogisticRegressionCV(scoring="f1").fit(X, y)
    with pytest.raises(ValueError, match="penalty_factor has 3 entries but X has 2 features"):
        logistic_fit(X, y, C=1.0, penalty_factor=[1, 1, 1])
    with pytest.raises(ValueError, match="penalty_factor must be non-negative"):
        logistic_fit(X, y, C=1.0, penalty_factor=[1, -1])
    with pytest.raises(ValueError, match="coef_init has 3 entries but X has 2 features"):
        logistic_fit(X, y, C=1.0, coef_init=np.zeros(3))


def test_sample_weight_errors(rng):
    X = rng.standard_normal((6, 2))
    y = [0, 1, 0, 1, 0, 1]
    for fit in (lambda sw: logistic_fit(X, y, C=1.0, sample_weight=sw),
                lambda sw: LogisticRegression().fit(X, y, sample_weight=sw)):
        with pytest.raises(ValueError, match="sample_weight has 5 entries but X has 6 samples"):
            fit(np.ones(5))
        with pytest.raises(ValueError, match="sample_weight must be non-negative"):
            fit([1, 1, -1, 1, 1, 1])
        with pytest.raises(ValueError, match="sample_weight is zero everywhere"):
            fit(np.zeros(6))
        with pytest.raises(ValueError, match="sample_weight contains NaN"):
            fit([1, 1, np.nan, 1, 1, 1])
    with pytest.raises(ValueError, match="sample_weight leaves a single class with positive "
                                         "weight"):
        logistic_fit(X, y, C=1.0, sample_weight=[1, 0, 1, 0, 1, 0])


def test_importing_regcore_does_not_import_scipy_or_sklearn():
    import subprocess
    import sys

    code = ("import sys, regcore; regcore.logistic_path; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('scipy', 'sklearn', 'joblib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gap_safe_screening_keeps_the_certificate(rng, fit_intercept):
    X = np.asfortranarray(rng.standard_normal((40, 600)))
    y = np.where(X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(40) > 0, 1.0, -1.0)
    n, p = X.shape
    C = 5.0 / np.abs(X.T @ y).max()  # a few features enter
    tol = 1e-10 * C * n * np.log(2)
    args = (X, y, np.full(n, C), np.ones(p), 1.0, 0.0)
    plain, screened = np.zeros(p), np.zeros(p)
    _kernels.logistic_solve_dense(*args, plain, 0.0, fit_intercept, tol, 100, screen=False)
    workspace = _kernels.logistic_workspace(n, p, np.float64)
    b, gap, *_ = _kernels.logistic_solve_dense(*args, screened, 0.0, fit_intercept, tol, 100,
                                               20, workspace, 0.0, True)
    np.testing.assert_allclose(workspace[4][:p], np.linalg.norm(X, axis=0), rtol=1e-12)
    assert workspace[3].sum() > p // 2  # most features were proven zero and left out
    assert not screened[workspace[3] == 1].any()
    np.testing.assert_allclose(screened, plain, atol=1e-7)
    reference = _reference.logistic_duality_gap(X, y, screened, b, C=C,
                                                fit_intercept=fit_intercept)
    assert reference <= tol and gap == pytest.approx(reference, rel=1e-6, abs=1e-12)


def test_cv_fold_without_weighted_test_rows_is_refused():
    # the weighted held-out loss of such a fold is 0 / 0; it used to be scored
    # unweighted, on rows the weights said to ignore
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 4))
    y = (X[:, 0] + 0.5 * rng.standard_normal(40) > 0).astype(int)
    w = np.r_[np.zeros(10), np.ones(30)]
    folds = [(np.arange(10, 40), np.arange(10)), (np.arange(20), np.arange(20, 40))]
    with pytest.raises(ValueError, match="sample_weight is zero on all 10 test rows of a fold"):
        LogisticRegressionCV(Cs=3, cv=folds).fit(X, y, sample_weight=w)
