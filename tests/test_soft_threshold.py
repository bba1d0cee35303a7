import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import regcore
from regcore import _reference


def assert_bitwise_equal(actual, expected):
    """Equal values and dtype; NaNs in the same places; zeros of either sign equal."""
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected, strict=True)
    nonzero = (expected != 0) & ~np.isnan(expected)
    uint = np.uint32 if expected.dtype == np.float32 else np.uint64
    assert np.array_equal(actual[nonzero].view(uint), expected[nonzero].view(uint))


float_arrays = hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7),
    elements=st.floats(-1e6, 1e6, width=32) | st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0]),
)


@settings(max_examples=200, deadline=None)
@given(x=float_arrays, t=st.floats(0, 1e3, width=32))
def test_matches_reference_bitwise(x, t):
    t = x.dtype.type(t)
    assert_bitwise_equal(regcore.soft_threshold(x, t), _reference.soft_threshold(x, t))


@settings(max_examples=100, deadline=None)
@given(x=float_arrays, t=st.floats(0, 1e3), step=st.integers(1, 3), order=st.sampled_from("CF"))
def test_strided_and_fortran_input(x, t, step, order):
    x = np.asarray(x, order=order)
    view = x[tuple(slice(None, None, step) for _ in range(x.ndim))]
    t = x.dtype.type(t)
    result = regcore.soft_threshold(view, t)
    assert_bitwise_equal(result, _reference.soft_threshold(view, t))


def test_float32_is_preserved(rng):
    x = rng.standard_normal(1000).astype(np.float32)
    result = regcore.soft_threshold(x, 0.5)
    assert result.dtype == np.float32
    assert_bitwise_equal(result, _reference.soft_threshold(x, np.float32(0.5)))


def test_known_values():
    x = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5])
    expected = np.array([-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5])
    np.testing.assert_array_equal(regcore.soft_threshold(x, 1.0), expected)


def test_nan_propagates_and_infinite_threshold():
    x = np.array([np.nan, 1.0, -np.inf, np.inf])
    result = regcore.soft_threshold(x, 0.5)
    assert np.isnan(result[0]) and result[1] == 0.5
    assert result[2] == -np.inf and result[3] == np.inf
    finite = np.array([1e300, -1e300, 3.0])
    np.testing.assert_array_equal(regcore.soft_threshold(finite, np.inf), np.zeros(3))


def test_large_array_is_thread_count_independent(rng):
    x = rng.standard_normal(3 * regcore._kernels.PARALLEL_MIN_SIZE + 17)
    before = regcore.get_num_threads()
    try:
        regcore.set_num_threads(1)
        serial = regcore.soft_threshold(x, 0.3)
        regcore.set_num_threads(2)
        threaded = regcore.soft_threshold(x, 0.3)
    finally:
        regcore.set_num_threads(before)
    assert_bitwise_equal(threaded, serial)
    assert_bitwise_equal(serial, _reference.soft_threshold(x, 0.3))


def test_read_only_input(rng):
    x = rng.standard_normal((5, 4))
    x.flags.writeable = False
    assert_bitwise_equal(regcore.soft_threshold(x, 0.2), _reference.soft_threshold(x, 0.2))


def test_in_place(rng, dtype):
    x = rng.standard_normal((6, 3)).astype(dtype)
    expected = _reference.soft_threshold(x, dtype(0.4))
    result = regcore.soft_threshold(x, 0.4, out=x)
    assert result is x
    assert_bitwise_equal(x, expected)


def test_out_with_other_layout(rng):
    x = rng.standard_normal((6, 5))
    out = np.empty((6, 5), order="F")
    result = regcore.soft_threshold(x, 0.4, out=out)
    assert result is out
    assert_bitwise_equal(out, _reference.soft_threshold(x, 0.4))


def test_out_strided_view(rng):
    x = rng.standard_normal(10)
    buffer = np.zeros(20)
    regcore.soft_threshold(x, 0.1, out=buffer[::2])
    assert_bitwise_equal(buffer[::2], _reference.soft_threshold(x, 0.1))
    assert not buffer[1::2].any()


def test_result_keeps_fortran_layout(rng):
    x = np.asfortranarray(rng.standard_normal((4, 7)))
    assert regcore.soft_threshold(x, 0.1).flags.f_contiguous


