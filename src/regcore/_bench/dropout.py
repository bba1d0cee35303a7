"""Dropout forward: regcore against np.copyto, NumPy and PyTorch CPU.

For each size (16M and 1M float32) and p in {0.1, 0.5}, side by side in one
process, medians of repeats:

* ``regcore/copy``: ``regcore.dropout(x, p, out=y)`` over ``np.copyto(y, x)``
  on the same arrays (the bandwidth floor; np.copyto is single-threaded);
* ``alloc/copy``: ``regcore.dropout(x, p)``, which allocates its result
  (page faults of a fresh array included), over the same copy;
* ``numpy/regcore``: the NumPy idiom a user would write,
  ``np.where(gen.random(x.shape, float32) >= p, x * scale, 0)``, over
  ``regcore.dropout(x, p)`` (both allocate their result);
* ``twin/regcore``: regcore's pure-NumPy Philox twin (``_reference.dropout``,
  the bit-exact oracle) over ``regcore.dropout(x, p)``;
* ``torch/regcore``: ``torch.nn.functional.dropout`` on a tensor of the same
  data (it allocates too), with ``torch.set_num_threads`` equal to regcore's
  thread count, over ``regcore.dropout(x, p)``.

The three "over regcore" ratios use the allocating call, so they compare the
same work; ``numpy/out`` and ``torch/out`` compare with ``dropout(x, p, out=y)``,
what a training loop that reuses its buffers runs.
"""

import os

import numpy as np

from .. import _kernels, _reference
from ..dropout import dropout
from ._harness import Table, machine_description, median_time, round_robin_medians

COLUMNS = ["n", "p", "threads", "copy_ms", "regcore/copy", "alloc/copy", "numpy/regcore",
           "twin/regcore", "torch/regcore", "numpy/out", "torch/out"]


def _numpy_dropout(x, p, gen):
    """Idiomatic NumPy inverted dropout (what regcore replaces)."""
    keep = gen.random(x.shape, dtype=np.float32) >= p
    return np.where(keep, x * x.dtype.type(1.0 / (1.0 - p)), 0)


def _torch_dropout(x, p):
    """A zero-argument call of torch.nn.functional.dropout on x's data, or None."""
    try:
        import torch
    except ImportError:
        return None
    xt = torch.from_numpy(x)
    return lambda: torch.nn.functional.dropout(xt, p, training=True)


def run(quick=False, table=None, threads=None):
    """Measure and print the dropout table; return its rows as dicts.

    ``threads``: list of thread counts to run (default: regcore's current).
    ``quick`` skips 16M for the slow NumPy twin and uses fewer repeats.
    """
    print(machine_description())
    if hasattr(os, "getloadavg"):
        print("load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"dropout SIMD level {_kernels.dropout_simd_level()} (0 portable, 1 AVX2, 2 AVX-512)")
    table = table or Table(COLUMNS)
    saved_threads = _kernels.get_num_threads()
    thread_counts = threads or [saved_threads]
    repeats = 3 if quick else 11
    gen = np.random.default_rng(0)
    try:
        for n in (1 << 24, 1 << 20):
            x = gen.standard_normal(n, dtype=np.float32)
            y = np.empty_like(x)
            for n_threads in thread_counts:
                _kernels.set_num_threads(n_threads)
                for p in (0.1, 0.5):
                    table.add(*_measure(x, y, p, n_threads, gen, quick, repeats))
    finally:
        _kernels.set_num_threads(saved_threads)
    return table.rows


def _measure(x, y, p, n_threads, gen, quick, repeats):
    fns = {
        "copy": lambda: np.copyto(y, x),
        "into": lambda: dropout(x, p, rng=1, out=y),
        "alloc": lambda: dropout(x, p, rng=1),
        "numpy": lambda: _numpy_dropout(x, p, gen),
    }
    torch_fn = _torch_dropout(x, p)
    if torch_fn is not None:
        import torch

        saved = torch.get_num_threads()
        torch.set_num_threads(n_threads)
        fns["torch"] = torch_fn
    try:
        t = round_robin_medians(fns, repeats, min_time=0.005)
    finally:
        if torch_fn is not None:
            torch.set_num_threads(saved)
    if quick and x.size > 1 << 20:
        twin = float("nan")
    else:
        twin = median_time(lambda: _reference.dropout(x, p, 1), repeats=3)
    torch_t = t.get("torch", float("nan"))
    return (x.size, p, n_threads, t["copy"] * 1e3, t["into"] / t["copy"], t["alloc"] / t["copy"],
            t["numpy"] / t["alloc"], twin / t["alloc"], torch_t / t["alloc"],
            t["numpy"] / t["into"], torch_t / t["into"])
