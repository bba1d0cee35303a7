"""Cross-validation helpers and the path CV drivers."""

import threading

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")
sklm = pytest.importorskip("sklearn.linear_model")
from sklearn.model_selection import KFold, StratifiedKFold  # noqa: E402

from regcore.linear_model import (enet_path_cv, make_folds, map_folds, ridge_path,  # noqa: E402
                                  ridge_path_cv, select_alpha)
from regcore.linear_model import _cv  # noqa: E402


def assert_partition(folds, n):
    tests = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tests), np.arange(n))  # every sample tested exactly once
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0
        assert np.array_equal(np.union1d(train, test), np.arange(n))


# --- make_folds ------------------------------------------------------------------------

@pytest.mark.parametrize("n, k", [(10, 2), (11, 3), (17, 5), (7, 7), (100, 10)])
def test_int_folds_partition_like_kfold(n, k):
    folds = make_folds(n, k)
    assert len(folds) == k
    assert_partition(folds, n)
    sizes = [test.size for _, test in folds]
    assert max(sizes) - min(sizes) <= 1
    expected = [test for _, test in KFold(k).split(np.zeros((n, 1)))]
    assert all(np.array_equal(a, b) for (_, a), b in zip(folds, expected))


def test_shuffled_folds_are_a_reproducible_partition():
    a = make_folds(23, 4, shuffle=True, rng=3)
    b = make_folds(23, 4, shuffle=True, rng=np.random.default_rng(3))
    assert_partition(a, 23)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b))
    assert not all(np.array_equal(x[1], y[1]) for x, y in zip(a, make_folds(23, 4)))


def test_stratified_folds_balance_classes():
    y = np.repeat([0, 1, 2], [12, 7, 5])
    for shuffle in (False, True):
        folds = make_folds(y.size, 3, y=y, stratify=True, shuffle=shuffle, rng=0)
        assert_partition(folds, y.size)
        counts = np.array([np.bincount(y[test], minlength=3) for _, test in folds])
        assert (counts.max(axis=0) - counts.min(axis=0) <= 1).all()
        sizes = counts.sum(axis=1)
        assert sizes.max() - sizes.min() <= 1


def test_splitter_object_and_iterable_of_pairs():
    y = np.array([0, 1] * 6)
    folds = make_folds(12, StratifiedKFold(3), y=y)
    expected = list(StratifiedKFold(3).split(np.zeros((12, 1)), y))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, expected))
    pairs = [([0, 1, 2], [3, 4]), (np.array([3, 4]), [0, 1, 2])]
    folds = make_folds(5, pairs)
    assert folds[0][1].tolist() == [3, 4] and folds[1][0].tolist() == [3, 4]
    assert folds[0][0].dtype == np.int64


def test_boolean_masks_select_the_rows_they_mark():
    # a mask used to be cast to int64, selecting rows 0 and 1 over and over
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 5))
    y = X[:, 0] + rng.standard_normal(30)
    in_test = np.arange(30) >= 20
    folds = make_folds(30, [(~in_test, in_test)])
    assert folds[0][0].tolist() == list(range(20)) and folds[0][1].tolist() == list(range(20, 30))
    by_mask = enet_path_cv(X, y, alphas=10, cv=[(~in_test, in_test)], tol=1e-10)
    by_index = enet_path_cv(X, y, alphas=10, cv=[(np.arange(20), np.arange(20, 30))], tol=1e-10)
    np.testing.assert_array_equal(by_mask.mse_path, by_index.mse_path)


