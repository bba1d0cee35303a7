"""The report of ``python -m regcore demo``: printed tables and optional PNG figures."""

import contextlib
import os
import time
import warnings

import numpy as np

from .. import data as datasets
from .._bench._harness import Table
from . import linear

PLOT_HINT = "pip install matplotlib"
# Smallest alpha of the section-1 grids, relative to alpha_max: glmnet's default when
# features outnumber samples. Below it the fits approach least squares, which the
# tables already show, and coordinate descent slows down on collinear designs.
PATH_EPS = 1e-2


# --- output helpers ------------------------------------------------------------------

def _num(value):
    """Compact number for tables: 3 significant digits, thousands without exponent."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if value == 0:
        return "0"  # also -0.0
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _title(text):
    print(f"\n{'=' * 78}\n{text}\n{'=' * 78}", flush=True)


def _subtitle(text):
    print(f"\n-- {text}", flush=True)


class Figures:
    """Writes PNG figures with matplotlib when it is installed; remembers what it wrote."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.written = []
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            self.available = False
        else:
            self.available = True

    def save(self, filename, draw, *, size=(7.0, 4.5)):
        """Draw with ``draw(ax)`` on a fresh figure and save it as out_dir/filename."""
        if not self.available:
            return
        from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

        fig = Figure(figsize=size, layout="constrained")
        draw(fig.add_subplot())
        try:
            os.makedirs(self.out_dir, exist_ok=True)
            path = os.path.join(self.out_dir, filename)
            fig.savefig(path, dpi=110)
        except OSError as exc:
            raise OSError(f"cannot write figures to {self.out_dir!r}: "
                          f"{exc.strerror or exc}") from None
        self.written.append(path)


