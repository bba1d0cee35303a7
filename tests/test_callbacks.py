"""EarlyStopping: patience, min_delta, mode, keeping and restoring the best parameters."""

import math

import numpy as np
import pytest

from regcore.callbacks import EarlyStopping


def run(stopper, metrics, params_per_epoch=None):
    decisions = []
    for i, metric in enumerate(metrics):
        params = None if params_per_epoch is None else params_per_epoch(i)
        decisions.append(stopper.step(metric, params))
    return decisions


def test_patience_counts_epochs_without_improvement():
    stopper = EarlyStopping(patience=3)
    decisions = run(stopper, [5.0, 4.0, 4.5, 4.2, 3.9, 4.0, 4.1, 4.0, 1.0])
    # improvements at epochs 0, 1, 4; then 5, 6, 7 do not improve -> stop at 7
    assert decisions == [False] * 7 + [True, True]
    assert (stopper.best_score, stopper.best_epoch, stopper.stopped_epoch) == (3.9, 4, 7)
    assert stopper.should_stop and stopper.wait == 3
    assert stopper.best_score == 3.9  # the 1.0 after the stop is ignored


def test_patience_one_stops_at_first_non_improvement():
    stopper = EarlyStopping(patience=1)
    assert run(stopper, [3.0, 2.0, 2.0]) == [False, False, True]
    assert stopper.stopped_epoch == 2


def test_min_delta():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    # 0.95 and 0.9 improve on 1.0 by <= 0.1: not improvements; equal to the
    # delta is not enough either
    assert run(stopper, [1.0, 0.95, 0.9]) == [False, False, True]
    assert stopper.best_score == 1.0 and stopper.best_epoch == 0
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert run(stopper, [1.0, 0.85, 0.8, 0.7]) == [False, False, False, False]
    assert stopper.best_epoch == 3 and stopper.best_score == 0.7


def test_mode_max():
    stopper = EarlyStopping(patience=2, mode="max", min_delta=0.01)
    assert stopper.best_score == -math.inf
    assert run(stopper, [0.5, 0.7, 0.705, 0.69, 0.8]) == [False, False, False, True, True]
    assert stopper.best_score == 0.7 and stopper.best_epoch == 1 and stopper.stopped_epoch == 3


def test_nan_metric_never_improves():
    stopper = EarlyStopping(patience=2)
    assert run(stopper, [float("nan"), 1.0, float("nan"), float("nan")]) == [
        False, False, False, True]
    assert stopper.best_score == 1.0 and stopper.best_epoch == 1


def test_restore_best_on_stop_list_params(rng):
    W, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    snapshots = []

    def params(epoch):
        W[...] = epoch  # the "training" changes the weights every epoch
        b[...] = -epoch
        snapshots.append((W.copy(), b.copy()))
        return [W, b]

    stopper = EarlyStopping(patience=2)
    decisions = run(stopper, [3.0, 1.0, 2.0, 2.5], params)
    assert decisions == [False, False, False, True]
    np.testing.assert_array_equal(W, snapshots[1][0])
    np.testing.assert_array_equal(b, snapshots[1][1])


def test_no_restore_when_disabled_but_manual_restore_works(rng):
    W = np.zeros((2, 2))

    def params(epoch):
        W[...] = epoch
        return {"W": W}

    stopper = EarlyStopping(patience=1, restore_best=False)
    run(stopper, [1.0, 0.5, 0.7], params)
    assert stopper.should_stop
    np.testing.assert_array_equal(W, 2.0)  # not restored automatically
    stopper.restore({"W": W})
    np.testing.assert_array_equal(W, 1.0)


def test_kept_copy_is_independent_of_later_changes():
    W = np.ones(3)
    stopper = EarlyStopping(patience=5)
    stopper.step(1.0, [W])
    W += 10
    stopper.step(2.0, [W])  # worse: the copy keeps the epoch-0 values
    stopper.restore([W])
    np.testing.assert_array_equal(W, 1.0)


