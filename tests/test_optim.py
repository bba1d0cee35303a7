"""Fused weight updates: agreement with the NumPy reference and with PyTorch,
param groups, state dicts, clipping, max-norm, proximal L1 and bad input."""

import itertools
import re

import numpy as np
import pytest

import regcore
from regcore import _reference
from regcore.optim import (
    SGD,
    AdamW,
    adamw_step_,
    clip_grad_norm_,
    max_norm_,
    prox_l1_,
    sgd_step_,
)

RTOL = {np.float32: 1e-5, np.float64: 1e-12}
# PyTorch rounds some intermediate products differently (FMA, lerp), so
# agreement with it is to float tolerance over many steps, a bit looser.
TORCH_RTOL = {np.float32: 2e-5, np.float64: 1e-10}
N_STEPS = 50

# (shape, steps): below the parallel threshold over many steps, and above it
# (several blocks of the compiled kernel, threaded) over fewer.
SHAPES = [((7, 5), N_STEPS), ((300, 301), 6)]

SGD_OPTIONS = [
    dict(momentum=0.0),
    dict(momentum=0.9),
    dict(momentum=0.9, dampening=0.3),
    dict(momentum=0.8, nesterov=True),
    dict(momentum=0.9, weight_decay=0.05),
    dict(momentum=0.9, nesterov=True, weight_decay=0.05),
    dict(momentum=0.0, weight_decay=0.05),
    dict(momentum=0.9, weight_decay=0.05, l1=0.5),
    dict(momentum=0.0, l1=0.5),
    dict(momentum=0.7, dampening=0.5, weight_decay=0.1, l1=0.2),
]

ADAMW_OPTIONS = [
    dict(),
    dict(weight_decay=0.0),
    dict(weight_decay=0.1, betas=(0.8, 0.99)),
    dict(amsgrad=True),
    dict(amsgrad=True, weight_decay=0.05, eps=1e-6),
    dict(l1=0.5),
    dict(amsgrad=True, l1=0.2, betas=(0.5, 0.9)),
]


def grad_sequence(rng, shape, dtype, n=N_STEPS):
    # gradients with a slowly drifting mean so momentum and moments matter
    drift = rng.standard_normal(shape)
    return [(drift + rng.standard_normal(shape)).astype(dtype) for _ in range(n)]


def assert_close(actual, expected, dtype, rtol=None):
    rtol = RTOL[dtype] if rtol is None else rtol
    assert actual.dtype == expected.dtype == dtype
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def with_threads(n, fn):
    before = regcore.get_num_threads()
    try:
        regcore.set_num_threads(n)
        return fn()
    finally:
        regcore.set_num_threads(before)


# --- functional kernels vs the NumPy reference ----------------------------------

@pytest.mark.parametrize("shape, n_steps", SHAPES)
@pytest.mark.parametrize("options", SGD_OPTIONS, ids=lambda o: repr(o))
def test_sgd_step_matches_reference(options, shape, n_steps, dtype, rng):
    lr = 0.01
    param = rng.standard_normal(shape).astype(dtype)
    expected, ref_buf = param.copy(), None
    buf = np.zeros_like(param)
    for step, grad in enumerate(grad_sequence(rng, shape, dtype, n_steps)):
        sgd_step_(param, grad, buf, lr=lr, first_step=step == 0, **options)
        expected, ref_buf = _reference.sgd_step(expected, grad, ref_buf, lr=lr, **options)
    assert_close(param, expected, dtype)
    if options["momentum"]:
        assert_close(buf, ref_buf, dtype)


@pytest.mark.parametrize("shape, n_steps", SHAPES)
@pytest.mark.parametrize("options", ADAMW_OPTIONS, ids=lambda o: repr(o))
def test_adamw_step_matches_reference(options, shape, n_steps, dtype, rng):
    lr = 0.01
    param = rng.standard_normal(shape).astype(dtype)
    m, v, vmax = (np.zeros_like(param) for _ in range(3))
    expected = param.copy()
    ref = [np.zeros_like(param) for _ in range(3)]
    for step, grad in enumerate(grad_sequence(rng, shape, dtype, n_steps), start=1):
        adamw_step_(param, grad, m, v, step=step, lr=lr, max_exp_avg_sq=vmax, **options)
        expected, *ref = _reference.adamw_step(expected, grad, *ref, step=step, lr=lr, **options)
    assert_close(param, expected, dtype)
    assert_close(m, ref[0], dtype)
    assert_close(v, ref[1], dtype)
    if options.get("amsgrad"):
        assert_close(vmax, ref[2], dtype)


def test_sgd_first_step_sets_buffer_to_gradient(rng):
    param, grad = rng.standard_normal(5), rng.standard_normal(5)
    buf = np.full(5, 123.0)  # stale content is ignored on the first step
    sgd_step_(param, grad, buf, lr=0.1, momentum=0.9, dampening=0.5, first_step=True)
    np.testing.assert_array_equal(buf, grad)


def test_zero_buffer_equals_first_step_without_dampening(rng):
    param, grad = rng.standard_normal(9), rng.standard_normal(9)
    a, b = param.copy(), param.copy()
    sgd_step_(a, grad, np.zeros(9), lr=0.1, momentum=0.9, first_step=False)
    sgd_step_(b, grad, np.zeros(9), lr=0.1, momentum=0.9, first_step=True)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kernel", ["sgd", "adamw", "prox", "clip", "max_norm"])
def test_threads_do_not_change_results(kernel, rng):
    shape = (513, 400)  # several blocks, above the parallel threshold
    param = rng.standard_normal(shape).astype(np.float32)
    grad = rng.standard_normal(shape).astype(np.float32)

    def run():
        p = param.copy()
        if kernel == "sgd":
            buf = np.ones_like(p)
            sgd_step_(p, grad, buf, lr=0.1, momentum=0.9, weight_decay=0.1, l1=0.1)
            return p, buf
        if kernel == "adamw":
            m, v = np.ones_like(p), np.ones_like(p)
            adamw_step_(p, grad, m, v, step=3, lr=0.1)
            return p, m, v
        if kernel == "prox":
            return (prox_l1_(p, grad, lr=0.1, l1=1.0),)
        if kernel == "clip":
            total = clip_grad_norm_([p, p[:7].copy()], 1.0)
            return p, np.array(total)
        return (max_norm_(p, 3.0),)

    for serial, threaded in zip(with_threads(1, run), with_threads(2, run)):
        np.testing.assert_array_equal(threaded, serial)


