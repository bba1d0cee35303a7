"""Tests of regcore.dropout, dropout_backward, Dropout and alpha_dropout."""

import numpy as np
import pytest

import regcore
from regcore import _kernels
from regcore import _reference as ref
from regcore.dropout import DropoutKey, DropoutMask, alpha_dropout_coefficients

# Random123's published known answers for Philox4x32-10: (counter, key, output).
PHILOX_KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]
BIG_SEED = 2**64 - 12345          # exercises the high key word
SIZES = [1, 7, 63, 64, 65, 1000, 3 * _kernels.DROPOUT_CHUNK + 17]


@pytest.fixture
def threads():
    saved = regcore.get_num_threads()
    yield
    regcore.set_num_threads(saved)


@pytest.fixture
def simd_level():
    saved = _kernels.dropout_simd_level()
    yield
    _kernels.dropout_simd_level(saved)


def _keep(y, x):
    """Kept positions of a dropout output (x has no zeros)."""
    return y != 0


# --- the generator ---------------------------------------------------------------

@pytest.mark.parametrize("counter, key, expected", PHILOX_KAT)
def test_philox_known_answers(counter, key, expected):
    assert _kernels.philox4x32_10(counter, key) == expected
    words = ref.philox4x32_10([[c] for c in counter], key)
    assert tuple(int(w[0]) for w in words) == expected


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_matches_numpy_twin_bitwise(dtype, n, p):
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    y, mask = regcore.dropout(x, p, rng=BIG_SEED, return_mask=True)
    expected = ref.dropout(x, p, BIG_SEED)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, expected)
    expected_mask = ref.dropout_mask(x.shape, p, BIG_SEED)
    np.testing.assert_array_equal(mask.packed, np.packbits(expected_mask, bitorder="little"))


@pytest.mark.parametrize("n", [1, 15, 63, 65, 1000, 5 * _kernels.DROPOUT_CHUNK + 99])
def test_every_simd_level_gives_the_same_bits(dtype, n, simd_level):
    x = np.random.default_rng(1).standard_normal(n).astype(dtype)
    results = []
    for level in range(_kernels.DROPOUT_SIMD_MAX + 1):
        assert _kernels.dropout_simd_level(level) == level
        y, mask = regcore.dropout(x, 0.3, rng=7, return_mask=True)
        g = regcore.dropout_backward(x, mask)
        results.append((y, mask.packed, g))
    for y, packed, g in results[1:]:
        np.testing.assert_array_equal(y, results[0][0])
        np.testing.assert_array_equal(packed, results[0][1])
        np.testing.assert_array_equal(g, results[0][2])


