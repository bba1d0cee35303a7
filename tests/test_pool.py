"""The work-sharing pool of the compiled core (src/regcore/_pool.h), stressed in C."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADER = ROOT / "src" / "regcore" / "_pool.h"
COMPILER = shutil.which(os.environ.get("CC", "cc"))


@pytest.mark.skipif(sys.platform == "win32", reason="the pool is serial without POSIX threads")
@pytest.mark.skipif(COMPILER is None or not HEADER.exists(),
                    reason="needs a C compiler and the source tree's _pool.h")
@pytest.mark.parametrize("threads", [2, 3])
def test_every_chunk_runs_once_and_every_job_ends(tmp_path, threads):
    # Short 2-chunk jobs alternating with 64-chunk ones: a helper that woke
    # late for one job used to claim a chunk of the next with the old job's
    # chunk index (a chunk run twice, or a caller waiting forever: within a
    # few thousand jobs here)
    exe = tmp_path / "pool_stress"
    subprocess.run([COMPILER, "-O2", "-pthread", f'-DPOOL_H="{HEADER}"',
                    str(ROOT / "tests" / "c" / "pool_stress.c"), "-o", str(exe)],
                   check=True, capture_output=True)
    done = subprocess.run([str(exe), "200000", str(threads)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "0 chunks run other than once" in done.stdout