def test_make_folds_errors():
    with pytest.raises(ValueError, match=r"cv must be in \[2, inf\]"):
        make_folds(10, 1)
    with pytest.raises(ValueError, match="cv=5 folds need at least 5 samples, got n_samples=3"):
        make_folds(3, 5)
    with pytest.raises(TypeError, match="cv must be an int, an iterable"):
        make_folds(10, 2.5)
    with pytest.raises(ValueError, match="cv produced test indices outside"):
        make_folds(4, [([0, 1], [2, 7])])
    with pytest.raises(ValueError, match="cv produced an empty test set"):
        make_folds(4, [([0, 1], [])])
    with pytest.raises(ValueError, match="boolean train mask of 3 entries for 4 samples"):
        make_folds(4, [([True, True, False], [3])])
    with pytest.raises(TypeError, match="cv produced test indices of dtype float64"):
        make_folds(4, [([0, 1], [2.5, 3.0])])
    with pytest.raises(ValueError, match="cv produced no"):
        make_folds(4, [])
    with pytest.raises(TypeError, match="cv must be an int, an iterable.*got str"):
        make_folds(4, "kfold")  # str has a split method
    for not_pairs in ([0, 1, 2], [np.arange(3)], [([0], [1], [2])]):
        with pytest.raises(TypeError, match=r"cv must yield \(train, test\) pairs"):
            make_folds(4, not_pairs)
    with pytest.raises(ValueError, match="stratify=True needs the class labels y"):
        make_folds(4, 2, stratify=True)
    with pytest.raises(ValueError, match="n_samples must be in"):
        make_folds(0, 2)


# --- select_alpha ----------------------------------------------------------------------

def test_select_alpha_one_se_rule_on_constructed_curve():
    alphas = np.geomspace(10, 0.01, 7)  # decreasing
    mean = np.array([9.0, 5.0, 2.2, 2.05, 2.0, 2.3, 3.0])
    se = np.full(7, 0.25)
    index_min, index_1se = select_alpha(alphas, mean, se)
    assert index_min == 4
    assert index_1se == 2  # 2.2 <= 2.0 + 0.25, 5.0 is not
    # tighter standard errors exclude index 2 but keep index 3
    assert select_alpha(alphas, mean, np.full(7, 0.1)) == (4, 3)
    # the rule uses the SE at the minimum, not elsewhere
    se_at_min = np.array([0, 0, 0, 0, 3.5, 0, 0.0])
    assert select_alpha(alphas, mean, se_at_min) == (4, 1)


def test_select_alpha_order_and_ties():
    alphas = np.array([0.1, 1.0, 0.01, 10.0])  # any order
    mean = np.array([1.0, 1.0, 2.0, 5.0])
    index_min, index_1se = select_alpha(alphas, mean, np.zeros(4))
    assert index_min == 1  # tie between alpha 0.1 and 1.0: the larger alpha
    assert index_1se == 1
    assert select_alpha(alphas, mean, np.array([0.0, 4.0, 0.0, 0.0])) == (1, 3)


def test_select_alpha_errors():
    with pytest.raises(ValueError, match="must have the same length"):
        select_alpha([1.0, 0.1], [1.0], [0.1])
    with pytest.raises(ValueError, match="must not contain NaN"):
        select_alpha([1.0, 0.1], [1.0, np.nan], [0.1, 0.1])
    with pytest.raises(ValueError, match="se_loss must be non-negative"):
        select_alpha([1.0, 0.1], [1.0, 2.0], [0.1, -0.1])


# --- map_folds -------------------------------------------------------------------------

def test_map_folds_keeps_order_and_runs_in_threads():
    seen = []

    def work(i):
        seen.append(threading.current_thread() is threading.main_thread())
        return i * i

    assert map_folds(work, range(8)) == [i * i for i in range(8)]
    assert map_folds(work, range(8), n_jobs=2) == [i * i for i in range(8)]
    assert map_folds(work, range(8), n_jobs=-1) == [i * i for i in range(8)]
    assert not all(seen[8:16])  # n_jobs=2 ran somewhere else than the main thread


def test_map_folds_honours_a_joblib_context():
    joblib = pytest.importorskip("joblib")
    where = []
    with joblib.parallel_config(backend="threading", n_jobs=2):
        out = map_folds(lambda i: where.append(threading.current_thread().name) or i, range(6))
    assert out == list(range(6))
    assert any(name != threading.main_thread().name for name in where)