# --- PyTorch agreement --------------------------------------------------------------

def torch_run(torch, optimizer_cls, params, grads_per_step, **options):
    tensors = [torch.from_numpy(p.copy()).requires_grad_() for p in params]
    opt = optimizer_cls(tensors, **options)
    for grads in grads_per_step:
        for t, g in zip(tensors, grads):
            t.grad = torch.from_numpy(g.copy())
        opt.step()
    return [t.detach().numpy() for t in tensors]


def model_params(rng, dtype):
    # a weight matrix, a conv-shaped weight and a bias
    return [rng.standard_normal(s).astype(dtype) for s in [(20, 30), (4, 3, 3, 3), (20,)]]


def grads_for(rng, params, n=N_STEPS):
    return [[rng.standard_normal(p.shape).astype(p.dtype) for p in params] for _ in range(n)]


@pytest.mark.parametrize("options", [o for o in SGD_OPTIONS if "l1" not in o],
                         ids=lambda o: repr(o))
def test_sgd_matches_torch(options, dtype, rng):  # PyTorch's SGD has no L1 term
    torch = pytest.importorskip("torch")
    params = model_params(rng, dtype)
    steps = grads_for(rng, params)
    expected = torch_run(torch, torch.optim.SGD, params, steps, lr=0.01, **options)
    ours = [p.copy() for p in params]
    opt = SGD(ours, lr=0.01, regularize_1d=True, **options)
    for grads in steps:
        opt.step(grads)
    for a, e in zip(ours, expected):
        assert_close(a, e, dtype, TORCH_RTOL[dtype])


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("options", [o for o in ADAMW_OPTIONS if "l1" not in o],
                         ids=lambda o: repr(o))
def test_adamw_matches_torch(options, fused, dtype, rng):
    torch = pytest.importorskip("torch")
    params = model_params(rng, dtype)
    steps = grads_for(rng, params)
    expected = torch_run(torch, torch.optim.AdamW, params, steps, lr=0.01, fused=fused, **options)
    ours = [p.copy() for p in params]
    opt = AdamW(ours, lr=0.01, regularize_1d=True, **options)
    for grads in steps:
        opt.step(grads)
    for a, e in zip(ours, expected):
        assert_close(a, e, dtype, TORCH_RTOL[dtype])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, np.inf, 3.0])
def test_clip_grad_norm_matches_torch(norm_type, dtype, rng):
    torch = pytest.importorskip("torch")
    grads = [rng.standard_normal(s).astype(dtype) for s in [(30, 40), (70000,), (3,)]]
    tensors = [torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
               for g in grads]
    for t, g in zip(tensors, grads):
        t.grad = torch.from_numpy(g.copy())
    expected_total = float(torch.nn.utils.clip_grad_norm_(tensors, 1.5, norm_type=norm_type))
    total = clip_grad_norm_(grads, 1.5, norm_type=norm_type)
    assert total == pytest.approx(expected_total, rel=TORCH_RTOL[dtype])
    for g, t in zip(grads, tensors):
        assert_close(g, t.grad.numpy(), dtype, TORCH_RTOL[dtype])


def test_sgd_nan_gradient_propagates_like_torch(rng):
    torch = pytest.importorskip("torch")
    params = [rng.standard_normal((4, 5))]
    grads = [[rng.standard_normal((4, 5))] for _ in range(3)]
    grads[1][0][2, 3] = np.nan
    expected = torch_run(torch, torch.optim.SGD, params, grads, lr=0.1, momentum=0.9)
    ours = [params[0].copy()]
    opt = SGD(ours, lr=0.1, momentum=0.9)
    for g in grads:
        opt.step(g)
    np.testing.assert_array_equal(np.isnan(ours[0]), np.isnan(expected[0]))
    assert np.isnan(ours[0][2, 3]) and np.isnan(ours[0]).sum() == 1
    np.testing.assert_allclose(ours[0], expected[0], rtol=1e-12)


# --- optimizer objects vs the reference: groups, exemption, state ----------------

def reference_sgd_run(params, steps, per_param_options):
    params = [p.copy() for p in params]
    bufs = [None] * len(params)
    for grads in steps:
        for i, (p, g) in enumerate(zip(params, grads)):
            params[i], bufs[i] = _reference.sgd_step(p, g, bufs[i], **per_param_options[i])
    return params


def test_sgd_groups_and_bias_exemption(dtype, rng):
    params = model_params(rng, dtype)
    steps = grads_for(rng, params, n=20)
    ours = [p.copy() for p in params]
    opt = SGD(
        [{"params": ours[:2]}, {"params": [ours[2]], "lr": 0.05, "momentum": 0.5}],
        lr=0.01, momentum=0.9, weight_decay=0.1, l1=0.3,
    )
    for grads in steps:
        opt.step(grads)
    regularized = dict(lr=0.01, momentum=0.9, weight_decay=0.1, l1=0.3)
    bias = dict(lr=0.05, momentum=0.5)  # group override; 1-D: no decay, no L1
    expected = reference_sgd_run(params, steps, [regularized, regularized, bias])
    for a, e in zip(ours, expected):
        assert_close(a, e, dtype)


