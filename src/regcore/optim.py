"""Fused in-place weight updates for NumPy training loops.

Functional kernels (each one pass over memory in the compiled core, GIL
released, multithreaded on large arrays; float32 and float64):

* :func:`sgd_step_` -- PyTorch's SGD (momentum, dampening, Nesterov, coupled
  L2 weight decay), optionally followed by soft-thresholding (proximal L1);
* :func:`adamw_step_` -- PyTorch's AdamW (decoupled weight decay, bias
  correction, optional AMSGrad), optionally followed by soft-thresholding;
* :func:`prox_l1_` -- proximal gradient step for an L1 penalty;
* :func:`max_norm_` -- max-norm projection of rows (or any axes) of a weight;
* :func:`clip_grad_norm_` -- global-norm gradient clipping over many arrays.

Optimizer objects :class:`SGD` and :class:`AdamW` hold the state over a list
of arrays or of PyTorch-style parameter groups.

Conventions shared by everything here:

* Parameters are updated in place, so they must be writeable float32 or
  float64 ``numpy.ndarray`` objects; gradients and state arrays must have the
  parameter's shape and dtype (no silent casts). Non-contiguous arrays work
  (through a contiguous copy that is written back).
* Everything is validated before any memory is touched: a bad gradient for
  the third parameter leaves the first two unchanged.
* An array updated in place shares no memory with any other array of the
  call: a parameter given twice, or as a view of another (a tied weight:
  give it once, with the sum of its gradients), raises ValueError.
  Disjoint views of one buffer are separate parameters; gradients may
  share memory with each other.
* NaN and infinite gradients propagate exactly as in PyTorch (the affected
  parameter entries become NaN/inf). Pass ``check_finite=True`` to raise
  ValueError instead, before any update.
* Weight decay, L1 and max-norm act on parameters with two or more
  dimensions; parameters with ``ndim <= 1`` (biases, norm scales) are
  exempt unless the group says ``regularize_1d=True``. The functional
  kernels apply what they are given to any shape.
"""

import collections
import math
import numbers

import numpy as np

from . import _kernels
from ._validation import check_finite as _check_finite_values
from ._validation import check_bool as _check_bool
from ._validation import check_scalar, check_writeable, memory_order

__all__ = [
    "SGD",
    "AdamW",
    "sgd_step_",
    "adamw_step_",
    "prox_l1_",
    "max_norm_",
    "clip_grad_norm_",
]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


# --- array checks -------------------------------------------------------------

def _check_param(param, name):
    """A parameter updated in place: writeable, non-empty float32/float64 ndarray."""
    if not isinstance(param, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray (it is updated in place), got {type(param).__name__}"
        )
    if param.dtype not in _FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {param.dtype}")
    if param.size == 0:
        raise ValueError(f"{name} is empty (shape {param.shape}); at least one element is needed")
    return check_writeable(param, name)


def _check_like(arr, param, name, param_name, *, writeable=False):
    """A gradient or state array: an ndarray with the shape and dtype of ``param``."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(arr).__name__}")
    if arr.shape != param.shape:
        raise ValueError(
            f"{name} has shape {arr.shape}, expected {param.shape} (the shape of {param_name})"
        )
    if arr.dtype != param.dtype:
        raise TypeError(
            f"{name} has dtype {arr.dtype}, expected {param.dtype} (the dtype of {param_name})"
        )
    if writeable:
        check_writeable(arr, name)
    return arr


def _check_disjoint(named_arrays):
    """Raise ValueError when two of the arrays overlap in memory."""
    items = [(name, arr) for name, arr in named_arrays if arr is not None]
    for i, (name_a, a) in enumerate(items):
        for name_b, b in items[i + 1:]:
            if np.may_share_memory(a, b) and _shares_memory(a, b):
                raise ValueError(
                    f"{name_a} and {name_b} share memory; they must be distinct arrays"
                )


# Arrays whose byte spans overlap (interleaved views of one buffer) are
# compared in pairs up to this many; a larger such cluster has its bytes
# marked instead, in time linear in its arrays rather than quadratic.
_MAX_PAIRWISE = 16


def _check_no_shared_memory(written, read=()):
    """Raise ValueError when an array of ``written`` shares memory with any
    other array of ``written`` or ``read`` (lists of ``(name, non-empty
    array)``; arrays of ``read`` may share memory with each other)."""
    items = [(order < len(written), order, name, arr)
             for order, (name, arr) in enumerate([*written, *read])]
    for cluster in _overlapping_spans(_by_first_byte(_may_share(items))):
        if len(cluster) <= _MAX_PAIRWISE:
            _check_pairs(cluster)
        else:
            _check_marked(cluster)


def _overlapping_spans(spans):
    """``spans`` (sorted by start) in runs whose spans overlap one another
    transitively; arrays of different runs cannot share memory."""
    clusters, end = [], None
    for span in spans:
        if end is None or span[0] >= end:
            clusters.append([])
            end = span[1]
        clusters[-1].append(span)
        end = max(end, span[1])
    return clusters


def _check_pairs(spans):
    """The pairwise check of a few spans sorted by start."""
    open_items = []
    for start, end, writes, order, name, arr in spans:
        open_items = [item for item in open_items if item[1] > start]
        for _, _, other_writes, other_order, other_name, other in open_items:
            if (writes or other_writes) and _shares_memory(arr, other):
                _raise_shared((order, name), (other_order, other_name))
        open_items.append((start, end, writes, order, name, arr))


def _check_marked(spans):
    """The check of many spans sorted by start, by marking the bytes each
    written array covers (a read array may cover marked bytes of no written
    one); the pairwise check names the two arrays once a conflict is seen."""
    base = spans[0][0]
    marked = np.zeros(max(span[1] for span in spans) - base, np.bool_)
    writes_first = sorted(spans, key=lambda span: not span[2])
    for index, (_, _, writes, order, name, arr) in enumerate(writes_first):
        covered = _bytes_of(marked, base, arr)
        if covered.any():
            others = [span for span in writes_first[:index] if span[2]]
            _check_pairs(sorted([*others, writes_first[index]]))
        if writes:
            covered[...] = True


def _bytes_of(marked, base, arr):
    """The view of ``marked`` (a byte map of memory from address ``base``)
    that covers the bytes of ``arr``."""
    offset = arr.__array_interface__["data"][0] - base
    return np.lib.stride_tricks.as_strided(
        marked[offset:], shape=arr.shape + (arr.itemsize,), strides=arr.strides + (1,))


def _raise_shared(a, b):
    first, second = sorted([a, b])
    raise ValueError(f"{first[1]} and {second[1]} share memory; they must be distinct arrays")


def _may_share(items):
    """The items whose array (last entry) may share memory with another's:
    those backed by the memory of one owning array, several to an owner. All
    items when some memory comes from outside NumPy (it may alias any array)."""
    owners = [_memory_owner(item[-1]) for item in items]
    if any(owner.base is not None or not owner.flags.owndata for owner in owners):
        return items
    counts = collections.Counter(map(id, owners))
    return [item for item, owner in zip(items, owners) if counts[id(owner)] > 1]


def _memory_owner(arr):
    """The array whose memory ``arr`` views (``arr`` itself if it has no ndarray base)."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _by_first_byte(items):
    """``(start, end, *item)`` for each item, sorted by ``start``: the first and
    one past the last byte address its array (last entry, non-empty) spans."""
    spans = []
    for item in items:
        arr = item[-1]
        start = end = arr.__array_interface__["data"][0]
        for size, stride in zip(arr.shape, arr.strides):
            if stride < 0:
                start += (size - 1) * stride
            else:
                end += (size - 1) * stride
        spans.append((start, end + arr.itemsize, *item))
    spans.sort(key=lambda span: span[0])
    return spans


