"""Cross-validation over a regularization path: folds, fold runner, 1-SE rule.

The elastic-net driver :func:`enet_path_cv` fits :func:`enet_path` on every
training fold along one alpha grid computed on the full data, scores each
alpha by the held-out (weighted) mean squared error, takes the fold mean and
its standard error, picks ``alpha_min`` (smallest mean error) and
``alpha_1se`` (glmnet's rule: the largest alpha whose mean error is within one
standard error of the minimum) and refits on all data at the selected alpha.
Folds run in threads (the kernels release the GIL) through joblib when it is
importable, so ``joblib.parallel_config(backend="dask")`` or ``"ray"`` spreads
them over a cluster.

Two savings over running ``enet_path`` on each fold from scratch: dense X is
put in Fortran order once and training rows are gathered in that order; and
when the folds would use a full Gram matrix (dense float64, more training
rows than features), each fold's Gram is the Gram of all rows minus that of
its test rows, a product over n/k rows instead of n (k - 1)/k.
"""

import numbers
import os

import numpy as np

from .._validation import as_float_array, check_random_state, check_scalar
from ._ridge import _check_inputs, _is_sparse, ridge_path

SELECTION_RULES = ("min", "1se")


# --- folds -----------------------------------------------------------------------------

def make_folds(n_samples, cv=5, *, y=None, groups=None, stratify=False, shuffle=False,
               rng=None):
    """Train/test index pairs for cross-validation.

    Parameters
    ----------
    n_samples : int
    cv : int, iterable of (train, test) pairs, or object with ``split(X, y, groups)``
        An int k gives k contiguous folds of sizes differing by at most one,
        the first ``n_samples % k`` folds one larger (the same partition as
        scikit-learn's ``KFold(k)``); with ``groups``, k folds of whole
        groups. A splitter object (e.g. ``sklearn.model_selection.GroupKFold``)
        is called with a placeholder X of ``n_samples`` rows, ``y`` and
        ``groups``.
    y : array-like of shape (n_samples,), optional
        Class labels, needed only when ``stratify`` is True (or by a splitter).
    groups : array-like of shape (n_samples,), optional
        Group label of each sample (a patient, a site, a session): with an
        int k, every group goes whole into one test fold, the largest groups
        first, each to the fold with the fewest samples so far, and
        ``stratify`` is not applied. scikit-learn's unshuffled
        ``GroupKFold(k)`` makes the same partition (before scikit-learn 1.9,
        only when no two groups have the same size). Not used with an iterable of splits.
    stratify : bool, default=False
        Deal the samples of each class round-robin over the k folds, so every
        fold has about the same class proportions.
    shuffle : bool, default=False
        Shuffle the samples (within each class when stratifying) before
        dealing them into folds; with ``groups``, deal the groups in a random
        order instead of by size.
    rng : None, int or numpy.random.Generator
        Randomness for ``shuffle``.

    Returns
    -------
    list of (train_idx, test_idx) pairs of int64 arrays

    Examples
    --------
    >>> from regcore.linear_model import make_folds
    >>> [test.tolist() for _, test in make_folds(5, cv=2)]
    [[0, 1, 2], [3, 4]]
    """
    n_samples = check_scalar(n_samples, "n_samples", lo=1, integer=True)
    groups = _check_groups(groups, n_samples)
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        k = check_scalar(cv, "cv", lo=2, integer=True)
        if k > n_samples:
            raise ValueError(
                f"cv={k} folds need at least {k} samples, got n_samples={n_samples}")
        if groups is None:
            fold_of = _assign_folds(n_samples, k, y, stratify, shuffle, rng)
        else:
            fold_of = _assign_group_folds(groups, k, shuffle, rng)
        everything = np.arange(n_samples)
        return [(everything[fold_of != f], everything[fold_of == f]) for f in range(k)]
    if isinstance(cv, (str, bytes)):  # str.split is not a splitter
        raise _not_a_cv(cv)
    if hasattr(cv, "split"):
        placeholder = np.zeros((n_samples, 1))
        splits = (cv.split(placeholder, y) if groups is None
                  else cv.split(placeholder, y, groups))
    else:
        if groups is not None:
            raise ValueError("groups are used with an int cv or a splitter object; an "
                             "iterable of (train, test) splits already says which rows "
                             "go together")
        try:
            splits = iter(cv)
        except TypeError:
            raise _not_a_cv(cv) from None
    folds = [_check_split(split, n_samples) for split in splits]
    if not folds:
        raise ValueError("cv produced no (train, test) splits")
    return folds