def test_regularize_1d_group_decays_biases(rng):
    bias = rng.standard_normal(10)
    steps = [[rng.standard_normal(10)] for _ in range(10)]
    ours = bias.copy()
    opt = SGD([{"params": [ours], "regularize_1d": True}], lr=0.1, weight_decay=0.5, l1=0.1)
    for g in steps:
        opt.step(g)
    expected = reference_sgd_run([bias], steps, [dict(lr=0.1, weight_decay=0.5, l1=0.1)])
    assert_close(ours, expected[0], np.float64)
    exempt = bias.copy()
    opt = SGD([exempt], lr=0.1, weight_decay=0.5, l1=0.1)
    for g in steps:
        opt.step(g)
    expected = reference_sgd_run([bias], steps, [dict(lr=0.1)])
    assert_close(exempt, expected[0], np.float64)


def test_adamw_object_matches_reference_with_groups(dtype, rng):
    params = model_params(rng, dtype)
    steps = grads_for(rng, params, n=30)
    ours = [p.copy() for p in params]
    opt = AdamW([{"params": ours[:2], "amsgrad": True}, {"params": ours[2:]}],
                lr=0.02, weight_decay=0.1, l1=0.05)
    for grads in steps:
        opt.step(grads)
    options = [dict(amsgrad=True, weight_decay=0.1, l1=0.05)] * 2 + [dict(weight_decay=0.0)]
    for i, (p, opts) in enumerate(zip(params, options)):
        expected, m, v, vmax = p.copy(), *(np.zeros_like(p) for _ in range(3))
        for t, grads in enumerate(steps, start=1):
            expected, m, v, vmax = _reference.adamw_step(expected, grads[i], m, v, vmax, step=t,
                                                         lr=0.02, **opts)
        assert_close(ours[i], expected, dtype)
    assert opt.state[0]["step"] == 30 and "max_exp_avg_sq" in opt.state[0]
    assert "max_exp_avg_sq" not in opt.state[2]
    assert opt.state[0]["exp_avg"].dtype == dtype


def test_max_norm_option_projects_rows_of_weights_only(rng):
    W, b = rng.standard_normal((6, 8)) * 5, rng.standard_normal(8) * 5
    b_before = b.copy()
    opt = SGD([W, b], lr=0.0, max_norm=1.0)
    opt.step([np.zeros_like(W), np.zeros_like(b)])
    np.testing.assert_allclose(np.linalg.norm(W, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(b, b_before)


def test_none_gradient_skips_parameter(rng):
    W, V = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    V_before = V.copy()
    opt = AdamW([W, V], lr=0.1)
    opt.step([np.ones((3, 3)), None])
    np.testing.assert_array_equal(V, V_before)
    assert 1 not in opt.state and opt.state[0]["step"] == 1


def test_param_groups_edit_takes_effect(rng):
    W = np.ones((2, 2))
    opt = SGD([W], lr=0.1)
    opt.param_groups[0]["lr"] = 0.5
    opt.step([np.ones((2, 2))])
    np.testing.assert_allclose(W, 0.5)
    opt.param_groups[0]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['lr'\] must be in \[0.0, inf\]"):
        opt.step([np.ones((2, 2))])


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: AdamW(ps, lr=0.05, amsgrad=True),
], ids=["SGD", "AdamW"])
def test_state_dict_round_trip(make, rng):
    params = model_params(rng, np.float64)
    steps = grads_for(rng, params, n=10)
    a = [p.copy() for p in params]
    opt_a = make(a)
    for grads in steps[:5]:
        opt_a.step(grads)
    saved = opt_a.state_dict()
    b = [p.copy() for p in a]
    opt_b = make(b)
    opt_b.load_state_dict(saved)
    # the saved arrays are copies: stepping A does not change them
    for grads in steps[5:]:
        opt_a.step(grads)
        opt_b.step(grads)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert saved["param_groups"][0]["params"] == [0, 1, 2]
    assert set(saved["state"]) == {0, 1, 2}


def test_load_state_dict_validates_before_changing(rng):
    W = rng.standard_normal((3, 4))
    opt = SGD([W], lr=0.1, momentum=0.9)
    opt.step([np.ones((3, 4))])
    saved = opt.state_dict()
    bad = opt.state_dict()
    bad["state"][0]["momentum_buffer"] = np.zeros((4, 3))
    bad["param_groups"][0]["lr"] = 0.7
    with pytest.raises(ValueError, match=r"has shape \(4, 3\), expected \(3, 4\)"):
        opt.load_state_dict(bad)
    assert opt.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(opt.state[0]["momentum_buffer"],
                                  saved["state"][0]["momentum_buffer"])
    bad = opt.state_dict()
    bad["param_groups"][0]["momentum"] = -1
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['momentum'\] must be in"):
        opt.load_state_dict(bad)
    bad = opt.state_dict()
    bad["state"][5] = {}
    with pytest.raises(ValueError, match="has key 5, not a parameter index"):
        opt.load_state_dict(bad)


# --- no half-updates, NaN handling, errors -------------------------------------------

def snapshot(opt, params):
    state = {i: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
             for i, s in opt.state.items()}
    return [p.copy() for p in params], state


def assert_unchanged(opt, params, snap):
    for p, before in zip(params, snap[0]):
        np.testing.assert_array_equal(p, before)
    assert set(opt.state) == set(snap[1])
    for i, s in snap[1].items():
        for k, v in s.items():
            if isinstance(v, np.ndarray):
                np.testing.assert_array_equal(opt.state[i][k], v)
            else:
                assert opt.state[i][k] == v


@pytest.mark.parametrize("cls", [SGD, AdamW])
def test_bad_third_gradient_leaves_everything_unchanged(cls, rng):
    params = [rng.standard_normal((4, 5)), rng.standard_normal((5,)), rng.standard_normal((2, 3))]
    opt = cls(params, lr=0.1) if cls is AdamW else cls(params, lr=0.1, momentum=0.9)
    good = [np.ones_like(p) for p in params]
    opt.step(good)
    snap = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"grads\[2\] has shape \(3, 2\), expected \(2, 3\) "
                                         r"\(the shape of params\[2\]\)"):
        opt.step(good[:2] + [np.ones((3, 2))])
    assert_unchanged(opt, params, snap)
    with pytest.raises(TypeError, match=r"grads\[2\] has dtype float32, expected float64"):
        opt.step(good[:2] + [np.ones((2, 3), dtype=np.float32)])
    assert_unchanged(opt, params, snap)
    nan_grad = np.ones((2, 3))
    nan_grad[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"grads\[2\] contains NaN"):
        opt.step(good[:2] + [nan_grad], check_finite=True)
    assert_unchanged(opt, params, snap)
    params[2].flags.writeable = False
    with pytest.raises(ValueError, match=r"params\[2\] is read-only"):
        opt.step(good)
    assert_unchanged(opt, params, snap)


