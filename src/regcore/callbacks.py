"""Training-loop callbacks: early stopping with a copy of the best parameters."""

import math
import numbers
import warnings

import numpy as np

from ._validation import check_bool, check_scalar

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Stop training when a validation metric has stopped improving.

    Call :meth:`step` once per epoch with the validation metric. An epoch
    improves on the best so far when ``metric < best_score - min_delta``
    (``mode="min"``) or ``metric > best_score + min_delta`` (``mode="max"``);
    the first epoch always improves. After ``patience`` epochs in a row without
    improvement, :meth:`step` returns True and ``should_stop`` is set; later
    calls change nothing and return True until :meth:`reset`. A NaN metric
    never improves.

    When ``params`` are passed to :meth:`step`, a copy of them is kept at
    every improvement, and :meth:`restore` copies the best ones back in place.
    With ``restore_best=True`` this happens automatically at the epoch that
    triggers the stop.

    Parameters
    ----------
    patience : int
        Number of epochs in a row without improvement that stop training,
        >= 1 (1 stops at the first epoch that does not improve).
    min_delta : float, default 0
        Smallest change that counts as an improvement, >= 0.
    mode : {"min", "max"}, default "min"
        Whether the metric is a loss (lower is better) or a score.
    restore_best : bool, default True
        Copy the best parameters back into ``params`` when stopping.

    Attributes
    ----------
    best_score : float
        Best metric so far (``inf`` for ``"min"``, ``-inf`` for ``"max"``
        before the first step).
    best_epoch : int or None
        Epoch of the best metric; epochs count calls of :meth:`step` from 0.
    stopped_epoch : int or None
        Epoch at which the stop was triggered.
    should_stop : bool
        True once the patience has run out.
    wait : int
        Epochs since the last improvement.
    epoch : int
        Number of :meth:`step` calls so far.
    best_params : list or dict of ndarray, or None
        The kept copy of the best parameters (same structure as passed).

    Examples
    --------
    >>> from regcore.callbacks import EarlyStopping
    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.step(loss) for loss in [1.0, 0.5, 0.6, 0.7, 0.4]]
    [False, False, False, True, True]
    >>> stopper.best_score, stopper.best_epoch, stopper.stopped_epoch
    (0.5, 1, 3)
    """

    def __init__(self, patience, min_delta=0.0, mode="min", restore_best=True):
        self.patience = check_scalar(patience, "patience", lo=1, integer=True)
        self.min_delta = check_scalar(min_delta, "min_delta", lo=0.0)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.restore_best = check_bool(restore_best, "restore_best")
        self.reset()

    def reset(self):
        """Forget everything: start a new run."""
        self.best_score = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.stopped_epoch = None
        self.should_stop = False
        self.wait = 0
        self.epoch = 0
        self.best_params = None

    def _improves(self, metric):
        if self.best_epoch is None:
            return not math.isnan(metric)
        if self.mode == "min":
            return metric < self.best_score - self.min_delta
        return metric > self.best_score + self.min_delta

    def step(self, metric, params=None):
        """Record this epoch's metric; return True when training should stop.

        Parameters
        ----------
        metric : float
            Validation metric of the epoch.
        params : list of ndarray or dict of ndarray, optional
            Current parameters; copied when the metric improves. An
            improvement recorded without them drops the copy kept before
            (it is no longer the best), so a restore never brings back
            parameters of another epoch than ``best_epoch``.

        Returns
        -------
        bool
            ``should_stop``.
        """
        metric = _check_metric(metric)
        if params is not None:
            _check_params(params)
        if self.should_stop:  # the run is over; reset() starts a new one
            return True
        epoch, self.epoch = self.epoch, self.epoch + 1
        if self._improves(metric):
            self.best_score, self.best_epoch, self.wait = metric, epoch, 0
            self.best_params = None if params is None else _copy_params(params,
                                                                        self.best_params)
            return self.should_stop
        self.wait += 1
        if not self.should_stop and self.wait >= self.patience:
            self.should_stop, self.stopped_epoch = True, epoch
            if self.restore_best and params is not None:
                if self.best_params is not None:
                    self.restore(params)
                elif self.best_epoch is not None:
                    warnings.warn(f"the parameters of the best epoch ({self.best_epoch}) were "
                                  f"not kept (step() had no params then): nothing restored",
                                  UserWarning, stacklevel=2)
        return self.should_stop

    def restore(self, params):
        """Copy the best parameters back into ``params`` in place.

        ``params`` must have the structure (list length or dict keys), shapes
        and dtypes of the parameters passed to :meth:`step`. Raises
        ValueError when no parameters have been kept.
        """
        if self.best_params is None:
            raise ValueError("no parameters were kept: pass params to step() to keep the best ones")
        _check_params(params)
        pairs = _pair_up(params, self.best_params)
        for name, target, best in pairs:
            if target.shape != best.shape or target.dtype != best.dtype:
                raise ValueError(
                    f"params{name} has shape {target.shape} and dtype {target.dtype}, the kept "
                    f"copy has shape {best.shape} and dtype {best.dtype}"
                )
            if not target.flags.writeable:
                raise ValueError(f"params{name} is read-only; it is restored in place")
        for _, target, best in pairs:
            np.copyto(target, best)
        return params


def _check_metric(metric):
    if isinstance(metric, np.ndarray) and metric.ndim == 0:
        metric = metric.item()
    if isinstance(metric, (bool, np.bool_)) or not isinstance(metric, numbers.Real):
        raise TypeError(f"metric must be a real number, got {type(metric).__name__}")
    return float(metric)


def _check_params(params):
    items = params.items() if isinstance(params, dict) else enumerate(_as_list(params))
    for key, value in items:
        if not isinstance(value, np.ndarray):
            raise TypeError(f"params[{key!r}] must be a numpy.ndarray, got {type(value).__name__}")


def _as_list(params):
    if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
        raise TypeError(
            f"params must be a list of arrays or a dict of arrays, got {type(params).__name__}"
        )
    return params


def _pair_up(params, kept):
    """[(name, target array, kept array)] after checking the structures match."""
    if isinstance(kept, dict):
        if not isinstance(params, dict) or set(params) != set(kept):
            raise ValueError(f"params must be a dict with keys {sorted(kept)}")
        return [(f"[{k!r}]", params[k], kept[k]) for k in kept]
    if isinstance(params, dict):  # a ValueError like the other mismatches, not _as_list's
        raise ValueError(f"params must be a list of {len(kept)} arrays like the kept copy, "
                         "got a dict")
    params = _as_list(params)
    if len(params) != len(kept):
        raise ValueError(f"params must be a list of {len(kept)} arrays, got {len(params)}")
    return [(f"[{i}]", p, b) for i, (p, b) in enumerate(zip(params, kept))]


def _copy_params(params, previous):
    """A copy of ``params``, reusing the arrays of ``previous`` when they fit."""
    try:
        pairs = _pair_up(params, previous) if previous is not None else None
    except ValueError:
        pairs = None
    if pairs and all(b.shape == p.shape and b.dtype == p.dtype for _, p, b in pairs):
        for _, p, b in pairs:
            np.copyto(b, p)
        return previous
    if isinstance(params, dict):
        return {k: np.array(v, copy=True) for k, v in params.items()}
    return [np.array(p, copy=True) for p in params]
