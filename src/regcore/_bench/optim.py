"""Benchmark of the fused weight updates (SGD, AdamW, proximal L1).

Each update changes float32 arrays of 16M elements (memory-bound) and 1M
(cache regime) in place: SGD and AdamW through regcore's optimizer classes
(``regcore.optim.SGD``/``AdamW``, as PyTorch's side goes through its
optimizers), the proximal L1 step through ``regcore.optim.prox_l1_``. Times
are medians of interleaved repeats, reported as ratios measured in the same
process:

* ``x_copy``  -- over ``np.copyto`` of one array of the same size (the
  bandwidth floor: an update must at least read and write the parameter);
* ``x_numpy`` -- over the pure-NumPy reference (``regcore._reference``);
* ``x_torch`` -- over ``torch.optim.AdamW(fused=True)`` and
  ``torch.optim.SGD(fused=True)`` on the same data (the fused CPU kernels:
  SGD's ``foreach=True`` makes one pass per operation), with
  ``torch.set_num_threads`` equal to regcore's thread count.

``max_rel_diff`` is the largest relative difference between regcore's and
PyTorch's parameters after one step from identical states.

On a shared machine set ``OMP_WAIT_POLICY=passive`` before Python starts
(bench/bench_optim.py and ``python -m regcore bench`` do): spinning idle
OpenMP workers of either library otherwise steal the cores being measured.
"""

import os

import numpy as np

import regcore
from regcore import _reference, optim

from ._harness import Table, machine_description, round_robin_medians

SIZES = (1 << 24, 1 << 20)
LR, MOMENTUM, WEIGHT_DECAY, L1 = 1e-3, 0.9, 1e-4, 1e-4
COLUMNS = ["kernel", "n", "threads", "ms", "x_copy", "x_numpy", "x_torch", "max_rel_diff"]


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


class _Problem:
    """Parameters, gradients and optimizer state for one size, for every library."""

    def __init__(self, n, seed=0):
        rng = np.random.default_rng(seed)
        self.param = rng.standard_normal(n, dtype=np.float32)
        self.grad = rng.standard_normal(n, dtype=np.float32)
        self.buf = rng.standard_normal(n, dtype=np.float32)
        self.exp_avg = (0.1 * rng.standard_normal(n)).astype(np.float32)
        self.exp_avg_sq = rng.random(n, dtype=np.float32)
        self.copy_dst = np.empty_like(self.param)
        # regcore's optimizers over these arrays; they decay the 1-D parameter
        # as torch's do
        self._sgd = optim.SGD([self.param], lr=LR, momentum=MOMENTUM,
                              weight_decay=WEIGHT_DECAY, regularize_1d=True)
        self._sgd.state[0] = {"momentum_buffer": self.buf}
        self._adamw = optim.AdamW([self.param], lr=LR, regularize_1d=True)
        self._adamw.state[0] = {"step": 9, "exp_avg": self.exp_avg,
                                "exp_avg_sq": self.exp_avg_sq}

    def copy(self):
        np.copyto(self.copy_dst, self.param)

    # regcore, in place
    def sgd(self):
        self._sgd.step([self.grad])

    def adamw(self):
        self._adamw.step([self.grad])

    def prox_l1(self):
        optim.prox_l1_(self.param, self.grad, lr=LR, l1=L1)

    # NumPy reference (returns new arrays)
    def sgd_numpy(self):
        _reference.sgd_step(self.param, self.grad, self.buf, lr=LR, momentum=MOMENTUM,
                            weight_decay=WEIGHT_DECAY)

    def adamw_numpy(self):
        _reference.adamw_step(self.param, self.grad, self.exp_avg, self.exp_avg_sq, step=10, lr=LR)

    def prox_l1_numpy(self):
        _reference.prox_l1(self.param, self.grad, lr=LR, l1=L1)