def test_first_step_failure_allocates_no_state(rng):
    params = [rng.standard_normal((4, 5)), rng.standard_normal((2, 3))]
    opt = AdamW(params, lr=0.1)
    with pytest.raises(ValueError, match="grads has 1 entries, expected 2"):
        opt.step([np.ones((4, 5))])
    with pytest.raises(ValueError, match=r"grads\[1\] has shape"):
        opt.step([np.ones((4, 5)), np.ones(6)])
    assert opt.state == {}


def _snapshot(opt, params):
    state = {i: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
             for i, s in opt.state.items()}
    return [p.copy() for p in params], state


@pytest.mark.parametrize("cls", [SGD, AdamW])
def test_state_that_no_longer_fits_its_parameter_is_refused(cls, rng):
    # param_groups and state are public: a parameter swapped for one of another
    # shape or dtype, or a state array replaced, keeps its index's state. The
    # kernels index that state by the parameter's length (a segfault), and a
    # dtype mismatch failed after the first parameter had been updated.
    kwargs = {"lr": 0.1, "momentum": 0.9} if cls is SGD else {"lr": 0.1}
    key = "momentum_buffer" if cls is SGD else "exp_avg"
    params = [rng.standard_normal((4, 5)), rng.standard_normal((3, 3))]
    opt = cls(params, **kwargs)
    opt.step([np.ones((4, 5)), np.ones((3, 3))])
    bigger = rng.standard_normal((6, 3))
    opt.param_groups[0]["params"][1] = bigger
    snap = _snapshot(opt, params[:1])
    with pytest.raises(ValueError, match=rf"state\[1\]\['{key}'\] has shape \(3, 3\), "
                                         r"expected \(6, 3\).*delete state\[1\]"):
        opt.step([np.ones((4, 5)), np.ones((6, 3))])
    assert_unchanged(opt, params[:1], snap)
    single = bigger.astype(np.float32)[:3]
    opt.param_groups[0]["params"][1] = single
    with pytest.raises(TypeError, match=rf"state\[1\]\['{key}'\] has dtype float64"):
        opt.step([np.ones((4, 5)), np.ones((3, 3), np.float32)])
    assert_unchanged(opt, params[:1], snap)
    opt.param_groups[0]["params"][1] = params[1]
    opt.state[0][key] = np.zeros(8)
    with pytest.raises(ValueError, match=rf"state\[0\]\['{key}'\] has shape \(8,\)"):
        opt.step([np.ones((4, 5)), np.ones((3, 3))])
    del opt.state[0]  # the remedy the message names
    opt.step([np.ones((4, 5)), np.ones((3, 3))])
    opt.param_groups[0]["params"].append(params[0])
    with pytest.raises(ValueError, match=r"params\[2\] is the same array as params\[0\]"):
        opt.step([np.ones((4, 5)), np.ones((3, 3)), np.ones((4, 5))])


def test_saved_step_too_large_for_the_kernel_is_refused_before_any_update(rng):
    # the step count reaches the compiled kernel as an int64 after += 1: a
    # saved step of 2**63 - 1 overflowed there, after the parameters before it
    # had been updated and every step counter incremented
    params = [rng.standard_normal((4, 5)), rng.standard_normal((3, 3)),
              rng.standard_normal((2, 3))]
    grads = [np.ones_like(p) for p in params]
    opt = AdamW(params, lr=0.1)
    opt.step(grads)
    opt.state[2]["step"] = 2**63 - 1
    snap = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"state\[2\]\['step'\] must be an integer in "
                                         r"\[0, 2\*\*63 - 2\], got 9223372036854775807"):
        opt.step(grads)
    assert_unchanged(opt, params, snap)
    saved = opt.state_dict()
    with pytest.raises(ValueError, match=r"state_dict\['state'\]\[2\]\['step'\] must be an "
                                         r"integer in \[0, 2\*\*63 - 2\]"):
        opt.load_state_dict(saved)
    opt.state[2]["step"] = 2**63 - 2
    opt.step(grads)
    assert opt.state[2]["step"] == 2**63 - 1


def test_state_arrays_of_one_parameter_sharing_memory_are_refused(rng):
    # adamw_step_ refuses moments that share memory (the kernel assumes its
    # arrays distinct); the optimizer ran the kernel on them from edited state
    params = [rng.standard_normal((4, 5)), rng.standard_normal((2, 3))]
    grads = [np.ones_like(p) for p in params]
    opt = AdamW(params, lr=0.1, amsgrad=True)
    opt.step(grads)
    opt.state[1]["max_exp_avg_sq"] = opt.state[1]["exp_avg_sq"][:, ::-1]
    snap = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"state\[1\]\['exp_avg_sq'\] and "
                                         r"state\[1\]\['max_exp_avg_sq'\] share memory"):
        opt.step(grads)
    assert_unchanged(opt, params, snap)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_flat_kernels_refuse_arrays_of_the_wrong_length(dtype):
    # the compiled kernels index every array by the parameter's length
    from regcore import _kernels

    p, short, empty = np.zeros(10, dtype), np.zeros(9, dtype), np.zeros(0, dtype)
    with pytest.raises(ValueError, match="g has length 9, expected 10"):
        _kernels.sgd_flat(p, short, empty, 0.1, 0.0, 0.0, 0.0, 0.0, 0)
    with pytest.raises(ValueError, match="buf has length 0, expected 10"):
        _kernels.sgd_flat(p, p.copy(), empty, 0.1, 0.0, 0.9, 0.0, 0.0, _kernels.SGD_MOMENTUM)
    with pytest.raises(ValueError, match="exp_avg_sq has length 9, expected 10"):
        _kernels.adamw_flat(p, p.copy(), p.copy(), short, empty, 0.1, 0.9, 0.99, 1e-8, 0.0,
                            1, 0.0, False, False)
    with pytest.raises(ValueError, match="max_exp_avg_sq has length 0, expected 10"):
        _kernels.adamw_flat(p, p.copy(), p.copy(), p.copy(), empty, 0.1, 0.9, 0.99, 1e-8, 0.0,
                            1, 0.0, True, False)
    with pytest.raises(ValueError, match="g has length 9, expected 10"):
        _kernels.prox_l1_flat(p, short, 0.1, 0.1)
    with pytest.raises(ValueError, match="out has length 9, expected 10"):
        _kernels.soft_threshold_contiguous(p, dtype(0.1), short)
    assert not p.any()  # nothing was written


