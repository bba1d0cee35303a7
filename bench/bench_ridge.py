"""RidgeCV and LassoCV: regcore against scikit-learn (and the NumPy reference).

Usage: python bench/bench_ridge.py [--quick]
"""

import argparse

from regcore._bench import ridge


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small problems, ~20 s")
    args = parser.parse_args()
    ridge.run(quick=args.quick)


if __name__ == "__main__":
    main()
