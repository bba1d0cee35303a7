"""Matplotlib figures for regularization paths, CV curves and learning curves.

Needs matplotlib (``pip install matplotlib``), imported only when a
function here is called: importing regcore never imports matplotlib. Every
function draws on ``ax`` when given (a new figure from ``pyplot`` otherwise)
and returns the Axes, so figures compose and can be saved by the caller.
"""

import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["plot_path", "plot_cv", "plot_learning_curves"]

# Colours of the two selected alphas; their lines are dashed (min) and dotted (1-SE).
_MIN_STYLE = dict(color="black", linestyle="--", linewidth=1.0)
_1SE_STYLE = dict(color="tab:red", linestyle=":", linewidth=1.5)


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised without matplotlib
        raise ImportError(
            "regcore.plot needs matplotlib: pip install matplotlib"
        ) from exc
    _, ax = plt.subplots()
    return ax


def _positive_1d(values, name):
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must hold finite positive values (they go on a log axis)")
    return arr


def _same_length(values, name, n, ref_name):
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} has shape {arr.shape}, expected ({n},) like {ref_name}")
    return arr


def _mark_alphas(ax, alpha_min, alpha_1se):
    if alpha_min is not None:
        ax.axvline(alpha_min, label=f"alpha_min = {alpha_min:.3g}", **_MIN_STYLE)
    if alpha_1se is not None:
        ax.axvline(alpha_1se, label=f"alpha_1se = {alpha_1se:.3g}", **_1SE_STYLE)


def _log_alpha_axis(ax):
    ax.set_xscale("log")
    if not ax.xaxis_inverted():
        ax.invert_xaxis()  # strongest penalty on the left: models grow left to right
    ax.set_xlabel("alpha (log scale; weaker penalty to the right)")


def plot_path(alphas, coefs, ax=None, *, feature_names=None, alpha_min=None, alpha_1se=None,
              title="Regularization path"):
    """Plot coefficient paths against the penalty.

    Parameters
    ----------
    alphas : array of shape (n_alphas,)
        Penalties, positive (as returned by ``regcore.enet_path``).
    coefs : array of shape (n_features, n_alphas)
        Coefficients at each alpha; one line per feature.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    feature_names : sequence of str, optional
        Line labels; a legend is drawn when there are at most 12 features.
    alpha_min, alpha_1se : float, optional
        Cross-validated alphas, drawn as vertical lines.
    title : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    alphas = _positive_1d(alphas, "alphas")
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim != 2 or coefs.shape[1] != alphas.size:
        raise ValueError(
            f"coefs must have shape (n_features, {alphas.size}) to match alphas, "
            f"got {coefs.shape}"
        )
    if feature_names is not None and len(feature_names) != coefs.shape[0]:
        raise ValueError(
            f"feature_names has {len(feature_names)} names for {coefs.shape[0]} features"
        )
    ax = _axes(ax)
    for j, path in enumerate(coefs):
        label = None if feature_names is None else str(feature_names[j])
        ax.plot(alphas, path, linewidth=1.2, label=label)
    ax.axhline(0.0, color="0.6", linewidth=0.6, zorder=0)
    _mark_alphas(ax, alpha_min, alpha_1se)
    _log_alpha_axis(ax)
    ax.set_ylabel("coefficient")
    ax.set_title(title)
    labelled = feature_names is not None and len(feature_names) <= 12
    if labelled or alpha_min is not None or alpha_1se is not None:
        ax.legend(fontsize="small", ncol=2 if labelled else 1, loc="best")
    return ax


def plot_cv(alphas, mean, se, alpha_min, alpha_1se, ax=None, *,
            ylabel="cross-validated mean squared error", title="Cross-validation curve"):
    """Plot the cross-validated loss with one standard error band and the chosen alphas.

    Parameters
    ----------
    alphas : array of shape (n_alphas,)
    mean, se : arrays of shape (n_alphas,)
        Mean loss over folds and its standard error.
    alpha_min : float
        Alpha of the minimal mean loss.
    alpha_1se : float
        Largest alpha whose mean loss is within one standard error of the minimum.
    ax : matplotlib Axes, optional
    ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    alphas = _positive_1d(alphas, "alphas")
    mean = _same_length(mean, "mean", alphas.size, "alphas")
    se = _same_length(se, "se", alphas.size, "alphas")
    ax = _axes(ax)
    ax.fill_between(alphas, mean - se, mean + se, color="tab:blue", alpha=0.2,
                    label="mean +/- 1 standard error")
    ax.plot(alphas, mean, color="tab:blue", marker=".", markersize=3, label="mean over folds")
    _mark_alphas(ax, alpha_min, alpha_1se)
    _log_alpha_axis(ax)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small", loc="best")
    return ax


def _runs(history):
    """{name: {"train": seq, "val": seq}} from a single run or a mapping of runs."""
    if not isinstance(history, Mapping) or not history:
        raise TypeError("history must be a non-empty mapping")
    if all(isinstance(v, Mapping) for v in history.values()):
        runs = dict(history)
    else:
        runs = {"": history}
    for name, run in runs.items():
        where = f"history[{name!r}]" if name else "history"
        missing = {"train", "val"} - set(run)
        if missing:
            raise ValueError(f"{where} lacks the key(s) {sorted(missing)}")
        for key in ("train", "val"):
            if np.ndim(run[key]) != 1:
                raise ValueError(f"{where}[{key!r}] must be a 1-D sequence of per-epoch values, "
                                 f"got shape {np.shape(run[key])}")
        best = run.get("best_epoch")
        if best is not None and (isinstance(best, (bool, np.bool_))
                                 or not isinstance(best, numbers.Integral)):
            raise TypeError(f"{where}['best_epoch'] must be an integer, got {type(best).__name__}")
    return runs


def plot_learning_curves(history, ax=None, *, ylabel="loss", title="Learning curves"):
    """Plot training and validation curves per epoch, for one run or several.

    Parameters
    ----------
    history : mapping
        Either one run ``{"train": [...], "val": [...]}`` (per-epoch values,
        optionally ``"best_epoch"``: a 1-based epoch marked by a dot on the validation
        curve; :class:`regcore.callbacks.EarlyStopping` counts from 0, so pass
        its ``best_epoch + 1``) or a mapping of named runs ``{name: run}``. Each run gets one
        colour: training solid, validation dashed.
    ax : matplotlib Axes, optional
    ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    runs = _runs(history)
    ax = _axes(ax)
    for i, (name, run) in enumerate(runs.items()):
        colour = f"C{i % 10}"
        prefix = f"{name}: " if name else ""
        train = np.asarray(run["train"], dtype=np.float64)
        val = np.asarray(run["val"], dtype=np.float64)
        ax.plot(np.arange(1, train.size + 1), train, color=colour, linestyle="-",
                label=f"{prefix}train")
        ax.plot(np.arange(1, val.size + 1), val, color=colour, linestyle="--",
                label=f"{prefix}validation")
        best = run.get("best_epoch")
        if best is not None and 1 <= best <= val.size:
            ax.plot([best], [val[best - 1]], color=colour, marker="o", linestyle="none")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small", loc="best")
    return ax