@pytest.mark.parametrize("shift", [1, 3, 13])
def test_misaligned_buffers_give_the_same_bits(dtype, shift, simd_level):
    n = 3 * 16384 + 77
    buf = np.random.default_rng(shift).standard_normal(n + 16).astype(dtype)
    x = buf[shift: shift + n]
    expected = ref.dropout(x, 0.4, 31)
    for level in range(_kernels.DROPOUT_SIMD_MAX + 1):
        _kernels.dropout_simd_level(level)
        out_buf = np.zeros(n + 16, dtype=dtype)
        out = out_buf[16 - shift: 16 - shift + n]
        y, mask = regcore.dropout(x, 0.4, rng=31, out=out, return_mask=True)
        np.testing.assert_array_equal(y, expected)
        assert not out_buf[: 16 - shift].any() and not out_buf[16 - shift + n:].any()
        out[...] = 0
        regcore.dropout_backward(x, mask, out=out)
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("first_index", [2**34 - 64 * 300, 2**34 - 64 * 301, 2**38 + 2**34 - 64 * 3])
def test_counter_high_word_and_carry(first_index, simd_level):
    # counter index = element index / 4 crosses 2**32 at element 2**34
    n, p, thr = 64 * 700 + 5, 0.5, 2**31
    expected = np.packbits(ref.dropout_words(n, 77, 3, start=first_index) >= thr, bitorder="little")
    for level in range(_kernels.DROPOUT_SIMD_MAX + 1):
        _kernels.dropout_simd_level(level)
        bits = np.zeros((n + 7) // 8, dtype=np.uint8)
        _kernels.dropout_mask_bits(n, 77, 3, thr, bits, first_index)
        np.testing.assert_array_equal(bits, expected)
        x = np.ones(n, dtype=np.float32)
        y = np.empty_like(x)
        _kernels.dropout_contiguous(x, y, 77, 3, thr, np.float32(1 / (1 - p)), None, first_index)
        np.testing.assert_array_equal(np.packbits(y != 0, bitorder="little"), expected)


def test_same_mask_for_one_and_two_threads(dtype, threads):
    x = np.random.default_rng(2).standard_normal(9 * _kernels.DROPOUT_CHUNK + 5).astype(dtype)
    regcore.set_num_threads(1)
    one = regcore.dropout(x, 0.5, rng=11)
    regcore.set_num_threads(2)
    two = regcore.dropout(x, 0.5, rng=11)
    np.testing.assert_array_equal(one, two)


def test_mask_prefix_does_not_depend_on_array_size():
    big = regcore.dropout(np.ones(200_003), 0.5, rng=5)
    for k in (1, 64, 1000, 16_385, 100_000):
        np.testing.assert_array_equal(regcore.dropout(np.ones(k), 0.5, rng=5), big[:k])


def test_different_seeds_are_not_shifted_copies():
    # Shared 32-bit words between two streams of 2**16 words: ~1 by chance,
    # almost all of them if one stream were a shifted copy of the other.
    n = 2**16
    for a, b in [(1, 2), (0, 2**32), (BIG_SEED, BIG_SEED - 1)]:
        common = np.intersect1d(ref.dropout_words(n, a), ref.dropout_words(n, b))
        assert common.size < 10
    # And on the compiled masks: agreement of m1 shifted by k with m2 stays ~1/2.
    m1 = regcore.dropout(np.ones(n), 0.5, rng=1) != 0
    m2 = regcore.dropout(np.ones(n), 0.5, rng=2) != 0
    bound = 5 * 0.5 / np.sqrt(n - 512)
    for k in range(0, 512):
        agree = np.mean(m1[k:] == m2[: n - k]), np.mean(m2[k:] == m1[: n - k])
        assert abs(agree[0] - 0.5) < bound and abs(agree[1] - 0.5) < bound


def test_streams_give_different_masks():
    a = ref.dropout_words(4096, 3, stream=0)
    b = ref.dropout_words(4096, 3, stream=1)
    assert np.intersect1d(a, b).size < 5


# --- statistics and exactness ----------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_keep_rate_within_binomial_bound(p):
    n = 1 << 20
    kept = np.count_nonzero(regcore.dropout(np.ones(n, dtype=np.float32), p, rng=123))
    q = 1 - p
    assert abs(kept - n * q) < 5 * np.sqrt(n * p * q)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 1 / 3])
def test_kept_values_scaled_exactly_and_dropped_are_plus_zero(dtype, p):
    x = np.random.default_rng(3).uniform(0.5, 2.0, 10_000).astype(dtype)
    x[::2] *= -1
    y = regcore.dropout(x, p, rng=9)
    keep = _keep(y, x)
    scale = dtype(1.0 / (1.0 - p))
    np.testing.assert_array_equal(y[keep], x[keep] * scale)
    assert np.all(y[~keep] == 0) and not np.any(np.signbit(y[~keep]))
    assert 0 < keep.sum() < x.size


def test_output_mean_matches_input_mean():
    rng = np.random.default_rng(4)
    n, p = 1 << 20, 0.3
    x = rng.uniform(1.0, 3.0, n)
    y = regcore.dropout(x, p, rng=rng)
    # Var(y_i) = E[x^2] / (1 - p) - E[x]^2 for y_i = x_i * B_i / (1 - p).
    sigma = np.sqrt((np.mean(x**2) / (1 - p) - np.mean(x) ** 2) / n)
    assert abs(y.mean() - x.mean()) < 5 * sigma