def test_nan_gradient_default_propagates(rng):
    param = rng.standard_normal((3, 3))
    grad = np.zeros((3, 3))
    grad[0, 0] = np.nan
    m, v = np.zeros((3, 3)), np.zeros((3, 3))
    adamw_step_(param, grad, m, v, step=1)
    assert np.isnan(param[0, 0]) and np.isfinite(param.ravel()[1:]).all()
    with pytest.raises(ValueError, match="grad contains NaN"):
        adamw_step_(param, grad, m, v, step=2, check_finite=True)


@pytest.mark.parametrize("call, error, message", [
    (lambda p, g: sgd_step_(p, g, lr=-0.1), ValueError, r"lr must be in \[0.0, inf\], got -0.1"),
    (lambda p, g: sgd_step_(p, g, lr=float("nan")), ValueError, "lr must not be NaN"),
    (lambda p, g: sgd_step_(p, g, lr=0.1, momentum=-0.5), ValueError,
     r"momentum must be in \[0.0, inf\], got -0.5"),
    (lambda p, g: sgd_step_(p, g, lr=0.1, dampening=1.5), ValueError,
     r"dampening must be in \[0.0, 1.0\], got 1.5"),
    (lambda p, g: sgd_step_(p, g, lr=0.1, weight_decay=-1), ValueError,
     r"weight_decay must be in \[0.0, inf\], got -1.0"),
    (lambda p, g: sgd_step_(p, g, lr=0.1, l1=-1), ValueError, r"l1 must be in \[0.0, inf\]"),
    (lambda p, g: sgd_step_(p, g, lr=0.1, nesterov=True), ValueError,
     "nesterov=True requires momentum > 0 and dampening = 0"),
    (lambda p, g: sgd_step_(p, g, np.zeros_like(p), lr=0.1, momentum=0.9, dampening=0.1,
                            nesterov=True), ValueError, "requires momentum > 0 and dampening = 0"),
    (lambda p, g: sgd_step_(p, g, lr=0.1, momentum=0.9), ValueError,
     "momentum_buffer is required when momentum > 0"),
    (lambda p, g: sgd_step_(p, g, np.zeros((2, 2)), lr=0.1, momentum=0.9), ValueError,
     r"momentum_buffer has shape \(2, 2\), expected \(3, 4\)"),
    (lambda p, g: sgd_step_(p, g, p, lr=0.1, momentum=0.9), ValueError,
     "param and momentum_buffer share memory"),
    (lambda p, g: sgd_step_(p, g[:, :2], lr=0.1), ValueError,
     r"grad has shape \(3, 2\), expected \(3, 4\)"),
    (lambda p, g: sgd_step_(p, g.tolist(), lr=0.1), TypeError, "grad must be a numpy.ndarray"),
    (lambda p, g: sgd_step_(p.tolist(), g, lr=0.1), TypeError,
     "param must be a numpy.ndarray .it is updated in place."),
    (lambda p, g: sgd_step_(p.astype(int), g, lr=0.1), TypeError,
     "param must have dtype float32 or float64, got int64"),
    (lambda p, g: sgd_step_(np.zeros((0, 4)), g, lr=0.1), ValueError, "param is empty"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros_like(p), step=0), ValueError,
     r"step must be in \[1, 2\*\*63 - 1\]"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros_like(p), step=2**70), ValueError,
     r"step must be in \[1, 2\*\*63 - 1\] .*got 1180591620717411303424"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros_like(p), step=1,
                              betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0.0, 1.0\)"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros_like(p), step=1,
                              betas=(-0.1, 0.9)),
     ValueError, r"betas\[0\] must be in \[0.0, 1.0\)"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros_like(p), step=1, betas=0.9),
     ValueError, r"betas must be a pair"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros_like(p), step=1, eps=-1e-8),
     ValueError, r"eps must be in \[0.0, inf\]"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros_like(p), step=1, amsgrad=True),
     ValueError, "max_exp_avg_sq is required when amsgrad=True"),
    (lambda p, g: adamw_step_(p, g, np.zeros_like(p), np.zeros((3, 4), np.float32), step=1),
     TypeError, r"exp_avg_sq has dtype float32, expected float64 \(the dtype of param\)"),
    (lambda p, g: prox_l1_(p, g, lr=0.1, l1=-2), ValueError, r"l1 must be in \[0.0, inf\]"),
    (lambda p, g: max_norm_(p, 0.0), ValueError, r"max_norm must be in \(0.0, inf\]"),
    (lambda p, g: max_norm_(p, 1.0, axis=2), ValueError, "axis 2 is out of bounds"),
    (lambda p, g: max_norm_(p, 1.0, axis=(1, 1)), ValueError, "axis contains a repeated axis"),
    (lambda p, g: clip_grad_norm_([g], -1.0), ValueError, r"max_norm must be in \[0.0, inf\]"),
    (lambda p, g: clip_grad_norm_([g], 1.0, norm_type=0), ValueError,
     r"norm_type must be in \(0.0, inf\]"),
    (lambda p, g: clip_grad_norm_([g.astype(int)], 1.0), TypeError,
     r"grads\[0\] must have dtype float32 or float64"),
    (lambda p, g: SGD([p], lr=0.1, nesterov=True), ValueError,
     "nesterov=True requires momentum > 0"),
    (lambda p, g: SGD([{"params": [p], "momentum": -1}], lr=0.1), ValueError,
     r"param_groups\[0\]\['momentum'\] must be in \[0.0, inf\]"),
    (lambda p, g: SGD([{"params": [p], "weight_deacy": 0.1}], lr=0.1), ValueError,
     r"param_groups\[0\] has unknown key\(s\) \['weight_deacy'\]"),
    (lambda p, g: SGD([p, p], lr=0.1), ValueError, r"params\[1\] is the same array as params\[0\]"),
    (lambda p, g: SGD([], lr=0.1), ValueError, "params is empty"),
    (lambda p, g: SGD(p, lr=0.1), TypeError, "params must be a list of arrays or of param-group"),
    (lambda p, g: SGD([p, {"params": [g]}], lr=0.1), TypeError, "not a mix"),
    (lambda p, g: AdamW([p], betas=(0.9, 1.5)), ValueError, r"betas\[1\] must be in"),
    (lambda p, g: AdamW([p], max_norm=-1.0), ValueError, r"max_norm must be in \(0.0, inf\]"),
    (lambda p, g: AdamW([p], amsgrad=1), TypeError, "amsgrad must be a bool"),
    (lambda p, g: SGD([p], lr=0.1).step(g), TypeError, "grads must be a list of arrays"),
])
def test_errors(call, error, message, rng):
    param, grad = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    before = param.copy()
    with pytest.raises(error, match=message):
        call(param, grad)
    np.testing.assert_array_equal(param, before)


