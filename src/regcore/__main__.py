"""Command line: ``python -m regcore {demo,bench,info}``.

Errors a user can cause (unknown subcommand, bad flag values, an output
folder or file that cannot be written) end with a one-line message on stderr
and exit status 2, never a traceback. Set ``REGCORE_DEBUG=1`` to see the
traceback of an unexpected internal error (exit status 1).
"""

import argparse
import os
import platform
import subprocess
import sys

PROG = "python -m regcore"
DEFAULT_OUT = "regcore-demo"


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) on stderr."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _cmd_info(args):
    import numpy as np

    import regcore

    print(f"regcore {regcore.__version__}")
    print(f"  location : {regcore.__file__}")
    print(f"  OpenMP   : {'yes' if regcore.openmp_enabled() else 'no'}")
    print(f"  threads  : {regcore.get_num_threads()}")
    print(f"  numpy    : {np.__version__}")
    print(f"  python   : {platform.python_version()} ({platform.machine()}, {platform.system()})")
    return 0


def _nearest_existing(path):
    path = os.path.abspath(path)
    while not os.path.lexists(path):  # a dangling symlink is not a place to create a folder
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _can_write_in(folder):
    """True when a file can be created in ``folder``: os.access first, then a
    temporary file (deleted at once), because os.access says yes to root
    even where nothing can be written (/proc, a read-only mount)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def check_out_dir(path):
    """Fail early (CliError) when ``path`` cannot become a writable folder; nothing is left behind."""
    if os.path.lexists(path):
        if not os.path.isdir(path):
            raise CliError(f"--out {path!r} exists and is not a directory")
        if not _can_write_in(path):
            raise CliError(f"--out {path!r} is not writable")
        return
    anchor = _nearest_existing(path)
    if not os.path.isdir(anchor):
        raise CliError(f"--out {path!r} cannot be created: {anchor!r} is not a directory")
    if not _can_write_in(anchor):
        raise CliError(f"--out {path!r} cannot be created: {anchor!r} is not writable")


def check_json_path(path):
    """Fail early (CliError) when the --json file's folder is missing or read-only."""
    folder = os.path.dirname(os.path.realpath(path))  # where a symlinked file would go
    if os.path.isdir(path):
        raise CliError(f"--json {path!r} is a directory")
    if not os.path.isdir(folder):
        raise CliError(f"--json {path!r}: directory {folder!r} does not exist")
    if not _can_write_in(folder):
        raise CliError(f"--json {path!r}: directory {folder!r} is not writable")


def _cmd_demo(args):
    from ._demo.run import Figures, run_demo

    if not args.out:
        raise CliError("--out must name a folder, got an empty string")
    if Figures(args.out).available:  # without matplotlib nothing is written to --out
        check_out_dir(args.out)
    return run_demo(out_dir=args.out, quick=args.quick, seed=args.seed)


def _cmd_bench(args):
    if "OMP_WAIT_POLICY" not in os.environ:
        return _rerun_with_passive_openmp(args.argv)
    from ._bench import _runner

    available = _runner.available_topics()
    topics = list(dict.fromkeys(args.only or available))  # a topic named twice runs once
    unknown = [t for t in topics if t not in available and t not in _runner.KNOWN_TOPICS]
    if unknown:
        raise CliError(
            f"--only: unknown topic {unknown[0]!r}; choose from {', '.join(available)}"
        )
    if args.json is not None:
        check_json_path(args.json)
    for line in _runner.header_lines(args.quick):
        print(line, flush=True)
    rows, failed = _runner.run_topics(topics, quick=args.quick, out=sys.stdout)
    if args.json is not None:
        try:
            _runner.write_json(args.json, rows, quick=args.quick, topics=topics, failed=failed)
        except OSError as exc:
            raise CliError(f"--json {args.json!r}: {exc.strerror or exc}") from exc
        print(f"\nwrote {len(rows)} rows to {args.json}")
    if failed:
        print(f"{PROG} bench: topic(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _rerun_with_passive_openmp(argv):
    """Run ``python -m regcore ARGV`` again in a child process with
    ``OMP_WAIT_POLICY=passive``; returns its exit status.

    The OpenMP runtimes of regcore and PyTorch read the variable when they
    load, which for regcore's was before this command started. Left active,
    the idle workers of one library spin on the cores the other needs in its
    next timed call: quick runs on two threads timed torch's softshrink 200x
    and regcore's soft_threshold 100x slower than alone.
    """
    env = dict(os.environ, OMP_WAIT_POLICY="passive")
    return subprocess.call([sys.executable, "-m", "regcore", *argv], env=env)


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _topic_list(text):
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected topic names, e.g. prox or prox,linear")
    return names


def build_parser():
    """Return the argument parser of ``python -m regcore``."""
    from . import __version__  # the package is imported before its __main__ anyway

    parser = _Parser(prog=PROG, description="regcore: fast, certified regularization for NumPy.")
    parser.add_argument("--version", action="version", version=f"regcore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{demo,bench,info}")
    sub.required = True

    demo = sub.add_parser(
        "demo", help="show what regularization does, on real data",
        description="Overfitting, sparsity, the regularization path with a cross-validated "
        "alpha, and dropout/weight decay in a small MLP: printed tables, plus PNG figures "
        "when matplotlib is installed (pip install matplotlib).",
    )
    demo.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                      help=f"folder for the PNG figures (default: ./{DEFAULT_OUT}; "
                      "created when needed)")
    demo.add_argument("--quick", action="store_true", help="smaller problems, a few seconds")
    demo.add_argument("--seed", type=_non_negative_int, default=0,
                      help="random seed of the synthetic data and splits (default: 0)")
    demo.set_defaults(func=_cmd_demo)

    bench = sub.add_parser(
        "bench", help="measure regcore against NumPy and other libraries",
        description="Time regcore's kernels and solvers against the NumPy reference and, "
        "when installed, scikit-learn, celer, skglm, glmnet and PyTorch; rows print as "
        "they are measured.",
    )
    bench.add_argument("--quick", action="store_true",
                       help="smaller sizes and fewer repeats, under a minute")
    bench.add_argument("--json", metavar="FILE", help="also write all rows to FILE as JSON")
    bench.add_argument("--only", metavar="TOPIC", type=_topic_list, action="extend",
                       help="run only these topics (comma-separated or repeated), among "
                       "prox, dropout, optim, linear, ridge, logistic")
    bench.set_defaults(func=_cmd_bench)

    info = sub.add_parser("info", help="version, OpenMP, threads and NumPy version")
    info.set_defaults(func=_cmd_info)
    return parser


def main(argv=None):
    """Entry point of ``python -m regcore``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    command = f"{PROG} {args.command}"
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, so a closed pipe is caught below and not at exit
        return code
    except BrokenPipeError:  # stdout closed early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CliError, OSError) as exc:  # OSError: an output that could not be written
        print(f"{command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("REGCORE_DEBUG"):
            raise
        print(f"{command}: internal error: {type(exc).__name__}: {exc} "
              "(set REGCORE_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
