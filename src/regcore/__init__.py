"""regcore: fast, certified regularization for NumPy users.

Linear models with L1, L2 and elastic-net penalties solved by coordinate
descent, and the regularization primitives of neural-network training
(dropout, fused weight updates, initializers, early stopping). The hot loops
are compiled Cython; this package validates input and holds the API.

Importing regcore imports NumPy only: scipy, scikit-learn, matplotlib and
joblib are optional and loaded by the modules that need them.
"""

from importlib.metadata import PackageNotFoundError, version as _version

from ._kernels import get_num_threads, openmp_enabled, set_num_threads
from .dropout import Dropout, alpha_dropout, alpha_dropout_backward, dropout, dropout_backward
from .linear_model import enet_path, lasso_path, logistic_fit, logistic_path, ridge_path
from .penalties import soft_threshold

# Submodules reachable after `import regcore` (regcore.optim.SGD, ...); all
# NumPy-only. regcore.sklearn and regcore.plot are imported explicitly.
from . import callbacks, data, init, optim  # noqa: E402



def _source_tree_version():
    """The version in pyproject.toml when running from a source tree (PYTHONPATH=src)."""
    import pathlib
    import re

    try:
        text = (pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    except OSError:
        return "0+unknown"
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, flags=re.MULTILINE)
    return match.group(1) if match else "0+unknown"


try:
    __version__ = _version("regcore")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = _source_tree_version()

__all__ = [
    "__version__",
    # linear models
    "enet_path",
    "lasso_path",
    "logistic_fit",
    "logistic_path",
    "ridge_path",
    "soft_threshold",
    # neural-network regularization
    "Dropout",
    "alpha_dropout",
    "alpha_dropout_backward",
    "dropout",
    "dropout_backward",
    "callbacks",
    "init",
    "optim",
    # data and runtime
    "data",
    "get_num_threads",
    "openmp_enabled",
    "set_num_threads",
]
