import subprocess
import sys

import pytest

import regcore
from regcore.__main__ import main


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "regcore", *args], capture_output=True, text=True, timeout=600
    )


def test_info_reports_build_and_runtime():
    proc = run_cli("info")
    assert proc.returncode == 0, proc.stderr
    import numpy as np

    assert f"regcore {regcore.__version__}" in proc.stdout
    assert f"numpy    : {np.__version__}" in proc.stdout
    assert f"OpenMP   : {'yes' if regcore.openmp_enabled() else 'no'}" in proc.stdout
    assert f"threads  : {regcore.get_num_threads()}" in proc.stdout


def test_help_lists_subcommands():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("demo", "bench", "info"):
        assert command in proc.stdout


def test_unknown_subcommand_is_a_one_line_error():
    proc = run_cli("frobnicate")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid choice: 'frobnicate'" in proc.stderr


def test_missing_subcommand_fails():
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_version_is_set():
    assert regcore.__version__ not in ("", "0+unknown")


def test_import_pulls_no_optional_dependency():
    code = (
        "import sys, regcore; "
        "heavy = [m for m in ('scipy', 'sklearn', 'matplotlib', 'joblib', 'torch') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_set_num_threads_rejects_zero():
    with pytest.raises(ValueError, match="n_threads must be >= 1, got 0"):
        regcore.set_num_threads(0)


def test_sklearn_module_without_scikit_learn_says_what_to_install():
    # a bare "No module named 'sklearn'" (or, on scikit-learn < 1.6, "cannot
    # import name 'validate_data'") did not say which extra to install
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n"
        "    import regcore.sklearn\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ("regcore.sklearn needs scikit-learn >= 1.7: "
                                   "pip install 'scikit-learn>=1.7'")