def _torch_optimizer(torch, name, problem, *, copy=True):
    """A PyTorch optimizer over ``problem``'s arrays (copies of them with
    ``copy``), with the same state.

    Timed steps share regcore's arrays: the same memory for both libraries.
    (On this machine a 16M AdamW step took regcore 37 ms on the arrays NumPy's
    generator filled and 23 ms on fresh copies of them; torch 25 and 11 ms.)
    """
    def wrap(arr):
        return torch.from_numpy(arr.copy() if copy else arr)

    tensor = wrap(problem.param).requires_grad_()
    tensor.grad = wrap(problem.grad)
    if name == "sgd":
        opt = torch.optim.SGD([tensor], lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY,
                              fused=True)
        opt.state[tensor]["momentum_buffer"] = wrap(problem.buf)
    else:
        opt = torch.optim.AdamW([tensor], lr=LR, fused=True)
        opt.state[tensor]["step"] = torch.tensor(9.0)
        opt.state[tensor]["exp_avg"] = wrap(problem.exp_avg)
        opt.state[tensor]["exp_avg_sq"] = wrap(problem.exp_avg_sq)
    return opt, tensor


def _max_rel_diff(torch, name, n):
    """One step from identical states in regcore and PyTorch: max |a - b| / max |b|."""
    problem = _Problem(n, seed=1)
    opt, tensor = _torch_optimizer(torch, name, problem)
    opt.step()
    getattr(problem, name)()
    expected = tensor.detach().numpy()
    return float(np.max(np.abs(problem.param - expected)) / np.max(np.abs(expected)))


def run(quick=False, table=None):
    """Run the benchmark; returns one row dict per (kernel, size, threads).

    ``quick=True`` measures 1M elements only, with few repeats.
    """
    torch = _import_torch()
    sizes = SIZES[1:] if quick else SIZES
    repeats = 5 if quick else 11
    thread_counts = sorted({1, regcore.get_num_threads()})
    if table is None:
        print(machine_description())
        print(f"regcore {regcore.__version__}; OpenMP={regcore.openmp_enabled()}; "
              f"torch {torch.__version__ if torch else 'absent'}; float32; "
              f"lr={LR} momentum={MOMENTUM} weight_decay={WEIGHT_DECAY} l1={L1}; "
              f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}")
        print("x_copy, x_numpy, x_torch = regcore's time / theirs (< 1: regcore faster; "
              "x_copy 1.0: bandwidth bound); n/a: no torch equivalent (prox_l1) or absent")
        table = Table(COLUMNS, widths=[10, 11, 9, 9, 9, 9, 9, 13])
    before = regcore.get_num_threads()
    try:
        for n in sizes:
            problem = _Problem(n)
            numpy_times = round_robin_medians(
                {"sgd": problem.sgd_numpy, "adamw": problem.adamw_numpy,
                 "prox_l1": problem.prox_l1_numpy}, max(3, repeats // 3))
            for threads in thread_counts:
                regcore.set_num_threads(threads)
                if torch is not None:
                    torch.set_num_threads(threads)
                for name in ("sgd", "adamw", "prox_l1"):
                    _measure(table, torch, problem, name, n, threads, numpy_times[name], repeats)
    finally:
        regcore.set_num_threads(before)
    return table.rows


def _timed_calls(torch, problem, name):
    """{"copy", "ours"[, "torch"]}: the calls timed for one kernel, all on
    ``problem``'s arrays."""
    fns = {"copy": problem.copy, "ours": getattr(problem, name)}
    if torch is not None and name in ("sgd", "adamw"):
        fns["torch"] = _torch_optimizer(torch, name, problem, copy=False)[0].step
    return fns


def _measure(table, torch, problem, name, n, threads, numpy_time, repeats):
    fns = _timed_calls(torch, problem, name)
    has_torch = "torch" in fns
    times = round_robin_medians(fns, repeats)
    copy, ours = times["copy"], times["ours"]
    x_torch = ours / times["torch"] if has_torch else float("nan")
    diff = _max_rel_diff(torch, name, n) if has_torch else float("nan")
    table.add(name, n, threads, ours * 1e3, ours / copy, ours / numpy_time, x_torch, diff)
