"""How fast could working-set CD be on one alpha? regcore, regcore told the support, NumPy.

    PYTHONPATH=src python bench/bench_linear_floor.py                  # 5000x500 rows (~1 min)
    PYTHONPATH=src python bench/bench_linear_floor.py --problems 500x5000 leukemia
"""

import argparse

from regcore._bench import linear


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="*", default=["5000x500"],
                        help="substrings selecting dense problems by label")
    parser.add_argument("--settings", nargs="*", default=["amax/10", "amax/100"],
                        help="subset of amax/10 amax/100")
    parser.add_argument("--cap", type=float, default=20.0,
                        help="seconds one solve may take before it is reported nan")
    args = parser.parse_args()
    linear.run_floor(problems_filter=args.problems, settings=args.settings, cap=args.cap)


if __name__ == "__main__":
    main()