def test_map_folds_without_joblib(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_joblib(name, *args, **kwargs):
        if name == "joblib":
            raise ImportError("no joblib here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_joblib)
    assert map_folds(lambda i: i + 1, range(5), n_jobs=2) == [1, 2, 3, 4, 5]
    assert map_folds(lambda i: i + 1, range(5), n_jobs=-1) == [1, 2, 3, 4, 5]


def test_map_folds_errors():
    with pytest.raises(ValueError, match="n_jobs must be a non-zero integer"):
        map_folds(abs, [1], n_jobs=0)
    with pytest.raises(TypeError, match="n_jobs must be an integer"):
        map_folds(abs, [1], n_jobs=1.5)


# --- elastic-net path CV ---------------------------------------------------------------

def regression(n=90, p=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.7 * X[:, 0]
    coef = np.zeros(p)
    coef[:5] = [3.0, -2.0, 1.5, 1.0, -0.5]
    y = X @ coef + 2.0 + rng.standard_normal(n)
    return X, y, rng.uniform(0.3, 2.0, n)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_lassocv_alpha_matches_sklearn_on_same_folds_and_grid(sparse, weighted):
    X, y, w = regression()
    sw = w if weighted else None
    folds = KFold(4, shuffle=True, random_state=0)
    expected = sklm.LassoCV(cv=folds, alphas=30, tol=1e-12, max_iter=100000)
    expected.fit(X, y, sample_weight=sw)
    Xin = sp.csc_matrix(X) if sparse else X
    res = enet_path_cv(Xin, y, l1_ratio=1.0, alphas=expected.alphas_, cv=folds, tol=1e-10,
                       sample_weight=sw)
    assert res.alpha_min == pytest.approx(expected.alpha_, rel=1e-12)
    np.testing.assert_allclose(res.mse_path[0], expected.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(res.fit.coef, expected.coef_, rtol=1e-6, atol=1e-8)


def test_elasticnetcv_picks_the_same_pair_as_sklearn():
    X, y, _ = regression(seed=1)
    ratios = [0.1, 0.5, 0.9]
    expected = sklm.ElasticNetCV(l1_ratio=ratios, cv=KFold(3), alphas=25, tol=1e-12,
                                 max_iter=100000).fit(X, y)
    res = enet_path_cv(X, y, l1_ratio=ratios, alphas=25, cv=3, tol=1e-13)
    np.testing.assert_allclose(res.alphas, expected.alphas_, rtol=1e-10)
    assert res.l1_ratio == expected.l1_ratio_
    assert res.alpha == pytest.approx(expected.alpha_, rel=1e-12)
    np.testing.assert_allclose(res.mse_path, expected.mse_path_, rtol=1e-6)


def test_positive_lassocv_grid_and_choice_match_sklearn():
    # the grid starts at the largest positive correlation, not the largest |.|
    # (scikit-learn's grid does so from 1.8 on; before, it is given ours)
    import sklearn
    from sklearn.utils.fixes import parse_version

    X, y, _ = regression(seed=2)
    y = -y
    res = enet_path_cv(X, y, l1_ratio=1.0, alphas=20, cv=3, positive=True, tol=1e-12)
    new_grid = parse_version(sklearn.__version__) >= parse_version("1.8")
    expected = sklm.LassoCV(positive=True, cv=KFold(3), alphas=20 if new_grid else res.alphas[0],
                            tol=1e-12, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(res.alphas[0], expected.alphas_, rtol=1e-10)
    assert res.alpha == pytest.approx(expected.alpha_, rel=1e-12)
    np.testing.assert_allclose(res.fit.coef, expected.coef_, rtol=1e-6, atol=1e-8)


def test_float32_folds_are_scored_in_float64():
    # columns with means 1e5 times their spread: a float32 product of the
    # held-out rows rounds the predictions by about 1e-2
    rng = np.random.default_rng(8)
    Z = rng.standard_normal((300, 6))
    y = Z[:, :3] @ [1.0, -2.0, 0.5] + 0.3 * rng.standard_normal(300)
    X32 = (Z + 1e5).astype(np.float32)
    a = enet_path_cv(X32, y.astype(np.float32), l1_ratio=1.0, alphas=8, cv=3, tol=1e-6)
    b = enet_path_cv(X32.astype(np.float64), y.astype(np.float32).astype(np.float64),
                     l1_ratio=1.0, alphas=8, cv=3, tol=1e-10)
    np.testing.assert_allclose(a.mse_path, b.mse_path, rtol=1e-3)


def test_one_se_rule_and_refit():
    X, y, _ = regression(seed=2)
    res = enet_path_cv(X, y, l1_ratio=1.0, alphas=40, cv=5, selection_rule="1se", tol=1e-8)
    i_min = int(np.flatnonzero(res.alphas[0] == res.alpha_min)[0])
    i_1se = int(np.flatnonzero(res.alphas[0] == res.alpha_1se)[0])
    assert res.alpha == res.alpha_1se >= res.alpha_min
    assert res.mse_mean[0, i_min] == res.mse_mean[0].min()
    assert res.mse_mean[0, i_1se] <= res.mse_mean[0, i_min] + res.mse_se[0, i_min]
    # every larger alpha breaks the rule
    assert (res.mse_mean[0, :i_1se] > res.mse_mean[0, i_min] + res.mse_se[0, i_min]).all()
    np.testing.assert_allclose(res.mse_se[0], res.mse_path[0].std(axis=1, ddof=1) / np.sqrt(5))
    from regcore.linear_model import enet_fit

    refit = enet_fit(X, y, alpha=res.alpha_1se, l1_ratio=1.0, tol=1e-8)
    np.testing.assert_allclose(res.fit.coef, refit.coef, rtol=1e-10, atol=1e-12)


def test_n_jobs_two_gives_the_same_result_as_one():
    X, y, _ = regression(seed=3)
    one = enet_path_cv(X, y, l1_ratio=[0.5, 1.0], alphas=20, cv=4, n_jobs=1)
    two = enet_path_cv(X, y, l1_ratio=[0.5, 1.0], alphas=20, cv=4, n_jobs=2)
    assert np.array_equal(one.mse_path, two.mse_path)
    assert one.alpha == two.alpha and np.array_equal(one.fit.coef, two.fit.coef)


def test_folds_can_run_in_processes_through_joblib():
    # A process backend pickles the fold tasks as a Dask or Ray backend would.
    joblib = pytest.importorskip("joblib")
    X, y, w = regression(n=60, p=20, seed=8)
    local = enet_path_cv(X, y, alphas=10, cv=3, sample_weight=w)
    with joblib.parallel_config(backend="loky", n_jobs=2):
        remote = enet_path_cv(X, y, alphas=10, cv=3, sample_weight=w)
    assert np.array_equal(local.mse_path, remote.mse_path)


def test_float32_path_cv_stays_float32():
    X, y, _ = regression(seed=4)
    res = enet_path_cv(X.astype(np.float32), y.astype(np.float32), alphas=10, cv=3)
    assert res.fit.coef.dtype == np.float32


def test_float32_path_cv_reports_the_alphas_as_given():
    # alpha_ was 0.029999999329447746, the float32 rounding, and not in the grid
    X, y, _ = regression(seed=4)
    grid = [1.0, 0.3, 0.1, 0.03, 0.01]
    single = enet_path_cv(X.astype(np.float32), y.astype(np.float32), l1_ratio=[0.5, 1.0],
                          alphas=grid, cv=3)
    double = enet_path_cv(X, y, l1_ratio=[0.5, 1.0], alphas=grid, cv=3)
    assert single.alphas.tolist() == [grid, grid]
    assert single.alpha == double.alpha and single.alpha in grid
    assert single.alpha_1se in grid and single.alpha_min in grid


def test_enet_path_cv_errors():
    X, y, _ = regression(n=20, p=5)
    with pytest.raises(ValueError, match=r"l1_ratio must be in \[0, 1\]"):
        enet_path_cv(X, y, l1_ratio=[0.5, 1.2])
    with pytest.raises(ValueError, match="selection_rule must be one of"):
        enet_path_cv(X, y, selection_rule="2se")
    with pytest.raises(ValueError, match="alpha_max is infinite for l1_ratio=0"):
        enet_path_cv(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match="X has 20 samples but y has 19"):
        enet_path_cv(X, y[:-1])
    with pytest.raises(ValueError, match="alphas must be non-negative"):
        enet_path_cv(X, y, alphas=[1.0, -1.0])
    with pytest.raises(ValueError, match=r"n_alphas must be in \[1, 10000\]"):
        enet_path_cv(X, y, alphas=10**6)
    with pytest.raises(ValueError, match="a Gram matrix of the full data does not match"):
        enet_path_cv(X, y, precompute=X.T @ X)
    # a valid sample_weight ("must have a positive sum" before)
    weights_in_first_fold_only = np.r_[np.ones(5), np.zeros(15)]
    message = "sample_weight is zero on all 15 training rows of a fold"
    for precompute in ("auto", False):
        with pytest.raises(ValueError, match=message):
            enet_path_cv(X, y, cv=4, sample_weight=weights_in_first_fold_only,
                         precompute=precompute)
    with pytest.raises(ValueError, match=message):
        ridge_path_cv(X, y, [1.0], cv=4, sample_weight=weights_in_first_fold_only)


def test_folds_that_do_not_partition_the_rows_match_sklearn():
    # train and test of a ShuffleSplit leave rows out: the training Gram is then
    # not "all rows minus the test rows" (it raised a Gram mismatch error)
    from sklearn.model_selection import ShuffleSplit

    X, y, _ = regression(n=200, p=10, seed=7)
    folds = list(ShuffleSplit(4, train_size=0.3, test_size=0.2, random_state=0).split(X))
    expected = sklm.LassoCV(cv=folds, alphas=20, tol=1e-12, max_iter=100000).fit(X, y)
    res = enet_path_cv(X, y, l1_ratio=1.0, alphas=expected.alphas_, cv=folds, tol=1e-10)
    assert res.alpha_min == pytest.approx(expected.alpha_, rel=1e-12)
    np.testing.assert_allclose(res.mse_path[0], expected.mse_path_, rtol=1e-6)


def test_a_splitter_that_needs_y_is_given_y():
    # a StratifiedKFold over integer targets (it was called with y=None)
    X, y, _ = regression(n=60, p=8, seed=10)
    y = np.clip(np.round(y / 3), -1, 2)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    expected = sklm.LassoCV(cv=folds, alphas=10, tol=1e-12, max_iter=100000).fit(X, y)
    res = enet_path_cv(X, y, l1_ratio=1.0, alphas=expected.alphas_, cv=folds, tol=1e-10)
    np.testing.assert_allclose(res.mse_path[0], expected.mse_path_, rtol=1e-6)
    ridge = ridge_path_cv(X, y, [0.1, 1.0, 10.0], cv=folds)
    on_indices = ridge_path_cv(X, y, [0.1, 1.0, 10.0], cv=list(folds.split(X, y)))
    np.testing.assert_array_equal(ridge.mse_path, on_indices.mse_path)

def _group_rows(g):
    return {label: set(np.flatnonzero(g == label)) for label in np.unique(g)}


@pytest.mark.parametrize("k", [2, 3, 5])
def test_int_folds_with_groups_keep_groups_whole_like_groupkfold(k):
    from sklearn.model_selection import GroupKFold

    rng = np.random.default_rng(k)
    # 12 groups of sizes 1..12 in random order: no ties, which scikit-learn
    # broke in another order before 1.9
    groups = rng.permutation(np.repeat(rng.permutation(12), np.arange(1, 13)))
    for g in (groups, rng.integers(0, 12, 78)):  # the second has ties
        folds = make_folds(78, k, groups=g)
        tests = [set(test.tolist()) for _, test in folds]
        assert sorted(set().union(*tests)) == list(range(78))  # a partition
        for rows in _group_rows(g).values():
            assert sum(rows <= t for t in tests) == 1  # each group in one test fold
        shuffled = make_folds(78, k, groups=g, shuffle=True, rng=0)
        for rows in _group_rows(g).values():
            assert sum(rows <= set(test.tolist()) for _, test in shuffled) == 1
    tests = [sorted(test.tolist()) for _, test in make_folds(78, k, groups=groups)]
    expected = [sorted(t.tolist()) for _, t in GroupKFold(k).split(groups, groups=groups)]
    assert sorted(tests) == sorted(expected)


def test_groups_reach_a_group_splitter():
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

    groups = np.repeat(np.arange(6), 5)
    for splitter in (GroupKFold(3), LeaveOneGroupOut()):  # both need groups to split
        got = make_folds(30, splitter, groups=groups)
        expected = list(splitter.split(np.zeros((30, 1)), None, groups))
        assert [t.tolist() for _, t in got] == [t.tolist() for _, t in expected]


def test_group_errors():
    groups = np.repeat(np.arange(3), 4)
    with pytest.raises(ValueError, match=r"groups must have shape \(12,\), got \(11,\)"):
        make_folds(12, 3, groups=groups[:-1])
    with pytest.raises(ValueError, match="cv=4 folds need at least 4 groups, got 3"):
        make_folds(12, 4, groups=groups)
    with pytest.raises(ValueError, match="groups are used with an int cv or a splitter"):
        make_folds(12, [(np.arange(6), np.arange(6, 12))], groups=groups)


def test_lassocv_with_group_folds_matches_sklearn_with_routed_groups():
    import sklearn
    from sklearn.model_selection import GroupKFold

    from regcore.sklearn import LassoCV, RidgeCV

    X, y, _ = regression(n=80, p=10, seed=4)
    groups = np.arange(80) // 7
    with sklearn.config_context(enable_metadata_routing=True):
        expected = sklm.LassoCV(cv=GroupKFold(4), alphas=15, tol=1e-12, max_iter=100000)
        expected.fit(X, y, groups=groups)
    model = LassoCV(cv=GroupKFold(4), alphas=expected.alphas_, tol=1e-10)
    model.fit(X, y, groups=groups)
    assert model.alpha_ == pytest.approx(expected.alpha_, rel=1e-12)
    np.testing.assert_allclose(model.mse_path_, expected.mse_path_, rtol=1e-6)
    # an int cv with groups: the same folds as given explicitly
    explicit = make_folds(80, 4, groups=groups)
    on_groups = LassoCV(cv=4, alphas=10).fit(X, y, groups=groups)
    on_folds = LassoCV(cv=explicit, alphas=10).fit(X, y)
    np.testing.assert_array_equal(on_groups.mse_path_, on_folds.mse_path_)
    ridge = RidgeCV(alphas=[0.1, 1.0, 10.0], cv=4).fit(X, y, groups=groups)
    np.testing.assert_array_equal(
        ridge.mse_path_, RidgeCV(alphas=[0.1, 1.0, 10.0], cv=explicit).fit(X, y).mse_path_)
    with pytest.raises(ValueError, match="groups need a k-fold cv"):
        RidgeCV(alphas=[1.0]).fit(X, y, groups=groups)


def test_logistic_cv_with_groups_uses_group_folds():
    from regcore.sklearn import LogisticRegressionCV

    rng = np.random.default_rng(5)
    X = rng.standard_normal((90, 4))
    y = (X[:, 0] + 0.5 * rng.standard_normal(90) > 0).astype(int)
    groups = np.arange(90) // 9
    on_groups = LogisticRegressionCV(Cs=6, cv=3).fit(X, y, groups=groups)
    on_folds = LogisticRegressionCV(Cs=6, cv=make_folds(90, 3, groups=groups)).fit(X, y)
    stratified = LogisticRegressionCV(Cs=6, cv=3).fit(X, y)
    np.testing.assert_array_equal(on_groups.loss_path_, on_folds.loss_path_)
    assert not np.array_equal(on_groups.loss_path_, stratified.loss_path_)


def test_a_fold_without_weighted_test_rows_is_refused():
    # its weighted held-out error is 0 / 0 (it was a ZeroDivisionError)
    X, y, _ = regression(n=40, p=5)
    w = np.r_[np.zeros(10), np.ones(30)]  # KFold(4): the first test fold weighs nothing
    message = "sample_weight is zero on all 10 test rows of a fold"
    with pytest.raises(ValueError, match=message):
        enet_path_cv(X, y, cv=4, sample_weight=w)
    with pytest.raises(ValueError, match=message):
        ridge_path_cv(X, y, [0.1, 1.0], cv=4, sample_weight=w)


# --- ridge k-fold ----------------------------------------------------------------------

def test_ridge_kfold_matches_sklearn_gridsearch_on_mse():
    X, y, w = regression(seed=5)
    alphas = np.logspace(-2, 3, 15)
    expected = sklm.RidgeCV(alphas=alphas, cv=KFold(5), scoring="neg_mean_squared_error")
    expected.fit(X, y)
    res = ridge_path_cv(X, y, alphas, cv=5)
    assert res.alpha == expected.alpha_
    assert -res.mse_mean[res.index] == pytest.approx(expected.best_score_, rel=1e-9)
    res_sparse = ridge_path_cv(sp.csr_matrix(X), y, alphas, cv=5, n_jobs=2)
    np.testing.assert_allclose(res_sparse.mse_path, res.mse_path, rtol=1e-9)


def test_ridge_kfold_several_targets_share_one_alpha():
    # the fold errors of a 2-D y are the mean of its columns' errors; each
    # target is refit on its own at the alpha chosen from that mean
    X, y, w = regression(seed=7)
    Y = np.column_stack([y, X[:, 0] - y, 2 * y + X[:, 1]])
    alphas = np.logspace(-2, 3, 9)
    res = ridge_path_cv(X, Y, alphas, cv=4, sample_weight=w)
    singles = [ridge_path_cv(X, Y[:, k], alphas, cv=4, sample_weight=w) for k in range(3)]
    np.testing.assert_allclose(res.mse_path, np.mean([r.mse_path for r in singles], axis=0),
                               rtol=1e-12)
    assert res.coef.shape == (3, X.shape[1]) and res.intercept.shape == (3,)
    for k in range(3):
        refit = ridge_path(X, Y[:, k], res.alpha, sample_weight=w)
        np.testing.assert_allclose(res.coef[k], refit.coefs[:, 0], rtol=1e-12)
        assert res.intercept[k] == pytest.approx(refit.intercepts[0], rel=1e-12)
    assert np.shape(res.dual_gap) == (3,) and (res.dual_gap < 1e-10).all()


def test_fold_rows_keep_fortran_order():
    X = np.asfortranarray(np.arange(20.0).reshape(10, 2))
    rows = _cv._take_rows(X, np.array([0, 3, 4]))
    assert rows.flags.f_contiguous and np.array_equal(rows, X[[0, 3, 4]])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_fold_gram_is_the_centred_weighted_gram_of_the_training_rows(fit_intercept, weighted):
    X, _, w = regression(n=50, p=8, seed=6)
    X += 100.0  # large means: the subtraction must not cancel them
    sw = w if weighted else None
    train, test = make_folds(50, 5)[2]
    G = _cv._FoldGrams(np.asfortranarray(X), sw, fit_intercept)(train, test)
    w_train = np.ones(train.size) if sw is None else sw[train]
    w_train = w_train * train.size / w_train.sum()  # enet_path's rescaling
    mean = w_train @ X[train] / train.size if fit_intercept else np.zeros(8)
    Xc = np.sqrt(w_train)[:, None] * (X[train] - mean)
    np.testing.assert_allclose(G, Xc.T @ Xc, rtol=1e-9, atol=1e-9 * np.abs(Xc.T @ Xc).max())
    assert G.flags.f_contiguous
    full = _cv._FoldGrams(np.asfortranarray(X), sw, fit_intercept).full()
    w_all = np.ones(50) if sw is None else sw * 50 / sw.sum()
    mean = w_all @ X / 50 if fit_intercept else np.zeros(8)
    Xc = np.sqrt(w_all)[:, None] * (X - mean)
    np.testing.assert_allclose(full, Xc.T @ Xc, rtol=1e-9, atol=1e-9 * np.abs(Xc.T @ Xc).max())


def test_fold_grams_give_the_same_cv_curve():
    X, y, w = regression(seed=7)
    with_gram = enet_path_cv(X, y, l1_ratio=0.8, alphas=20, cv=4, sample_weight=w,
                             tol=1e-12, precompute="auto")
    assert _cv._fold_grams(X, w, True, "auto", make_folds(90, 4)) is not None
    without = enet_path_cv(X, y, l1_ratio=0.8, alphas=20, cv=4, sample_weight=w,
                           tol=1e-12, precompute=False)
    np.testing.assert_allclose(with_gram.mse_path, without.mse_path, rtol=1e-6)
    assert _cv._fold_grams(X.astype(np.float32), w, True, "auto", make_folds(90, 4)) is None
    assert _cv._fold_grams(X[:, :2].repeat(40, axis=1), w, True, "auto",
                           make_folds(90, 4)) is None



@pytest.mark.parametrize("weighted", [False, True])
def test_fold_grams_are_not_taken_from_a_difference_that_cancels(weighted):
    # the last fold's test rows are 1e6 times larger in column 0: the training
    # Gram as "all rows minus the test rows" kept about 6 of its 16 digits, and
    # enet_path refused it ("precompute does not match X")
    X, y, w = regression(n=100, p=6, seed=9)
    X[80:, 0] *= 1e6
    sw = w if weighted else None
    with_gram = enet_path_cv(X, y, l1_ratio=1.0, alphas=10, cv=5, sample_weight=sw,
                             tol=1e-12)
    without = enet_path_cv(X, y, l1_ratio=1.0, alphas=10, cv=5, sample_weight=sw,
                           tol=1e-12, precompute=False)
    np.testing.assert_allclose(with_gram.mse_path, without.mse_path, rtol=1e-9)
    assert with_gram.alpha == without.alpha

@pytest.mark.parametrize("weighted", [False, True])
def test_fold_grams_check_cancellation_column_by_column(weighted):
    # as above, plus a column 1e6 times larger in every row: the largest
    # diagonal entries of the full and training Grams then differ by a factor
    # of 25 only, although the training G00 by difference is off by 5e-4
    # (weighted: 1.8e-3) and fold 4's held-out error by 1.4e-3 (5.6e-3)
    X, y, w = regression(n=100, p=6, seed=9)
    X[80:, 0] *= 1e7
    X[:, 5] *= 1e6
    sw = w if weighted else None
    grid = np.logspace(-2, 0, 5)
    with_gram = enet_path_cv(X, y, l1_ratio=1.0, alphas=grid, cv=5, sample_weight=sw,
                             tol=1e-10)
    without = enet_path_cv(X, y, l1_ratio=1.0, alphas=grid, cv=5, sample_weight=sw,
                           tol=1e-10, precompute=False)
    np.testing.assert_allclose(with_gram.mse_path, without.mse_path, rtol=1e-9)


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(1e-4, 1e4), st.floats(0, 10), st.floats(0, 2)),
                min_size=1, max_size=30, unique_by=lambda t: t[0]))
def test_select_alpha_properties(points):
    alphas, mean, se = (np.array(v) for v in zip(*points))
    index_min, index_1se = select_alpha(alphas, mean, se)
    assert mean[index_min] == mean.min()
    assert alphas[index_min] == alphas[mean == mean.min()].max()
    threshold = mean[index_min] + se[index_min]
    assert mean[index_1se] <= threshold and alphas[index_1se] >= alphas[index_min]
    assert not ((alphas > alphas[index_1se]) & (mean <= threshold)).any()