def _not_a_cv(cv):
    return TypeError("cv must be an int, an iterable of (train, test) index pairs or an "
                     f"object with a split(X, y) method, got {type(cv).__name__}")


def _check_groups(groups, n_samples):
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.shape != (n_samples,):
        raise ValueError(f"groups must have shape ({n_samples},), got {groups.shape}")
    return groups


def _assign_group_folds(groups, k, shuffle, rng):
    """Fold number of each sample, whole groups to a fold: the groups in
    decreasing size (the later label first among equal sizes) or in random
    order with ``shuffle``, each to the fold with the fewest samples so far
    (the first such fold on ties)."""
    labels, group_of, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    if labels.size < k:
        raise ValueError(f"cv={k} folds need at least {k} groups, got {labels.size}")
    if shuffle:
        order = check_random_state(rng).permutation(labels.size)
    else:
        order = np.argsort(sizes, kind="stable")[::-1]
    fold_sizes = np.zeros(k, np.int64)
    fold_of_group = np.empty(labels.size, np.int64)
    for g in order:
        fold = int(np.argmin(fold_sizes))
        fold_of_group[g] = fold
        fold_sizes[fold] += sizes[g]
    return fold_of_group[group_of]


def _assign_folds(n_samples, k, y, stratify, shuffle, rng):
    """Fold number of each sample."""
    if not stratify:
        order = check_random_state(rng).permutation(n_samples) if shuffle else np.arange(n_samples)
        sizes = np.full(k, n_samples // k)
        sizes[: n_samples % k] += 1
        fold_of = np.empty(n_samples, np.int64)
        fold_of[order] = np.repeat(np.arange(k), sizes)
        return fold_of
    if y is None:
        raise ValueError("stratify=True needs the class labels y")
    y = np.asarray(y)
    if y.shape != (n_samples,):
        raise ValueError(f"y must have shape ({n_samples},) to stratify, got {y.shape}")
    generator = check_random_state(rng)
    fold_of = np.empty(n_samples, np.int64)
    start = 0  # continue the round-robin across classes so fold sizes stay balanced
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        if shuffle:
            members = generator.permutation(members)
        fold_of[members] = (start + np.arange(members.size)) % k
        start += members.size
    return fold_of


def _check_split(split, n_samples):
    try:
        train, test = split
    except (TypeError, ValueError):
        raise TypeError(f"cv must yield (train, test) pairs of row indices, got a "
                        f"{type(split).__name__} that is not a pair") from None
    return _check_indices(train, "train", n_samples), _check_indices(test, "test", n_samples)


def _check_indices(idx, name, n_samples):
    """A split's row indices as int64; a boolean mask over the rows is turned
    into the indices it selects (cast to int, it would select rows 0 and 1)."""
    idx = np.asarray(idx).ravel()
    if idx.dtype == bool:
        if idx.size != n_samples:
            raise ValueError(f"cv produced a boolean {name} mask of {idx.size} entries "
                             f"for {n_samples} samples")
        idx = np.flatnonzero(idx)
    if idx.size == 0:
        raise ValueError(f"cv produced an empty {name} set")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"cv produced {name} indices of dtype {idx.dtype}; integer "
                        f"indices or a boolean mask are needed")
    idx = idx.astype(np.int64)
    if idx.min() < 0 or idx.max() >= n_samples:
        raise ValueError(f"cv produced {name} indices outside [0, {n_samples})")
    return idx


# --- selection -----------------------------------------------------------------------