def _shares_memory(a, b):
    try:
        return np.shares_memory(a, b, max_work=100_000)
    except np.exceptions.TooHardError:
        return True


def _check_grad_values(grad, name, check_finite):
    if check_finite:
        _check_finite_values(grad, name)


# --- flat views for the compiled kernels ----------------------------------------

def _order_of(param):
    return memory_order(param) or "C"


def _is_contiguous(arr, order):
    return arr.flags.c_contiguous if order == "C" else arr.flags.f_contiguous


def _inout(arr, order):
    """(flat view for the kernel, array to copy back into ``arr`` or None)."""
    if _is_contiguous(arr, order):
        return arr.reshape(-1, order=order), None
    work = np.array(arr, order=order, copy=True)
    return work.reshape(-1, order=order), work


def _in(arr, order):
    """Flat read-only view of ``arr`` in ``order`` (a copy only if needed)."""
    if not _is_contiguous(arr, order):
        arr = np.array(arr, order=order, copy=True)
    return arr.reshape(-1, order=order)


def _write_back(pairs):
    for target, work in pairs:
        if work is not None:
            np.copyto(target, work)


def _empty_like_flat(param):
    return np.empty(0, dtype=param.dtype)


# --- unchecked updates (callers have validated everything) -----------------------

def _sgd_update(param, grad, buf, first, lr, momentum, dampening, nesterov, weight_decay, l1):
    flags = 0
    if weight_decay != 0:
        flags |= _kernels.SGD_WEIGHT_DECAY
    if momentum != 0:
        flags |= _kernels.SGD_MOMENTUM
        flags |= _kernels.SGD_FIRST if first else 0
        flags |= _kernels.SGD_NESTEROV if nesterov else 0
    if l1 != 0:
        flags |= _kernels.SGD_L1
    order = _order_of(param)
    p_flat, p_work = _inout(param, order)
    b_flat, b_work = _inout(buf, order) if momentum != 0 else (_empty_like_flat(param), None)
    _kernels.sgd_flat(p_flat, _in(grad, order), b_flat, lr, weight_decay, momentum, dampening,
                      lr * l1, flags)
    _write_back([(param, p_work), (buf, b_work)])


def _adamw_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
                  weight_decay, amsgrad, l1):
    order = _order_of(param)
    p_flat, p_work = _inout(param, order)
    m_flat, m_work = _inout(exp_avg, order)
    v_flat, v_work = _inout(exp_avg_sq, order)
    if amsgrad:
        w_flat, w_work = _inout(max_exp_avg_sq, order)
    else:
        w_flat, w_work = _empty_like_flat(param), None
    _kernels.adamw_flat(p_flat, _in(grad, order), m_flat, v_flat, w_flat, lr, betas[0],
                        betas[1], eps, weight_decay, step, lr * l1, amsgrad, l1 != 0)
    _write_back([(param, p_work), (exp_avg, m_work), (exp_avg_sq, v_work),
                 (max_exp_avg_sq, w_work)])


def _prox_update(param, grad, lr, l1):
    order = _order_of(param)
    p_flat, p_work = _inout(param, order)
    g_flat = _empty_like_flat(param) if grad is None else _in(grad, order)
    _kernels.prox_l1_flat(p_flat, g_flat, lr, lr * l1)
    _write_back([(param, p_work)])


