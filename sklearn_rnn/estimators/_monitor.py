"""What training watches to decide when it stops improving.

``fit`` chooses one monitor at its start: :class:`LossMonitor` watches the
training loss, :class:`ValidationMonitor` (``early_stopping=True``) a score
on held-out sequences and keeps the parameters of the best epoch. Either
takes over the record of an earlier call that watched the same quantity
(``warm_start``, ``partial_fit``) and starts afresh otherwise.
"""

import numpy as np


class LossMonitor:
    """Counts epochs whose training loss is not ``tol`` below the best one.

    Parameters
    ----------
    tol : float
    best_loss : float, default=inf
    no_improvement : int, default=0
        Epochs without improvement so far.
    """

    watched = "Training loss"

    def __init__(self, tol, best_loss=np.inf, no_improvement=0):
        self.tol = tol
        self.best_loss = best_loss
        self.no_improvement = no_improvement

    @classmethod
    def resume(cls, estimator, tol):
        """Continue the record of ``estimator``'s last call, if it watched the
        training loss."""
        if getattr(estimator, "best_loss_", None) is None:
            return cls(tol)
        return cls(tol, estimator.best_loss_, estimator._no_improvement_count)

    def epoch_ends(self, params, loss):
        """Record an epoch of training ``loss`` ending at ``params``."""
        if loss > self.best_loss - self.tol:
            self.no_improvement += 1
        else:
            self.no_improvement = 0
        self.best_loss = min(self.best_loss, loss)

    def best_params(self, params):
        """The parameters training ends with: the last ones."""
        return params

    def describe(self):
        """What the last epoch's log line adds."""
        return ""

    def fitted(self):
        """The fitted attributes that record what was watched."""
        return {
            "best_loss_": self.best_loss,
            "validation_scores_": None,
            "validation_loss_curve_": None,
            "best_validation_score_": None,
            "_no_improvement_count": self.no_improvement,
        }


class ValidationMonitor:
    """Scores each epoch on held-out sequences and keeps the best parameters.

    Parameters
    ----------
    tol : float
    evaluate : callable
        ``() -> (loss, score)`` on the held-out sequences with the current
        parameters; higher scores are better.
    scores, losses : list of float, default=()
        The record of earlier epochs.
    best_score : float, default=-inf
    no_improvement : int, default=0
    """

    watched = "Validation score"

    def __init__(
        self,
        tol,
        evaluate,
        scores=(),
        losses=(),
        best_score=-np.inf,
        no_improvement=0,
    ):
        self.tol = tol
        self.evaluate = evaluate
        self.scores = list(scores)
        self.losses = list(losses)
        self.best_score = best_score
        self.no_improvement = no_improvement
        self._best_params = None

    @classmethod
    def resume(cls, estimator, tol, evaluate):
        """Continue the record of ``estimator``'s last call, if it watched a
        validation score."""
        if getattr(estimator, "validation_scores_", None) is None:
            return cls(tol, evaluate)
        return cls(
            tol,
            evaluate,
            estimator.validation_scores_,
            estimator.validation_loss_curve_,
            estimator.best_validation_score_,
            estimator._no_improvement_count,
        )

    def epoch_ends(self, params, loss):
        """Score the epoch that ends at ``params``; keep a copy of them when
        the score is the best so far."""
        val_loss, score = self.evaluate()
        self.losses.append(val_loss)
        self.scores.append(score)
        if score < self.best_score + self.tol:
            self.no_improvement += 1
        else:
            self.no_improvement = 0
        if score > self.best_score:
            self.best_score = score
            self._best_params = {k: v.copy() for k, v in params.items()}

    def best_params(self, params):
        """The parameters of the best-scoring epoch of this call (``params``
        if no epoch of this call beat the earlier ones)."""
        return params if self._best_params is None else self._best_params

    def describe(self):
        return (
            f", validation loss = {self.losses[-1]:.8f}"
            f", validation score = {self.scores[-1]:.6f}"
        )

    def fitted(self):
        return {
            "best_loss_": None,
            "validation_scores_": self.scores,
            "validation_loss_curve_": self.losses,
            "best_validation_score_": self.best_score,
            "_no_improvement_count": self.no_improvement,
        }