def test_threshold_rule_at_extremes():
    x = np.ones(4096)
    np.testing.assert_array_equal(regcore.dropout(x, 1e-12, rng=1), x * (1 / (1 - 1e-12)))
    p = 1 - 2.0**-40       # round(p * 2**32) = 2**32, capped at 2**32 - 1
    assert ref.dropout_threshold(p) == 2**32 - 1
    y = regcore.dropout(x, p, rng=1)
    np.testing.assert_array_equal(y, ref.dropout(x, p, 1))
    assert np.count_nonzero(y) == 0


# --- identities, layouts, dtypes -----------------------------------------------------

def test_p_zero_and_eval_are_exact_identities(dtype):
    x = np.array([-0.0, np.nan, np.inf, 1.5], dtype=dtype)
    assert regcore.dropout(x, 0.0, rng=1) is x
    assert regcore.dropout(x, 0.7, rng=1, training=False) is x
    out = np.empty_like(x)
    assert regcore.dropout(x, 0.7, training=False, out=out) is out
    np.testing.assert_array_equal(out.view(np.uint8), x.view(np.uint8))
    y, mask = regcore.dropout(x, 0.0, return_mask=True)
    assert y is x and mask.p == 0.0 and mask.key is None and mask.to_bool().all()
    assert regcore.dropout_backward(x, mask) is x


def test_in_place_matches_out_of_place(dtype):
    x = np.random.default_rng(5).standard_normal((37, 91)).astype(dtype)
    expected = regcore.dropout(x, 0.4, rng=3)
    y = regcore.dropout(x, 0.4, rng=3, out=x)
    assert y is x
    np.testing.assert_array_equal(x, expected)


def test_partially_overlapping_out_is_safe(dtype):
    buf = np.arange(1, 20_001, dtype=dtype)
    x, out = buf[:15_000], buf[5_000:]
    expected = ref.dropout(x.copy(), 0.5, 12)
    regcore.dropout(x, 0.5, rng=12, out=out)
    np.testing.assert_array_equal(out, expected)


def test_layouts_use_the_c_order_index(dtype):
    base = np.random.default_rng(6).standard_normal((40, 60)).astype(dtype)
    expected = ref.dropout(base, 0.5, 21)
    fortran = np.asfortranarray(base)
    strided = np.random.default_rng(6).standard_normal((40, 120)).astype(dtype)[:, ::2]
    strided[...] = base
    for x in (fortran, strided, base.T.copy().T):
        np.testing.assert_array_equal(regcore.dropout(x, 0.5, rng=21), expected)
    out = np.empty((40, 120), dtype=dtype)[:, ::2]
    regcore.dropout(base, 0.5, rng=21, out=out)
    np.testing.assert_array_equal(out, expected)
    y = strided.copy(order="F")
    regcore.dropout(y, 0.5, rng=21, out=y)
    np.testing.assert_array_equal(y, expected)


def test_float32_preserved_end_to_end():
    x = np.ones((8, 8), dtype=np.float32)
    y, mask = regcore.dropout(x, 0.5, rng=1, return_mask=True)
    assert y.dtype == np.float32
    assert regcore.dropout_backward(x, mask).dtype == np.float32
    assert regcore.dropout_backward(x, mask.key, 0.5).dtype == np.float32
    layer = regcore.Dropout(0.5, seed=1)
    assert layer.forward(x).dtype == np.float32 and layer.backward(x).dtype == np.float32


def test_integer_input_becomes_float64_and_cannot_be_updated_in_place():
    x = np.arange(1, 101)
    y = regcore.dropout(x, 0.5, rng=2)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, ref.dropout(x.astype(np.float64), 0.5, 2))
    with pytest.raises(TypeError, match="out has dtype int64, expected float64"):
        regcore.dropout(x, 0.5, rng=2, out=x)


def test_empty_and_zero_dimensional_inputs():
    assert regcore.dropout(np.empty((0, 3)), 0.5, rng=1).shape == (0, 3)
    y = regcore.dropout(np.float64(2.0), 0.5, rng=1)
    assert y.shape == () and y in (0.0, 4.0)


# --- rng ---------------------------------------------------------------------------