def _max_norm_update(param, max_norm, axes):
    if param.ndim == 0:
        param, axes = param.reshape(1), (0,)
    order = memory_order(param)
    view, view_axes = None, axes
    if order == "C":
        view = param
    elif order == "F":  # the transpose of a Fortran array is C-ordered
        view, view_axes = param.T, tuple(sorted(param.ndim - 1 - a for a in axes))
    if view is not None and view_axes == tuple(range(view_axes[0], view_axes[-1] + 1)):
        first, last = view_axes[0], view_axes[-1] + 1
        shape = view.shape
        _kernels.max_norm_3d(view.reshape(-1), math.prod(shape[:first]),
                             math.prod(shape[first:last]), math.prod(shape[last:]), max_norm)
        return
    kept = [a for a in range(param.ndim) if a not in axes]
    perm = kept + list(axes)
    work = np.ascontiguousarray(np.transpose(param, perm))
    n_kept = math.prod(param.shape[a] for a in kept)
    _kernels.max_norm_3d(work.reshape(-1), n_kept, work.size // n_kept, 1, max_norm)
    np.copyto(param, np.transpose(work, np.argsort(perm)))


def _normalize_axes(axis, ndim, name="axis"):
    """Sorted tuple of distinct non-negative axes; None = all but the first."""
    if axis is None:
        return tuple(range(1, ndim)) if ndim > 1 else (0,)
    items = (axis,) if isinstance(axis, numbers.Integral) else axis
    try:
        items = tuple(items)
    except TypeError:
        raise TypeError(
            f"{name} must be None, an int or a tuple of ints, got {type(axis).__name__}"
        ) from None
    if not items:
        raise ValueError(f"{name} must name at least one axis")
    out = []
    for a in items:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral):
            raise TypeError(f"{name} must be None, an int or a tuple of ints, got {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"{name} {a} is out of bounds for an array of dimension {ndim}")
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{name} contains a repeated axis: {axis!r}")
    return tuple(sorted(out))


# --- hyperparameter checks -----------------------------------------------------

def _check_lr(value, name="lr"):
    return check_scalar(value, name, lo=0.0)


def _check_nonneg(value, name):
    return check_scalar(value, name, lo=0.0)


def _check_max_norm(value, name="max_norm"):
    if value is None:
        return None
    return check_scalar(value, name, lo=0.0, lo_open=True)


def _check_betas(betas, name="betas"):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name} must be a pair (beta1, beta2), got {betas!r}")
    return (
        check_scalar(betas[0], f"{name}[0]", lo=0.0, hi=1.0, hi_open=True),
        check_scalar(betas[1], f"{name}[1]", lo=0.0, hi=1.0, hi_open=True),
    )


def _check_sgd_hyper(lr, momentum, dampening, nesterov, weight_decay, l1, name=str):
    """Validate SGD hyperparameters; ``name(key)`` gives the name used in messages."""
    out = {
        "lr": _check_lr(lr, name("lr")),
        "momentum": _check_nonneg(momentum, name("momentum")),
        "dampening": check_scalar(dampening, name("dampening"), lo=0.0, hi=1.0),
        "nesterov": _check_bool(nesterov, name("nesterov")),
        "weight_decay": _check_nonneg(weight_decay, name("weight_decay")),
        "l1": _check_nonneg(l1, name("l1")),
    }
    if out["nesterov"] and (out["momentum"] <= 0 or out["dampening"] != 0):
        raise ValueError(
            f"{name('nesterov')}=True requires momentum > 0 and dampening = 0, got "
            f"momentum={out['momentum']!r} and dampening={out['dampening']!r}"
        )
    return out


def _check_adamw_hyper(lr, betas, eps, weight_decay, amsgrad, l1, name=str):
    """Validate AdamW hyperparameters; ``name(key)`` gives the name used in messages."""
    return {
        "lr": _check_lr(lr, name("lr")),
        "betas": _check_betas(betas, name("betas")),
        "eps": _check_nonneg(eps, name("eps")),
        "weight_decay": _check_nonneg(weight_decay, name("weight_decay")),
        "amsgrad": _check_bool(amsgrad, name("amsgrad")),
        "l1": _check_nonneg(l1, name("l1")),
    }


def _check_step(step):
    if isinstance(step, (bool, np.bool_)) or not isinstance(step, numbers.Integral):
        raise TypeError(f"step must be an integer, got {type(step).__name__}")
    if not 1 <= step <= 2**63 - 1:
        raise ValueError(f"step must be in [1, 2**63 - 1] (the count of steps including this "
                         f"one), got {step}")
    return int(step)


