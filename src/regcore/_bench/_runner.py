"""Run the benchmark topics behind ``python -m regcore bench``.

A topic is a module of this package (not starting with ``_``) exposing
``run(quick=False, table=None)`` that prints its rows as it goes and returns
them as dicts. Topics are found at run time, so a build lacking one simply
notes it and goes on.
"""

import importlib
import json
import math
import os
import pkgutil
import time

import numpy as np

from ._harness import machine_description

# Shown in this order; any other topic module found is appended after them.
KNOWN_TOPICS = ("prox", "dropout", "optim", "linear", "ridge", "logistic")


def available_topics():
    """Names of the topic modules present in this build, in display order."""
    from . import __path__ as bench_path

    found = {m.name for m in pkgutil.iter_modules(bench_path) if not m.name.startswith("_")}
    known = [t for t in KNOWN_TOPICS if t in found]
    return known + sorted(found - set(KNOWN_TOPICS))


def _jsonable(value):
    """NumPy scalars to Python, non-finite floats to None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def run_topics(topics, *, quick, out):
    """Run ``topics`` in order, printing to ``out``; returns (rows, failed topics).

    Every row gets a ``"topic"`` key. A topic that is missing is noted and
    skipped; one that raises is reported in one line and the others still run.
    """
    present = set(available_topics())
    rows, failed = [], []
    for topic in topics:
        if topic not in present:
            print(f"\n[{topic}] not in this build yet; skipped", file=out, flush=True)
            continue
        print(f"\n[{topic}]", file=out, flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"{__package__}.{topic}")
            topic_rows = module.run(quick=quick) or []
        except Exception as exc:  # one broken topic must not hide the others
            failed.append(topic)
            print(f"[{topic}] failed: {type(exc).__name__}: {exc}", file=out, flush=True)
            continue
        rows.extend({"topic": topic, **row} for row in topic_rows)
        print(f"[{topic}] {len(topic_rows)} rows in {time.perf_counter() - start:.1f} s",
              file=out, flush=True)
    return rows, failed


def header_lines(quick):
    """The header printed before any topic: version, build, machine, ratio legend."""
    import regcore

    return [
        f"regcore {regcore.__version__} bench{' (quick)' if quick else ''}",
        f"machine: {machine_description()}",
        f"OpenMP: {'yes' if regcore.openmp_enabled() else 'no'} (OMP_WAIT_POLICY="
        f"{os.environ.get('OMP_WAIT_POLICY', 'unset')}), threads: {regcore.get_num_threads()}",
        "ratios are measured side by side in one process (medians of repeats);"
        " each table states which way its ratios go; n/a = not measured (competitor"
        " absent or without an equivalent, over a time cap, or skipped by --quick)",
    ]


def write_json(path, rows, *, quick, topics, failed):
    """Write the rows and the run's context to ``path`` as JSON."""
    import regcore

    document = {
        "regcore": regcore.__version__,
        "machine": machine_description(),
        "openmp": bool(regcore.openmp_enabled()),
        "threads": int(regcore.get_num_threads()),
        "quick": bool(quick),
        "topics": list(topics),
        "failed": list(failed),
        "rows": rows,
    }
    with open(path, "w") as f:
        json.dump(_jsonable(document), f, indent=1)
        f.write("\n")