def test_rng_int_generator_and_none():
    x = np.ones(5000)
    np.testing.assert_array_equal(regcore.dropout(x, 0.5, rng=42), regcore.dropout(x, 0.5, rng=42))
    a = regcore.dropout(x, 0.5, rng=np.random.default_rng(42))
    b = regcore.dropout(x, 0.5, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    gen = np.random.default_rng(42)
    first, second = regcore.dropout(x, 0.5, rng=gen), regcore.dropout(x, 0.5, rng=gen)
    assert not np.array_equal(first, second)
    # a Generator's key is one 64-bit draw from it
    key = int(np.random.default_rng(42).integers(0, 2**64, dtype=np.uint64))
    np.testing.assert_array_equal(a, regcore.dropout(x, 0.5, rng=key))
    assert not np.array_equal(regcore.dropout(x, 0.5), regcore.dropout(x, 0.5))


# --- masks and backward ------------------------------------------------------------

def test_mask_object(dtype):
    x = np.random.default_rng(7).standard_normal((3, 5, 7)).astype(dtype)
    y, mask = regcore.dropout(x, 0.25, rng=99, return_mask=True)
    keep = mask.to_bool()
    assert isinstance(mask, DropoutMask)
    assert keep.shape == x.shape and keep.dtype == bool and mask.shape == x.shape
    assert mask.p == 0.25 and mask.key == DropoutKey(99, 0)
    assert mask.packed.dtype == np.uint8 and mask.packed.size == (x.size + 7) // 8
    np.testing.assert_array_equal(mask.packed, np.packbits(keep.ravel(), bitorder="little"))
    np.testing.assert_array_equal(np.asarray(mask), keep)
    np.testing.assert_array_equal(keep, y != 0)


def test_backward_equals_grad_times_mask_times_scale(dtype):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((64, 129)).astype(dtype)
    grad = rng.standard_normal(x.shape).astype(dtype)
    p = 0.35
    _, mask = regcore.dropout(x, p, rng=17, return_mask=True)
    expected = grad * mask.to_bool().astype(dtype) * dtype(1 / (1 - p))
    np.testing.assert_array_equal(regcore.dropout_backward(grad, mask), expected)
    np.testing.assert_array_equal(regcore.dropout_backward(grad, mask.key, p), expected)
    np.testing.assert_array_equal(regcore.dropout_backward(grad, (17, 0), p), expected)
    np.testing.assert_array_equal(regcore.dropout_backward(grad, 17, p), expected)
    out = np.empty_like(grad)
    assert regcore.dropout_backward(grad, mask, out=out) is out
    np.testing.assert_array_equal(out, expected)
    regcore.dropout_backward(grad, mask, out=grad)
    np.testing.assert_array_equal(grad, expected)


def test_dropout_layer_forward_backward_and_key_sequence(dtype):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((32, 50)).astype(dtype)
    grad = rng.standard_normal(x.shape).astype(dtype)
    layer = regcore.Dropout(0.5, seed=1234)
    y1 = layer.forward(x)
    assert layer.last_key == DropoutKey(1234, 0) and layer.calls == 1
    np.testing.assert_array_equal(y1, ref.dropout(x, 0.5, 1234, stream=0))
    np.testing.assert_array_equal(layer.backward(grad), ref.dropout(grad, 0.5, 1234, stream=0))
    y2 = layer(x)
    assert layer.last_key == DropoutKey(1234, 1)
    assert not np.array_equal(y1 != 0, y2 != 0)
    np.testing.assert_array_equal(layer.backward(grad), ref.dropout(grad, 0.5, 1234, stream=1))
    # a fresh layer with the same seed replays the same masks
    again = regcore.Dropout(0.5, seed=1234)
    np.testing.assert_array_equal(again.forward(x), y1)
    np.testing.assert_array_equal(again.forward(x), y2)
    # eval mode is the identity in both directions and uses no key
    assert layer.forward(x, training=False) is x and layer.backward(grad) is grad
    assert layer.calls == 2


def test_dropout_layer_errors():
    layer = regcore.Dropout(0.5, seed=1)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.ones(3))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad has shape \(3, 2\), expected \(2, 3\)"):
        layer.backward(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"p must be in \[0.0, 1.0\), got 1.0"):
        regcore.Dropout(1.0)
    with pytest.raises(ValueError, match=r"seed must be None, a Generator or an int in \[0, 2\*\*64\)"):
        regcore.Dropout(0.5, seed=-1)