def _check_saved_step(value, name):
    """A saved step count: an integer the next step (``value + 1``) keeps within int64."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or not 0 <= value <= 2**63 - 2:
        raise ValueError(f"{name} must be an integer in [0, 2**63 - 2], got {value!r}")
    return int(value)


# --- functional kernels -----------------------------------------------------------

def sgd_step_(param, grad, momentum_buffer=None, *, lr, momentum=0.0, dampening=0.0,
              nesterov=False, weight_decay=0.0, l1=0.0, first_step=False, check_finite=False):
    """One SGD step in place, with PyTorch's ``torch.optim.SGD`` semantics.

    In one pass over memory::

        d = grad + weight_decay * param                     # coupled L2
        buf = momentum * buf + (1 - dampening) * d          # buf = d on the first step
        d = d + momentum * buf if nesterov else buf         # when momentum > 0
        param = soft_threshold(param - lr * d, lr * l1)     # when l1 > 0

    Parameters
    ----------
    param : ndarray
        float32 or float64 parameter, updated in place (must be writeable).
    grad : ndarray
        Gradient, same shape and dtype as ``param``. Not modified.
    momentum_buffer : ndarray, optional
        Momentum buffer, same shape and dtype, updated in place. Required
        when ``momentum > 0``, ignored otherwise.
    lr : float
        Learning rate, >= 0.
    momentum : float, default 0
        Momentum factor, >= 0.
    dampening : float, default 0
        Dampening of the momentum, in [0, 1].
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    weight_decay : float, default 0
        L2 penalty added to the gradient (coupled weight decay), >= 0.
    l1 : float, default 0
        L1 penalty: the step ends with soft-thresholding by ``lr * l1``
        (proximal SGD), >= 0.
    first_step : bool, default False
        True on the first step of a run: like PyTorch, the buffer is then set
        to ``d`` instead of being updated (its old content is ignored). With
        ``dampening == 0`` a zero buffer gives the same result either way.
    check_finite : bool, default False
        Raise ValueError if ``grad`` holds NaN or infinity (before any update).
        By default NaN/inf propagate into ``param`` like in PyTorch.

    Returns
    -------
    ndarray
        ``param``, updated.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.optim import sgd_step_
    >>> w = np.array([1.0, -2.0]); g = np.array([0.5, 0.5])
    >>> sgd_step_(w, g, lr=0.1)
    array([ 0.95, -2.05])
    """
    hyper = _check_sgd_hyper(lr, momentum, dampening, nesterov, weight_decay, l1)
    first_step = _check_bool(first_step, "first_step")
    _check_param(param, "param")
    _check_like(grad, param, "grad", "param")
    if hyper["momentum"] != 0:
        if momentum_buffer is None:
            raise ValueError("momentum_buffer is required when momentum > 0")
        _check_like(momentum_buffer, param, "momentum_buffer", "param", writeable=True)
    else:
        momentum_buffer = None
    _check_disjoint([("param", param), ("grad", grad), ("momentum_buffer", momentum_buffer)])
    _check_grad_values(grad, "grad", check_finite)
    _sgd_update(param, grad, momentum_buffer, first_step, **hyper)
    return param


def adamw_step_(param, grad, exp_avg, exp_avg_sq, *, step, lr=1e-3, betas=(0.9, 0.999),
                eps=1e-8, weight_decay=1e-2, amsgrad=False, max_exp_avg_sq=None, l1=0.0,
                check_finite=False):
    """One AdamW step in place, with PyTorch's ``torch.optim.AdamW`` semantics.

    Loshchilov & Hutter (2019), "Decoupled Weight Decay Regularization",
    on top of Kingma & Ba (2015), "Adam". In one pass over memory, with
    ``t = step``::

        param *= 1 - lr * weight_decay                       # decoupled decay
        exp_avg = beta1 * exp_avg + (1 - beta1) * grad
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad**2
        v = maximum(max_exp_avg_sq, exp_avg_sq) if amsgrad else exp_avg_sq
        denom = sqrt(v) / sqrt(1 - beta2**t) + eps
        param -= lr / (1 - beta1**t) * exp_avg / denom
        param = soft_threshold(param, lr * l1)               # when l1 > 0

    Parameters
    ----------
    param : ndarray
        float32 or float64 parameter, updated in place (must be writeable).
    grad : ndarray
        Gradient, same shape and dtype. Not modified.
    exp_avg, exp_avg_sq : ndarray
        First and second moment estimates (zeros before the first step), same
        shape and dtype, updated in place. ``exp_avg_sq`` must be >= 0.
    step : int
        Number of steps taken including this one (1 on the first step); sets
        the bias corrections.
    lr : float, default 1e-3
        Learning rate, >= 0.
    betas : (float, float), default (0.9, 0.999)
        Moment decay rates, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator, >= 0.
    weight_decay : float, default 1e-2
        Decoupled weight decay, >= 0.
    amsgrad : bool, default False
        Use the running maximum of ``exp_avg_sq`` (Reddi et al., 2018).
    max_exp_avg_sq : ndarray, optional
        Running maximum, updated in place; required when ``amsgrad``.
    l1 : float, default 0
        Soft-threshold the result by ``lr * l1`` (a proximal L1 step), >= 0.
    check_finite : bool, default False
        Raise ValueError if ``grad`` holds NaN or infinity (before any update).
        By default NaN/inf propagate like in PyTorch.

    Returns
    -------
    ndarray
        ``param``, updated.
    """
    hyper = _check_adamw_hyper(lr, betas, eps, weight_decay, amsgrad, l1)
    step = _check_step(step)
    _check_param(param, "param")
    _check_like(grad, param, "grad", "param")
    _check_like(exp_avg, param, "exp_avg", "param", writeable=True)
    _check_like(exp_avg_sq, param, "exp_avg_sq", "param", writeable=True)
    if hyper["amsgrad"]:
        if max_exp_avg_sq is None:
            raise ValueError("max_exp_avg_sq is required when amsgrad=True")
        _check_like(max_exp_avg_sq, param, "max_exp_avg_sq", "param", writeable=True)
    else:
        max_exp_avg_sq = None
    _check_disjoint([("param", param), ("grad", grad), ("exp_avg", exp_avg),
                     ("exp_avg_sq", exp_avg_sq), ("max_exp_avg_sq", max_exp_avg_sq)])
    _check_grad_values(grad, "grad", check_finite)
    _adamw_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, **hyper)
    return param


def prox_l1_(param, grad=None, *, lr, l1, check_finite=False):
    """Proximal gradient step for ``l1 * ||param||_1``, in place.

    ``param = soft_threshold(param - lr * grad, lr * l1)`` in one pass, where
    ``soft_threshold(x, t) = sign(x) * max(|x| - t, 0)``: entries whose
    magnitude after the gradient step is at most ``lr * l1`` become exactly 0.
    With ``grad=None`` only the soft-thresholding is applied.

    Parameters
    ----------
    param : ndarray
        float32 or float64 parameter, updated in place (must be writeable).
    grad : ndarray, optional
        Gradient of the smooth part of the loss, same shape and dtype.
    lr : float
        Step size, >= 0.
    l1 : float
        L1 penalty strength, >= 0.
    check_finite : bool, default False
        Raise ValueError if ``grad`` holds NaN or infinity (before any update).

    Returns
    -------
    ndarray
        ``param``, updated.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.optim import prox_l1_
    >>> prox_l1_(np.array([0.05, -1.0, 2.0]), lr=0.5, l1=0.2)
    array([ 0. , -0.9,  1.9])
    """
    lr = _check_lr(lr)
    l1 = _check_nonneg(l1, "l1")
    _check_param(param, "param")
    if grad is not None:
        _check_like(grad, param, "grad", "param")
        _check_disjoint([("param", param), ("grad", grad)])
        _check_grad_values(grad, "grad", check_finite)
    _prox_update(param, grad, lr, l1)
    return param


def max_norm_(param, max_norm, *, axis=None):
    """Max-norm constraint in place: rescale vectors whose norm exceeds ``max_norm``.

    The projection of Srivastava et al. (2014), "Dropout: a simple way to
    prevent neural networks from overfitting": every vector ``v`` taken
    along ``axis`` with ``||v||_2 > max_norm`` becomes ``v * max_norm / ||v||_2``
    (the nearest point of the ball); shorter vectors are unchanged.
    Unlike ``torch.renorm`` no 1e-7 is added to the norm.

    Parameters
    ----------
    param : ndarray
        float32 or float64 weight, updated in place (must be writeable).
    max_norm : float
        Radius of the ball, > 0.
    axis : None, int or tuple of ints, default None
        The axes the norm is taken over, as in ``numpy.linalg.norm``. None
        means all axes but the first: the rows of a 2-D weight stored
        (out_features, in_features) as in PyTorch, i.e. the incoming weights
        of each unit, and each filter of a conv weight (out, in, *kernel).
        Use ``axis=0`` for the columns of a 2-D weight. A 1-D or 0-D array
        is treated as one vector.

    Returns
    -------
    ndarray
        ``param``, updated. Vectors with a NaN norm are left unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.optim import max_norm_
    >>> max_norm_(np.array([[3.0, 4.0], [0.3, 0.4]]), 1.0)
    array([[0.6, 0.8],
           [0.3, 0.4]])
    """
    max_norm = check_scalar(max_norm, "max_norm", lo=0.0, lo_open=True, allow_inf=True)
    _check_param(param, "param")
    axes = _normalize_axes(axis, param.ndim)
    _max_norm_update(param, max_norm, axes)
    return param


def _total_norm(flats, norm_type):
    if norm_type == 2.0:
        return math.sqrt(sum(_kernels.sum_squares_flat(f) for f in flats))
    if norm_type == 1.0:
        return float(sum(_kernels.sum_abs_flat(f) for f in flats))
    if math.isinf(norm_type):
        norms = [_kernels.max_abs_flat(f) for f in flats]
        return float(np.max(norms)) if norms else 0.0
    with np.errstate(over="ignore"):
        total = sum(float(np.sum(np.abs(f.astype(np.float64)) ** norm_type)) for f in flats)
    return total ** (1.0 / norm_type)


def clip_grad_norm_(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale gradients in place so that their global norm is at most ``max_norm``.

    Same rule as ``torch.nn.utils.clip_grad_norm_``: with ``total`` the
    ``norm_type``-norm of all gradients concatenated, every gradient is
    multiplied by ``min(1, max_norm / (total + 1e-6))``. Pascanu et al.
    (2013), "On the difficulty of training recurrent neural networks".

    Parameters
    ----------
    grads : ndarray or sequence of ndarray
        float32/float64 gradients, scaled in place (must be writeable and
        share no memory with each other). ``None`` entries are skipped; an
        empty sequence gives 0.0.
    max_norm : float
        Largest allowed total norm, >= 0 (``inf`` only measures a finite total;
        a NaN or infinite one still scales the gradients, see below).
    norm_type : float, default 2.0
        Order of the norm, > 0; ``inf`` for the largest magnitude. 1, 2 and
        inf run in the compiled core (one pass, sums in float64), other
        orders in NumPy.
    error_if_nonfinite : bool, default False
        Raise ValueError, before scaling anything, when the total norm is NaN
        or infinite. Otherwise, like PyTorch, a NaN total norm makes every
        gradient NaN and an infinite one multiplies them by 0.

    Returns
    -------
    float
        The total norm of the gradients before clipping.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.optim import clip_grad_norm_
    >>> g = [np.array([3.0]), np.array([4.0])]
    >>> clip_grad_norm_(g, 1.0)
    5.0
    >>> round(float(g[0][0]), 6), round(float(g[1][0]), 6)
    (0.6, 0.8)
    """
    max_norm = check_scalar(max_norm, "max_norm", lo=0.0, allow_inf=True)
    norm_type = check_scalar(norm_type, "norm_type", lo=0.0, lo_open=True, allow_inf=True)
    error_if_nonfinite = _check_bool(error_if_nonfinite, "error_if_nonfinite")
    if isinstance(grads, np.ndarray):
        grads = [grads]
    elif not isinstance(grads, (list, tuple)):
        raise TypeError(
            f"grads must be an ndarray or a list of ndarrays, got {type(grads).__name__}"
        )
    named = [(f"grads[{i}]", g) for i, g in enumerate(grads) if g is not None]
    for name, g in named:
        if not isinstance(g, np.ndarray):
            raise TypeError(f"{name} must be a numpy.ndarray, got {type(g).__name__}")
        if g.dtype not in _FLOAT_DTYPES:
            raise TypeError(f"{name} must have dtype float32 or float64, got {g.dtype}")
        check_writeable(g, name)
    named = [(name, g) for name, g in named if g.size > 0]
    _check_no_shared_memory(named)
    flats = [_in(g, _order_of(g)) for _, g in named]
    total = _total_norm(flats, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise ValueError(
            f"the total {norm_type:g}-norm of the gradients is {total}, so they cannot be "
            "clipped; pass error_if_nonfinite=False to scale them anyway"
        )
    coef = max_norm / (total + 1e-6)  # NaN when total is NaN, like PyTorch
    if coef < 1.0 or math.isnan(coef):
        for _, g in named:
            order = _order_of(g)
            flat, work = _inout(g, order)
            _kernels.scale_flat(flat, coef)
            _write_back([(g, work)])
    return total


# --- optimizer objects ------------------------------------------------------------

class _Optimizer:
    """Shared machinery: parameter groups, validation before update, state dicts.

    Subclasses define ``_defaults`` handling through ``_check_hyper`` (returns
    the validated hyperparameters of a group), ``_state_keys``,
    ``_init_state`` and ``_update``.
    """

    _state_keys = ()

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.defaults.update(self._check_hyper(self.defaults, str))
        self.param_groups = _as_groups(params)
        self._complete_groups()
        for index, param in enumerate(self._params):
            _check_param(param, f"params[{index}]")
        self.state = {}

    # -- groups
    def _complete_groups(self):
        """Complete and check, in place, every group of ``param_groups`` (given
        to the constructor, or appended or edited since the last step)."""
        for index, group in enumerate(self.param_groups):
            self._complete_group(group, index)

    def _complete_group(self, group, index):
        """Complete and check one group in place: 'params' a non-empty list (a
        single array is one parameter, not a list of its rows), the
        hyperparameters it does not give taken from the defaults, every value
        checked."""
        if not isinstance(group, dict) or "params" not in group:
            raise ValueError(f"param_groups[{index}] must be a dict with a 'params' entry")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(
                f"param_groups[{index}] has unknown key(s) {sorted(unknown)}; "
                f"known keys: {sorted(self.defaults)} and 'params'"
            )
        arrays = group["params"]
        arrays = [arrays] if isinstance(arrays, np.ndarray) else list(arrays)
        if not arrays:
            raise ValueError(f"param_groups[{index}]['params'] is empty")
        group["params"] = arrays
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group.update(self._check_group(group, index))

    def _check_group(self, group, index):
        def name(key):
            return f"param_groups[{index}]['{key}']"
        checked = self._check_hyper(group, name)
        checked["max_norm"] = _check_max_norm(group["max_norm"], name("max_norm"))
        checked["regularize_1d"] = _check_bool(group["regularize_1d"], name("regularize_1d"))
        return checked

    def _check_hyper(self, values, name):
        raise NotImplementedError

    @staticmethod
    def _regularized(group, param):
        return group["regularize_1d"] or param.ndim >= 2

    # -- stepping
    def step(self, grads, *, check_finite=False):
        """Update every parameter in place from its gradient.

        Parameters
        ----------
        grads : sequence of ndarray or None
            One gradient per parameter, in the order of the parameter groups
            (and of the arrays inside each group). A ``None`` entry leaves that
            parameter (and its state) untouched.
        check_finite : bool, default False
            Raise ValueError, before any update, if a gradient holds NaN or
            infinity. By default they propagate into the parameters like in
            PyTorch.

        All gradients, parameters and hyperparameters are validated before
        the first parameter is touched.
        """
        work = self._prepare(grads, _check_bool(check_finite, "check_finite"))
        for index, group, param, grad in work:
            self._update(index, group, param, grad)

    def _prepare(self, grads, check_finite):
        self._complete_groups()
        n_params = len(self._params)
        if not isinstance(grads, (list, tuple)):
            raise TypeError(f"grads must be a list of arrays, got {type(grads).__name__}")
        if len(grads) != n_params:
            raise ValueError(
                f"grads has {len(grads)} entries, expected {n_params} (one per parameter, "
                "in the order of the parameter groups)"
            )
        work, index = [], 0
        for group in self.param_groups:
            for param in group["params"]:
                grad = grads[index]
                if grad is not None:
                    pname = f"params[{index}]"
                    _check_param(param, pname)
                    _check_like(grad, param, f"grads[{index}]", pname)
                    _check_grad_values(grad, f"grads[{index}]", check_finite)
                    self._check_state(index, param)
                    work.append((index, group, param, grad))
                index += 1
        self._check_no_shared_memory(work)
        for index, group, param, _ in work:
            self._init_state(index, group, param)
        return work

    @property
    def _params(self):
        """The parameters of the groups as they are now (``param_groups`` is
        public and may be edited between steps), each array at most once."""
        params = [p for group in self.param_groups for p in group["params"]]
        seen = {}
        for index, param in enumerate(params):
            if id(param) in seen:
                raise ValueError(
                    f"params[{index}] is the same array as params[{seen[id(param)]}]; "
                    "each parameter may appear once"
                )
            seen[id(param)] = index
        return params

    def _check_no_shared_memory(self, work):
        """Every parameter and state array updated by this step must share no
        memory with another array of the step (a parameter would be updated
        twice, or read after its update); gradients may share with each other."""
        written, read = [], []
        for index, _, param, grad in work:
            written.append((f"params[{index}]", param))
            written += [(f"state[{index}]['{key}']", value)
                        for key, value in self.state.get(index, {}).items()
                        if isinstance(value, np.ndarray)]
            read.append((f"grads[{index}]", grad))
        _check_no_shared_memory(written, read)

    def _check_state(self, index, param):
        """The saved state of params[index] must still fit it: ``state`` is
        public, and a parameter swapped in ``param_groups`` keeps its index's
        state. The kernels trust every state array to match the parameter."""
        pname = f"params[{index}]"
        for key, value in self.state.get(index, {}).items():
            name = f"state[{index}]['{key}']"
            if key == "step":
                _check_saved_step(value, name)
            elif value is not None:
                try:
                    _check_like(value, param, name, pname, writeable=True)
                except (TypeError, ValueError) as error:
                    raise type(error)(f"{error}; delete state[{index}] to restart that "
                                      f"parameter's state") from None

    # -- state dicts
    def state_dict(self):
        """Hyperparameters and state, with parameters referred to by index.

        Returns ``{"state": {index: {name: value}}, "param_groups": [...]}``
        where each group lists its hyperparameters and ``"params"``: the
        indices of its parameters. Arrays are copies.
        """
        groups, index = [], 0
        for group in self.param_groups:
            entry = {k: v for k, v in group.items() if k != "params"}
            entry["params"] = list(range(index, index + len(group["params"])))
            index += len(group["params"])
            groups.append(entry)
        state = {
            i: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for i, s in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and state saved by :meth:`state_dict`.

        The optimizer must have the same groups and parameter shapes. Every
        entry is checked before anything is changed; arrays are copied.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("state_dict must be a dict with keys 'state' and 'param_groups'")
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"state_dict has {len(groups)} parameter groups, this optimizer has "
                f"{len(self.param_groups)}"
            )
        new_groups, index = [], 0
        for gi, (saved, mine) in enumerate(zip(groups, self.param_groups)):
            expected = list(range(index, index + len(mine["params"])))
            if list(saved.get("params", [])) != expected:
                raise ValueError(
                    f"state_dict's param_groups[{gi}] holds parameters {saved.get('params')}, "
                    f"this optimizer's holds {expected}"
                )
            index += len(mine["params"])
            filled = dict(saved, params=mine["params"])
            self._complete_group(filled, gi)
            new_groups.append(filled)
        new_state = {}
        for key, entry in state_dict["state"].items():
            if isinstance(key, (bool, np.bool_)) or not isinstance(key, numbers.Integral) \
                    or not 0 <= key < len(self._params):
                raise ValueError(f"state_dict['state'] has key {key!r}, not a parameter index")
            new_state[int(key)] = self._load_entry(int(key), entry)
        self.param_groups = new_groups
        self.state = new_state

    def _load_entry(self, index, entry):
        param = self._params[index]
        unknown = set(entry) - set(self._state_keys)
        if unknown:
            raise ValueError(
                f"state_dict['state'][{index}] has unknown key(s) {sorted(unknown)}; "
                f"known keys: {list(self._state_keys)}"
            )
        out = {}
        for key, value in entry.items():
            name = f"state_dict['state'][{index}]['{key}']"
            if key == "step":
                out[key] = _check_saved_step(value, name)
            elif value is None:
                out[key] = None
            else:
                _check_like(value, param, name, f"params[{index}]")
                out[key] = np.array(value, order=_order_of(param), copy=True)
        return out


def _as_groups(params):
    """Normalize ``params`` (arrays or group dicts) into a list of group dicts."""
    if isinstance(params, np.ndarray) or isinstance(params, dict):
        raise TypeError(
            "params must be a list of arrays or of param-group dicts, "
            f"got a single {type(params).__name__}"
        )
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"params must be a list of arrays or of param-group dicts, got {type(params).__name__}"
        ) from None
    if not items:
        raise ValueError("params is empty; the optimizer needs at least one parameter")
    if all(isinstance(item, dict) for item in items):
        return [dict(item) for item in items]  # the caller's dicts are left as given
    if any(isinstance(item, dict) for item in items):
        raise TypeError("params must be all arrays or all param-group dicts, not a mix")
    return [{"params": items}]


