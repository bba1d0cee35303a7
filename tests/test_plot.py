import subprocess
import sys

import numpy as np
import pytest

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from regcore.plot import plot_cv, plot_learning_curves, plot_path  # noqa: E402


@pytest.fixture
def ax():
    return Figure().add_subplot()


def _vlines_at(ax):
    """x positions of vertical lines (axvline draws a Line2D with equal x ends)."""
    out = []
    for line in ax.get_lines():
        x = np.asarray(line.get_xdata(), dtype=float)
        if x.size == 2 and x[0] == x[1] and tuple(line.get_ydata()) == (0, 1):
            out.append(x[0])
    return out


def _path(n_features=4, n_alphas=30):
    alphas = np.geomspace(10, 0.01, n_alphas)
    coefs = np.outer(np.arange(1, n_features + 1), 1 - alphas / alphas[0])
    return alphas, coefs


def test_plot_path_draws_one_line_per_feature_on_a_log_axis(ax):
    alphas, coefs = _path()
    out = plot_path(alphas, coefs, ax=ax)
    assert out is ax
    paths = [l for l in ax.get_lines() if len(l.get_xdata()) == alphas.size]
    assert len(paths) == coefs.shape[0]
    for line, coef in zip(paths, coefs):
        np.testing.assert_array_equal(line.get_ydata(), coef)
    assert ax.get_xscale() == "log"
    assert ax.xaxis_inverted()
    assert ax.get_ylabel() == "coefficient"
    assert "alpha" in ax.get_xlabel()
    assert ax.get_legend() is None  # no names, no selected alphas: nothing to explain


def test_plot_path_labels_features_and_marks_selected_alphas(ax):
    alphas, coefs = _path(3)
    plot_path(alphas, coefs, ax=ax, feature_names=["a", "b", "c"], alpha_min=0.1, alpha_1se=1.0)
    assert sorted(_vlines_at(ax)) == [0.1, 1.0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["a", "b", "c"]
    assert "alpha_min = 0.1" in labels and "alpha_1se = 1" in labels


def test_plot_path_checks_shapes(ax):
    alphas, coefs = _path()
    with pytest.raises(ValueError, match=r"coefs must have shape \(n_features, 30\)"):
        plot_path(alphas, coefs.T, ax=ax)
    with pytest.raises(ValueError, match="feature_names has 2 names for 4 features"):
        plot_path(alphas, coefs, ax=ax, feature_names=["a", "b"])
    with pytest.raises(ValueError, match="alphas must hold finite positive values"):
        plot_path(np.linspace(1, 0, 30), coefs, ax=ax)


def test_plot_cv_band_mean_and_selected_alphas(ax):
    alphas = np.geomspace(1, 1e-3, 20)
    mean = (np.log10(alphas) + 1.5) ** 2 + 1
    se = np.full(20, 0.1)
    out = plot_cv(alphas, mean, se, alpha_min=alphas[7], alpha_1se=alphas[5], ax=ax)
    assert out is ax
    assert sorted(_vlines_at(ax)) == sorted([alphas[7], alphas[5]])
    curves = [l for l in ax.get_lines() if len(l.get_xdata()) == 20]
    assert len(curves) == 1
    np.testing.assert_array_equal(curves[0].get_ydata(), mean)
    assert len(ax.collections) == 1  # the +/- 1 SE band
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx((mean - se).min())
    assert band[:, 1].max() == pytest.approx((mean + se).max())
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(l.startswith("alpha_min") for l in labels)
    assert any(l.startswith("alpha_1se") for l in labels)


def test_plot_cv_checks_lengths(ax):
    with pytest.raises(ValueError, match=r"se has shape \(3,\), expected \(4,\) like alphas"):
        plot_cv([1, 0.5, 0.2, 0.1], [1, 2, 3, 4], [1, 1, 1], 0.5, 1, ax=ax)


def test_plot_learning_curves_single_run(ax):
    history = {"train": [1.0, 0.5, 0.3], "val": [1.1, 0.8, 0.9], "best_epoch": 2}
    plot_learning_curves(history, ax=ax)
    lines = ax.get_lines()
    assert [l.get_linestyle() for l in lines[:2]] == ["-", "--"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [1.1, 0.8, 0.9])
    marker = lines[2]
    assert marker.get_marker() == "o"
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (2, 0.8)
    assert ax.get_xlabel() == "epoch"


def test_plot_learning_curves_several_runs_share_a_colour_per_run(ax):
    history = {
        "plain": {"train": [1, 0.2], "val": [1, 1.2]},
        "dropout": {"train": [1, 0.5], "val": [1, 0.7]},
    }
    plot_learning_curves(history, ax=ax, ylabel="log loss")
    lines = ax.get_lines()
    assert len(lines) == 4
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["plain: train", "plain: validation", "dropout: train",
                      "dropout: validation"]
    assert ax.get_ylabel() == "log loss"


def test_plot_learning_curves_rejects_bad_history(ax):
    with pytest.raises(ValueError, match=r"history\['a'\] lacks the key\(s\) \['val'\]"):
        plot_learning_curves({"a": {"train": [1]}}, ax=ax)
    with pytest.raises(TypeError, match="history must be a non-empty mapping"):
        plot_learning_curves([1, 2], ax=ax)
    # were an IndexError from indexing the curve and matplotlib's own shape error
    with pytest.raises(TypeError, match=r"history\['best_epoch'\] must be an integer, got float"):
        plot_learning_curves({"train": [1, 0.5], "val": [1, 0.7], "best_epoch": 2.0}, ax=ax)
    with pytest.raises(ValueError, match=r"history\['b'\]\['val'\] must be a 1-D sequence of "
                                         r"per-epoch values, got shape \(1, 2\)"):
        plot_learning_curves({"a": {"train": [1], "val": [1]},
                              "b": {"train": [1, 0.5], "val": [[1, 0.7]]}}, ax=ax)


def test_without_ax_a_new_figure_is_made():
    import matplotlib.pyplot as plt

    alphas, coefs = _path()
    ax = plot_path(alphas, coefs)
    try:
        assert ax.figure is plt.gcf()
    finally:
        plt.close(ax.figure)


def test_importing_regcore_plot_does_not_import_matplotlib():
    code = "import sys, regcore.plot; print('matplotlib' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_plot_path_and_cv_take_regcore_results_directly(ax):
    from regcore import lasso_path
    from regcore.data import load_diabetes
    from regcore.linear_model import enet_path_cv

    X, y, names = load_diabetes(scaled=True)
    alphas, coefs, _ = lasso_path(np.asfortranarray(X), y, alphas=20)
    plot_path(alphas, coefs, ax=ax, feature_names=names)
    assert len([l for l in ax.get_lines() if len(l.get_xdata()) == 20]) == 10
    cv = enet_path_cv(X, y, l1_ratio=1.0, alphas=20, cv=3)
    ax2 = Figure().add_subplot()
    plot_cv(cv.alphas[0], cv.mse_mean[0], cv.mse_se[0], cv.alpha_min, cv.alpha_1se, ax=ax2)
    assert sorted(_vlines_at(ax2)) == sorted([cv.alpha_min, cv.alpha_1se])