def test_read_only_param_raises(rng):
    param, grad = rng.standard_normal(4), rng.standard_normal(4)
    param.flags.writeable = False
    with pytest.raises(ValueError, match="param is read-only"):
        sgd_step_(param, grad, lr=0.1)
    with pytest.raises(ValueError, match=r"params\[0\] is read-only"):
        AdamW([param])


def test_read_only_gradient_is_fine(rng):
    param, grad = rng.standard_normal(4), rng.standard_normal(4)
    grad.flags.writeable = False
    expected = param - 0.1 * grad
    sgd_step_(param, grad, lr=0.1)
    np.testing.assert_allclose(param, expected, rtol=1e-15)


# --- layouts ---------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["F", "strided", "transposed-grad"])
def test_non_contiguous_arrays(layout, dtype, rng):
    base = rng.standard_normal((12, 10)).astype(dtype)
    grad = rng.standard_normal((12, 10)).astype(dtype)
    if layout == "F":
        param, grad = np.asfortranarray(base), np.asfortranarray(grad)
    elif layout == "strided":
        big = np.zeros((24, 10), dtype)
        big[::2] = base
        param = big[::2]
    else:
        param = base.copy()
        grad = np.ascontiguousarray(grad.T).T
    m, v = np.zeros_like(param), np.zeros(param.shape, dtype, order="C")
    expected, *_ = _reference.adamw_step(param.copy(), grad, np.zeros_like(param),
                                         np.zeros_like(param), step=1, lr=0.1, l1=0.3)
    adamw_step_(param, grad, m, v, step=1, lr=0.1, l1=0.3)
    assert_close(param, expected, dtype)
    if layout == "strided":
        np.testing.assert_array_equal(big[1::2], 0)  # the gaps are untouched


def test_float32_end_to_end(rng):
    params = [rng.standard_normal((5, 5)).astype(np.float32), np.zeros(5, np.float32)]
    for opt in (SGD(params, lr=0.1, momentum=0.9), AdamW(params, amsgrad=True)):
        opt.step([np.ones((5, 5), np.float32), np.ones(5, np.float32)])
        assert all(p.dtype == np.float32 for p in params)
        assert all(v.dtype == np.float32 for s in opt.state.values() for v in s.values()
                   if isinstance(v, np.ndarray))


# --- proximal L1, max-norm, clipping ---------------------------------------------

def test_prox_l1_zeroes_small_weights_and_shrinks_the_rest(dtype, rng):
    param = rng.standard_normal(100_000).astype(dtype)
    grad = rng.standard_normal(100_000).astype(dtype)
    lr, l1 = 0.1, 2.0
    moved = param - dtype(lr) * grad
    expected = _reference.prox_l1(param, grad, lr=lr, l1=l1)
    prox_l1_(param, grad, lr=lr, l1=l1)
    small = np.abs(moved) <= dtype(lr * l1)
    assert small.any() and (~small).any()
    assert np.all(param[small] == 0)
    np.testing.assert_array_equal(param, expected)
    np.testing.assert_array_equal(np.sign(param[~small]), np.sign(moved[~small]))


def test_prox_l1_without_gradient(rng):
    param = rng.standard_normal(50)
    expected = _reference.soft_threshold(param, 0.25)
    prox_l1_(param, lr=0.5, l1=0.5)
    np.testing.assert_array_equal(param, expected)


@pytest.mark.parametrize("shape, axis", [
    ((40, 30), None), ((40, 30), 0), ((40, 30), 1), ((8, 3, 5, 5), None), ((8, 3, 5, 5), (0, 2)),
    ((8, 3, 5, 5), (2, 3)), ((50,), None), ((300, 400), None), ((300, 400), 0), ((6, 7), (0, 1)),
])
@pytest.mark.parametrize("order", ["C", "F"])
def test_max_norm_matches_reference(shape, axis, order, dtype, rng):
    weight = np.asarray(rng.standard_normal(shape).astype(dtype), order=order)
    norms = np.sqrt(np.sum(weight.astype(np.float64) ** 2,
                           axis=axis if axis is not None else tuple(range(1, len(shape))) or 0))
    limit = float(np.median(norms))  # about half the vectors are projected
    expected = _reference.max_norm(weight, limit, axis)
    max_norm_(weight, limit, axis=axis)
    assert_close(weight, expected, dtype)
    after = np.sqrt(np.sum(weight.astype(np.float64) ** 2,
                           axis=axis if axis is not None else tuple(range(1, len(shape))) or 0))
    assert np.all(after <= limit * (1 + 10 * RTOL[dtype]))
    short = norms <= limit
    np.testing.assert_allclose(after[short], norms[short], rtol=RTOL[dtype])


