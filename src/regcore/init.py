"""Weight initializers with PyTorch's formulas, seeded and NumPy-native.

Each initializer comes in two forms: ``xavier_uniform_(w)`` fills an existing
array in place (trailing underscore, as in ``torch.nn.init``) and
``xavier_uniform(shape)`` returns a new array. The shape-returning forms
default to ``dtype=np.float32``, the usual dtype of network weights; pass
``dtype=np.float64`` for double precision. Both forms draw the same numbers
for the same seed, shape and dtype.

Weights are laid out as in PyTorch: a dense weight is ``(out_features,
in_features)`` and a convolution weight ``(out_channels, in_channels,
*kernel_size)``, so ``fan_in = shape[1] * prod(shape[2:])`` and ``fan_out =
shape[0] * prod(shape[2:])`` (see :func:`calculate_fans`).

Every function that draws random numbers takes ``rng``: None (fresh
entropy), an int seed or a ``numpy.random.Generator``; global NumPy random
state is never used.
"""

import math
import numbers
import sys
import warnings

import numpy as np

from ._validation import check_random_state, check_scalar, check_writeable

__all__ = [
    "calculate_gain",
    "calculate_fans",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
]

_LINEAR = (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid",
)
_NONLINEARITIES = _LINEAR + ("tanh", "relu", "leaky_relu", "selu")
_MODES = ("fan_in", "fan_out")


def calculate_gain(nonlinearity, param=None):
    """Recommended scale of the weights for a nonlinearity (PyTorch's table).

    ===================  ===================================
    nonlinearity         gain
    ===================  ===================================
    linear, conv*,       1
    conv_transpose*,
    sigmoid
    tanh                 5/3
    relu                 sqrt(2)
    leaky_relu           sqrt(2 / (1 + negative_slope**2))
    selu                 3/4
    ===================  ===================================

    Parameters
    ----------
    nonlinearity : str
        One of the names above.
    param : float, optional
        The negative slope of ``leaky_relu`` (default 0.01); ignored by the
        other nonlinearities.

    Returns
    -------
    float

    Examples
    --------
    >>> from regcore.init import calculate_gain
    >>> calculate_gain("tanh")
    1.6666666666666667
    """
    if nonlinearity not in _NONLINEARITIES:
        raise ValueError(
            f"nonlinearity must be one of {list(_NONLINEARITIES)}, got {nonlinearity!r}"
        )
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4.0
    slope = 0.01 if param is None else check_scalar(param, "param")
    return math.sqrt(2.0 / (1.0 + slope ** 2))


def calculate_fans(shape):
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``.

    ``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``: the
    number of inputs feeding one output unit and of outputs fed by one input.

    Parameters
    ----------
    shape : tuple of int
        At least two dimensions.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> from regcore.init import calculate_fans
    >>> calculate_fans((64, 3, 5, 5))
    (75, 1600)
    """
    shape = _check_shape(shape)
    if len(shape) < 2:
        raise ValueError(
            f"fans need a weight with at least 2 dimensions (out, in, *kernel), got shape {shape}"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _check_shape(shape):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    if isinstance(shape, np.ndarray) and (shape.ndim != 1 or shape.dtype.kind not in "iu"):
        # most likely a weight passed for its shape: its repr would flood the message
        raise TypeError(f"shape must be a tuple of ints, got an array of shape {shape.shape} "
                        f"and dtype {shape.dtype} (pass its .shape)")
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints, got {type(shape).__name__}") from None
    for n in shape:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
            raise TypeError(f"shape must be a tuple of ints, got {shape!r}")
        if n < 0:
            raise ValueError(f"shape must not have negative sizes, got {shape!r}")
    return tuple(int(n) for n in shape)


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return mode


def _warn_empty(shape):
    # a zero fan means a zero-element weight: nothing to fill (PyTorch's
    # convention, which warns likewise), whichever dimension is 0; the
    # warning names the caller's line, past this module's own frames
    level, frame = 1, sys._getframe(0)
    while frame is not None and frame.f_code.co_filename == __file__:
        level, frame = level + 1, frame.f_back
    warnings.warn(f"initializing a weight with no elements (shape {tuple(shape)}) is a no-op",
                  UserWarning, stacklevel=level)
    return 0.0


def _xavier_std(shape, gain):
    gain = check_scalar(gain, "gain", lo=0.0)
    fan_in, fan_out = calculate_fans(shape)
    if fan_in == 0 or fan_out == 0:
        return _warn_empty(shape)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def _kaiming_std(shape, a, mode, nonlinearity):
    a = check_scalar(a, "a")
    fan_in, fan_out = calculate_fans(shape)
    fan = fan_in if _check_mode(mode) == "fan_in" else fan_out
    gain = calculate_gain(nonlinearity, a)
    if fan_in == 0 or fan_out == 0:
        return _warn_empty(shape)
    return gain / math.sqrt(fan)


def _check_tensor(tensor, name="tensor"):
    if not isinstance(tensor, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(tensor).__name__}")
    if tensor.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must have dtype float32 or float64, got {tensor.dtype}")
    return check_writeable(tensor, name)


def _fill_target(tensor):
    """``tensor`` when a Generator can draw into it directly (C-contiguous and
    aligned), else a new C-contiguous array of its shape and dtype."""
    if tensor.flags.c_contiguous and tensor.flags.aligned:
        return tensor
    return np.empty(tensor.shape, tensor.dtype)


def _fill_uniform(tensor, bound, rng):
    """tensor[...] = U(-bound, bound) drawn in tensor's dtype, in place."""
    gen = check_random_state(rng)
    work = _fill_target(tensor)
    gen.random(out=work, dtype=work.dtype)
    work *= 2 * bound
    work -= bound
    if work is not tensor:
        np.copyto(tensor, work)
    return tensor


