"""Benchmark soft_threshold against NumPy, PyTorch and np.copyto (see regcore._bench.prox)."""

import argparse
import os

# Before regcore and torch load their OpenMP runtimes: both read this variable.
# Spinning idle workers of one library took the cores from the other in the
# next timed call (quick runs on two threads: torch 200x, regcore 100x slower).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

if __name__ == "__main__":
    from regcore._bench import prox
    from regcore._bench._harness import machine_description

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    print(machine_description())
    prox.run(quick=args.quick)