def test_max_norm_strided_view(rng):
    big = rng.standard_normal((10, 8))
    view = big[::2, ::2]
    rest = big.copy()
    expected = _reference.max_norm(view.copy(), 0.5)
    max_norm_(view, 0.5)
    np.testing.assert_allclose(big[::2, ::2], expected, rtol=1e-12)
    rest[::2, ::2] = expected
    np.testing.assert_allclose(big, rest, rtol=1e-12)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, np.inf, 0.5, 3.0])
def test_clip_grad_norm_matches_reference(norm_type, dtype, rng):
    grads = [rng.standard_normal(s).astype(dtype) for s in [(40, 30), (3, 3, 3), (70_000,)]]
    expected, expected_total = _reference.clip_grad_norm(grads, 2.0, norm_type)
    total = clip_grad_norm_(grads, 2.0, norm_type=norm_type)
    assert total == pytest.approx(expected_total, rel=RTOL[dtype])
    for g, e in zip(grads, expected):
        assert_close(g, e, dtype)


def test_clip_grad_norm_leaves_small_gradients_alone(rng):
    grads = [rng.standard_normal(10) * 1e-3]
    before = grads[0].copy()
    total = clip_grad_norm_(grads, 1.0)
    assert total == pytest.approx(np.linalg.norm(before), rel=1e-12)
    np.testing.assert_array_equal(grads[0], before)


def test_clip_grad_norm_nonfinite(rng):
    grads = [rng.standard_normal(5), rng.standard_normal(5)]
    grads[1][2] = np.nan
    before = [g.copy() for g in grads]
    with pytest.raises(ValueError, match="the total 2-norm of the gradients is nan"):
        clip_grad_norm_(grads, 1.0, error_if_nonfinite=True)
    for g, b in zip(grads, before):
        np.testing.assert_array_equal(g, b)
    total = clip_grad_norm_(grads, 1.0)  # like PyTorch: everything becomes NaN
    assert np.isnan(total) and all(np.isnan(g).all() for g in grads)
    inf_grads = [np.array([1.0, np.inf, 2.0])]
    assert clip_grad_norm_(inf_grads, 1.0, norm_type=np.inf) == np.inf
    np.testing.assert_array_equal(inf_grads[0], [0.0, np.nan, 0.0])


def test_clip_grad_norm_single_array_and_empty_list(rng):
    g = rng.standard_normal(20) * 10
    total = clip_grad_norm_(g, 1.0)
    assert np.linalg.norm(g) == pytest.approx(1.0, rel=1e-5)
    assert total > 1.0
    assert clip_grad_norm_([], 1.0) == 0.0
    assert clip_grad_norm_([None, g], 10.0) == pytest.approx(np.linalg.norm(g), rel=1e-12)


def test_clip_grad_norm_refuses_gradients_sharing_memory(rng):
    # elements held by two entries were scaled twice (the same array twice, or
    # overlapping views): the result was no longer a multiple of the input
    g = rng.standard_normal(20) * 10
    before = g.copy()
    with pytest.raises(ValueError, match=r"grads\[0\] and grads\[2\] share memory"):
        clip_grad_norm_([g, None, g], 1.0)
    with pytest.raises(ValueError, match=r"grads\[0\] and grads\[1\] share memory"):
        clip_grad_norm_([g[:12], g[8:]], 1.0)
    np.testing.assert_array_equal(g, before)
    # disjoint views of one buffer, interleaved or adjacent, are separate gradients
    clip_grad_norm_([g[:8], g[8::2], g[9::2]], 1.0)
    np.testing.assert_allclose(g, before / (np.linalg.norm(before) + 1e-6), rtol=1e-12)


@pytest.mark.parametrize("cls", [SGD, AdamW])
def test_optimizer_refuses_arrays_sharing_memory_across_parameters(cls, rng):
    # only the same array object was refused: a view of a parameter passed as
    # another parameter was updated twice, a gradient aliasing an earlier
    # parameter was read after that parameter's update, and a state array
    # shared by two parameters was updated by both
    kwargs = {"lr": 0.1, "momentum": 0.9} if cls is SGD else {"lr": 0.1}
    W = rng.standard_normal((4, 4))
    b = rng.standard_normal(4)
    grads = [np.ones((4, 4)), np.ones((4, 4))]
    for tied in (W[:], W.T, W[1:3], np.asarray(memoryview(W))):
        opt = cls([W, tied], **kwargs)
        before = W.copy()
        with pytest.raises(ValueError, match=r"params\[0\] and params\[1\] share memory"):
            opt.step(grads[:1] + [np.ones(tied.shape)])
        np.testing.assert_array_equal(W, before)
        assert opt.state == {}
    opt = cls([W, b], **kwargs)
    snap = snapshot(opt, [W, b])
    with pytest.raises(ValueError, match=r"params\[0\] and grads\[1\] share memory"):
        opt.step([np.ones((4, 4)), W[0]])
    assert_unchanged(opt, [W, b], snap)
    params = [rng.standard_normal((3, 3)), rng.standard_normal((3, 3))]
    opt = cls(params, **kwargs)
    opt.step([np.ones((3, 3)), np.ones((3, 3))])
    key = "momentum_buffer" if cls is SGD else "exp_avg"
    opt.state[1][key] = opt.state[0][key]
    snap = snapshot(opt, params)
    with pytest.raises(ValueError, match=rf"state\[0\]\['{key}'\] and state\[1\]\['{key}'\] "
                                         "share memory"):
        opt.step([np.ones((3, 3)), np.ones((3, 3))])
    assert_unchanged(opt, params, snap)