def select_alpha(alphas, mean_loss, se_loss):
    """Indices of alpha_min and alpha_1se from a cross-validation curve.

    ``index_min`` minimizes ``mean_loss`` (ties go to the largest alpha);
    ``index_1se`` is the largest alpha (sparsest model) whose mean loss is at
    most ``mean_loss[index_min] + se_loss[index_min]`` (glmnet's 1-SE rule).

    Parameters
    ----------
    alphas, mean_loss, se_loss : array-like of shape (n_alphas,)
        In any order; ``se_loss`` must be non-negative.

    Returns
    -------
    (index_min, index_1se) : tuple of int

    Examples
    --------
    >>> from regcore.linear_model import select_alpha
    >>> select_alpha([1.0, 0.1, 0.01], [3.0, 1.0, 0.9], [0.2, 0.2, 0.2])
    (2, 1)
    """
    alphas = as_float_array(alphas, "alphas", min_ndim=1, max_ndim=1)
    mean_loss = as_float_array(mean_loss, "mean_loss", min_ndim=1, max_ndim=1,
                               ensure_finite=False)
    se_loss = as_float_array(se_loss, "se_loss", min_ndim=1, max_ndim=1, ensure_finite=False)
    if not (alphas.shape == mean_loss.shape == se_loss.shape):
        raise ValueError(
            f"alphas, mean_loss and se_loss must have the same length, got "
            f"{alphas.size}, {mean_loss.size} and {se_loss.size}"
        )
    if np.isnan(mean_loss).any() or np.isnan(se_loss).any():
        raise ValueError("mean_loss and se_loss must not contain NaN")
    if (se_loss < 0).any():
        raise ValueError("se_loss must be non-negative")
    index_min = _largest_alpha_where(alphas, mean_loss <= mean_loss.min())
    threshold = mean_loss[index_min] + se_loss[index_min]
    index_1se = _largest_alpha_where(alphas, mean_loss <= threshold)
    return index_min, index_1se


def _largest_alpha_where(alphas, mask):
    candidates = np.flatnonzero(mask)
    return int(candidates[np.argmax(alphas[candidates])])


# --- parallel map over folds ---------------------------------------------------------

def map_folds(fn, tasks, n_jobs=None):
    """``[fn(t) for t in tasks]``, run in threads.

    With joblib importable this is ``joblib.Parallel(n_jobs, prefer="threads")``,
    so an active ``joblib.parallel_config`` (e.g. a Dask or Ray backend) decides
    where tasks run; otherwise a ``concurrent.futures`` thread pool. ``n_jobs``
    follows joblib: None means 1 (unless a joblib context says otherwise), -1
    all cores. Results come back in task order.

    Parameters
    ----------
    fn : callable
        Called once per task; should release the GIL for threads to pay.
    tasks : iterable
    n_jobs : int or None, default=None
        Non-zero; negative counts from the number of cores (-1 = all).

    Returns
    -------
    list
        ``fn(task)`` for each task, in order.

    Examples
    --------
    >>> from regcore.linear_model import map_folds
    >>> map_folds(lambda k: k * k, range(4), n_jobs=2)
    [0, 1, 4, 9]
    """
    tasks = list(tasks)
    if n_jobs is not None:
        n_jobs = check_scalar(n_jobs, "n_jobs", integer=True)
        if n_jobs == 0:
            raise ValueError("n_jobs must be a non-zero integer or None, got 0")
    try:
        import joblib
    except ImportError:
        return _map_with_threads(fn, tasks, n_jobs)
    return joblib.Parallel(n_jobs=n_jobs, prefer="threads")(joblib.delayed(fn)(t) for t in tasks)


def _map_with_threads(fn, tasks, n_jobs):
    workers = 1 if n_jobs is None else n_jobs
    if workers < 0:
        workers = max(1, (os.cpu_count() or 1) + 1 + workers)
    if workers == 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        return list(pool.map(fn, tasks))


# --- generic path cross-validation ---------------------------------------------------

def _take_rows(X, idx):
    """X[idx], Fortran-ordered when X is (a gather along the contiguous rows of X.T,
    about 20x faster than converting the C-ordered result of X[idx])."""
    if not _is_sparse(X) and X.flags.f_contiguous and not X.flags.c_contiguous:
        return np.take(X.T, idx, axis=1).T
    return X[idx]


def _heldout_mse(X, y, sample_weight, coefs, intercepts):
    """Weighted mean squared error of every column of coefs (every alpha) on
    (X, y); for a 2-D y, coefs is (p, n_alphas, n_targets), intercepts
    (n_alphas, n_targets), and the errors are averaged over the targets.
    X is read once for all of them, in float64: a float32 product of columns
    with large means rounds by their mean times eps32."""
    fitted = np.asarray(X @ coefs.reshape(X.shape[1], -1).astype(np.float64)).reshape(
        (X.shape[0],) + coefs.shape[1:]) + intercepts
    residuals = y[:, None] - fitted
    mse = np.average(residuals * residuals, axis=0, weights=sample_weight)
    return mse if y.ndim == 1 else mse.mean(axis=-1)


