"""The command line: exit codes, one-line errors, output shape of bench and demo."""

import json
import subprocess
import sys

import pytest

from regcore.__main__ import main
from regcore._bench import _runner
from regcore._bench._harness import machine_description
from regcore._demo import run as demo_run


def run_cli(*args, cwd=None):
    """Run ``python -m regcore ARGS`` with the regcore these tests imported."""
    import os

    import regcore

    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)  # as a newcomer's shell has it
    package_root = os.path.dirname(os.path.dirname(regcore.__file__))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "regcore", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd, env=env)


def assert_one_line_error(proc, fragment, code=2):
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0]


# --- errors -------------------------------------------------------------------------

def test_unknown_subcommand_is_one_line():
    assert_one_line_error(run_cli("frobnicate"), "invalid choice: 'frobnicate'")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("demo", "--seed", "-1"), "argument --seed: expected a non-negative integer, got '-1'"),
        (("demo", "--seed", "abc"), "expected a non-negative integer, got 'abc'"),
        (("demo", "--colour"), "unrecognized arguments: --colour"),
        (("demo", "--out", ""), "--out must name a folder, got an empty string"),
        (("bench", "--only", ","), "argument --only: expected topic names"),
        (("bench", "--only", "nosuchtopic"), "--only: unknown topic 'nosuchtopic'; choose from"),
        (("bench", "--json"), "argument --json: expected one argument"),
    ],
)
def test_bad_flags_are_one_line_errors(args, fragment):
    assert_one_line_error(run_cli(*args), fragment)


def test_out_that_is_a_file_is_refused_before_any_work(tmp_path):
    pytest.importorskip("matplotlib")  # --out is only used (and checked) for figures
    target = tmp_path / "taken"
    target.write_text("")
    proc = run_cli("demo", "--quick", "--out", str(target))
    assert_one_line_error(proc, "exists and is not a directory")
    assert proc.stdout == ""


def test_out_below_a_file_cannot_be_created(tmp_path):
    pytest.importorskip("matplotlib")  # --out is only used (and checked) for figures
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = run_cli("demo", "--out", str(blocker / "figures"))
    assert_one_line_error(proc, "cannot be created")
    assert "is not a directory" in proc.stderr


def test_json_into_a_missing_directory_is_refused_before_measuring(tmp_path):
    proc = run_cli("bench", "--quick", "--json", str(tmp_path / "nope" / "rows.json"))
    assert_one_line_error(proc, "does not exist")
    assert proc.stdout == ""


def test_json_onto_a_directory_is_refused(tmp_path):
    assert_one_line_error(run_cli("bench", "--json", str(tmp_path)), "is a directory")


