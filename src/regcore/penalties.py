"""Proximal operators of the separable penalties regcore uses."""

import numpy as np

from . import _kernels
from ._validation import (as_float_array, check_out, check_scalar, flat_view, memory_order,
                          overlaps_elsewhere)

__all__ = ["soft_threshold"]


def soft_threshold(x, t, out=None):
    """Soft-thresholding, the proximal operator of ``t * ||x||_1``.

    Computes ``sign(x) * max(|x| - t, 0)`` elementwise in the compiled core.

    Parameters
    ----------
    x : array_like
        Input of any shape. float32 and float64 are kept; integer and bool
        input is converted to float64 and float16 to float32. Read-only and
        non-contiguous arrays are accepted (a non-contiguous one is copied).
        NaN entries propagate to the output; infinities are allowed; an
        empty array gives an empty result. Zeros in the result are +0.
    t : float
        Threshold, ``t >= 0`` (``inf`` allowed, giving all zeros for finite
        ``x``). NaN or a negative value raises ValueError.
    out : ndarray, optional
        Array to write into, with the shape and (converted) dtype of ``x``.
        May be ``x`` itself for an in-place update.

    Returns
    -------
    ndarray
        ``out`` if given, else a new array with the memory layout of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore import soft_threshold
    >>> soft_threshold(np.array([-3.0, -0.5, 0.0, 2.0]), 1.0)
    array([-2.,  0.,  0.,  1.])
    """
    x = as_float_array(x, "x", ensure_finite=False, allow_empty=True)
    t = check_scalar(t, "t", lo=0.0, allow_inf=True)
    if out is not None:
        check_out(out, x.shape, x.dtype)
    order = memory_order(x)
    if order is None:
        x = np.ascontiguousarray(x)
        order = "C"
    if out is None:
        result = np.empty_like(x, order=order)
    else:
        result = out
    if not _same_flat_order(result, order) or overlaps_elsewhere(result, x):
        # the kernel reads each input once and writes it back in place: an out
        # offset into x would read outputs back as inputs
        target = np.empty_like(x, order=order)
        _soft_threshold_flat(x, t, target, order)
        np.copyto(result, target)
    else:
        _soft_threshold_flat(x, t, result, order)
    return result


_LARGEST = {np.dtype(np.float32): float(np.finfo(np.float32).max),
            np.dtype(np.float64): float(np.finfo(np.float64).max)}


def _threshold(t, dtype):
    """t in x's dtype; a threshold above its largest finite value is infinite
    (the same zeros, without NumPy's overflow warning on the cast)."""
    return dtype.type(t) if t <= _LARGEST[dtype] else dtype.type(np.inf)


def _same_flat_order(arr, order):
    return arr.flags.c_contiguous if order == "C" else arr.flags.f_contiguous


def _soft_threshold_flat(x, t, out, order):
    _kernels.soft_threshold_contiguous(flat_view(x, order), _threshold(t, x.dtype),
                                       flat_view(out, order))