@contextlib.contextmanager
def _summarized_warnings():
    """Collect the warnings of a section and print one summary line instead of each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        yield
    if caught:
        first = caught[0]
        message = str(first.message).splitlines()[0]
        print(f"note: {len(caught)} warning(s) in this section, e.g. "
              f"{first.category.__name__}: {message}", flush=True)


def missing_pieces(requirements):
    """The "module:name" requirements this build cannot import (empty when all are there)."""
    import importlib

    missing = []
    for requirement in requirements:
        module_name, _, attr = requirement.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        if attr and not hasattr(module, attr):
            missing.append(f"{module_name}.{attr}")
    return missing


# --- problems --------------------------------------------------------------------------

def diabetes_quadratic(rng, n_train):
    """Diabetes with the 64 quadratic predictors; n_train patients to fit, the rest held out."""
    X, y, names = datasets.load_diabetes()
    Xq, labels = linear.quadratic_features(X, names)
    train, test = linear.train_test_split(len(y), n_train, rng)
    X_train, X_test = linear.standardize(Xq[train], Xq[test])
    return dict(X_train=X_train, y_train=y[train], X_test=X_test, y_test=y[test],
                names=labels, true_coef=None)


def sparse_synthetic(rng, n_samples, n_features, n_informative):
    """make_sparse_regression, half of the samples held out."""
    X, y, coef = datasets.make_sparse_regression(2 * n_samples, n_features, n_informative,
                                                 rho=0.5, snr=3.0, rng=rng)
    train, test = np.arange(n_samples), np.arange(n_samples, 2 * n_samples)
    return dict(X_train=np.asfortranarray(X[train]), y_train=y[train], X_test=X[test],
                y_test=y[test], names=[f"x{j}" for j in range(n_features)], true_coef=coef)


# --- section 1 and 2: overfitting, sparsity --------------------------------------------

def fit_all(problem, folds, n_alphas):
    """Least squares and the cross-validated ridge, lasso and elastic net on one problem."""
    X, y = problem["X_train"], problem["y_train"]
    paths = {
        "ridge": linear.ridge_cv("ridge", X, y, folds, n_alphas=n_alphas),
        "lasso": linear.enet_cv("lasso", X, y, folds, l1_ratio=1.0, n_alphas=n_alphas,
                                eps=PATH_EPS),
        "enet": linear.enet_cv("elastic net (l1_ratio=0.5)", X, y, folds, l1_ratio=0.5,
                               n_alphas=n_alphas, eps=PATH_EPS),
    }
    models = [("least squares (min-norm)", float("nan"), *linear.least_squares(X, y))]
    for key, rule in (("ridge", "min"), ("lasso", "min"), ("lasso", "1se"), ("enet", "min")):
        path = paths[key]
        alpha = path.alpha_min if rule == "min" else path.alpha_1se
        edge = path.index(rule) in (0, path.alphas.size - 1)  # the optimum may lie beyond
        models.append((f"{path.name}, CV {rule}{' *' if edge else ''}", alpha,
                       *path.model(rule)))
    return models, paths


def print_overfitting(problem, models):
    """Section 1: train vs held-out error of every model."""
    X, y, Xt, yt = problem["X_train"], problem["y_train"], problem["X_test"], problem["y_test"]
    null_mse = float(np.mean((yt - y.mean()) ** 2))
    table = Table(["model", "alpha", "nonzero", "train MSE", "test MSE", "test R2"],
                  [36, 10, 11, 11, 11, 8])
    for name, alpha, coef, intercept in models:
        test = linear.mse(Xt, yt, coef, intercept)
        table.add(name, _num(alpha), f"{np.count_nonzero(coef)}/{coef.size}",
                  _num(linear.mse(X, y, coef, intercept)), _num(test),
                  _num(1.0 - test / null_mse))
    print(f"(predicting the training mean: test MSE {_num(null_mse)}, R2 0)")
    if any(name.endswith(" *") for name, *_ in models):
        print("* alpha chosen at the edge of its grid: the cross-validated optimum may lie "
              "beyond it")


def print_sparsity(problem, models):
    """Section 2: non-zeros, norms and support recovery against the true coefficients."""
    true = problem["true_coef"]
    table = Table(["model", "nonzero", "|w|_1", "|w|_2", "|w - w*|_2", "precision", "recall"],
                  [36, 9, 9, 9, 11, 10, 8])
    table.add("truth w*", np.count_nonzero(true), _num(np.abs(true).sum()),
              _num(np.linalg.norm(true)), "0", "1", "1")
    for name, _, coef, _ in models:
        precision, recall = linear.support_scores(coef, true)
        table.add(name, np.count_nonzero(coef), _num(np.abs(coef).sum()),
                  _num(np.linalg.norm(coef)), _num(np.linalg.norm(coef - true)),
                  _num(precision), _num(recall))


def section_overfitting_and_sparsity(rng, quick, figures):
    _title("1. Overfitting: least squares vs ridge, lasso and elastic net (alpha by 5-fold CV)")
    print("alpha as in scikit-learn: ridge's weighs ||w||^2 against the residual sum of\n"
          "squares, the lasso's and elastic net's against half the mean squared residual.")
    n_alphas = 40 if quick else 100
    n_train = 100 if quick else 120
    diabetes = diabetes_quadratic(rng, n_train)
    _subtitle(f"diabetes (Efron et al. 2004), quadratic model: 64 predictors, {n_train} "
              f"patients to fit, {len(diabetes['y_test'])} held out")
    folds = _folds(len(diabetes["y_train"]), rng)
    models_d, _ = fit_all(diabetes, folds, n_alphas)
    print_overfitting(diabetes, models_d)

    n, p, k = (100, 400, 8) if quick else (200, 1000, 10)
    synthetic = sparse_synthetic(rng, n, p, k)
    _subtitle(f"synthetic: n={n} training samples (and {n} held out), p={p} features, "
              f"{k} truly non-zero, Toeplitz correlation 0.5, SNR 3")
    folds = _folds(n, rng)
    models_s, paths_s = fit_all(synthetic, folds, n_alphas)
    print_overfitting(synthetic, models_s)
    print("With more features than samples, least squares interpolates the training data\n"
          "(train MSE ~ 0) and predicts poorly. Ridge shrinks all coefficients alike and\n"
          "cannot single out the few that matter; the L1 penalty can.")

    _title("2. L1 selects, L2 shrinks: coefficients on the synthetic problem")
    print_sparsity(synthetic, models_s)
    print("Ridge keeps every coefficient non-zero (shrunk towards 0); the lasso sets most of\n"
          "them to exactly 0. Recall: share of the true features kept; precision: share of the\n"
          "kept features that are true. The 1-SE rule trades a little CV error for sparsity.")
    lasso = paths_s["lasso"]
    true_support = np.flatnonzero(synthetic["true_coef"])
    ever = np.flatnonzero((lasso.coefs != 0).any(axis=1))
    shown = np.union1d(ever, true_support)
    figures.save("synthetic_lasso_path.png", lambda ax: _draw_synthetic_path(
        ax, lasso, shown, true_support, (n, p, k)))
    figures.save("synthetic_lasso_cv.png", lambda ax: _draw_cv(
        ax, lasso, f"Lasso 5-fold CV, synthetic (n={n}, p={p})"))


def _folds(n_samples, rng):
    from ..linear_model import make_folds

    return make_folds(n_samples, linear.N_FOLDS, shuffle=True, rng=rng)


# --- section 3: path and CV on the ten diabetes features ------------------------------

def section_path(rng, quick, figures):
    _title("3. The lasso path and the cross-validated alpha (diabetes, 10 features, 442 patients)")
    X, y, names = datasets.load_diabetes()
    X, _ = linear.standardize(X, X[:1])
    n_folds = 5 if quick else 10
    from ..linear_model import make_folds

    folds = make_folds(len(y), n_folds, shuffle=True, rng=rng)
    path = linear.enet_cv("lasso", X, y, folds, l1_ratio=1.0, n_alphas=50 if quick else 100)
    order = linear.entry_order(path.coefs)
    print("features enter the lasso path in the order: " + ", ".join(names[j] for j in order))
    i_min, i_1se = path.index("min"), path.index("1se")
    table = Table(["alpha", "nonzero", f"{n_folds}-fold CV MSE", "+/- SE", ""],
                  [10, 9, 17, 9, 12])
    for i in _path_rows(len(path.alphas), (i_min, i_1se)):
        mark = "<- min" if i == i_min else "<- 1-SE" if i == i_1se else ""
        if i == i_min == i_1se:
            mark = "<- min, 1-SE"
        table.add(_num(path.alphas[i]), np.count_nonzero(path.coefs[:, i]), _num(path.mean[i]),
                  _num(path.se[i]), mark)

    _subtitle("standardized coefficients: L2 shrinks every feature, L1 drops some")
    ols = linear.least_squares(X, y)[0]
    ridge = linear.ridge_cv("ridge", X, y, folds, n_alphas=50)
    columns = [("least sq.", ols), ("ridge min", ridge.model("min")[0]),
               ("lasso min", path.model("min")[0]), ("lasso 1-SE", path.model("1se")[0])]
    table = Table(["feature"] + [c for c, _ in columns], [9] + [12] * len(columns))
    for j, name in enumerate(names):
        table.add(name, *(_num(coef[j]) for _, coef in columns))
    table.add("|w|_1", *(_num(np.abs(coef).sum()) for _, coef in columns))
    print(f"alpha_min = {_num(path.alpha_min)} ({np.count_nonzero(path.coefs[:, i_min])} "
          f"features), alpha_1se = {_num(path.alpha_1se)} "
          f"({np.count_nonzero(path.coefs[:, i_1se])} features)")
    figures.save("diabetes_lasso_path.png", lambda ax: _draw_path(
        ax, path, names, "Lasso path, diabetes (standardized features)"), size=(8.5, 4.5))
    figures.save("diabetes_lasso_cv.png", lambda ax: _draw_cv(
        ax, path, f"Lasso {n_folds}-fold CV, diabetes"))


def _path_rows(n_alphas, marked, n_rows=12):
    """About n_rows evenly spaced grid indices, always including the marked ones."""
    rows = set(np.linspace(0, n_alphas - 1, n_rows).round().astype(int).tolist())
    return sorted(rows | set(marked))


def _draw_path(ax, path, names, title):
    from ..plot import plot_path

    plot_path(path.alphas, path.coefs, ax=ax, feature_names=names, alpha_min=path.alpha_min,
              alpha_1se=path.alpha_1se, title=title)
    _legend_outside(ax)


def _legend_outside(ax):
    """Move the legend to the right of the axes, where it hides no curve."""
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")


def _draw_synthetic_path(ax, path, shown, true_support, shape):
    from ..plot import plot_path

    n, p, k = shape
    plot_path(path.alphas, path.coefs[shown], ax=ax, alpha_min=path.alpha_min,
              alpha_1se=path.alpha_1se,
              title=f"Lasso path, synthetic (n={n}, p={p}, {k} true features)")
    # true features solid and coloured, the others (false positives) thin and grey
    truth = set(true_support.tolist())
    # one colour per true feature, none of them grey (reserved for the others)
    colours = [f"C{i}" for i in range(10) if i != 7] + ["black"]
    n_true = 0
    for line, j in zip(ax.get_lines(), shown):
        if j in truth:
            line.set_color(colours[n_true % len(colours)])
            n_true += 1
        else:
            line.set_color("0.7")
            line.set_linewidth(0.6)
            line.set_zorder(1)
    ax.text(0.01, 0.02, f"grey: the {len(shown) - len(truth)} features outside the true "
            f"support that enter the path",
            transform=ax.transAxes, fontsize="small", color="0.4")


def _draw_cv(ax, path, title):
    from ..plot import plot_cv

    plot_cv(path.alphas, path.mean, path.se, path.alpha_min, path.alpha_1se, ax=ax, title=title)


# --- section 4: the MLP ------------------------------------------------------------------

def section_mlp(rng, quick, figures):
    from . import mlp

    _title("4. A NumPy MLP with regcore's dropout, weight decay, He init and early stopping")
    n_train = 200
    X, y = datasets.make_classification(n_train + 1000, 30, 8, n_classes=3, clusters_per_class=2,
                                        class_sep=3.0, flip_y=0.1, rng=rng)
    X, _ = linear.standardize(X, X[:1])
    data = dict(X_train=X[:n_train], y_train=y[:n_train], X_val=X[n_train:n_train + 500],
                y_val=y[n_train:n_train + 500], X_test=X[n_train + 500:], y_test=y[n_train + 500:])
    hidden, epochs = ((64, 64), 40) if quick else ((128, 128), 100)
    print(f"3 classes, 30 features (8 informative), 10% label noise; {n_train} training, "
          f"500 validation, 500 test samples;\nMLP 30-{hidden[0]}-{hidden[1]}-3 (ReLU, He "
          f"init), SGD momentum 0.9, batch 20, up to {epochs} epochs")
    configs = [
        mlp.RunConfig("plain"),
        mlp.RunConfig("early stopping", early_stopping=True),
        mlp.RunConfig("weight decay 3e-2", weight_decay=3e-2),
        mlp.RunConfig("dropout 0.5", dropout=0.5),
        mlp.RunConfig("dropout + decay + early", dropout=0.5, weight_decay=3e-2,
                      early_stopping=True),
    ]
    histories = {}
    for config in configs:
        histories[config.name] = mlp.train(config, data, hidden=hidden, epochs=epochs,
                                           batch_size=20, lr=0.02, patience=15, seed=1)

    _subtitle("cross-entropy per epoch, train / validation (a run that stopped early shows -)")
    table = Table(["epoch"] + list(histories), [7] + [max(16, len(c) + 2) for c in histories])
    for epoch in _path_rows(epochs, (), n_rows=8):
        cells = []
        for h in histories.values():
            e = epoch
            cells.append(f"{h.train[e]:.3f} / {h.val[e]:.3f}" if e < len(h.train) else "-")
        table.add(epoch + 1, *cells)

    _subtitle("end of training (early stopping restores the best epoch's weights)")
    table = Table(["run", "epochs", "best epoch", "best val", "train loss", "val loss",
                   "val acc", "test acc"], [26, 8, 12, 10, 12, 10, 9, 9])
    for name, h in histories.items():
        f = h.final
        table.add(name, h.stopped_epoch, h.best_epoch, f"{min(h.val):.3f}",
                  f"{f['train_loss']:.3f}", f"{f['val_loss']:.3f}", f"{f['val_accuracy']:.3f}",
                  f"{f['test_accuracy']:.3f}")
    plain = histories["plain"]
    print(f"Unregularized, the training loss falls to {plain.train[-1]:.3f} while the validation "
          f"loss climbs from\n{min(plain.val):.3f} (epoch {plain.best_epoch}) to "
          f"{plain.val[-1]:.3f}: the network memorizes the label noise. Weight decay bounds the\n"
          "weights; dropout trains an ensemble of thinned networks (it lowers the best validation\n"
          "loss, but on its own can still drift late); early stopping keeps the best weights.")
    stopped = histories["early stopping"].final["test_accuracy"]
    if stopped < plain.final["test_accuracy"]:
        print(f"Here early stopping ends with a lower test accuracy ({stopped:.3f}) than the "
              f"unregularized run\n({plain.final['test_accuracy']:.3f}): it keeps the epoch of "
              "the lowest validation loss, and the loss\nalso punishes confident mistakes, "
              "which accuracy does not count.")

    def draw(ax):
        from ..plot import plot_learning_curves

        plot_learning_curves({k: h.as_plot_history() for k, h in histories.items()}, ax=ax,
                             ylabel="cross-entropy", title="MLP learning curves (solid: train, "
                             "dashed: validation, dot: best epoch)")
        ax.set_ylim(0, min(3.0, ax.get_ylim()[1]))
        _legend_outside(ax)

    figures.save("mlp_learning_curves.png", draw, size=(10.0, 5.0))


# --- driver ------------------------------------------------------------------------------

LINEAR_API = ("regcore.linear_model:enet_path", "regcore.linear_model:enet_path_cv",
              "regcore.linear_model:ridge_path", "regcore.linear_model:ridge_path_cv",
              "regcore.linear_model:make_folds")
MLP_API = ("regcore:Dropout", "regcore.init:kaiming_normal_", "regcore.optim:SGD",
           "regcore.callbacks:EarlyStopping")
SECTIONS = (
    ("overfitting and sparsity", section_overfitting_and_sparsity, LINEAR_API),
    ("path and cross-validation", section_path, LINEAR_API),
    ("MLP", section_mlp, MLP_API),
)


def run_demo(out_dir, quick=False, seed=0):
    """Print the demo report; write figures to ``out_dir`` when matplotlib is installed.

    Returns the exit status: 0, or 1 when a section could not run because a
    piece of regcore it needs is missing from this build.
    """
    import regcore

    start = time.perf_counter()
    figures = Figures(out_dir)
    print(f"regcore {regcore.__version__} demo{' (quick)' if quick else ''}: "
          f"what regularization does. Seed {seed}.")
    missing = []
    for i, (name, section, requirements) in enumerate(SECTIONS):
        lacking = missing_pieces(requirements)
        if lacking:
            missing.append(name)
            print(f"\n[{name}] skipped: this build of regcore lacks {', '.join(lacking)}",
                  flush=True)
            continue
        with _summarized_warnings():
            section(np.random.default_rng([seed, i]), quick, figures)
    print(f"\n{'=' * 78}")
    if figures.available:
        if figures.written:
            print(f"figures written to {os.path.abspath(out_dir)}:")
            for path in figures.written:
                print(f"  {os.path.basename(path)}")
        else:
            print("no figures written (no section ran)")
    else:
        print(f"matplotlib is not installed: no figures. For PNG figures: {PLOT_HINT}")
    print(f"demo finished in {time.perf_counter() - start:.1f} s. How fast regcore is against "
          "NumPy, scikit-learn, celer, skglm, glmnet and PyTorch: python -m regcore bench --quick")
    return 1 if missing else 0