# --- noise_shape ---------------------------------------------------------------------

def test_noise_shape_drops_whole_channels(dtype):
    x = np.random.default_rng(10).uniform(1, 2, (8, 16, 5, 5)).astype(dtype)
    y, mask = regcore.dropout(x, 0.5, rng=3, noise_shape=(8, 16, 1, 1), return_mask=True)
    assert mask.shape == (8, 16, 1, 1)
    keep = mask.to_bool()
    np.testing.assert_array_equal(y, np.where(keep, x * dtype(2.0), 0))
    np.testing.assert_array_equal(y, ref.dropout(x, 0.5, 3, noise_shape=(8, 16, 1, 1)))
    per_channel = (y != 0).reshape(8, 16, 25)
    assert np.all(per_channel.all(axis=2) | ~per_channel.any(axis=2))
    assert 0 < keep.sum() < keep.size
    grad = np.ones_like(x)
    expected = np.broadcast_to(keep, x.shape) * dtype(2.0)
    np.testing.assert_array_equal(regcore.dropout_backward(grad, mask), expected)
    np.testing.assert_array_equal(
        regcore.dropout_backward(grad, mask.key, 0.5, noise_shape=(8, 16, 1, 1)), expected)
    z = x.copy()
    regcore.dropout(z, 0.5, rng=3, noise_shape=(8, 16, 1, 1), out=z)
    np.testing.assert_array_equal(z, y)


def test_full_noise_shape_equals_plain_dropout():
    x = np.random.default_rng(11).standard_normal((6, 7))
    np.testing.assert_array_equal(regcore.dropout(x, 0.5, rng=4, noise_shape=(6, 7)),
                                  regcore.dropout(x, 0.5, rng=4))


@pytest.mark.parametrize("noise_shape", [(8, 3), (8, 16, 2, 1), (1, 16, 5)])
def test_bad_noise_shape(noise_shape):
    with pytest.raises(ValueError, match="noise_shape .* does not fit x of shape"):
        regcore.dropout(np.ones((8, 16, 5, 5)), 0.5, noise_shape=noise_shape)


# --- alpha dropout -----------------------------------------------------------------

@pytest.mark.parametrize("p", [0.05, 0.2, 0.5])
def test_alpha_dropout_keeps_mean_zero_variance_one(p):
    n = 1 << 20
    x = np.random.default_rng(12).standard_normal(n)
    y = regcore.alpha_dropout(x, p, rng=5)
    assert abs(y.mean()) < 5 / np.sqrt(n)
    assert abs(y.var() - 1) < 5 * np.sqrt(np.mean((y - y.mean()) ** 4) / n)


def test_alpha_dropout_matches_formula_and_reference(dtype):
    x = np.random.default_rng(13).standard_normal((50, 40)).astype(dtype)
    p = 0.2
    y, mask = regcore.alpha_dropout(x, p, rng=8, return_mask=True)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, ref.alpha_dropout(x, p, 8))
    a, b, a_prime = alpha_dropout_coefficients(p)
    m = mask.to_bool()
    np.testing.assert_allclose(y, a * (x * m + a_prime * (1 - m)) + b, rtol=1e-5, atol=1e-6)
    # the mask is the one plain dropout draws from the same key
    np.testing.assert_array_equal(m, regcore.dropout(np.ones(x.shape), p, rng=8) != 0)
    assert regcore.alpha_dropout(x, p, training=False) is x
    z = x.copy()
    regcore.alpha_dropout(z, p, rng=8, out=z)
    np.testing.assert_array_equal(z, y)