class SGD(_Optimizer):
    """Stochastic gradient descent with momentum, weight decay, L1 and max-norm.

    Same update as ``torch.optim.SGD`` (see :func:`sgd_step_`), followed by
    soft-thresholding by ``lr * l1`` when ``l1 > 0`` (proximal SGD) and by a
    max-norm projection of the rows of each weight (:func:`max_norm_` with its
    default axes) when ``max_norm`` is set. Weight decay, L1 and max-norm
    apply to parameters with ``ndim >= 2``; 1-D and 0-D ones (biases, norm
    scales) are exempt unless their group has ``regularize_1d=True``.

    Parameters
    ----------
    params : list of ndarray or list of dict
        The parameters (writeable float32/float64 arrays), or PyTorch-style
        groups: dicts with a ``"params"`` list and any hyperparameter below
        overriding the default for that group.
    lr : float
        Learning rate, >= 0.
    momentum, dampening, nesterov, weight_decay
        As in ``torch.optim.SGD``; ``dampening`` in [0, 1].
    l1 : float, default 0
        L1 penalty (soft-thresholding by ``lr * l1`` after each step).
    max_norm : float or None, default None
        Radius of the max-norm constraint on each row of each weight, > 0.
    regularize_1d : bool, default False
        Apply weight decay, L1 and max-norm to 1-D and 0-D parameters too.

    Attributes
    ----------
    param_groups : list of dict
        Groups with every hyperparameter filled in; may be edited between
        steps (e.g. a learning-rate schedule), values are re-checked each step.
        A group appended between steps (``{"params": [...], "lr": ...}``)
        takes the defaults for the hyperparameters it does not give.
    state : dict
        ``{parameter index: {"momentum_buffer": ndarray}}``.

    Examples
    --------
    >>> import numpy as np
    >>> from regcore.optim import SGD
    >>> W, b = np.ones((2, 2)), np.zeros(2)
    >>> opt = SGD([W, b], lr=0.1, momentum=0.9, weight_decay=0.5)
    >>> opt.step([np.ones((2, 2)), np.ones(2)])
    >>> float(W[0, 0]), float(b[0])  # W decayed: 1 - 0.1 * (1 + 0.5); b exempt: 0 - 0.1
    (0.85, -0.1)
    """

    _state_keys = ("momentum_buffer",)

    def _check_hyper(self, values, name):
        return _check_sgd_hyper(values["lr"], values["momentum"], values["dampening"],
                                values["nesterov"], values["weight_decay"], values["l1"], name)

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0, l1=0.0, max_norm=None, *, regularize_1d=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay, l1=l1, max_norm=max_norm,
                        regularize_1d=regularize_1d)
        defaults["max_norm"] = _check_max_norm(max_norm)
        defaults["regularize_1d"] = _check_bool(regularize_1d, "regularize_1d")
        super().__init__(params, defaults)
        self._fresh_buffers = set()  # buffers allocated but not yet set (first step)

    def _init_state(self, index, group, param):
        state = self.state.setdefault(index, {})
        if group["momentum"] != 0 and state.get("momentum_buffer") is None:
            state["momentum_buffer"] = np.empty_like(param, order=_order_of(param))
            self._fresh_buffers.add(index)

    def _update(self, index, group, param, grad):
        regularized = self._regularized(group, param)
        buf = self.state[index].get("momentum_buffer")
        first = index in self._fresh_buffers
        self._fresh_buffers.discard(index)
        _sgd_update(param, grad, buf, first, group["lr"], group["momentum"], group["dampening"],
                    group["nesterov"], group["weight_decay"] if regularized else 0.0,
                    group["l1"] if regularized else 0.0)
        if regularized and group["max_norm"] is not None:
            _max_norm_update(param, group["max_norm"], _normalize_axes(None, param.ndim))


