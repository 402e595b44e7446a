"""Output heads: an output activation paired with its loss.

Each head maps logits ``Z`` of shape (n_rows, n_outputs) to predictions and
computes, per row, the loss and its gradient with respect to ``Z``. The
pairing is the canonical one, for which the gradient is simply
``prediction - target`` (scaled for the squared error):

========== ================ ============================================
name       output           loss per row
========== ================ ============================================
identity   ``z``            ``0.5 * mean_k (z_k - y_k)**2``
logistic   ``1/(1+e**-z)``  ``-(y log p + (1 - y) log(1 - p))``, summed
softmax    ``e**z / sum``   ``-sum_k y_k log p_k``
========== ================ ============================================

Losses are computed from the logits (log-sum-exp, softplus) so they stay
finite where the probabilities round to 0 or 1.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_softmax, softmax


def _identity(Z):
    return Z


def _squared_error_loss(Z, Y):
    return 0.5 * np.mean((Z - Y) ** 2, axis=1)


def _squared_error_grad(Z, Y):
    return (Z - Y) / Z.shape[1]


def _binary_log_loss(Z, Y):
    # -(y log p + (1-y) log(1-p)) = softplus(z) - y z
    return np.sum(np.logaddexp(0, Z) - Y * Z, axis=1)


def _binary_log_loss_grad(Z, Y):
    return expit(Z) - Y


def _softmax(Z):
    return softmax(Z, axis=1)


def _log_loss(Z, Y):
    return -np.sum(Y * log_softmax(Z, axis=1), axis=1)


def _log_loss_grad(Z, Y):
    return softmax(Z, axis=1) - Y


@dataclass(frozen=True)
class Head:
    """An output activation with its matching loss.

    Attributes
    ----------
    activation : callable
        ``(n_rows, n_outputs) -> (n_rows, n_outputs)`` predictions from logits.
    loss : callable
        ``(Z, Y) -> (n_rows,)`` loss of each row.
    gradient : callable
        ``(Z, Y) -> (n_rows, n_outputs)`` derivative of each row's loss with
        respect to its logits.
    """

    activation: Callable
    loss: Callable
    gradient: Callable


HEADS = {
    "identity": Head(_identity, _squared_error_loss, _squared_error_grad),
    "logistic": Head(expit, _binary_log_loss, _binary_log_loss_grad),
    "softmax": Head(_softmax, _log_loss, _log_loss_grad),
}
