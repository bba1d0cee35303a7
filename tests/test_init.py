"""Initializers: gains and fans against PyTorch's table, statistics against the formulas."""

import math

import numpy as np
import pytest
from scipy import stats

from regcore import _reference, init

# Probability that a correct initializer fails one statistical check (fixed
# seeds make each run deterministic; this bounds how unlucky a seed can be).
ALPHA = 1e-6

GAINS = [
    ("linear", None, 1.0), ("conv1d", None, 1.0), ("conv2d", None, 1.0), ("conv3d", None, 1.0),
    ("conv_transpose1d", None, 1.0), ("conv_transpose2d", None, 1.0),
    ("conv_transpose3d", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5.0 / 3.0),
    ("relu", None, math.sqrt(2.0)), ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.2, math.sqrt(2.0 / (1 + 0.2 ** 2))), ("leaky_relu", 0, math.sqrt(2.0)),
    ("selu", None, 0.75),
]


@pytest.mark.parametrize("name, param, expected", GAINS)
def test_gain_formula(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)
    assert _reference.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name, param, expected", GAINS)
def test_gain_matches_torch(name, param, expected):
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-15
    )


@pytest.mark.parametrize("shape, fans", [
    ((10, 20), (20, 10)), ((64, 3, 5, 5), (75, 1600)), ((8, 4, 3), (12, 24)),
    ((2, 3, 4, 5, 6), (360, 240)), ((5, 7, 1, 1), (7, 5)),
])
def test_fans(shape, fans):
    assert init.calculate_fans(shape) == fans
    assert _reference.fans(shape) == fans


@pytest.mark.parametrize("shape", [(10, 20), (64, 3, 5, 5), (8, 4, 3), (2, 3, 4, 5, 6)])
def test_fans_match_torch(shape):
    torch = pytest.importorskip("torch")
    assert init.calculate_fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(
        torch.empty(shape)
    )


def check_normal_sample(w, std):
    """Mean and variance of a N(0, std^2) sample within ALPHA-level bounds."""
    x = w.astype(np.float64).ravel()
    n = x.size
    assert abs(x.mean()) <= stats.norm.ppf(1 - ALPHA / 2) * std / math.sqrt(n)
    chi2 = np.sum(x ** 2) / std ** 2  # ~ chi-square(n) with the known mean 0
    assert stats.chi2.ppf(ALPHA / 2, n) <= chi2 <= stats.chi2.ppf(1 - ALPHA / 2, n)


def check_uniform_sample(w, bound):
    """Support, mean, variance and distribution of a U(-bound, bound) sample."""
    x = w.astype(np.float64).ravel()
    n = x.size
    assert np.all(np.abs(x) <= bound)
    assert np.max(np.abs(x)) >= bound * (1 - 20 / n)  # the sample reaches the bounds
    std = bound / math.sqrt(3.0)
    assert abs(x.mean()) <= stats.norm.ppf(1 - ALPHA / 2) * std / math.sqrt(n)
    # variance of x^2 for U(-b, b) is b^4 / 5 - b^4 / 9
    sd_of_var = math.sqrt((bound ** 4 / 5 - bound ** 4 / 9) / n)
    assert abs(np.mean(x ** 2) - std ** 2) <= stats.norm.ppf(1 - ALPHA / 2) * sd_of_var
    assert stats.kstest(x, stats.uniform(-bound, 2 * bound).cdf).pvalue > ALPHA


@pytest.mark.parametrize("shape", [(300, 200), (32, 16, 3, 3)])
@pytest.mark.parametrize("gain", [1.0, 5.0 / 3.0])
def test_xavier_uniform_statistics(shape, gain, dtype):
    w = init.xavier_uniform(shape, gain, dtype=dtype, rng=1)
    assert w.dtype == dtype and w.shape == shape
    fan_in, fan_out = _reference.fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    assert bound == pytest.approx(_reference.uniform_bound(_reference.xavier_std(shape, gain)))
    check_uniform_sample(w, bound)


@pytest.mark.parametrize("shape", [(300, 200), (32, 16, 3, 3)])
def test_xavier_normal_statistics(shape, dtype):
    w = init.xavier_normal(shape, 2.0, dtype=dtype, rng=2)
    assert w.dtype == dtype
    fan_in, fan_out = _reference.fans(shape)
    std = 2.0 * math.sqrt(2.0 / (fan_in + fan_out))
    check_normal_sample(w, std)


KAIMING_CASES = [
    dict(),
    dict(nonlinearity="relu"),
    dict(a=0.2, nonlinearity="leaky_relu", mode="fan_out"),
    dict(nonlinearity="tanh", mode="fan_out"),
]


@pytest.mark.parametrize("options", KAIMING_CASES, ids=repr)
@pytest.mark.parametrize("shape", [(400, 150), (64, 8, 3, 3)])
def test_kaiming_statistics(options, shape, dtype):
    fan_in, fan_out = _reference.fans(shape)
    fan = fan_out if options.get("mode") == "fan_out" else fan_in
    gain = _reference.calculate_gain(options.get("nonlinearity", "leaky_relu"),
                                     options.get("a", 0.0))
    std = gain / math.sqrt(fan)
    assert std == pytest.approx(_reference.kaiming_std(shape, **options))
    check_normal_sample(init.kaiming_normal(shape, dtype=dtype, rng=3, **options), std)
    check_uniform_sample(init.kaiming_uniform(shape, dtype=dtype, rng=4, **options),
                         math.sqrt(3.0) * std)