def test_alpha_dropout_coefficients_match_pytorch():
    torch = pytest.importorskip("torch")
    p = 0.3
    a, b, a_prime = alpha_dropout_coefficients(p)
    torch.manual_seed(0)
    x = torch.randn(20_000, dtype=torch.float64)
    y = torch.nn.functional.alpha_dropout(x, p, training=True).numpy()
    x = x.numpy()
    dropped = np.isclose(y, a * a_prime + b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-12, atol=1e-12)
    assert abs(dropped.mean() - p) < 5 * np.sqrt(p * (1 - p) / x.size)


def test_kept_values_match_pytorch_scaling(dtype):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(14).uniform(0.5, 2.0, 50_000).astype(dtype)
    p = 0.3
    y = regcore.dropout(x, p, rng=1)
    yt = torch.nn.functional.dropout(torch.from_numpy(x), p, training=True).numpy()
    both = (y != 0) & (yt != 0)
    assert both.sum() > 0.4 * x.size
    np.testing.assert_allclose(y[both], yt[both], rtol=np.finfo(dtype).eps)


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, float("inf")])
def test_p_out_of_range(p):
    with pytest.raises(ValueError, match=r"p must (be in \[0.0, 1.0\)|be finite)"):
        regcore.dropout(np.ones(3), p)


def test_bad_arguments():
    x = np.ones((4, 5))
    with pytest.raises(ValueError, match="p must not be NaN"):
        regcore.dropout(x, float("nan"))
    with pytest.raises(TypeError, match="p must be a real number, got str"):
        regcore.dropout(x, "0.5")
    with pytest.raises(ValueError, match=r"out has shape \(5, 4\), expected \(4, 5\)"):
        regcore.dropout(x, 0.5, out=np.empty((5, 4)))
    with pytest.raises(TypeError, match="out has dtype float32, expected float64"):
        regcore.dropout(x, 0.5, out=np.empty((4, 5), dtype=np.float32))
    read_only = np.ones((4, 5))
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        regcore.dropout(read_only, 0.5, out=read_only)
    np.testing.assert_array_equal(read_only, 1)          # untouched
    assert regcore.dropout(read_only, 0.5, rng=1).shape == (4, 5)   # read-only input is fine
    with pytest.raises(ValueError, match=r"rng must be None, a Generator or an int in \[0, 2\*\*64\), got -3"):
        regcore.dropout(x, 0.5, rng=-3)
    with pytest.raises(ValueError, match=r"rng must be None, a Generator or an int in \[0, 2\*\*64\)"):
        regcore.dropout(x, 0.5, rng=2**64)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy.random.Generator"):
        regcore.dropout(x, 0.5, rng="seed")
    with pytest.raises(TypeError, match="training must be a bool"):
        regcore.dropout(x, 0.5, training="yes")
    for func in (regcore.dropout, regcore.alpha_dropout):
        with pytest.raises(TypeError, match="return_mask must be a bool, got str"):
            func(x, 0.5, rng=1, return_mask="no")
    with pytest.raises(TypeError, match="x must hold real numbers"):
        regcore.dropout(np.ones(3, dtype=complex), 0.5)


def test_bad_backward_arguments():
    x = np.ones((4, 5))
    _, mask = regcore.dropout(x, 0.5, rng=1, return_mask=True)
    with pytest.raises(ValueError, match=r"p=0.25 differs from the mask's p=0.5"):
        regcore.dropout_backward(x, mask, 0.25)
    with pytest.raises(TypeError, match="p is required when mask is a key"):
        regcore.dropout_backward(x, mask.key)
    with pytest.raises(ValueError, match=r"mask.shape \(4, 5\) does not fit grad of shape \(5, 4\)"):
        regcore.dropout_backward(np.ones((5, 4)), mask)
    with pytest.raises(TypeError, match="mask must be a DropoutMask, a DropoutKey"):
        regcore.dropout_backward(x, "key", 0.5)
    with pytest.raises(ValueError, match="mask stream must be an int"):
        regcore.dropout_backward(x, (1, -2), 0.5)
    with pytest.raises(ValueError, match=r"mask seed must be .*an int in \[0, 2\*\*64\), got -1"):
        regcore.dropout_backward(x, DropoutKey(-1, 0), 0.5)