def _fill_normal(tensor, std, rng):
    """tensor[...] = N(0, std**2) drawn in tensor's dtype, in place."""
    gen = check_random_state(rng)
    work = _fill_target(tensor)
    gen.standard_normal(out=work, dtype=work.dtype)
    work *= std
    if work is not tensor:
        np.copyto(tensor, work)
    return tensor


def _new(shape, dtype):
    shape = _check_shape(shape)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
    return np.empty(shape, dtype=dtype)


def xavier_uniform_(tensor, gain=1.0, *, rng=None):
    """Fill ``tensor`` in place with Glorot/Xavier uniform values.

    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks": ``U(-a, a)`` with
    ``a = gain * sqrt(6 / (fan_in + fan_out))``, i.e. standard deviation
    ``gain * sqrt(2 / (fan_in + fan_out))``.

    Parameters
    ----------
    tensor : ndarray
        Writeable float32/float64 array with at least 2 dimensions.
    gain : float, default 1.0
        Scale, >= 0 (see :func:`calculate_gain`).
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray
        ``tensor``.
    """
    _check_tensor(tensor)
    std = _xavier_std(tensor.shape, gain)
    return _fill_uniform(tensor, math.sqrt(3.0) * std, rng)


def xavier_normal_(tensor, gain=1.0, *, rng=None):
    """Fill ``tensor`` in place with Glorot/Xavier normal values.

    Glorot & Bengio (2010): ``N(0, std**2)`` with
    ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Parameters
    ----------
    tensor : ndarray
        Writeable float32/float64 array with at least 2 dimensions.
    gain : float, default 1.0
        Scale, >= 0.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray
        ``tensor``.
    """
    _check_tensor(tensor)
    return _fill_normal(tensor, _xavier_std(tensor.shape, gain), rng)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng=None):
    """Fill ``tensor`` in place with He/Kaiming uniform values.

    He et al. (2015), "Delving deep into rectifiers": ``U(-b, b)`` with
    ``b = gain * sqrt(3 / fan)``, i.e. standard deviation ``gain / sqrt(fan)``,
    where ``fan`` is fan_in (preserves the variance of activations in the
    forward pass) or fan_out (of gradients in the backward pass) and
    ``gain = calculate_gain(nonlinearity, a)``.

    Parameters
    ----------
    tensor : ndarray
        Writeable float32/float64 array with at least 2 dimensions.
    a : float, default 0
        Negative slope of the rectifier (used with ``leaky_relu``).
    mode : {"fan_in", "fan_out"}, default "fan_in"
    nonlinearity : str, default "leaky_relu"
        Name accepted by :func:`calculate_gain`; ``"relu"`` or
        ``"leaky_relu"`` are the intended ones.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray
        ``tensor``.
    """
    _check_tensor(tensor)
    std = _kaiming_std(tensor.shape, a, mode, nonlinearity)
    return _fill_uniform(tensor, math.sqrt(3.0) * std, rng)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng=None):
    """Fill ``tensor`` in place with He/Kaiming normal values.

    He et al. (2015): ``N(0, std**2)`` with ``std = gain / sqrt(fan)``,
    ``gain = calculate_gain(nonlinearity, a)`` (see :func:`kaiming_uniform_`).

    Parameters
    ----------
    tensor : ndarray
        Writeable float32/float64 array with at least 2 dimensions.
    a : float, default 0
        Negative slope of the rectifier (used with ``leaky_relu``).
    mode : {"fan_in", "fan_out"}, default "fan_in"
    nonlinearity : str, default "leaky_relu"
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray
        ``tensor``.
    """
    _check_tensor(tensor)
    return _fill_normal(tensor, _kaiming_std(tensor.shape, a, mode, nonlinearity), rng)


def xavier_uniform(shape, gain=1.0, *, dtype=np.float32, rng=None):
    """New array of ``shape`` filled by :func:`xavier_uniform_` (default float32).

    Examples
    --------
    >>> from regcore.init import xavier_uniform
    >>> w = xavier_uniform((256, 128), rng=0)
    >>> w.dtype, bool(abs(w).max() <= (6 / (256 + 128)) ** 0.5)
    (dtype('float32'), True)
    """
    return xavier_uniform_(_new(shape, dtype), gain, rng=rng)


def xavier_normal(shape, gain=1.0, *, dtype=np.float32, rng=None):
    """New array of ``shape`` filled by :func:`xavier_normal_` (default float32)."""
    return xavier_normal_(_new(shape, dtype), gain, rng=rng)


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *,
                    dtype=np.float32, rng=None):
    """New array of ``shape`` filled by :func:`kaiming_uniform_` (default float32)."""
    return kaiming_uniform_(_new(shape, dtype), a, mode, nonlinearity, rng=rng)


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *,
                   dtype=np.float32, rng=None):
    """New array of ``shape`` filled by :func:`kaiming_normal_` (default float32)."""
    return kaiming_normal_(_new(shape, dtype), a, mode, nonlinearity, rng=rng)
