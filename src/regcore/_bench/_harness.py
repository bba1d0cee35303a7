"""Timing, accuracy matching and table printing shared by the benchmarks."""

import math
import os
import platform
import sys
import time
import warnings

import numpy as np


def median_time(fn, *, repeats=7, min_time=0.0, setup=None):
    """Median wall time of ``fn()`` over ``repeats`` calls.

    ``setup()`` (untimed) runs before every call, e.g. to restore an array
    that ``fn`` updates in place. With ``min_time`` > 0 each sample loops
    ``fn`` until that many seconds have passed and reports the time per call,
    which steadies very short kernels.
    """
    samples = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
            if setup is not None:
                setup()
        samples.append(elapsed / calls)
    return float(np.median(samples))


def relative_suboptimality(objective, best):
    """(objective - best) / max(|best|, tiny): how far a solution is from the optimum."""
    return (objective - best) / max(abs(best), np.finfo(float).tiny)


def loosest_tolerance(solve, objective, best, *, target=1e-6, tols=None):
    """The loosest of ``tols`` at which ``solve(tol)`` reaches relative
    suboptimality <= ``target``: ``(tol, suboptimality, seconds of that
    solve)``, tol None when none does.

    ``solve(tol)`` runs a solver at its own tolerance ``tol`` and returns its
    solution; ``objective(solution)`` evaluates the common objective. The
    tolerances are tightened until the target is met, so each library is timed
    at the loosest of its own settings that reaches the same accuracy.
    """
    tols = tols if tols is not None else [10.0 ** -k for k in range(2, 15)]
    gap = float("nan")
    for tol in tols:
        start = time.perf_counter()
        solution = solve(tol)
        once = time.perf_counter() - start
        gap = relative_suboptimality(objective(solution), best)
        if gap <= target:
            return tol, gap, once
    return None, gap, float("nan")


def round_robin_medians(fns, repeats, *, min_time=0.0):
    """{name: median seconds per call} of the functions ``fns`` (a dict), each
    called once untimed (page faults, thread pools), then timed once per round
    for ``repeats`` rounds, all of them in every round: on a shared machine the
    load drifts, and a candidate timed in a burst of its own takes whatever
    load came then. With ``min_time`` a sample loops its function for that
    long (see :func:`median_time`)."""
    for fn in fns.values():
        fn()
    # an infinite time per call: exactly ``repeats`` rounds
    return interleaved_medians({name: (fn, math.inf, repeats) for name, fn in fns.items()},
                               min_time=min_time)


def _runs_for(once, repeats):
    # Short solves get more samples (up to 25, about 0.2 s in all): the BLAS
    # threads of the objective evaluation keep spinning for milliseconds and
    # slowed the first timed runs of every solver.
    return max(repeats, min(25, int(0.2 / max(once, 1e-9))))


def interleaved_medians(calls, *, min_time=0.0):
    """Median time per call of each ``fn`` of ``calls`` (a dict name -> (fn,
    seconds of one call, least number of calls)), the calls taken in turn,
    round after round, so a change in the machine's load moves all of them
    alike rather than whichever ran then. With ``min_time`` a sample loops
    its function for that long (see :func:`median_time`)."""
    runs = {name: _runs_for(once, repeats) for name, (_, once, repeats) in calls.items()}
    samples = {name: [] for name in calls}
    for round_ in range(max(runs.values(), default=0)):
        for name, (fn, _, _) in calls.items():
            if round_ < runs[name]:
                samples[name].append(median_time(fn, repeats=1, min_time=min_time))
    return {name: float(np.median(times)) for name, times in samples.items()}


def fastest_ways(medians, names):
    """``({name: seconds of its fastest way}, {name: that way})`` from medians
    keyed ``(name, way)``; nan and None for a name none of whose ways ran."""
    times = {name: float("nan") for name in names}
    ways = {name: None for name in names}
    for (name, way), seconds in medians.items():
        if not seconds >= times[name]:
            times[name], ways[name] = seconds, way
    return times, ways


def quiet(run, *args):
    """``run(*args)`` with warnings silenced (the solvers' convergence chatter)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(*args)


def machine_description():
    """One line naming the CPU, core count, Python and NumPy versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"NumPy {np.__version__}"
    )


class Table:
    """Prints a fixed-width table one row at a time, so long runs show progress."""

    def __init__(self, columns, widths=None, stream=None):
        self.columns = list(columns)
        self.widths = widths or [max(12, len(c) + 2) for c in self.columns]
        self.stream = stream or sys.stdout
        self.rows = []
        self._print_line(self.columns)
        self._print_line(["-" * (w - 1) for w in self.widths])

    def add(self, *values):
        """Append and print one row; floats are shown with 3 significant digits."""
        self.rows.append(dict(zip(self.columns, values)))
        self._print_line([_format(v) for v in values])

    def _print_line(self, cells):
        line = "".join(str(c).ljust(w) for c, w in zip(cells, self.widths))
        print(line.rstrip(), file=self.stream, flush=True)


def _format(value):
    if isinstance(value, float):
        if value != value:
            return "n/a"
        return f"{value:.3g}"
    return str(value)