def test_figures_that_cannot_be_written_are_a_one_line_error(monkeypatch, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    blocked = tmp_path / "figs"

    def makedirs(path, exist_ok=False):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(demo_run.os, "makedirs", makedirs)
    figures = demo_run.Figures(str(blocked))
    monkeypatch.setattr(demo_run, "SECTIONS", (
        ("one figure", lambda rng, quick, figs: figs.save("x.png", lambda ax: None), ()),))
    monkeypatch.setattr(demo_run, "Figures", lambda out_dir: figures)
    assert main(["demo", "--quick", "--out", str(blocked)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"python -m regcore demo: error: cannot write figures to {str(blocked)!r}: "
                   "Permission denied"]


def test_folders_where_no_file_can_be_created_are_refused_before_any_work(monkeypatch, tmp_path):
    # os.access says yes to root even on /proc or a read-only mount: the check
    # also creates (and deletes) a temporary file there
    import tempfile

    from regcore import __main__ as cli

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    with pytest.raises(cli.CliError, match="is not writable"):
        cli.check_out_dir(str(tmp_path))
    with pytest.raises(cli.CliError, match="cannot be created"):
        cli.check_out_dir(str(tmp_path / "figures"))
    with pytest.raises(cli.CliError, match="is not writable"):
        cli.check_json_path(str(tmp_path / "rows.json"))
    monkeypatch.undo()
    cli.check_out_dir(str(tmp_path / "figures"))  # writable: accepted, nothing left behind
    assert list(tmp_path.iterdir()) == []


def test_dangling_symlinks_are_refused_before_any_work(tmp_path):
    # nothing can be created through a link to a missing target: the demo and the
    # bench used to run first and fail when writing
    from regcore import __main__ as cli

    link = tmp_path / "link"
    try:
        link.symlink_to(tmp_path / "missing" / "target")
    except OSError:  # Windows without the symlink privilege
        pytest.skip("cannot create symbolic links here")
    with pytest.raises(cli.CliError, match="exists and is not a directory"):
        cli.check_out_dir(str(link))
    with pytest.raises(cli.CliError, match=f"cannot be created: {str(link)!r} is not a directory"):
        cli.check_out_dir(str(link / "figures"))
    with pytest.raises(cli.CliError, match=f"directory {str(tmp_path / 'missing')!r} does not exist"):
        cli.check_json_path(str(link))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"]


def test_a_closed_stdout_is_not_an_error(monkeypatch, tmp_path):
    # `python -m regcore info | head -1`: printed "error: [Errno 32] Broken pipe", exit 2
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            return sink.fileno()

    with open(tmp_path / "sink", "w") as sink:
        monkeypatch.setattr(sys, "stdout", ClosedPipe())
        assert main(["info"]) == 0


def test_version_flag_prints_the_version(capsys):
    import regcore

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"regcore {regcore.__version__}"


def test_unexpected_errors_are_one_line_with_a_debug_hint(monkeypatch, capsys):
    def boom(**kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(demo_run, "run_demo", boom)
    monkeypatch.delenv("REGCORE_DEBUG", raising=False)
    assert main(["demo", "--out", "."]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["python -m regcore demo: internal error: ZeroDivisionError: oops "
                   "(set REGCORE_DEBUG=1 for the traceback)"]


# --- bench ---------------------------------------------------------------------------

def test_bench_quick_prints_header_and_rows_and_writes_json(tmp_path):
    out = tmp_path / "rows.json"
    proc = run_cli("bench", "--quick", "--only", "prox", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("regcore ") and lines[0].endswith("bench (quick)")
    assert lines[1] == f"machine: {machine_description()}"
    # OpenMP runtimes read the wait policy at load: bench reruns itself with it passive
    assert "(OMP_WAIT_POLICY=passive)" in lines[2]
    header = next(i for i, line in enumerate(lines) if line.startswith("kernel"))
    assert lines[header].split() == ["kernel", "dtype", "n", "threads", "vs_numpy", "vs_copy",
                                     "vs_torch"]
    import regcore

    n_rows = 2 * 2 * len({1, regcore.get_num_threads()})  # dtypes x quick sizes x threads
    body = [line for line in lines[header + 2:] if line.startswith("soft_threshold")]
    assert len(body) == n_rows

    doc = json.loads(out.read_text())
    assert doc["quick"] is True and doc["topics"] == ["prox"] and doc["failed"] == []
    assert doc["machine"] == machine_description()
    assert len(doc["rows"]) == n_rows
    assert {row["threads"] for row in doc["rows"]} == {1, regcore.get_num_threads()}
    for row in doc["rows"]:
        assert row["topic"] == "prox"
        assert row["dtype"] in ("float32", "float64")
        assert row["vs_numpy"] > 0 and row["vs_copy"] > 0
        assert row["seconds"]["regcore"] > 0
    assert f"wrote {n_rows} rows to {out}" in proc.stdout


def test_topics_are_discovered_in_display_order():
    topics = _runner.available_topics()
    assert topics[0] == "prox"
    assert all(not t.startswith("_") for t in topics)
    known = [t for t in topics if t in _runner.KNOWN_TOPICS]
    assert known == [t for t in _runner.KNOWN_TOPICS if t in topics]


def test_missing_and_failing_topics_do_not_stop_the_others(monkeypatch, capsys):
    import types

    broken = types.ModuleType("regcore._bench.broken")
    broken.run = lambda quick=False, table=None: 1 / 0
    fine = types.ModuleType("regcore._bench.fine")
    fine.run = lambda quick=False, table=None: [{"case": "a", "ratio": float("nan")}]
    monkeypatch.setitem(sys.modules, broken.__name__, broken)
    monkeypatch.setitem(sys.modules, fine.__name__, fine)
    monkeypatch.setattr(_runner, "available_topics", lambda: ["broken", "fine"])

    rows, failed = _runner.run_topics(["absent", "broken", "fine"], quick=True, out=sys.stdout)
    text = capsys.readouterr().out
    assert "[absent] not in this build yet; skipped" in text
    assert "[broken] failed: ZeroDivisionError: division by zero" in text
    assert failed == ["broken"]
    assert rows == [{"topic": "fine", "case": "a", "ratio": rows[0]["ratio"]}]


def test_a_topic_named_twice_runs_once(monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")  # else bench reruns in a child process
    ran = []

    def run_topics(topics, *, quick, out):
        ran.extend(topics)
        return [], []

    monkeypatch.setattr(_runner, "run_topics", run_topics)
    monkeypatch.setattr(_runner, "header_lines", lambda quick: [])
    assert main(["bench", "--only", "prox,optim", "--only", "prox"]) == 0
    assert ran == ["prox", "optim"]


def test_json_has_no_nan(tmp_path):
    import numpy as np

    path = tmp_path / "rows.json"
    rows = [{"x": float("nan"), "y": np.float32(1.5), "z": np.int64(3), "a": np.arange(2)}]
    _runner.write_json(path, rows, quick=False, topics=["t"], failed=[])
    doc = json.loads(path.read_text())  # strict JSON: NaN would not be valid
    assert "NaN" not in path.read_text()
    assert doc["rows"] == [{"x": None, "y": 1.5, "z": 3, "a": [0, 1]}]


# --- demo ------------------------------------------------------------------------------

def test_demo_reports_missing_pieces_and_exits_non_zero(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(demo_run, "SECTIONS",
                        (("needs the moon", lambda *a: None, ("regcore:no_such_piece",)),))
    assert demo_run.run_demo(str(tmp_path / "figs"), quick=True) == 1
    out = capsys.readouterr().out
    assert "[needs the moon] skipped: this build of regcore lacks regcore.no_such_piece" in out
    assert not (tmp_path / "figs").exists()


def test_demo_without_matplotlib_says_how_to_get_figures(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setattr(demo_run, "SECTIONS", ())
    assert demo_run.run_demo(str(tmp_path), quick=True) == 0
    assert "pip install matplotlib" in capsys.readouterr().out


def test_demo_quick_end_to_end(tmp_path):
    assert demo_run.missing_pieces(demo_run.LINEAR_API + demo_run.MLP_API) == []
    out_dir = tmp_path / "figs"
    proc = run_cli("demo", "--quick", "--out", str(out_dir), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    for title in ("1. Overfitting", "2. L1 selects, L2 shrinks", "3. The lasso path",
                  "4. A NumPy MLP"):
        assert title in text
    for row in ("least squares (min-norm)", "ridge, CV min", "lasso, CV 1se", "truth w*",
                "features enter the lasso path in the order: bmi", "alpha_min =",
                "dropout + decay + early"):
        assert row in text
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "pip install matplotlib" in text
    else:
        names = {"synthetic_lasso_path.png", "synthetic_lasso_cv.png", "diabetes_lasso_path.png",
                 "diabetes_lasso_cv.png", "mlp_learning_curves.png"}
        assert {p.name for p in out_dir.iterdir()} == names
        for name in names:
            assert (out_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert name in text


def test_demo_needs_numpy_only(tmp_path):
    import os

    import regcore

    code = (
        "import sys\n"
        "for name in ('scipy', 'sklearn', 'matplotlib', 'joblib', 'torch'):\n"
        "    sys.modules[name] = None  # importing it now raises ImportError\n"
        "from regcore.__main__ import main\n"
        f"sys.exit(main(['demo', '--quick', '--out', {str(tmp_path / 'figs')!r}]))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(regcore.__file__)))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "4. A NumPy MLP" in proc.stdout and "lasso, CV min" in proc.stdout
    assert ("matplotlib is not installed: no figures. For PNG figures: pip install "
            "matplotlib") in proc.stdout
    assert not (tmp_path / "figs").exists()


def test_harness_takes_the_loosest_tolerance_and_interleaves_the_timed_calls():
    from regcore._bench import _harness

    # a "solver" whose objective reaches 1 + tol / 10: the target 1e-6 needs tol 1e-5
    tried = []
    def solve(tol):
        tried.append(tol)
        return 1.0 + tol / 10

    tol, gap, once = _harness.loosest_tolerance(solve, lambda value: value, 1.0, target=1e-6)
    assert tol == 1e-5 and tried == [1e-2, 1e-3, 1e-4, 1e-5] and gap == pytest.approx(1e-6)
    assert _harness.loosest_tolerance(solve, lambda value: value, 1.0, target=1e-6,
                                      tols=[1e-2, 1e-3])[0] is None
    order = []
    calls = {name: (lambda name=name: order.append(name), 1.0, runs)
             for name, runs in (("a", 3), ("b", 2))}
    medians = _harness.interleaved_medians(calls)
    assert order == ["a", "b", "a", "b", "a"] and set(medians) == {"a", "b"}