class _FoldGrams:
    """Centred, weighted Gram matrices of training folds from one Gram of all rows.

    The training rows' Gram is the full Gram minus the test rows' Gram, so a
    fold costs a product over its test rows (1/k of the data) instead of its
    training rows. The result is what :func:`enet_path` would build itself:
    weights rescaled to sum to the fold size, columns centred at the fold's
    weighted mean. X is shifted by the full-data mean first, so the
    subtraction does not cancel large means. Used for dense float64 X only
    (the subtraction would cost float32 too much accuracy).

    The differences round at the scale of the full Gram, column by column:
    when a column's training squared norm is smaller than its full one by
    more than ``MAX_CANCELLATION`` (test rows far larger than the training
    rows in that column, or far from them), the call returns None and the
    fold computes its own Gram.
    """

    MAX_CANCELLATION = 1e3

    def __init__(self, X, sample_weight, fit_intercept):
        self.X = X
        self.w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        self.weighted = sample_weight is not None
        self.fit_intercept = fit_intercept
        self.shift = (self.w @ X) / self.w.sum() if fit_intercept else np.zeros(X.shape[1])
        shifted = X - self.shift
        self.weighted_sum = self.w @ shifted
        self.gram = self._weighted_gram(shifted, self.w)

    def _weighted_gram(self, rows, w):
        """rows^T diag(w) rows as B^T B with B = sqrt(w) rows (BLAS syrk)."""
        if self.weighted:
            rows = np.sqrt(w)[:, None] * rows
        return rows.T @ rows

    def full(self):
        """The Gram of all rows, for the final refit."""
        total = self.w.sum()
        G = (self.X.shape[0] / total) * self.gram
        if self.fit_intercept:
            mean = self.weighted_sum / total  # ~0: X was shifted by its weighted mean
            G -= self.X.shape[0] * np.outer(mean, mean)
        return np.asfortranarray(G)

    def __call__(self, train, test):
        """The training rows' Gram, or None when the fold should compute its own
        (zero training weights, or a difference that would cancel)."""
        rows = _take_rows(self.X, test) - self.shift
        w_test = self.w[test]
        w_train_sum = self.w.sum() - w_test.sum()
        if w_train_sum <= 0:
            return None
        G = self.gram - self._weighted_gram(rows, w_test)
        if self.fit_intercept:
            mean = (self.weighted_sum - w_test @ rows) / w_train_sum
            G -= w_train_sum * np.outer(mean, mean)
        if self._cancels(G):
            return None
        return np.asfortranarray((train.size / w_train_sum) * G)  # weights summing to n

    def _cancels(self, train_gram):
        """True when a column's training squared norm, computed by a difference
        whose rounding is at the scale of the full column's, is smaller than
        that by more than MAX_CANCELLATION (a Gram of the training rows
        themselves rounds at their own scale). Column by column: a large
        column elsewhere does not make the cancelled one accurate."""
        return bool((np.diag(self.gram) > self.MAX_CANCELLATION * np.diag(train_gram)).any())


def _fold_grams(X, sample_weight, fit_intercept, precompute, folds):
    """A _FoldGrams when every fold's enet_path would use a full Gram, else None."""
    from ._coordinate_descent import MAX_GRAM_FEATURES

    if _is_sparse(X) or X.dtype != np.float64 or X.shape[1] > MAX_GRAM_FEATURES:
        return None
    if not all(_partitions(train, test, X.shape[0]) for train, test in folds):
        return None  # a training Gram is "all rows minus the test rows" only here
    smallest_train = min(train.size for train, _ in folds)
    if precompute is True or (precompute == "auto" and smallest_train > X.shape[1]):
        return _FoldGrams(X, sample_weight, fit_intercept)
    return None


def _partitions(train, test, n_samples):
    """True when train and test hold every row exactly once between them
    (not so for a ShuffleSplit with train_size + test_size < 1, or repeated rows)."""
    counts = np.bincount(train, minlength=n_samples) + np.bincount(test, minlength=n_samples)
    return bool((counts == 1).all())


def check_test_weights(sw_test):
    """The sample weights of a fold's test rows, refused when none is positive:
    the fold's weighted held-out error would be 0 / 0."""
    return _check_fold_weights(sw_test, "test", "whose weighted held-out error is then "
                               "undefined; use folds that each test at least one row")


def _check_train_weights(sw_train):
    """The sample weights of a fold's training rows, refused when none is positive
    (the fold has nothing to fit, though sample_weight itself is valid)."""
    return _check_fold_weights(sw_train, "training", "which then has nothing to fit; use "
                               "folds whose training rows include a row")


