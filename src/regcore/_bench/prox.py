"""Benchmark of the proximal operator soft_threshold.

regcore's compiled kernel against its NumPy twin (``_reference.soft_threshold``),
PyTorch's ``softshrink`` when torch is installed, and ``np.copyto`` over the
same bytes (the memory-bandwidth floor of an elementwise map). Quoted as
ratios measured side by side in one process, medians of repeats.

NumPy and torch allocate their result, so they are compared with regcore's
allocating call ``soft_threshold(x, t)`` (the same work, page faults of a
fresh array included); ``np.copyto`` writes into an existing array, so it is
compared with ``soft_threshold(x, t, out=...)``. torch gets its tensor (a view
of ``x``) once, outside the timing.
"""

import numpy as np

from .. import _reference, get_num_threads, set_num_threads
from ..penalties import soft_threshold
from ._harness import Table, round_robin_medians

COLUMNS = ["kernel", "dtype", "n", "threads", "vs_numpy", "vs_copy", "vs_torch"]
WIDTHS = [22, 9, 11, 9, 10, 9, 9]


def _torch_softshrink():
    """``bind(x, t)`` giving a zero-argument call of torch's softshrink on x, or None."""
    try:
        import torch
    except ImportError:
        return None
    def bind(x, t):
        tensor = torch.from_numpy(x)  # a view of x, made once (about 1 us a call otherwise)
        return lambda: torch.nn.functional.softshrink(tensor, t)
    return bind


def _set_torch_threads(n):
    """torch's thread count (the same as regcore's in each row); returns the old one."""
    try:
        import torch
    except ImportError:
        return None
    saved = torch.get_num_threads()
    torch.set_num_threads(n)
    return saved


def _measure(x, t, softshrink, repeats):
    """Median seconds of each contender on ``x`` (a dict; torch absent gives nan),
    all of them timed in every round: ``regcore`` allocates its result like
    ``numpy`` and ``torch``, ``regcore_out`` writes into an array like ``copy``."""
    out, dst = np.empty_like(x), np.empty_like(x)
    fns = {"regcore": lambda: soft_threshold(x, t),
           "regcore_out": lambda: soft_threshold(x, t, out=out),
           "numpy": lambda: _reference.soft_threshold(x, t),
           "copy": lambda: np.copyto(dst, x)}
    if softshrink is not None:
        fns["torch"] = softshrink(x, t)
    times = round_robin_medians(fns, repeats, min_time=0.01)
    times.setdefault("torch", float("nan"))
    return times


def run(quick=False, table=None):
    """Time soft_threshold(x, t, out=...) on 1-D arrays; returns one row dict per case.

    Each size runs with 1 thread and with regcore's default thread count.

    Ratios: ``vs_numpy`` = NumPy reference time / regcore time (speed-up),
    ``vs_copy`` = regcore time with ``out=`` / ``np.copyto`` time (1.0 =
    bandwidth bound), ``vs_torch`` = torch.nn.functional.softshrink time /
    regcore time; ``vs_numpy`` and ``vs_torch`` use regcore's allocating call,
    as NumPy and torch allocate their results.
    """
    sizes = [10**5, 10**6] if quick else [10**4, 10**5, 10**6, 10**7]
    repeats = 5 if quick else 11
    if table is None:
        print("vs_numpy, vs_torch = their time / regcore's, all allocating their result "
              "(> 1: regcore faster); vs_copy = regcore's time with out= / np.copyto's "
              "(1.0: bandwidth bound)", flush=True)
        table = Table(COLUMNS, WIDTHS)
    softshrink = _torch_softshrink()
    rng = np.random.default_rng(0)
    default_threads = get_num_threads()
    thread_counts = sorted({1, default_threads})
    torch_threads = _set_torch_threads(default_threads)
    rows = []
    try:
        for dtype in (np.float32, np.float64):
            for n in sizes:
                x = rng.standard_normal(n).astype(dtype)
                for threads in thread_counts:
                    set_num_threads(threads)
                    _set_torch_threads(threads)
                    rows.append(_row(x, threads, softshrink, repeats))
                    table.add(*(rows[-1][c] for c in COLUMNS))
    finally:
        set_num_threads(default_threads)
        if torch_threads is not None:
            _set_torch_threads(torch_threads)
    return rows


def _row(x, threads, softshrink, repeats):
    times = _measure(x, 0.5, softshrink, repeats)
    return {
        "kernel": "soft_threshold",
        "dtype": x.dtype.name,
        "n": x.size,
        "threads": threads,
        "vs_numpy": times["numpy"] / times["regcore"],
        "vs_copy": times["regcore_out"] / times["copy"],
        "vs_torch": times["torch"] / times["regcore"],
        "seconds": times,
    }