class AdamW(_Optimizer):
    """Adam with decoupled weight decay (AdamW), with optional AMSGrad, L1 and max-norm.

    Same update as ``torch.optim.AdamW`` (see :func:`adamw_step_`), followed
    by soft-thresholding by ``lr * l1`` when ``l1 > 0`` and a max-norm
    projection of the rows of each weight when ``max_norm`` is set. Weight
    decay, L1 and max-norm apply to parameters with ``ndim >= 2``; 1-D and 0-D
    ones are exempt unless their group has ``regularize_1d=True``. (PyTorch's
    AdamW decays every parameter: use ``regularize_1d=True`` to match it.)

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or PyTorch-style groups (see :class:`SGD`).
    lr : float, default 1e-3
        Learning rate, >= 0.
    betas : (float, float), default (0.9, 0.999)
        Moment decay rates, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator, >= 0.
    weight_decay : float, default 1e-2
        Decoupled weight decay (``param *= 1 - lr * weight_decay``), >= 0.
    amsgrad : bool, default False
        Use the running maximum of the second moment.
    l1 : float, default 0
        L1 penalty (soft-thresholding by ``lr * l1`` after each step).
    max_norm : float or None, default None
        Radius of the max-norm constraint on each row of each weight, > 0.
    regularize_1d : bool, default False
        Apply weight decay, L1 and max-norm to 1-D and 0-D parameters too.

    Attributes
    ----------
    param_groups : list of dict
        Groups with every hyperparameter filled in.
    state : dict
        ``{parameter index: {"step": int, "exp_avg": ndarray,
        "exp_avg_sq": ndarray[, "max_exp_avg_sq": ndarray]}}``.
    """

    _state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, l1=0.0, max_norm=None, *, regularize_1d=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        l1=l1, max_norm=max_norm, regularize_1d=regularize_1d)
        defaults["max_norm"] = _check_max_norm(max_norm)
        defaults["regularize_1d"] = _check_bool(regularize_1d, "regularize_1d")
        super().__init__(params, defaults)

    def _check_hyper(self, values, name):
        return _check_adamw_hyper(values["lr"], values["betas"], values["eps"],
                                  values["weight_decay"], values["amsgrad"], values["l1"], name)

    def _init_state(self, index, group, param):
        state = self.state.setdefault(index, {"step": 0})
        state.setdefault("step", 0)
        order = _order_of(param)
        for key in ("exp_avg", "exp_avg_sq"):
            if state.get(key) is None:
                state[key] = np.zeros_like(param, order=order)
        if group["amsgrad"] and state.get("max_exp_avg_sq") is None:
            state["max_exp_avg_sq"] = np.zeros_like(param, order=order)

    def _update(self, index, group, param, grad):
        state = self.state[index]
        state["step"] += 1
        regularized = self._regularized(group, param)
        _adamw_update(param, grad, state["exp_avg"], state["exp_avg_sq"],
                      state.get("max_exp_avg_sq"), state["step"], group["lr"], group["betas"],
                      group["eps"], group["weight_decay"] if regularized else 0.0,
                      group["amsgrad"], group["l1"] if regularized else 0.0)
        if regularized and group["max_norm"] is not None:
            _max_norm_update(param, group["max_norm"], _normalize_axes(None, param.ndim))
