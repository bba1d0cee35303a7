"""Lasso time-to-accuracy benchmark: regcore vs scikit-learn, celer, skglm, glmnet, NumPy.

    PYTHONPATH=src python bench/bench_linear.py           # full table (~15 min)
    PYTHONPATH=src python bench/bench_linear.py --quick   # tiny subset (~15 s)
"""

import argparse

from regcore._bench import linear


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny problems only")
    parser.add_argument("--solvers", nargs="*", default=None,
                        help=f"subset of {sorted(linear.SOLVERS)}")
    parser.add_argument("--problems", nargs="*", default=None,
                        help="substrings selecting problems by label")
    parser.add_argument("--settings", nargs="*", default=None,
                        help="subset of amax/10 amax/100 path")
    parser.add_argument("--cap", type=float, default=None,
                        help="seconds one solve may take before it is reported n/a "
                             "(default 20, 5 with --quick)")
    args = parser.parse_args()
    linear.run(quick=args.quick, solvers=args.solvers, settings=args.settings,
               problems_filter=args.problems, cap=args.cap)


if __name__ == "__main__":
    main()