def test_defaults_and_dtypes():
    assert init.kaiming_normal((4, 3)).dtype == np.float32
    assert init.xavier_uniform((4, 3), dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError, match="dtype must be float32 or float64, got int64"):
        init.xavier_uniform((4, 3), dtype=np.int64)


@pytest.mark.parametrize("fill, make", [
    (init.xavier_uniform_, init.xavier_uniform), (init.xavier_normal_, init.xavier_normal),
    (init.kaiming_uniform_, init.kaiming_uniform), (init.kaiming_normal_, init.kaiming_normal),
])
def test_in_place_and_shape_forms_agree_and_are_seeded(fill, make, dtype):
    w = np.empty((20, 30), dtype)
    assert fill(w, rng=7) is w
    np.testing.assert_array_equal(w, make((20, 30), dtype=dtype, rng=7))
    np.testing.assert_array_equal(w, make((20, 30), dtype=dtype, rng=np.random.default_rng(7)))
    assert not np.array_equal(w, make((20, 30), dtype=dtype, rng=8))
    # non-contiguous target: same numbers as a contiguous one
    big = np.zeros((40, 30), dtype)
    fill(big[::2], rng=7)
    np.testing.assert_array_equal(big[::2], w)
    np.testing.assert_array_equal(big[1::2], 0)
    # contiguous but unaligned target (a buffer at an odd byte offset):
    # Generator.random/standard_normal refuse to fill it directly
    raw = np.zeros(w.nbytes + 1, np.uint8)
    unaligned = raw[1:].view(dtype).reshape(w.shape)
    assert unaligned.flags.c_contiguous and not unaligned.flags.aligned
    assert fill(unaligned, rng=7) is unaligned
    np.testing.assert_array_equal(unaligned, w)


def test_global_random_state_is_untouched():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    init.kaiming_uniform((10, 10), rng=None)
    init.xavier_normal_(np.empty((3, 3)), rng=5)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_generator_advances_between_calls():
    gen = np.random.default_rng(0)
    a = init.xavier_normal((5, 5), rng=gen)
    b = init.xavier_normal((5, 5), rng=gen)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("call, error, message", [
    (lambda: init.calculate_gain("gelu"), ValueError, "nonlinearity must be one of"),
    (lambda: init.calculate_gain("leaky_relu", "x"), TypeError, "param must be a real number"),
    (lambda: init.calculate_fans((5,)), ValueError,
     r"fans need a weight with at least 2 dimensions \(out, in, \*kernel\), got shape \(5,\)"),
    (lambda: init.xavier_uniform_(np.empty(5)), ValueError, "at least 2 dimensions"),
    (lambda: init.xavier_uniform((4, -1)), ValueError, "shape must not have negative sizes"),
    (lambda: init.xavier_uniform((4, 2.5)), TypeError, "shape must be a tuple of ints"),
    # a weight passed where its shape is expected: a short message, not the array's repr
    (lambda: init.calculate_fans(np.zeros((300, 200))), TypeError,
     r"^shape must be a tuple of ints, got an array of shape \(300, 200\) and dtype float64 "
     r"\(pass its .shape\)$"),
    (lambda: init.xavier_uniform_(np.empty((3, 3), dtype=int)), TypeError,
     "tensor must have dtype float32 or float64"),
    (lambda: init.xavier_uniform_([[1.0]]), TypeError, "tensor must be a numpy.ndarray"),
    (lambda: init.xavier_normal((3, 3), gain=-1), ValueError, r"gain must be in \[0.0, inf\]"),
    (lambda: init.kaiming_normal((3, 3), mode="fan_avg"), ValueError,
     "mode must be 'fan_in' or 'fan_out', got 'fan_avg'"),
    (lambda: init.kaiming_uniform((3, 3), rng="seed"), TypeError,
     "rng must be None, an int seed or a numpy.random.Generator"),
    (lambda: init.kaiming_uniform((3, 3), rng=-1), ValueError, "rng seed must be non-negative"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("make", [init.xavier_uniform, init.xavier_normal,
                                  init.kaiming_uniform, init.kaiming_normal])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3)])
def test_zero_element_weight_is_a_no_op_with_a_warning(make, shape):
    # PyTorch's convention, whichever dimension is 0 (the fans are then 0 too)
    with pytest.warns(UserWarning, match="no elements .* is a no-op"):
        out = make(shape)
    assert out.shape == shape
    with pytest.raises(ValueError, match="mode must be"):  # arguments are still checked
        init.kaiming_normal(shape, mode="fan_avg")


def test_read_only_tensor():
    w = np.zeros((3, 3))
    w.flags.writeable = False
    with pytest.raises(ValueError, match="tensor is read-only"):
        init.kaiming_uniform_(w)
