"""Dropout for NumPy training loops: inverted, channel-wise and alpha dropout.

Randomness comes from Philox4x32-10, a counter-based generator (Salmon et al.,
"Parallel random numbers: as easy as 1, 2, 3", SC'11; it passes TestU01's
BigCrush): the random word of element ``i`` is a pure function of
``(seed, stream, i)``. Hence

* the same seed gives the same mask whatever the number of threads, the
  chunking of the work or the SIMD level of the CPU;
* the mask of the first ``k`` elements (flat C order) does not depend on the
  size of the array;
* a backward pass can regenerate the mask from its :class:`DropoutKey`
  instead of storing it.

Element ``i`` is kept iff its 32-bit word ``u >= round(p * 2**32)`` (the
threshold is capped at ``2**32 - 1``), so the keep probability is
``1 - p`` to within ``2**-32``. Kept values are multiplied by
``scale = 1 / (1 - p)`` computed in float64 and rounded to the array's dtype
(so ``x * scale``, not ``x / (1 - p)``); dropped values are exactly ``+0.0``,
even where ``x`` is NaN or infinite.

The pure-NumPy twin in ``regcore._reference`` implements the same generator
and is checked bit for bit against the compiled kernels.
"""

import numbers
import operator
from typing import NamedTuple

import numpy as np

from . import _kernels
from ._validation import as_float_array, check_out, check_scalar, overlaps_elsewhere
from ._validation import check_bool as _check_bool

__all__ = ["AlphaDropoutMask", "Dropout", "DropoutKey", "DropoutMask", "alpha_dropout",
           "alpha_dropout_backward", "dropout", "dropout_backward"]

_SEED_LIMIT = 2**64
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


class DropoutKey(NamedTuple):
    """What a mask is generated from: the Philox ``seed`` and a counter ``stream``.

    ``dropout`` uses stream 0; the :class:`Dropout` layer uses its forward-call
    number, so each call gets a fresh mask from one seed.
    """

    seed: int
    stream: int = 0