def test_mask_objects_are_checked_and_kernels_refuse_short_buffers():
    # a DropoutMask with too few packed bytes made dropout_backward read past
    # the buffer (a segfault at 2**26 elements)
    with pytest.raises(ValueError, match=r"packed has 1 bytes; a mask of shape \(1000,\) "
                                         r"needs 125"):
        DropoutMask(np.zeros(1, np.uint8), (1000,), 0.5, None)
    with pytest.raises(TypeError, match="packed must be a 1-D uint8 array"):
        DropoutMask(np.zeros(125, np.int64), (1000,), 0.5, None)
    with pytest.raises(ValueError, match=r"p must be in \[0.0, 1.0\)"):
        DropoutMask(np.zeros(125, np.uint8), (1000,), 1.0, None)
    with pytest.raises(TypeError, match="shape must be a tuple of ints"):
        DropoutMask(np.zeros(125, np.uint8), (1000.5,), 0.5, None)
    with pytest.raises(TypeError, match="key must be a DropoutKey or None"):
        DropoutMask(np.zeros(125, np.uint8), (1000,), 0.5, 7)
    x = np.ones(1000, np.float32)
    with pytest.raises(ValueError, match="bits has length 1, expected 125"):
        _kernels.dropout_apply_bits(x, np.zeros(1, np.uint8), x.copy(), np.float32(2.0))
    with pytest.raises(ValueError, match="out has length 999, expected 1000"):
        _kernels.dropout_apply_bits(x, np.zeros(125, np.uint8), x[:999].copy(), np.float32(2.0))
    with pytest.raises(ValueError, match="bits has length 1, expected 125"):
        _kernels.dropout_contiguous(x, x.copy(), 1, 0, 2**31, np.float32(2.0), np.zeros(1, np.uint8))
    with pytest.raises(ValueError, match="bits has length 1, expected 125"):
        _kernels.dropout_mask_bits(1000, 1, 0, 2**31, np.zeros(1, np.uint8))


def test_noise_shape_must_hold_ints():
    # floats were truncated: (4.7, 6) acted as (4, 6)
    x = np.ones((4, 6), np.float32)
    with pytest.raises(TypeError, match="noise_shape must be a tuple of ints"):
        regcore.dropout(x, 0.5, rng=0, noise_shape=(4.7, 6))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_alpha_dropout_backward_is_the_gradient_of_the_forward(dtype):
    # alpha dropout is affine in x for a fixed mask: the change of the output
    # for a step v of the input is the backward of v (a on kept elements, 0 on
    # dropped ones). dropout_backward would give v / (1 - p) on kept ones, so
    # it refuses the alpha mask.
    rng = np.random.default_rng(2)
    x = rng.standard_normal((40, 30)).astype(dtype)
    v = rng.standard_normal((40, 30)).astype(dtype)
    p = 0.3
    y, mask = regcore.alpha_dropout(x, p, rng=11, return_mask=True)
    moved = regcore.alpha_dropout(x + v, p, rng=11)
    grad = regcore.alpha_dropout_backward(v, mask)
    assert grad.dtype == dtype
    np.testing.assert_allclose(moved - y, grad, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-5 if dtype == np.float32 else 1e-12)
    assert (grad[~mask.to_bool()] == 0).all()
    with pytest.raises(TypeError, match="alpha_dropout_backward"):
        regcore.dropout_backward(v, mask)
    # identity masks (p = 0, training=False) pass the gradient through
    _, same = regcore.alpha_dropout(x, p, training=False, return_mask=True)
    assert regcore.alpha_dropout_backward(v, same) is v
    with pytest.raises(ValueError, match="mask.shape"):
        regcore.alpha_dropout_backward(v[:, :5], mask)
    with pytest.raises(TypeError, match="mask"):
        regcore.alpha_dropout_backward(v, 11)
    # a dropout mask has the same bits, but its forward's gradient is v / (1 - p)
    _, plain = regcore.dropout(x, p, rng=11, return_mask=True)
    with pytest.raises(TypeError, match="mask must be the AlphaDropoutMask of alpha_dropout, "
                                        "got DropoutMask"):
        regcore.alpha_dropout_backward(v, plain)