def _check_fold_weights(sw, rows, consequence):
    if not (sw > 0).any():
        raise ValueError(f"sample_weight is zero on all {sw.size} {rows} rows of a fold, "
                         f"{consequence} of positive weight")
    return sw


def _fold_mse(fit_path, X, y, sample_weight, fold):
    """Held-out MSE per alpha of ``fit_path`` trained on one fold's training rows.

    ``fit_path(X_train, y_train, sw_train)`` returns ``(coefs, intercepts)``;
    for a 2-D y it fits every target at once (see :func:`_heldout_mse`).
    """
    train, test = fold
    sw_train = None if sample_weight is None else _check_train_weights(sample_weight[train])
    sw_test = None if sample_weight is None else check_test_weights(sample_weight[test])
    coefs, intercepts = fit_path(_take_rows(X, train), y[train], sw_train)
    return _heldout_mse(_take_rows(X, test), y[test], sw_test, coefs, intercepts)


def _mean_and_se(mse_path):
    """Fold mean and standard error of the mean (ddof=1) along the last axis."""
    k = mse_path.shape[-1]
    mean = mse_path.mean(axis=-1)
    se = mse_path.std(axis=-1, ddof=1) / np.sqrt(k) if k > 1 else np.zeros_like(mean)
    return mean, se


def _check_rule(selection_rule):
    if selection_rule not in SELECTION_RULES:
        raise ValueError(
            f"selection_rule must be one of {SELECTION_RULES}, got {selection_rule!r}")


# --- elastic net -----------------------------------------------------------------------

