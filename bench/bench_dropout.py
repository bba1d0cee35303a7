"""Dropout forward speed: regcore vs np.copyto, NumPy and PyTorch CPU.

    python bench/bench_dropout.py            # full table (about a minute)
    python bench/bench_dropout.py --quick    # ~15 s
    python bench/bench_dropout.py --threads 1 2
"""

import argparse
import os

# Before regcore and torch load their OpenMP runtimes: both read this variable.
# Spinning idle workers of one library took the cores from the other in the
# next timed call (quick run, 16M on two threads: regcore/copy 2.4, 1.07 passive).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 16M NumPy twin")
    parser.add_argument("--threads", type=int, nargs="+", help="thread counts to run")
    args = parser.parse_args()
    from regcore._bench import dropout

    dropout.run(quick=args.quick, threads=args.threads)


if __name__ == "__main__":
    main()
