"""The benchmark topics time the same work for every contender (no wall-clock asserts)."""

import numpy as np
import pytest

from regcore._bench import _harness


def _recording(timed):
    """A stand-in for round_robin_medians that calls each contender once, keeps
    what it returns, and reports 1 s for each."""
    def fake(fns, repeats, *, min_time=0.0):
        timed.append({name: fn() for name, fn in fns.items()})
        return {name: 1.0 for name in fns}
    return fake


def test_ridgecv_rows_time_regcore_and_scikit_learn_estimators_in_turn(monkeypatch):
    pytest.importorskip("sklearn")
    from regcore._bench import ridge

    timed = []
    monkeypatch.setattr(ridge, "round_robin_medians", _recording(timed))
    table = _harness.Table(["task", "shape", "vs", "regcore s", "other s", "ratio", "note"])
    rows = ridge._ridgecv_rows([(40, 12)], 1, table)
    assert [row["task"] for row in rows] == ["RidgeCV LOO, 50 alphas", "RidgeCV LOO, 10 targets",
                                             "ridge_path, 50 alphas"]
    for results in timed[:2]:  # both fits: validate, score every alpha, refit the chosen one
        ours, theirs = results["ours"], results["theirs"]
        assert type(ours).__module__ == "regcore.sklearn"
        assert type(theirs).__module__.startswith("sklearn.")
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)


def test_prox_compares_allocating_calls_with_allocating_calls(monkeypatch):
    from regcore._bench import prox

    timed = []
    monkeypatch.setattr(prox, "round_robin_medians", _recording(timed))
    x = np.linspace(-2.0, 2.0, 64)
    prox._measure(x, 0.5, None, 1)
    results = timed[0]
    # numpy (and torch) return a new array: the regcore call they are divided by does too
    assert results["numpy"] is not None and results["regcore"] is not None
    assert not np.shares_memory(results["regcore"], results["regcore_out"])
    monkeypatch.setattr(prox, "_measure", lambda x, t, softshrink, repeats: {
        "regcore": 2.0, "regcore_out": 1.0, "numpy": 8.0, "copy": 0.5, "torch": 4.0})
    row = prox._row(x, 1, None, 1)
    assert (row["vs_numpy"], row["vs_torch"], row["vs_copy"]) == (4.0, 2.0, 2.0)


def test_prox_gives_torch_its_tensor_outside_the_timed_call():
    torch = pytest.importorskip("torch")
    from regcore._bench import prox

    x = np.linspace(-2.0, 2.0, 64)
    call = prox._torch_softshrink()(x, 0.5)
    assert isinstance(call(), torch.Tensor)
    assert call.__code__.co_argcount == 0


@pytest.mark.parametrize("name", ["sgd", "adamw"])
def test_optim_times_torch_in_its_fused_form(name, monkeypatch):
    torch = pytest.importorskip("torch")
    from regcore._bench import optim

    # a decay large enough to show: regcore's optimizers must decay the 1-D
    # benchmark parameter as torch's do (AdamW decays by 1e-2 by default)
    monkeypatch.setattr(optim, "WEIGHT_DECAY", 0.5)
    opt, _ = optim._torch_optimizer(torch, name, optim._Problem(256))
    assert opt.defaults["fused"] is True
    assert optim._max_rel_diff(torch, name, 256) < 1e-6  # the same update as regcore's


@pytest.mark.parametrize("name", ["sgd", "adamw"])
def test_optim_times_both_libraries_on_the_same_memory(name):
    torch = pytest.importorskip("torch")
    from regcore._bench import optim

    problem = optim._Problem(256)
    calls = optim._timed_calls(torch, problem, name)
    before = problem.param.copy()
    calls["torch"]()  # torch's timed step updates regcore's arrays
    assert not np.array_equal(problem.param, before)


def test_optim_times_regcore_through_its_optimizers():
    # torch is timed through optimizer.step(): regcore through its classes too
    from regcore import optim as regcore_optim
    from regcore._bench import optim

    problem = optim._Problem(256)
    problem.sgd()
    problem.adamw()
    assert isinstance(problem._sgd, regcore_optim.SGD)
    assert isinstance(problem._adamw, regcore_optim.AdamW)


def test_lassocv_rows_time_both_libraries_at_the_accuracy_target(monkeypatch):
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LassoCV
    from sklearn.model_selection import KFold

    from regcore._bench import ridge

    timed = []

    def fake(calls, *, min_time=0.0):  # interleaved_medians, each call made once
        timed.append({name: fn() for name, (fn, _, _) in calls.items()})
        return {name: 1.0 for name in calls}
    monkeypatch.setattr(ridge, "interleaved_medians", fake)
    table = _harness.Table(["task", "shape", "vs", "regcore s", "other s", "ratio", "note"])
    # on this problem neither library meets the target at its default tol=1e-4
    [row] = ridge._lassocv_rows([(40, 200)], 1, table)
    X, y = ridge.toeplitz_problem(40, 200, seed=2)
    exact = LassoCV(cv=KFold(5), tol=1e-10, max_iter=1_000_000).fit(X, y)  # not regcore's
    ours, theirs = timed[0]["ours"], timed[0]["theirs"]
    assert type(ours).__module__ == "regcore.sklearn"
    assert type(theirs).__module__.startswith("sklearn.")
    for model in (ours, theirs):
        assert model.tol < 1e-4 and model.max_iter == ridge.LASSOCV_MAX_ITER
        np.testing.assert_allclose(model.alphas_, exact.alphas_)
        assert ridge._curve_deviation(model.mse_path_, exact.mse_path_) <= ridge.LASSOCV_TARGET
    assert row["ratio"] == 1.0 and row["note"].count("same alpha_ True") == 2


def test_the_known_support_floor_solves_the_whole_problem(monkeypatch):
    from regcore._bench import linear
    from regcore.linear_model import alpha_max, enet_fit

    X, y = linear.toeplitz_problem(120, 30, n_true=4)
    alpha = alpha_max(X, y) / 20
    full = enet_fit(X, y, alpha=alpha, l1_ratio=1.0, tol=1e-12)
    support = np.flatnonzero(full.coef)
    assert 0 < len(support) < X.shape[1]
    (coef, intercept), = linear._support_solver(X, y, [alpha], support)(1e-12)
    np.testing.assert_allclose(coef, full.coef, atol=1e-9)
    assert intercept == pytest.approx(full.intercept, abs=1e-9)

    timed = []

    def fake(calls, *, min_time=0.0):
        timed.append({key: fn() for key, (fn, _, _) in calls.items()})
        return {key: 1.0 for key in calls}
    monkeypatch.setattr(_harness, "interleaved_medians", fake)
    times, size = linear.support_floor(X, y, alpha, cap=5.0)
    assert size == len(support)
    assert set(times) == {"regcore", "numpy", "support"}
    # every contender's timed call reaches the benchmark's accuracy
    best = linear.reference_objectives(X, y, np.array([alpha]), check=False)[0]
    for (name, _), solution in timed[0].items():
        (c, b), = solution
        assert (linear.lasso_objective(X, y, c, b, alpha) - best) / best <= linear.TARGET, name