def test_improvement_without_params_drops_the_older_copy():
    # restoring it would bring back another epoch's weights than best_epoch
    w = np.zeros(2)
    stopper = EarlyStopping(patience=1)
    stopper.step(1.0, [w])       # epoch 0: kept
    w[:] = 1
    stopper.step(0.5)            # epoch 1: the best, not kept
    w[:] = 2
    with pytest.warns(UserWarning, match=r"best epoch \(1\) were not kept"):
        assert stopper.step(0.9, [w])  # epoch 2: stop, nothing to restore
    assert stopper.best_epoch == 1 and stopper.best_params is None
    np.testing.assert_array_equal(w, 2.0)
    with pytest.raises(ValueError, match="no parameters were kept"):
        stopper.restore([w])


def test_params_passed_as_a_list_then_as_a_dict():
    # the kept copy follows the new structure: the best epoch's values are restored,
    # not the list kept at an earlier epoch
    w = np.zeros(2)
    stopper = EarlyStopping(patience=1)
    stopper.step(1.0, [w])
    w[:] = 1
    assert stopper.step(0.5, {"w": w}) is False
    w[:] = 2
    assert stopper.step(0.9, {"w": w})
    assert stopper.best_epoch == 1
    np.testing.assert_array_equal(w, 1.0)
    with pytest.raises(ValueError, match="params must be a dict with keys"):
        stopper.restore([w])
    stopper = EarlyStopping(patience=3)
    stopper.step(1.0, [w])
    with pytest.raises(ValueError, match="params must be a list of 1 arrays like the kept copy, "
                                         "got a dict"):
        stopper.restore({"w": w})


def test_restore_errors():
    stopper = EarlyStopping(patience=2)
    with pytest.raises(ValueError, match="no parameters were kept"):
        stopper.restore([np.zeros(2)])
    stopper.step(1.0, [np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="params must be a list of 2 arrays, got 1"):
        stopper.restore([np.zeros(2)])
    with pytest.raises(ValueError, match=r"params\[1\] has shape \(4,\) and dtype float64"):
        stopper.restore([np.zeros(2), np.zeros(4)])
    frozen = np.zeros(3)
    frozen.flags.writeable = False
    target = np.ones(2)
    with pytest.raises(ValueError, match=r"params\[1\] is read-only"):
        stopper.restore([target, frozen])
    np.testing.assert_array_equal(target, 1.0)  # nothing restored on error


def test_reset():
    stopper = EarlyStopping(patience=1)
    run(stopper, [1.0, 2.0])
    assert stopper.should_stop
    stopper.reset()
    assert not stopper.should_stop and stopper.best_epoch is None and stopper.epoch == 0
    assert stopper.step(5.0) is False and stopper.best_score == 5.0


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(patience=0), ValueError, r"patience must be in \[1, inf\], got 0"),
    (dict(patience=2.5), TypeError, "patience must be an integer"),
    (dict(patience=2, min_delta=-0.1), ValueError, r"min_delta must be in \[0.0, inf\]"),
    (dict(patience=2, mode="minimum"), ValueError, "mode must be 'min' or 'max', got 'minimum'"),
    (dict(patience=2, restore_best="yes"), TypeError, "restore_best must be a bool"),
])
def test_argument_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        EarlyStopping(**kwargs)


def test_step_errors():
    stopper = EarlyStopping(patience=2)
    with pytest.raises(TypeError, match="metric must be a real number, got str"):
        stopper.step("0.5")
    with pytest.raises(TypeError, match="params must be a list of arrays or a dict of arrays"):
        stopper.step(0.5, np.zeros(3))
    with pytest.raises(TypeError, match=r"params\[1\] must be a numpy.ndarray"):
        stopper.step(0.5, [np.zeros(3), [1.0]])
    assert stopper.epoch == 0  # rejected calls do not count
    assert stopper.step(np.float32(0.5)) is False and stopper.best_score == 0.5