def test_parameters_as_disjoint_views_of_one_buffer(rng):
    # a flat parameter vector with a view per layer (and gradients likewise)
    # is not sharing: it matches separate arrays, interleaved views included
    flat, flat_grad = rng.standard_normal(40), rng.standard_normal(40)
    views = [flat[:16].reshape(4, 4), flat[16:28:2], flat[17:28:2], flat[28:]]
    grad_views = [flat_grad[:16].reshape(4, 4), flat_grad[16:28:2], flat_grad[17:28:2],
                  flat_grad[28:]]
    separate = [v.copy() for v in views]
    opt, ref = AdamW(views, lr=0.1), AdamW(separate, lr=0.1)
    for _ in range(3):
        opt.step(grad_views)
        ref.step([g.copy() for g in grad_views])
    for v, s in zip(views, separate):
        np.testing.assert_array_equal(v, s)
    # gradients may share memory with each other: they are only read
    SGD(views, lr=0.1).step([np.ones((4, 4)), flat_grad[:6], flat_grad[:6], flat_grad[:12]])


def test_many_interleaved_parameters_are_checked_in_linear_time(rng, monkeypatch):
    # the columns of a C-ordered matrix as parameters: every column spans
    # nearly all of the buffer, and each was compared with every other one
    # (n (n - 1) / 2 np.shares_memory calls: a 1000-column AdamW step took
    # 514 ms against 24 ms for separate arrays)
    calls = []

    def counting(a, b):
        calls.append(1)
        return np.shares_memory(a, b)

    monkeypatch.setattr(regcore.optim, "_shares_memory", counting)
    W = rng.standard_normal((8, 200))
    columns = [W[:, i] for i in range(200)]
    separate = [c.copy() for c in columns]
    grads = [rng.standard_normal(8) for _ in range(200)]
    opt, ref = AdamW(columns, lr=0.1), AdamW(separate, lr=0.1)
    opt.step(grads)
    ref.step(grads)
    assert len(calls) <= 200
    for c, s in zip(columns, separate):
        np.testing.assert_array_equal(c, s)


def test_sharing_is_found_and_named_among_many_interleaved_arrays(rng):
    W = rng.standard_normal((8, 40))
    columns = [W[:, i] for i in range(40)]
    ones = [np.ones(8) for _ in range(41)]
    for second, named in [(W[:, 7], "params[7] and params[40]"),
                          (W[::-1, 39], "params[39] and params[40]")]:
        opt = SGD(columns + [second], lr=0.1)
        before = W.copy()
        with pytest.raises(ValueError, match=re.escape(named) + " share memory"):
            opt.step(ones)
        np.testing.assert_array_equal(W, before)
    with pytest.raises(ValueError, match=re.escape("params[3] and grads[5] share memory")):
        SGD(columns, lr=0.1).step(ones[:5] + [W[:, 3]] + ones[6:40])
    # gradients may share memory with each other
    G = rng.standard_normal((8, 40))
    SGD([np.zeros(8) for _ in range(40)], lr=0.1).step([G[:, i % 20] for i in range(40)])


def test_public_api():
    assert regcore.optim.SGD is SGD and regcore.optim.adamw_step_ is adamw_step_
    assert {"optim", "init", "callbacks"} <= set(regcore.__all__)
    for name in ["SGD", "AdamW", "sgd_step_", "adamw_step_", "prox_l1_", "max_norm_",
                 "clip_grad_norm_"]:
        assert name in regcore.optim.__all__


def test_sgd_options_cover_every_compiled_variant():
    # every combination of decay / momentum / nesterov / L1 runs and matches the reference
    rng = np.random.default_rng(1)
    for wd, mom, nest, l1 in itertools.product([0, 0.1], [0, 0.9], [False, True], [0, 0.2]):
        if nest and not mom:
            continue
        opts = dict(weight_decay=wd, momentum=mom, nesterov=nest, l1=l1)
        p = rng.standard_normal(33)
        g1, g2 = rng.standard_normal(33), rng.standard_normal(33)
        buf = np.zeros(33)
        expected, ref_buf = _reference.sgd_step(p, g1, None, lr=0.1, **opts)
        expected, ref_buf = _reference.sgd_step(expected, g2, ref_buf, lr=0.1, **opts)
        sgd_step_(p, g1, buf, lr=0.1, first_step=True, **opts)
        sgd_step_(p, g2, buf, lr=0.1, **opts)
        np.testing.assert_allclose(p, expected, rtol=1e-14, err_msg=repr(opts))


@pytest.mark.parametrize("cls", [SGD, AdamW])
def test_group_appended_between_steps_takes_the_defaults(cls, rng):
    # like a group given to the constructor: missing hyperparameters come from
    # the defaults, and a single array is one parameter (not a list of rows)
    W, V = rng.standard_normal((3, 4)), rng.standard_normal((2, 5))
    steps = [[rng.standard_normal(W.shape), rng.standard_normal(V.shape)] for _ in range(3)]
    kw = dict(lr=0.05, weight_decay=0.1, momentum=0.9) if cls is SGD else dict(lr=0.05)
    W1, V1 = W.copy(), V.copy()
    built = cls([{"params": [W1]}, {"params": [V1], "lr": 0.2}], **kw)
    W2, V2 = W.copy(), V.copy()
    appended = cls([W2], **kw)
    appended.param_groups.append({"params": V2, "lr": 0.2})
    for grads in steps:
        built.step(grads)
        appended.step(grads)
    np.testing.assert_array_equal(W2, W1)
    np.testing.assert_array_equal(V2, V1)
    assert appended.param_groups[1]["weight_decay"] == kw.get("weight_decay", 1e-2)
    assert len(appended.param_groups[1]["params"]) == 1
    appended.param_groups.append({"lr": 0.1})
    with pytest.raises(ValueError, match=r"param_groups\[2\] must be a dict with a 'params'"):
        appended.step(steps[0] + [None])