class EnetCVResult:
    """Outcome of :func:`enet_path_cv`.

    Attributes
    ----------
    l1_ratios : ndarray (n_l1_ratio,)
    alphas : ndarray (n_l1_ratio, n_alphas)
        The grid of each l1_ratio, decreasing, in float64 (a given grid as given).
    mse_path : ndarray (n_l1_ratio, n_alphas, n_folds)
    mse_mean, mse_se : ndarray (n_l1_ratio, n_alphas)
    l1_ratio : float
        The l1_ratio of the smallest mean error.
    alpha_min, alpha_1se, alpha : float
        Selected alphas (``alpha`` is the one the rule picked) for ``l1_ratio``.
    fit : FitResult
        The model refit on all data at (``alpha``, ``l1_ratio``).
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)


def alpha_grid(X, y, *, l1_ratio=1.0, n_alphas=100, eps=1e-3, fit_intercept=True,
               penalty_factor=None, sample_weight=None, positive=False):
    """Log-spaced alphas from ``alpha_max`` down to ``eps * alpha_max``.

    ``alpha_max`` is the smallest alpha at which every penalized coefficient
    is zero (with ``positive``, under the sign constraint). When it is 0 (y
    constant, X orthogonal to y, or no positive correlation under
    ``positive``) the grid starts at the dtype's resolution instead, so it
    stays strictly positive.

    Parameters
    ----------
    X, y, l1_ratio, fit_intercept, penalty_factor, sample_weight, positive
        As in :func:`enet_path`; ``l1_ratio`` must be positive.
    n_alphas : int, default=100
        At most 10000.
    eps : float in (0, 1], default=1e-3

    Returns
    -------
    ndarray of shape (n_alphas,)
        Decreasing, in X's dtype.
    """
    from ._coordinate_descent import MAX_N_ALPHAS, alpha_max

    n_alphas = check_scalar(n_alphas, "n_alphas", lo=1, hi=MAX_N_ALPHAS, integer=True)
    eps = check_scalar(eps, "eps", lo=0, hi=1, lo_open=True)
    top = alpha_max(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                    penalty_factor=penalty_factor, sample_weight=sample_weight,
                    positive=positive)
    if not np.isfinite(top):
        raise ValueError(
            f"alpha_max is infinite for l1_ratio={l1_ratio}: pass an explicit alphas grid")
    if top == 0:
        top = float(np.finfo(X.dtype).resolution)
    return np.geomspace(top, top * eps, n_alphas).astype(X.dtype)


def enet_path_cv(X, y, *, l1_ratio=0.5, alphas=100, eps=1e-3, cv=5, selection_rule="min",
                 tol=1e-4, max_iter=1000, fit_intercept=True, positive=False,
                 penalty_factor=None, sample_weight=None, precompute="auto", n_jobs=None,
                 groups=None):
    """Cross-validated elastic net over an alpha grid (and a grid of l1_ratio).

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    l1_ratio : float or sequence of floats, default=0.5
    alphas : int or array-like, default=100
        An int n: n alphas log-spaced from ``alpha_max`` (on the full data)
        down to ``eps * alpha_max``, one grid per l1_ratio. An array is used
        for every l1_ratio.
    eps : float, default=1e-3
    cv : int, iterable of splits or splitter, default=5
        See :func:`make_folds`.
    selection_rule : {"min", "1se"}, default="min"
        Which alpha the refit uses: the minimum of the mean CV error, or the
        largest alpha within one standard error of it.
    tol, max_iter, fit_intercept, positive, penalty_factor, sample_weight, precompute
        Passed to :func:`enet_path` and :func:`enet_fit`. Held-out errors are
        weighted by ``sample_weight``.
    n_jobs : int or None
        Threads over (l1_ratio, fold) tasks, see :func:`map_folds`.
    groups : array-like of shape (n_samples,), optional
        Group labels: folds of whole groups, see :func:`make_folds`.

    Returns
    -------
    EnetCVResult
    """
    from ._coordinate_descent import enet_fit, enet_path

    _check_rule(selection_rule)
    if isinstance(precompute, np.ndarray):
        raise ValueError("precompute must be 'auto', True or False for cross-validation: "
                         "a Gram matrix of the full data does not match the training folds")
    X, y, sample_weight = _check_inputs(X, y, sample_weight, "csc")
    if not _is_sparse(X):
        X = np.asfortranarray(X)  # once, so folds are gathered in enet_path's layout
    l1_ratios = np.atleast_1d(as_float_array(l1_ratio, "l1_ratio", max_ndim=1)).astype(float)
    if ((l1_ratios < 0) | (l1_ratios > 1)).any():
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratios.tolist()}")
    folds = make_folds(X.shape[0], cv, y=y, groups=groups)
    common = dict(tol=tol, max_iter=max_iter, fit_intercept=fit_intercept, positive=positive,
                  penalty_factor=penalty_factor, precompute=precompute)
    grids = np.stack([_enet_grid(X, y, r, alphas, eps, fit_intercept, penalty_factor,
                                 sample_weight, positive) for r in l1_ratios])

    fold_gram = _fold_grams(X, sample_weight, fit_intercept, precompute, folds)

    def fold_curve(task):
        ratio_index, fold = task
        ratio, grid = l1_ratios[ratio_index], grids[ratio_index]
        options = dict(common)
        gram = None if fold_gram is None else fold_gram(*fold)
        if gram is not None:
            options["precompute"] = gram

        def fit_path(X_train, y_train, sw_train):
            path = enet_path(X_train, y_train, l1_ratio=ratio, alphas=grid,
                             sample_weight=sw_train, **options)
            return path.coefs, path.intercepts

        return _fold_mse(fit_path, X, y, sample_weight, fold)

    tasks = [(i, fold) for i in range(l1_ratios.size) for fold in folds]
    curves = map_folds(fold_curve, tasks, n_jobs)
    mse_path = np.array(curves).reshape(l1_ratios.size, len(folds), -1).transpose(0, 2, 1)
    mse_mean, mse_se = _mean_and_se(mse_path)
    best_ratio = int(np.argmin(mse_mean.min(axis=1)))
    index_min, index_1se = select_alpha(grids[best_ratio], mse_mean[best_ratio],
                                        mse_se[best_ratio])
    chosen = index_min if selection_rule == "min" else index_1se
    alpha = float(grids[best_ratio, chosen])
    if fold_gram is not None:
        common["precompute"] = fold_gram.full()
    fit = enet_fit(X, y, alpha=alpha, l1_ratio=float(l1_ratios[best_ratio]),
                   sample_weight=sample_weight, **common)
    return EnetCVResult(
        l1_ratios=l1_ratios, alphas=grids, mse_path=mse_path, mse_mean=mse_mean,
        mse_se=mse_se, l1_ratio=float(l1_ratios[best_ratio]),
        alpha_min=float(grids[best_ratio, index_min]),
        alpha_1se=float(grids[best_ratio, index_1se]), alpha=alpha,
        selection_rule=selection_rule, fit=fit,
    )


def _enet_grid(X, y, l1_ratio, alphas, eps, fit_intercept, penalty_factor, sample_weight,
               positive):
    """The decreasing alpha grid of one l1_ratio, in float64 whatever X's dtype
    (enet_path takes float64 alphas; a given grid is reported as given)."""
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        return alpha_grid(X, y, l1_ratio=l1_ratio, n_alphas=alphas, eps=eps,
                          fit_intercept=fit_intercept, penalty_factor=penalty_factor,
                          sample_weight=sample_weight, positive=positive).astype(np.float64)
    grid = as_float_array(alphas, "alphas", dtype=np.float64, min_ndim=1, max_ndim=1)
    if (grid < 0).any():
        raise ValueError(f"alphas must be non-negative, got min {float(grid.min())!r}")
    return np.sort(grid)[::-1]


# --- ridge with k folds ------------------------------------------------------------------

class RidgeKFoldResult:
    """Outcome of :func:`ridge_path_cv`: same fields as :class:`EnetCVResult` for one
    l1_ratio (alphas, mse_path (n_alphas, n_folds), mse_mean, mse_se, alpha_min,
    alpha_1se, alpha) plus ``coef``, ``intercept`` and ``dual_gap`` of the refit
    (one row or entry per target for a 2-D y)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def ridge_path_cv(X, y, alphas, *, cv=5, selection_rule="min", fit_intercept=True,
                  sample_weight=None, method="auto", n_jobs=None, groups=None):
    """K-fold cross-validated ridge: one :func:`ridge_path` per training fold.

    The held-out mean squared error (weighted by ``sample_weight``) is
    averaged over folds; alpha is picked by ``selection_rule`` as in
    :func:`enet_path_cv` and the model refit on all data. Alphas keep the
    order given; ties in the mean error go to the largest alpha.

    Parameters
    ----------
    X, fit_intercept, sample_weight, method
        As in :func:`ridge_path` (same objective and alpha scale).
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Several targets share one alpha: their held-out errors are averaged
        (scikit-learn's ``RidgeCV(alpha_per_target=False)``); each target is
        fitted on its own.
    alphas : float or array-like of shape (n_alphas,)
    cv : int, iterable of splits or splitter, default=5
    selection_rule : {"min", "1se"}, default="min"
    n_jobs : int or None
        Threads over folds, see :func:`map_folds`.
    groups : array-like of shape (n_samples,), optional
        Group labels: folds of whole groups, see :func:`make_folds`.

    Returns
    -------
    RidgeKFoldResult
        ``coef``, ``intercept`` and ``dual_gap`` have a leading n_targets
        axis when y is 2-D.
    """
    _check_rule(selection_rule)
    X, y, sample_weight = _check_inputs(X, y, sample_weight, "csc", multi_target=True)
    # float64, as given (ridge_path computes in X's dtype; alpha_ reports the
    # user's value, not its float32 rounding)
    grid = np.atleast_1d(as_float_array(alphas, "alphas", max_ndim=1, dtype=np.float64))
    folds = make_folds(X.shape[0], cv, y=y, groups=groups)

    def fit_path(X_train, y_train, sw_train):
        path = ridge_path(X_train, y_train, grid, fit_intercept=fit_intercept,
                          sample_weight=sw_train, method=method)
        return path.coefs, path.intercepts

    # every target of a fold (and of the refit) from one factorization
    curves = map_folds(lambda fold: _fold_mse(fit_path, X, y, sample_weight, fold), folds, n_jobs)
    mse_path = np.stack(curves, axis=1)
    mse_mean, mse_se = _mean_and_se(mse_path)
    index_min, index_1se = select_alpha(grid, mse_mean, mse_se)
    chosen = index_min if selection_rule == "min" else index_1se
    refit = ridge_path(X, y, grid[chosen:chosen + 1], fit_intercept=fit_intercept,
                       sample_weight=sample_weight, method=method, return_dual_gaps=True)
    # (n_targets, n_features) like scikit-learn's coef_ for a 2-D y
    coef, intercept, dual_gap = refit.coefs[:, 0].T, refit.intercepts[0], refit.dual_gaps[0]
    return RidgeKFoldResult(
        alphas=grid, mse_path=mse_path, mse_mean=mse_mean, mse_se=mse_se,
        alpha_min=float(grid[index_min]), alpha_1se=float(grid[index_1se]),
        alpha=float(grid[chosen]), index=chosen, selection_rule=selection_rule,
        coef=coef, intercept=intercept, dual_gap=dual_gap,
    )
