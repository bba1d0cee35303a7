"""Ridge by factorization: path, leave-one-out/GCV, certificates, bad input."""

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")
sklm = pytest.importorskip("sklearn.linear_model")

from regcore import _reference as ref  # noqa: E402
from regcore.linear_model import ridge_loo, ridge_path  # noqa: E402
from regcore.linear_model._ridge import _dual_gaps, _prepare  # noqa: E402

SHAPES = [(60, 12), (12, 60)]
ALPHAS = np.array([1e-3, 0.1, 1.0, 10.0, 1e3])


def problem(shape, seed=0, offset=2.0):
    rng = np.random.default_rng(seed)
    n, p = shape
    X = rng.standard_normal((n, p))
    X[:, 0] += offset  # non-centered column: the intercept matters
    y = X[:, :3] @ [1.0, -2.0, 0.5] + 3.0 + 0.3 * rng.standard_normal(n)
    w = rng.uniform(0.2, 3.0, n)
    return X, y, w


def rel_err(a, b):
    return np.abs(np.asarray(a) - b).max() / max(np.abs(b).max(), 1e-300)


@pytest.mark.parametrize("shape", SHAPES, ids=["tall", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("method, sparse", [
    ("auto", False), ("eigh", False), ("svd", False), ("cholesky", False),
    ("auto", True), ("eigh", True), ("cholesky", True),  # svd is dense-only
    ("lsqr", False), ("lsqr", True),
])
def test_path_matches_sklearn_ridge(shape, fit_intercept, weighted, method, sparse):
    X, y, w = problem(shape)
    sw = w if weighted else None
    Xin = sp.csc_matrix(X) if sparse else X
    alphas, coefs, intercepts = ridge_path(Xin, y, ALPHAS, fit_intercept=fit_intercept,
                                           sample_weight=sw, method=method)
    assert coefs.shape == (X.shape[1], ALPHAS.size)
    for j, alpha in enumerate(ALPHAS):
        expected = sklm.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
        expected.fit(X, y, sample_weight=sw)
        assert rel_err(coefs[:, j], expected.coef_) < 1e-6
        assert abs(intercepts[j] - expected.intercept_) < 1e-6 * max(1.0, abs(expected.intercept_))


@pytest.mark.parametrize("shape", SHAPES, ids=["tall", "wide"])
@pytest.mark.parametrize("method, sparse", [
    ("auto", False), ("eigh", False), ("svd", False), ("cholesky", False), ("lsqr", False),
    ("eigh", True), ("cholesky", True), ("lsqr", True),
])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_path_with_several_targets_matches_one_target_at_a_time(shape, method, sparse,
                                                                fit_intercept):
    X, y, w = problem(shape, seed=12)
    Y = np.column_stack([y, np.cos(y) - X[:, 2], 2 * y])
    Xin = sp.csc_matrix(X) if sparse else X
    kwargs = dict(fit_intercept=fit_intercept, sample_weight=w, method=method,
                  return_dual_gaps=True)
    joint = ridge_path(Xin, Y, ALPHAS, **kwargs)
    assert joint.coefs.shape == (X.shape[1], ALPHAS.size, 3)
    assert joint.intercepts.shape == joint.dual_gaps.shape == (ALPHAS.size, 3)
    for k in range(3):
        single = ridge_path(Xin, Y[:, k], ALPHAS, **kwargs)
        assert rel_err(joint.coefs[:, :, k], single.coefs) < 1e-8
        assert rel_err(joint.intercepts[:, k], single.intercepts) < 1e-8
        # each target certified against its own scale
        np.testing.assert_allclose(joint.dual_gaps[:, k], single.dual_gaps,
                                   rtol=1e-3, atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES, ids=["tall", "wide"])
def test_path_matches_numpy_reference(shape):
    X, y, w = problem(shape, seed=1)
    coefs_ref, intercepts_ref = ref.ridge_path(X, y, ALPHAS, True, w)
    _, coefs, intercepts = ridge_path(X, y, ALPHAS, sample_weight=w, method="eigh")
    assert rel_err(coefs, coefs_ref) < 1e-9
    assert rel_err(intercepts, intercepts_ref) < 1e-9


def test_auto_switches_to_lsqr_for_large_sparse(monkeypatch):
    from regcore.linear_model import _ridge

    X, y, w = problem((60, 30), seed=12)
    X[np.abs(X) < 1.0] = 0.0
    assert ridge_path(sp.csr_matrix(X), y, ALPHAS).method == "eigh"
    monkeypatch.setattr(_ridge, "MAX_SPARSE_GRAM_SIDE", 20)
    path = ridge_path(sp.csr_matrix(X), y, ALPHAS, sample_weight=w, return_dual_gaps=True)
    assert path.method == "lsqr"
    assert ridge_path(X, y, ALPHAS).method == "eigh"  # dense never switches
    assert (path.dual_gaps < 1e-12).all()
    exact = ridge_path(X, y, ALPHAS, sample_weight=w, method="svd")
    assert rel_err(path.coefs, exact.coefs) < 1e-7


def test_alpha_zero_is_minimum_norm_least_squares():
    X, y, _ = problem((10, 30), seed=2)
    for method in ("eigh", "svd", "cholesky"):
        coef = ridge_path(X, y, 0.0, fit_intercept=False, method=method).coefs[:, 0]
        expected = np.linalg.lstsq(X, y, rcond=None)[0]
        assert rel_err(coef, expected) < 1e-8, method


@pytest.mark.parametrize("shape, fit_intercept, seed", [((12, 12), True, 35),
                                                        ((18, 6), False, 22)])
@pytest.mark.parametrize("method, sparse", [("auto", False), ("cholesky", False),
                                            ("cholesky", True)])
def test_alpha_zero_on_a_singular_gram_is_minimum_norm(shape, fit_intercept, seed, method,
                                                       sparse):
    # a centred square X (rank n - 1) and a tall X with a dependent column:
    # the singular Gram factored without error and the solve returned
    # coefficients 0.4 to 3 (relative) away from the minimum-norm ones
    rng = np.random.default_rng(seed)
    X = rng.standard_normal(shape) + 3
    if not fit_intercept:
        X[:, 2] = 2 * X[:, 1] - X[:, 0]
    y = rng.standard_normal(shape[0])
    A, z = (X - X.mean(axis=0), y - y.mean()) if fit_intercept else (X, y)
    expected = np.linalg.lstsq(A, z, rcond=None)[0]
    path = ridge_path(sp.csr_matrix(X) if sparse else X, y, 0.0,
                      fit_intercept=fit_intercept, method=method)
    assert rel_err(path.coefs[:, 0], expected) < 1e-8
    if fit_intercept:
        assert abs(path.intercepts[0] - (y.mean() - X.mean(axis=0) @ expected)) < 1e-8


def test_dense_and_sparse_give_the_same_model():
    X, y, w = problem((40, 25), seed=3)
    X[np.abs(X) < 0.8] = 0.0
    dense = ridge_path(X, y, ALPHAS, sample_weight=w)
    for fmt in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        sparse = ridge_path(fmt(X), y, ALPHAS, sample_weight=w)
        assert rel_err(sparse.coefs, dense.coefs) < 1e-10
        assert rel_err(sparse.intercepts, dense.intercepts) < 1e-10


def test_float32_stays_float32(dtype):
    X, y, w = problem((50, 10), seed=4)
    X, y, w = X.astype(dtype), y.astype(dtype), w.astype(dtype)
    for Xin in (X, sp.csr_matrix(X)):
        path = ridge_path(Xin, y, ALPHAS, sample_weight=w, return_dual_gaps=True)
        assert path.coefs.dtype == dtype and path.intercepts.dtype == dtype
        assert path.alphas.dtype == dtype and path.dual_gaps.dtype == dtype
        loo = ridge_loo(Xin, y, ALPHAS, sample_weight=w, return_errors=True)
        assert loo.scores.dtype == dtype and loo.errors.dtype == dtype
        assert loo.coef.dtype == dtype
    exact = ridge_path(X.astype(np.float64), y.astype(np.float64), ALPHAS, sample_weight=w)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    assert rel_err(path.coefs, exact.coefs) < tol


def test_dual_gap_certifies_the_solution():
    X, y, w = problem((80, 15), seed=5)
    path = ridge_path(X, y, ALPHAS, sample_weight=w, return_dual_gaps=True)
    assert (path.dual_gaps >= 0).all() and (path.dual_gaps < 1e-10).all()
    # A perturbed solution has a gap that bounds its (relative) suboptimality.
    data = _prepare(X, y, w, True)
    alpha = np.array([1.0])
    best = path.coefs[:, [2]]
    worse = best * 1.05

    def objective(c):
        r = data.z - data.matmul(c)[:, 0]
        return r @ r + alpha[0] * (c[:, 0] @ c[:, 0])

    gap = _dual_gaps(data, worse, alpha)[0]
    subopt = (objective(worse) - objective(best)) / (data.z @ data.z)
    assert subopt > 1e-6
    assert gap >= subopt * (1 - 1e-9)


@pytest.mark.parametrize("shape", SHAPES, ids=["tall", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_loo_matches_brute_force(shape, fit_intercept, weighted):
    X, y, w = problem((shape[0] // 3, shape[1] // 3), seed=6)
    n = X.shape[0]
    sw = w if weighted else np.ones(n)
    loo = ridge_loo(X, y, ALPHAS, fit_intercept=fit_intercept,
                    sample_weight=sw if weighted else None, return_errors=True)
    brute = np.empty((n, ALPHAS.size))
    for i in range(n):
        keep = np.arange(n) != i
        for j, alpha in enumerate(ALPHAS):
            model = sklm.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
            model.fit(X[keep], y[keep], sample_weight=sw[keep])
            brute[i, j] = sw[i] * (y[i] - model.predict(X[i:i + 1])[0]) ** 2
    assert rel_err(loo.errors, brute) < 1e-7
    assert rel_err(loo.scores, brute.mean(axis=0)) < 1e-7
    np.testing.assert_allclose(ref.ridge_loo_errors(X, y, ALPHAS, fit_intercept,
                                                    sw if weighted else None),
                               brute, rtol=1e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=["tall", "wide"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_loo_matches_sklearn_ridgecv(shape, sparse, weighted):
    X, y, w = problem(shape, seed=7)
    sw = w if weighted else None
    alphas = np.logspace(-3, 3, 13)
    expected = sklm.RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y, sample_weight=sw)
    res = ridge_loo(sp.csr_matrix(X) if sparse else X, y, alphas, sample_weight=sw,
                    return_errors=True)
    assert res.alpha == expected.alpha_
    assert rel_err(res.errors, expected.cv_results_) < 1e-6
    assert rel_err(res.coef, expected.coef_) < 1e-6
    assert abs(res.intercept - expected.intercept_) < 1e-6 * max(1, abs(expected.intercept_))


@pytest.mark.parametrize("shape", SHAPES, ids=["tall", "wide"])
@pytest.mark.parametrize("method, sparse", [("eigh", False), ("svd", False), ("eigh", True)])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("criterion", ["loo", "gcv"])
def test_loo_with_several_targets_matches_one_target_at_a_time(shape, method, sparse,
                                                               fit_intercept, criterion):
    # one factorization for all targets: per-sample errors, scores averaged
    # over the targets, and the model of every target at the common best alpha
    X, y, w = problem(shape, seed=11)
    Y = np.column_stack([y, np.sin(y) + X[:, 1], -y])
    Xin = sp.csr_matrix(X) if sparse else X
    kwargs = dict(criterion=criterion, fit_intercept=fit_intercept, sample_weight=w,
                  method=method, return_errors=True)
    joint = ridge_loo(Xin, Y, ALPHAS, **kwargs)
    singles = [ridge_loo(Xin, Y[:, k], ALPHAS, **kwargs) for k in range(3)]
    # (products with 3 columns round differently from products with one)
    assert rel_err(joint.scores, np.mean([r.scores for r in singles], axis=0)) < 1e-9
    if criterion == "loo":
        assert joint.errors.shape == (X.shape[0], 3, ALPHAS.size)
        assert rel_err(joint.errors, np.stack([r.errors for r in singles], axis=1)) < 1e-9
    assert joint.best_index == int(np.argmin(joint.scores))
    refit = [ridge_path(Xin, Y[:, k], joint.alpha, fit_intercept=fit_intercept, sample_weight=w,
                        method=method) for k in range(3)]
    assert joint.coef.shape == (X.shape[1], 3) and joint.intercept.shape == (3,)
    for k in range(3):
        assert rel_err(joint.coef[:, k], refit[k].coefs[:, 0]) < 1e-9
        assert abs(joint.intercept[k] - refit[k].intercepts[0]) < 1e-9 * max(
            1.0, abs(refit[k].intercepts[0]))


@pytest.mark.parametrize("shape", SHAPES, ids=["tall", "wide"])
def test_gcv_matches_reference_formula(shape):
    X, y, w = problem(shape, seed=8)
    for fit_intercept in (True, False):
        res = ridge_loo(X, y, ALPHAS, criterion="gcv", fit_intercept=fit_intercept,
                        sample_weight=w)
        expected = ref.ridge_gcv(X, y, ALPHAS, fit_intercept, w)
        assert rel_err(res.scores, expected) < 1e-8
        assert res.best_index == int(np.argmin(expected))
        assert res.errors is None


def test_svd_and_eigh_loo_agree():
    X, y, w = problem((30, 20), seed=9)
    a = ridge_loo(X, y, ALPHAS, sample_weight=w, method="svd", return_errors=True)
    b = ridge_loo(X, y, ALPHAS, sample_weight=w, method="eigh", return_errors=True)
    assert rel_err(a.errors, b.errors) < 1e-8


def test_svd_loo_of_a_wide_problem_is_free_of_cancellation():
    # n < p: U of the thin SVD is complete, so the LOO residuals and 1 - h_ii
    # come from the factors alpha / (lam + alpha) as with eigh; from z - fitted
    # and 1 - leverage they were 1e-4 (relative) off at alpha 1e-10, where eigh
    # and a 50-digit brute force agree to 1e-15
    rng = np.random.default_rng(17)
    X = rng.standard_normal((10, 40)) + 1
    y = rng.standard_normal(10)
    alphas = np.logspace(-10, -4, 4)
    kwargs = dict(fit_intercept=False, return_errors=True)
    svd = ridge_loo(X, y, alphas, method="svd", **kwargs)
    eigh = ridge_loo(X, y, alphas, method="eigh", **kwargs)
    assert rel_err(svd.errors, eigh.errors) < 1e-10


def test_readonly_and_strided_inputs():
    X, y, _ = problem((40, 8), seed=10)
    expected = ridge_path(X, y, ALPHAS).coefs
    Xr = X.copy()
    Xr.flags.writeable = False
    assert rel_err(ridge_path(Xr, y, ALPHAS).coefs, expected) < 1e-12
    wide = np.zeros((40, 16))
    wide[:, ::2] = X
    assert rel_err(ridge_path(wide[:, ::2], y, ALPHAS).coefs, expected) < 1e-12
    assert rel_err(ridge_path(np.asfortranarray(X), y, ALPHAS).coefs, expected) < 1e-12


def test_bad_input_messages():
    X, y, w = problem((20, 5))
    with pytest.raises(ValueError, match="alphas must be non-negative"):
        ridge_path(X, y, [1.0, -1.0])
    with pytest.raises(ValueError, match="alphas must be strictly positive"):
        ridge_loo(X, y, [0.0, 1.0])
    with pytest.raises(ValueError, match="alphas contains NaN"):
        ridge_path(X, y, [np.nan])
    bad = X.copy()
    bad[3, 2] = np.inf
    with pytest.raises(ValueError, match="X contains infinity"):
        ridge_path(bad, y, 1.0)
    with pytest.raises(ValueError, match="X contains NaN"):
        ridge_path(sp.csr_matrix(np.where(X > 1, np.nan, X)), y, 1.0)
    with pytest.raises(ValueError, match="X has 20 samples but y has 19"):
        ridge_path(X, y[:-1], 1.0)
    with pytest.raises(ValueError, match="X must have 2 dimension"):
        ridge_path(X[:, 0], y, 1.0)
    with pytest.raises(ValueError, match="X is empty"):
        ridge_path(np.empty((0, 3)), [], 1.0)
    with pytest.raises(ValueError, match="sample_weight has 19 entries"):
        ridge_path(X, y, 1.0, sample_weight=w[:-1])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        ridge_path(X, y, 1.0, sample_weight=-w)
    with pytest.raises(ValueError, match="method='svd' needs a dense X"):
        ridge_path(sp.csr_matrix(X), y, 1.0, method="svd")
    with pytest.raises(ValueError, match="method must be one of"):
        ridge_path(X, y, 1.0, method="sag")
    with pytest.raises(ValueError, match="method must be one of"):
        ridge_loo(X, y, 1.0, method="cholesky")
    with pytest.raises(ValueError, match="method must be one of"):
        ridge_loo(X, y, 1.0, method="lsqr")
    with pytest.raises(ValueError, match="criterion must be one of"):
        ridge_loo(X, y, 1.0, criterion="aic")
    for Xc in (X.astype(complex), sp.csr_matrix(X.astype(complex))):
        # sparse: a cast used to drop the imaginary part with a warning
        with pytest.raises(TypeError, match="X must hold real numbers"):
            ridge_path(Xc, y, 1.0)
    for fn in (ridge_path, ridge_loo):  # bool("no") used to fit an intercept
        with pytest.raises(TypeError, match="fit_intercept must be a bool, got str"):
            fn(X, y, 1.0, fit_intercept="no")


def test_constant_column_and_constant_target():
    X, y, _ = problem((30, 4), seed=11)
    X[:, 1] = 5.0  # constant column: zero after centering, coefficient 0
    coefs = ridge_path(X, y, ALPHAS).coefs
    assert np.abs(coefs[1]).max() < 1e-12
    flat = ridge_path(X, np.full(30, 2.5), ALPHAS)
    assert np.abs(flat.coefs).max() < 1e-12
    np.testing.assert_allclose(flat.intercepts, 2.5, rtol=1e-12)


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 25), p=st.integers(1, 25), seed=st.integers(0, 2**31),
       log_alpha=st.floats(-3, 3), fit_intercept=st.booleans(), weighted=st.booleans(),
       sparse=st.booleans(), method=st.sampled_from(["auto", "eigh", "cholesky"]))
def test_stationarity_on_random_problems(n, p, seed, log_alpha, fit_intercept, weighted,
                                         sparse, method):
    # Optimality, checked without any solver: the gradient of
    # sum w (y - Xc - b)^2 + alpha ||c||^2 vanishes in c and in b.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10, p) + rng.uniform(-5, 5, p)
    y = rng.standard_normal(n) * 3 + 1
    w = rng.uniform(0.1, 3, n) if weighted else np.ones(n)
    alpha = 10.0 ** log_alpha
    Xin = sp.csr_matrix(X) if sparse else X
    path = ridge_path(Xin, y, alpha, fit_intercept=fit_intercept,
                      sample_weight=w if weighted else None, method=method)
    coef, intercept = path.coefs[:, 0], path.intercepts[0]
    r = w * (y - X @ coef - intercept)
    grad = -X.T @ r + alpha * coef
    scale = np.abs(X).T @ np.abs(w * y) + alpha * np.abs(coef) + 1e-300
    assert np.all(np.abs(grad) <= 1e-7 * scale)
    if fit_intercept:
        assert abs(r.sum()) <= 1e-8 * (np.abs(w * y).sum() + np.abs(w * (X @ coef)).sum())
    else:
        assert intercept == 0


def test_interpolating_fit_has_infinite_loo_and_gcv_without_warnings():
    # n = p with alpha -> 0 interpolates: h_ii = 1 and trace(H) = n.
    X, y = np.eye(3), np.array([1.0, 2.0, 3.0])
    for criterion in ("loo", "gcv"):
        res = ridge_loo(X, y, [1e-300, 1.0], criterion=criterion, fit_intercept=False)
        assert res.scores[0] == np.inf and np.isfinite(res.scores[1])
        assert res.best_index == 1


def test_float32_loo_tracks_float64_for_wide_problems():
    # n < p uses the cancellation-free complement formulas: float32 stays close.
    rng = np.random.default_rng(13)
    X = rng.standard_normal((60, 300)) + 3.0
    y = X[:, :3].sum(axis=1) + rng.standard_normal(60)
    alphas = np.logspace(-1, 3, 9)
    exact = ridge_loo(X, y, alphas, return_errors=True)
    single = ridge_loo(X.astype(np.float32), y.astype(np.float32), alphas, return_errors=True)
    np.testing.assert_allclose(single.scores, exact.scores, rtol=1e-3)
    assert single.alpha == np.float32(exact.alpha)


@pytest.mark.parametrize("shape", [(200, 30), (30, 200)])
def test_float32_ill_conditioned_spectrum_is_computed_in_float64(shape):
    # columns with means 100x their spread and no intercept: lam_max * eps32
    # is far above the smallest alphas, which a float32 spectrum cannot resolve
    rng = np.random.default_rng(15)
    X = rng.standard_normal(shape) + 100
    y = 2 * X[:, 0] - X[:, 1] + rng.standard_normal(shape[0]) + 3
    alphas = np.logspace(-3, 3, 13)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    exact = ridge_loo(X32.astype(np.float64), y32.astype(np.float64), alphas,
                      fit_intercept=False)
    single = ridge_loo(X32, y32, alphas, fit_intercept=False)
    assert single.alpha == exact.alpha and single.coef.dtype == np.float32
    np.testing.assert_allclose(single.scores, exact.scores, rtol=1e-4)
    path64 = ridge_path(X32.astype(np.float64), y32.astype(np.float64), alphas,
                        fit_intercept=False, method="eigh")
    path32 = ridge_path(X32, y32, alphas, fit_intercept=False, method="eigh")
    assert path32.coefs.dtype == np.float32
    np.testing.assert_allclose(path32.coefs, path64.coefs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("shape", [(40, 60), (100, 20)])
def test_float32_columns_with_large_means_match_float64(layout, shape):
    # float32 columns of mean 300 and spread 1, with an intercept: the means
    # must be taken and subtracted in float64. Rounded to float32 they left
    # A^T sqrt(w) far from 0, and RidgeCV picked alpha 1e-4 instead of 5.6
    # (dense, n < p); the sparse Gram's rank-one centring in float32 gave
    # coefficients 0.12 off.
    rng = np.random.default_rng(5)
    X = (rng.standard_normal(shape) + 300).astype(np.float32)
    y = (X[:, :3] @ [1.0, -2.0, 0.5] + 0.3 * rng.standard_normal(shape[0])).astype(np.float32)
    alphas = np.logspace(-4, 2, 25)
    Xf = sp.csr_matrix(X) if layout == "csr" else X
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    exact, single = ridge_loo(X64, y64, alphas), ridge_loo(Xf, y, alphas)
    assert single.alpha == exact.alpha
    np.testing.assert_allclose(single.scores, exact.scores, rtol=1e-4)
    path64 = ridge_path(X64, y64, [0.01, 1.0])
    path32 = ridge_path(Xf, y, [0.01, 1.0])
    assert path32.coefs.dtype == np.float32
    np.testing.assert_allclose(path32.coefs, path64.coefs, atol=1e-5 * np.abs(path64.coefs).max())
    np.testing.assert_allclose(path32.intercepts, path64.intercepts,
                               atol=1e-5 * np.abs(y64).max())


def test_sparse_wide_loo_with_large_means_matches_dense():
    # float64, n < p, columns of mean 30: the sparse kernel's rank-one
    # centring left sqrt(w) an eigenvector of eigenvalue 3e-10 instead of 0,
    # which the cancellation-free LOO formulas took for signal (4% off at
    # alpha 1e-4, another alpha chosen in 4 seeds of 10)
    for seed in range(4):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((40, 60)) + 30
        y = X[:, :3] @ [1.0, -2.0, 0.5] + 0.3 * rng.standard_normal(40)
        alphas = np.logspace(-4, 2, 25)
        dense, sparse = ridge_loo(X, y, alphas), ridge_loo(sp.csr_matrix(X), y, alphas)
        np.testing.assert_allclose(sparse.scores, dense.scores, rtol=1e-7)
        assert sparse.alpha == dense.alpha


def test_loo_without_any_predictable_sample_is_refused():
    # one sample and an intercept: every LOO error is infinite, and alphas[0]
    # used to be returned as the best
    for criterion in ("loo", "gcv"):
        with pytest.raises(ValueError, match="error is infinite at every alpha"):
            ridge_loo(np.ones((1, 3)), [2.0], [0.1, 1.0], criterion=criterion)


def test_results_pickle():
    import pickle

    X, y, _ = problem((20, 5), seed=14)
    path = ridge_path(X, y, ALPHAS, return_dual_gaps=True)
    again = pickle.loads(pickle.dumps(path))
    alphas, coefs, intercepts = again
    assert np.array_equal(coefs, path.coefs) and again.method == path.method
    assert np.array_equal(again.dual_gaps, path.dual_gaps)
    loo = pickle.loads(pickle.dumps(ridge_loo(X, y, ALPHAS)))
    assert loo.alpha == ridge_loo(X, y, ALPHAS).alpha


@pytest.mark.parametrize("cv", [None, 3])
def test_float32_ridgecv_reports_the_alphas_as_given(cv):
    # the path computes in float32, but alpha_ is the user's value (0.1 was
    # reported as 0.10000000149011612, not in the grid the user passed)
    from regcore.sklearn import RidgeCV

    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 6)).astype(np.float32)
    y = (X @ rng.standard_normal(6) + 0.5 * rng.standard_normal(40)).astype(np.float32)
    grid = [0.1, 0.3, 3.0, 30.0]
    model = RidgeCV(alphas=grid, cv=cv).fit(X, y)
    assert model.alpha_ in grid and model.alpha_min_ in grid and model.alpha_1se_ in grid
    assert list(model.alphas_) == grid
    assert model.coef_.dtype == np.float32