class DropoutMask:
    """A dropout keep-mask stored bit-packed (one bit per element).

    Attributes
    ----------
    packed : ndarray of uint8
        ``np.packbits(keep.ravel(), bitorder="little")`` of the C-order mask
        (bit ``i % 8`` of byte ``i // 8`` is element ``i``; 1 = kept).
    shape : tuple of int
        Shape of the mask: the input's shape, or ``noise_shape`` when given.
    p : float
        Drop probability the mask was drawn with (0.0 for the identity
        masks of ``training=False`` and ``p = 0``).
    key : DropoutKey or None
        The key that regenerates the mask (None for identity masks).
    """

    __slots__ = ("packed", "shape", "p", "key")

    def __init__(self, packed, shape, p, key):
        self.shape = _check_shape(shape, "shape")
        packed = np.asarray(packed)
        if packed.dtype != np.uint8 or packed.ndim != 1:
            raise TypeError(f"packed must be a 1-D uint8 array, got dtype {packed.dtype} "
                            f"and shape {packed.shape}")
        if packed.size < -(-self.size // 8):
            raise ValueError(f"packed has {packed.size} bytes; a mask of shape {self.shape} "
                             f"needs {-(-self.size // 8)} (one bit per element)")
        self.packed = np.ascontiguousarray(packed)
        self.p = check_scalar(p, "p", lo=0.0, hi=1.0, hi_open=True)
        if key is not None and not isinstance(key, DropoutKey):
            raise TypeError(f"key must be a DropoutKey or None, got {type(key).__name__}")
        self.key = key

    @property
    def size(self):
        """Number of elements of the mask."""
        return int(np.prod(self.shape, dtype=np.int64))

    def to_bool(self):
        """Return the mask as a boolean array of ``shape`` (True = kept)."""
        bits = np.unpackbits(self.packed, count=self.size, bitorder="little")
        return bits.view(bool).reshape(self.shape)

    def __array__(self, dtype=None, copy=None):
        mask = self.to_bool()
        return mask if dtype is None else mask.astype(dtype)

    def __repr__(self):
        return f"{type(self).__name__}(shape={self.shape}, p={self.p}, key={self.key})"


class AlphaDropoutMask(DropoutMask):
    """The mask of :func:`alpha_dropout` (same bits and fields as a
    :class:`DropoutMask`). Its gradient is :func:`alpha_dropout_backward`'s,
    ``grad * a`` on kept elements: :func:`dropout_backward` refuses it, since
    its ``grad / (1 - p)`` would be silently wrong."""

    __slots__ = ()


def dropout(x, p, *, rng=None, training=True, out=None, return_mask=False, noise_shape=None):
    """Inverted dropout: zero each element with probability ``p``, scale the rest.

    Computes ``where(keep, x * scale, 0)`` with ``scale = 1 / (1 - p)`` in
    the compiled core, multithreaded, from a counter-based generator (see the
    module docstring for the exact rule). ``p = 0`` and ``training=False`` are
    exact identities: ``x`` itself is returned (or copied into ``out``).

    Parameters
    ----------
    x : array_like
        Input of any shape. float32 and float64 are kept; integer and bool
        input is converted to float64 (and float16 to float32), so it cannot
        be updated in place. Non-contiguous input is copied once; NaN and inf
        pass through kept elements.
    p : float
        Drop probability, ``0 <= p < 1``.
    rng : None, int or numpy.random.Generator, optional
        Source of the 64-bit key: an int in ``[0, 2**64)`` is the key itself;
        a Generator gives one draw; None draws fresh OS entropy.
    training : bool, default True
        When False, return the input unchanged.
    out : ndarray, optional
        Output with the shape and (converted) dtype of ``x``; may be ``x``
        itself for an in-place update.
    return_mask : bool, default False
        Also return the :class:`DropoutMask`.
    noise_shape : tuple of int, optional
        Shape of the mask, broadcast against ``x``: each entry is 1 or the
        size of that dimension of ``x``; e.g. ``(N, C, 1, 1)`` drops whole
        channels of an ``(N, C, H, W)`` input (spatial dropout).

    Returns
    -------
    result : ndarray
        ``out`` if given; else a new C-contiguous array (or ``x`` for the
        identities).
    mask : DropoutMask
        Only with ``return_mask=True``.

    Examples
    --------
    >>> import numpy as np
    >>> import regcore
    >>> y = regcore.dropout(np.ones(8, dtype=np.float32), 0.5, rng=0)
    >>> set(y.tolist()) <= {0.0, 2.0}
    True
    """
    x = as_float_array(x, "x", ensure_finite=False, allow_empty=True)
    p = _check_p(p)
    _check_bool(training, "training")
    _check_bool(return_mask, "return_mask")
    if out is not None:
        check_out(out, x.shape, x.dtype)
    mask_shape = x.shape if noise_shape is None else _check_noise_shape(noise_shape, x.shape)
    if not training or p == 0.0:
        _seed_from(rng, "rng", draw=False)
        result = _identity(x, out)
        return (result, _identity_mask(mask_shape)) if return_mask else result
    key = DropoutKey(_seed_from(rng, "rng"), 0)
    result, mask = _apply(x, p, key, out, mask_shape, return_mask)
    return (result, mask) if return_mask else result


def dropout_backward(grad, mask, p=None, *, noise_shape=None, out=None):
    """Gradient of :func:`dropout`: ``grad * mask * scale`` with the forward's rounding.

    Parameters
    ----------
    grad : array_like
        Gradient with respect to the dropout output (converted like ``x``
        in :func:`dropout`).
    mask : DropoutMask, DropoutKey, (seed, stream) tuple or int seed
        A stored mask (its ``p`` is used), or the key of the forward pass,
        from which the mask is regenerated (then ``p`` is required, and
        ``noise_shape`` if the forward used one).
    p : float, optional
        Drop probability; must equal ``mask.p`` when ``mask`` is a DropoutMask.
    noise_shape : tuple of int, optional
        The forward's ``noise_shape``, when ``mask`` is a key.
    out : ndarray, optional
        Output array (may be ``grad`` itself).

    Returns
    -------
    ndarray
        ``out`` if given, else a new array (``grad`` itself for identity masks).
    """
    grad = as_float_array(grad, "grad", ensure_finite=False, allow_empty=True)
    if out is not None:
        check_out(out, grad.shape, grad.dtype)
    if isinstance(mask, AlphaDropoutMask):
        raise TypeError("mask comes from alpha_dropout, whose gradient is "
                        "alpha_dropout_backward(grad, mask), not dropout_backward's")
    if isinstance(mask, DropoutMask):
        p = _check_mask_p(mask, p)
        _check_noise_shape(mask.shape, grad.shape, name="mask.shape", what="grad")
        if p == 0.0:
            return _identity(grad, out)
        return _apply_stored(grad, mask, out, 1.0 / (1.0 - p))
    key = _key_from(mask)
    if p is None:
        raise TypeError("p is required when mask is a key rather than a DropoutMask")
    p = _check_p(p)
    mask_shape = grad.shape if noise_shape is None else _check_noise_shape(noise_shape, grad.shape,
                                                                             what="grad")
    if p == 0.0:
        return _identity(grad, out)
    result, _ = _apply(grad, p, key, out, mask_shape, False)
    return result


def alpha_dropout(x, p, *, rng=None, training=True, out=None, return_mask=False):
    """Alpha dropout for self-normalizing (SELU) networks (Klambauer et al. 2017).

    Dropped units are set to SELU's negative saturation ``a' = -lambda *
    alpha`` and the result is mapped affinely so that inputs with mean 0 and
    variance 1 keep them: ``a * (x * mask + a' * (1 - mask)) + b`` with
    ``q = 1 - p``, ``a = (q + a'**2 q (1 - q))**-0.5`` and
    ``b = -a (1 - q) a'``. Kept elements are computed as ``x * a + b`` in the
    array's dtype (a and b rounded to it); dropped ones equal ``a * a' + b``
    rounded to the dtype. The mask is the one :func:`dropout` would draw from
    the same ``rng`` and ``p``.

    Parameters
    ----------
    x : array_like
        Input of any shape (converted like in :func:`dropout`).
    p : float
        Drop probability, ``0 <= p < 1``.
    rng : None, int or numpy.random.Generator, optional
        Key source, as in :func:`dropout`.
    training : bool, default True
        When False (or when ``p = 0``), return the input unchanged.
    out : ndarray, optional
        Output array (may be ``x`` itself).
    return_mask : bool, default False
        Also return the :class:`AlphaDropoutMask`, for
        :func:`alpha_dropout_backward`.

    Returns
    -------
    result : ndarray
    mask : AlphaDropoutMask
        Only with ``return_mask=True``.
    """
    x = as_float_array(x, "x", ensure_finite=False, allow_empty=True)
    p = _check_p(p)
    _check_bool(training, "training")
    _check_bool(return_mask, "return_mask")
    if out is not None:
        check_out(out, x.shape, x.dtype)
    if not training or p == 0.0:
        _seed_from(rng, "rng", draw=False)
        result = _identity(x, out)
        return (result, _as_alpha(_identity_mask(x.shape))) if return_mask else result
    mask = _as_alpha(_draw_mask(x.shape, p, DropoutKey(_seed_from(rng, "rng"), 0)))
    a, b, a_prime = alpha_dropout_coefficients(p)
    dtype = x.dtype.type
    result = out if out is not None else np.empty(x.shape, dtype=x.dtype)
    np.multiply(x, dtype(a), out=result)
    np.add(result, dtype(b), out=result)
    np.copyto(result, dtype(a * a_prime + b), where=~mask.to_bool())
    return (result, mask) if return_mask else result


def alpha_dropout_backward(grad, mask, *, out=None):
    """Gradient of :func:`alpha_dropout`: ``grad * a`` where the mask kept the
    element, 0 where it dropped it (dropped outputs are constant), with ``a``
    from :func:`alpha_dropout_coefficients` rounded to the array's dtype.

    Parameters
    ----------
    grad : array_like
        Gradient with respect to the alpha-dropout output.
    mask : AlphaDropoutMask
        The mask ``alpha_dropout(..., return_mask=True)`` returned.
    out : ndarray, optional
        As in :func:`dropout_backward`.

    Returns
    -------
    ndarray
        As in :func:`dropout_backward`.
    """
    grad = as_float_array(grad, "grad", ensure_finite=False, allow_empty=True)
    if not isinstance(mask, AlphaDropoutMask):
        raise TypeError(f"mask must be the AlphaDropoutMask of alpha_dropout, got "
                        f"{type(mask).__name__}")
    if mask.shape != grad.shape:
        raise ValueError(f"mask.shape {mask.shape} does not match grad's shape {grad.shape}")
    if out is not None:
        check_out(out, grad.shape, grad.dtype)
    if mask.p == 0.0:
        return _identity(grad, out)
    return _apply_stored(grad, mask, out, alpha_dropout_coefficients(mask.p)[0])


def _as_alpha(mask):
    return AlphaDropoutMask(mask.packed, mask.shape, mask.p, mask.key)


def alpha_dropout_coefficients(p):
    """Return ``(a, b, a')`` of alpha dropout for drop probability ``p`` (float64)."""
    a_prime = -SELU_LAMBDA * SELU_ALPHA
    q = 1.0 - p
    a = (q + a_prime * a_prime * q * (1.0 - q)) ** -0.5
    b = -a * (1.0 - q) * a_prime
    return a, b, a_prime


class Dropout:
    """Dropout layer that keeps only a key between forward and backward.

    Each training ``forward`` uses the key ``(seed, n)`` where ``n`` counts
    the training forwards made so far, so a seeded layer replays the same
    sequence of masks. ``backward`` regenerates the last forward's mask from
    that key: nothing of the size of the input is stored.

    Parameters
    ----------
    p : float, default 0.5
        Drop probability, ``0 <= p < 1``.
    seed : None, int or numpy.random.Generator, optional
        The layer's 64-bit Philox key (None: fresh OS entropy).

    Attributes
    ----------
    seed : int
    calls : int
        Number of training forwards so far (the next stream number).
    last_key : DropoutKey or None
        Key of the last forward (None if it was an identity).

    Examples
    --------
    >>> import numpy as np
    >>> import regcore
    >>> layer = regcore.Dropout(0.5, seed=0)
    >>> y = layer.forward(np.ones((2, 3)))
    >>> g = layer.backward(np.ones((2, 3)))
    >>> bool(np.array_equal(g, y))
    True
    """

    def __init__(self, p=0.5, seed=None):
        self.p = _check_p(p)
        self.seed = _seed_from(seed, "seed")
        self.calls = 0
        self.last_key = None
        self._last_shape = None

    def forward(self, x, training=True, out=None):
        """Apply dropout to ``x`` (identity when ``training`` is False)."""
        x = as_float_array(x, "x", ensure_finite=False, allow_empty=True)
        _check_bool(training, "training")
        if out is not None:
            check_out(out, x.shape, x.dtype)
        self._last_shape = x.shape
        if not training or self.p == 0.0:
            self.last_key = None
            return _identity(x, out)
        self.last_key = DropoutKey(self.seed, self.calls)
        self.calls += 1
        result, _ = _apply(x, self.p, self.last_key, out, x.shape, False)
        return result

    __call__ = forward

    def backward(self, grad, out=None):
        """Gradient through the last forward: ``grad * mask * scale``, mask regenerated."""
        if self._last_shape is None:
            raise RuntimeError("Dropout.backward called before forward")
        grad = as_float_array(grad, "grad", ensure_finite=False, allow_empty=True)
        if grad.shape != self._last_shape:
            raise ValueError(
                f"grad has shape {grad.shape}, expected {self._last_shape} "
                "(the shape of the last forward input)"
            )
        if out is not None:
            check_out(out, grad.shape, grad.dtype)
        if self.last_key is None:
            return _identity(grad, out)
        result, _ = _apply(grad, self.p, self.last_key, out, grad.shape, False)
        return result

    def __repr__(self):
        return f"Dropout(p={self.p}, seed={self.seed})"


# --- helpers -------------------------------------------------------------------

def _check_p(p):
    return check_scalar(p, "p", lo=0.0, hi=1.0, hi_open=True)


def _threshold(p):
    """keep iff word >= round(p * 2**32); capped so that a word can pass."""
    return min(round(p * 2**32), 2**32 - 1)


def _seed_from(rng, name, draw=True):
    """The 64-bit key from None (OS entropy), an int seed or a Generator (one draw)."""
    if isinstance(rng, (bool, np.bool_)):
        raise TypeError(f"{name} must be None, an int seed or a numpy.random.Generator, got bool")
    if isinstance(rng, (numbers.Integral, np.integer)):
        if not 0 <= int(rng) < _SEED_LIMIT:
            raise ValueError(f"{name} must be None, a Generator or an int in [0, 2**64), got {rng}")
        return int(rng)
    if rng is None or isinstance(rng, np.random.Generator):
        if not draw:
            return None
        gen = np.random.default_rng() if rng is None else rng
        return int(gen.integers(0, _SEED_LIMIT, dtype=np.uint64))
    raise TypeError(
        f"{name} must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
    )


def _key_from(key):
    if isinstance(key, tuple) and len(key) == 2:  # DropoutKey or (seed, stream)
        seed = _seed_from(key[0], "mask seed")
        stream = key[1]
        if isinstance(stream, (bool, np.bool_)) or not isinstance(stream, (numbers.Integral, np.integer)) \
                or not 0 <= int(stream) < _SEED_LIMIT:
            raise ValueError(f"mask stream must be an int in [0, 2**64), got {stream!r}")
        return DropoutKey(seed, int(stream))
    if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return DropoutKey(_seed_from(key, "mask seed"), 0)
    raise TypeError(
        "mask must be a DropoutMask, a DropoutKey, a (seed, stream) tuple or an int seed, "
        f"got {type(key).__name__}"
    )


def _check_mask_p(mask, p):
    if p is None:
        return mask.p
    p = _check_p(p)
    if p != mask.p:
        raise ValueError(f"p={p} differs from the mask's p={mask.p}")
    return p


def _check_shape(shape, name):
    """A tuple of non-negative ints (floats such as 4.7 are refused, not truncated)."""
    try:
        dims = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError(f"{name} must be a tuple of ints, got {shape!r}") from None
    if any(n < 0 for n in dims):
        raise ValueError(f"{name} must not hold negative sizes, got {dims}")
    return dims


def _check_noise_shape(noise_shape, shape, name="noise_shape", what="x"):
    noise = _check_shape(noise_shape, name)
    if len(noise) != len(shape) or any(n not in (1, s) for n, s in zip(noise, shape)):
        raise ValueError(
            f"{name} {noise} does not fit {what} of shape {tuple(shape)}: it needs one entry "
            f"per dimension, each 1 or equal to {what}'s size there"
        )
    return noise


def _identity(x, out):
    if out is None or out is x:
        return x if out is None else out
    np.copyto(out, x)
    return out


def _identity_mask(shape):
    size = int(np.prod(shape, dtype=np.int64))
    return DropoutMask(np.packbits(np.ones(size, dtype=bool), bitorder="little"), shape, 0.0, None)


def _draw_mask(shape, p, key):
    size = int(np.prod(shape, dtype=np.int64))
    packed = np.empty((size + 7) // 8, dtype=np.uint8)
    _kernels.dropout_mask_bits(size, key.seed, key.stream, _threshold(p), packed)
    return DropoutMask(packed, shape, p, key)


def _apply(x, p, key, out, mask_shape, want_mask):
    """where(keep, x * scale, 0) into out (or a new array); returns (result, mask or None)."""
    scale = x.dtype.type(1.0 / (1.0 - p))
    if tuple(mask_shape) != x.shape:
        mask = _draw_mask(mask_shape, p, key)
        return _apply_bool(x, mask.to_bool(), scale, out), (mask if want_mask else None)
    packed = np.empty((x.size + 7) // 8, dtype=np.uint8) if want_mask else None
    thr = _threshold(p)

    def kernel(src, dst):
        _kernels.dropout_contiguous(src, dst, key.seed, key.stream, thr, scale, packed)

    result = _flat_call(x, out, kernel)
    return result, (DropoutMask(packed, x.shape, p, key) if want_mask else None)


def _apply_stored(grad, mask, out, scale):
    """where(mask, grad * scale, 0), scale rounded to grad's dtype."""
    scale = grad.dtype.type(scale)
    if mask.shape != grad.shape:
        return _apply_bool(grad, mask.to_bool(), scale, out)

    def kernel(src, dst):
        _kernels.dropout_apply_bits(src, mask.packed, dst, scale)

    return _flat_call(grad, out, kernel)


def _apply_bool(x, keep, scale, out):
    """where(keep, x * scale, 0) for a mask broadcast against x (noise_shape)."""
    result = out if out is not None else np.empty(x.shape, dtype=x.dtype)
    np.multiply(x, scale, out=result, where=keep)
    np.copyto(result, x.dtype.type(0), where=~keep)
    return result


def _flat_call(x, out, kernel):
    """Run ``kernel(src_flat, dst_flat)`` on C-contiguous buffers, copying only when needed."""
    src = np.ascontiguousarray(x)
    # the kernels allow out to hold src's very elements; any other overlap goes
    # through a temporary
    if out is not None and out.flags.c_contiguous and not overlaps_elsewhere(out, src):
        target = out
    else:
        target = np.empty(x.shape, dtype=x.dtype)
    kernel(src.reshape(-1), target.reshape(-1))
    if out is not None and target is not out:
        np.copyto(out, target)
        return out
    return target