@pytest.mark.parametrize("x, dtype", [([1, -2, 3], np.float64), (np.array([1, 0], dtype=bool), np.float64),
                                      (np.array([1.5], dtype=np.float16), np.float32)])
def test_non_float_input_is_converted(x, dtype):
    result = regcore.soft_threshold(x, 1)
    assert result.dtype == dtype


def test_empty_input_gives_empty_output():
    result = regcore.soft_threshold(np.empty((0, 3)), 1.0)
    assert result.shape == (0, 3)


def test_scalar_input():
    result = regcore.soft_threshold(-2.0, 0.5)
    assert result.shape == () and result == -1.5


@pytest.mark.parametrize(
    "t, exc, match",
    [
        (np.nan, ValueError, "t must not be NaN"),
        (-0.1, ValueError, r"t must be in \[0.0, inf\], got -0.1"),
        ("1", TypeError, "t must be a real number, got str"),
        (None, TypeError, "t must be a real number, got NoneType"),
        (np.array([1.0, 2.0]), TypeError, "t must be a real number, got ndarray"),
    ],
)
def test_bad_threshold(t, exc, match):
    with pytest.raises(exc, match=match):
        regcore.soft_threshold(np.ones(3), t)


def test_bad_input_dtype():
    with pytest.raises(TypeError, match="x must hold real numbers .* got dtype complex128"):
        regcore.soft_threshold(np.ones(3, dtype=complex), 1.0)
    with pytest.raises(TypeError, match="x must hold real numbers .* got dtype <U1"):
        regcore.soft_threshold(np.array(["a"]), 1.0)


def test_bad_out():
    x = np.ones(4)
    with pytest.raises(ValueError, match=r"out has shape \(3,\), expected \(4,\)"):
        regcore.soft_threshold(x, 1.0, out=np.empty(3))
    with pytest.raises(TypeError, match="out has dtype float32, expected float64"):
        regcore.soft_threshold(x, 1.0, out=np.empty(4, dtype=np.float32))
    with pytest.raises(TypeError, match="out must be a numpy.ndarray, got list"):
        regcore.soft_threshold(x, 1.0, out=[0.0] * 4)
    read_only = np.empty(4)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        regcore.soft_threshold(x, 1.0, out=read_only)


def test_out_overlapping_x_at_an_offset_matches_numpy():
    # the kernel reads each element and writes it back: an out shifted into x
    # read outputs back as inputs ([0.5, 0, 0, ...] instead of [0.5, 1.5, ...])
    buf = np.arange(1.0, 8.0)
    expected = _reference.soft_threshold(buf[:-1].copy(), 0.5)
    result = regcore.soft_threshold(buf[:-1], 0.5, out=buf[1:])
    assert result is not None
    np.testing.assert_array_equal(buf[1:], expected)


def test_threshold_above_float32_range_gives_zeros_without_warnings():
    import warnings

    x = np.array([1.0, -3e38, 0.0], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = regcore.soft_threshold(x, 1e39)
    np.testing.assert_array_equal(result, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_simd_level_gives_the_same_bits(rng, dtype):
    # the loops are compiled for AVX-512, AVX2 and the baseline, the widest the
    # CPU runs picked at import; each must give the reference's bits, with
    # +0 for every zero (a vector select could keep -0 from x)
    from regcore import _kernels

    x = rng.standard_normal(4099).astype(dtype) * 3
    x[:12] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-30, -1e-30, 2.0]
    saved = _kernels.prox_simd_level()
    try:
        for level in range(_kernels.PROX_SIMD_MAX + 1):
            assert _kernels.prox_simd_level(level) == level
            for t in (0.0, 1.0, np.inf):
                got = regcore.soft_threshold(x, t)
                with np.errstate(invalid="ignore"):  # inf - inf in the reference
                    expected = _reference.soft_threshold(x, dtype(t))
                assert_bitwise_equal(got, expected)
                assert not np.signbit(got[got == 0]).any()
    finally:
        _kernels.prox_simd_level(saved)
    with pytest.raises(ValueError, match="max_level"):
        _kernels.prox_simd_level(3)
