"""Input checks shared by the public API.

The Python layer validates once, at the boundary, and raises ValueError or
TypeError with a message that names the offending argument; the compiled
kernels trust what they are given.
"""

import numbers

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def as_float_array(x, name, *, dtype=None, ensure_finite=True, min_ndim=0, max_ndim=None,
                   allow_empty=False):
    """Return ``x`` as a float32 or float64 ndarray, copying only when needed.

    float32 and float64 are kept; integers and booleans become float64 and
    float16 becomes float32 (NumPy's promotion for true division). Complex,
    object, string and other dtypes raise TypeError. Empty arrays, NaN/inf
    (when ``ensure_finite``) and a wrong number of dimensions raise ValueError.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be array-like of real numbers: {exc}") from None
    arr = _to_float_dtype(arr, name, dtype)
    if arr.ndim < min_ndim or (max_ndim is not None and arr.ndim > max_ndim):
        want = f"{min_ndim}" if max_ndim == min_ndim else f"at least {min_ndim}"
        if max_ndim is not None and max_ndim != min_ndim:
            want = f"{min_ndim} to {max_ndim}"
        raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one element is needed")
    if ensure_finite:
        check_finite(arr, name)
    return arr


def check_per_feature(values, name, n_features, *, dtype=np.float64, nonnegative=False):
    """Return ``values`` as a new, writeable 1-D array with one entry per feature.

    For per-feature inputs such as ``penalty_factor`` and ``coef_init``:
    raises ValueError naming ``name`` when the length is not ``n_features``
    or, with ``nonnegative``, when an entry is negative.
    """
    arr = as_float_array(values, name, dtype=dtype, min_ndim=1, max_ndim=1)
    if arr.shape[0] != n_features:
        raise ValueError(f"{name} has {arr.shape[0]} entries but X has {n_features} features")
    if nonnegative and (arr < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return np.array(arr, dtype=dtype)


def _to_float_dtype(arr, name, dtype):
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers (float32, float64, integer or bool), "
            f"got dtype {arr.dtype}"
        )
    if dtype is not None:
        return arr if arr.dtype == dtype else arr.astype(dtype)
    if arr.dtype in FLOAT_DTYPES:
        return arr
    target = np.float32 if arr.dtype == np.float16 else np.float64
    return arr.astype(target)


def check_finite(arr, name):
    """Raise ValueError when ``arr`` holds NaN or infinity."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()  # no temporary; finite sum implies finite entries
    if not np.isfinite(total) and not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} contains {bad}; all values must be finite")


def check_scalar(value, name, *, lo=None, hi=None, lo_open=False, hi_open=False,
                 allow_inf=False, integer=False):
    """Validate a real scalar against the interval [lo, hi] and return it.

    ``lo_open``/``hi_open`` make that end of the interval exclusive. NaN is
    always refused; infinity only when ``allow_inf`` is False.
    """
    # a plain float (the usual hyperparameter) skips the abstract-type checks,
    # which were most of the cost of a call (0.6 us) in per-step kernels
    if type(value) is not float and (isinstance(value, (bool, np.bool_))
                                     or not isinstance(value, numbers.Real)):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            kind = "an integer" if integer else "a real number"
            raise TypeError(f"{name} must be {kind}, got {type(value).__name__}")
    if integer:
        if not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
        value = int(value)
    else:
        value = float(value)
        if value != value:
            raise ValueError(f"{name} must not be NaN")
        if not allow_inf and value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} must be finite, got {value}")
    _check_interval(value, name, lo, hi, lo_open, hi_open)
    return value


def check_bool(value, name):
    """``value`` as a bool; a TypeError naming ``name`` unless it is a Python
    or NumPy bool (a string such as "no" or a 0/1 would otherwise be taken
    for its truth value)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


def _check_interval(value, name, lo, hi, lo_open, hi_open):
    too_low = lo is not None and (value <= lo if lo_open else value < lo)
    too_high = hi is not None and (value >= hi if hi_open else value > hi)
    if too_low or too_high:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        lo_txt = "-inf" if lo is None else repr(lo)
        hi_txt = "inf" if hi is None else repr(hi)
        raise ValueError(f"{name} must be in {left}{lo_txt}, {hi_txt}{right}, got {value!r}")


def check_out(out, shape, dtype, name="out"):
    """Check a user-supplied output array: ndarray, shape, dtype, writeable."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"{name} has shape {out.shape}, expected {tuple(shape)}")
    if out.dtype != dtype:
        raise TypeError(f"{name} has dtype {out.dtype}, expected {np.dtype(dtype)}")
    if not out.flags.writeable:
        raise ValueError(f"{name} is read-only; an output array must be writeable")
    return out


def check_writeable(arr, name):
    """Raise ValueError when an array that is updated in place is read-only."""
    if not arr.flags.writeable:
        raise ValueError(f"{name} is read-only; it is updated in place and must be writeable")
    return arr


def check_random_state(rng, name="rng"):
    """Turn None, an int seed or a numpy.random.Generator into a Generator."""
    if rng is None or isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, bool):
        if rng is not None and rng < 0:
            raise ValueError(f"{name} seed must be non-negative, got {rng}")
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"{name} must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
    )


def memory_order(arr):
    """'C' or 'F' when ``arr`` is contiguous in that order (C preferred), else None."""
    if arr.flags.c_contiguous:
        return "C"
    if arr.flags.f_contiguous:
        return "F"
    return None


def flat_view(arr, order):
    """A 1-D view of a contiguous array in its memory order (no copy)."""
    return arr if arr.ndim == 1 else arr.reshape(-1, order=order)


def overlaps_elsewhere(out, x):
    """True when ``out`` and ``x`` share memory other than element for element
    (``out`` is ``x``, or a view of exactly its elements): an elementwise kernel
    writing ``out`` while reading ``x`` would then read outputs back as inputs."""
    if not np.may_share_memory(out, x):
        return False
    same = (out.__array_interface__["data"][0] == x.__array_interface__["data"][0]
            and out.strides == x.strides and out.shape == x.shape)
    return not same


def without_duplicates(X):
    """A scipy.sparse compressed matrix with no repeated (row, column) entry: ``X``
    itself when canonical, else a copy with the repeats summed. The kernels
    square stored entries one by one, so a pair a, b at one position would
    count as a^2 + b^2 instead of (a + b)^2."""
    if X.has_canonical_format:
        return X
    X = X.copy()
    X.sum_duplicates()
    return X
