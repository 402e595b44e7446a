"""Output heads: an output activation paired with its loss.

Each head maps logits ``Z`` of shape (n_rows, n_outputs) to predictions and
computes, per row, the loss and its gradient with respect to ``Z``. The
pairing is the canonical one, for which the gradient is simply
``prediction - target`` (scaled for the squared error):

============== ================ ============================================
name           output           loss per row
============== ================ ============================================
identity       ``z``            ``0.5 * mean_k (z_k - y_k)**2``
absolute_error ``z``            ``mean_k |z_k - y_k|``
huber          ``z``            ``mean_k h(z_k - y_k)``, ``h(r) = r**2 / 2``
                                for ``|r| <= 1``, ``|r| - 1/2`` beyond
poisson        ``e**z``         ``mean_k (e**z_k - y_k z_k)``
quantile:a     ``z``            ``mean_k max(a r_k, (a - 1) r_k)``,
                                ``r = y - z`` (pinball loss of quantile a)
logistic       ``1/(1+e**-z)``  ``-(y log p + (1 - y) log(1 - p))``, summed
softmax        ``e**z / sum``   ``-sum_k y_k log p_k``
============== ================ ============================================

Each head also owns what is read from its logits: the classification
heads (``logistic``, ``softmax``) the class index, probabilities and
log-probabilities of every class, and accuracy as validation score; the
regression heads their predictions and R^2. ``crf`` is a head over whole
sequences, with parameters of its own
(:class:`sklearn_rnn.network._crf.CRFHead`); every head offers the same
methods, so neither the network nor the estimators branch on it.

Losses are computed from the logits (log-sum-exp, softplus) so they stay
finite where the probabilities round to 0 or 1. The regression heads other
than ``identity`` serve ``RNNRegressor``'s ``loss`` parameter; the Huber
threshold 1 is in the units of the standardised targets (one standard
deviation). :func:`get_head` also builds the quantile heads, one per level.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit
from sklearn.metrics import r2_score

from sklearn_rnn.network._crf import CRFHead


def _identity(Z):
    return Z


def _squared_error_loss(Z, Y):
    return 0.5 * np.mean((Z - Y) ** 2, axis=1)


def _squared_error_grad(Z, Y):
    return (Z - Y) / Z.shape[1]


def _absolute_error_loss(Z, Y):
    return np.mean(np.abs(Z - Y), axis=1)


def _absolute_error_grad(Z, Y):
    return np.sign(Z - Y) / Z.shape[1]


def _huber_loss(Z, Y):
    r = np.abs(Z - Y)
    return np.mean(np.where(r <= 1.0, 0.5 * r * r, r - 0.5), axis=1)


def _huber_grad(Z, Y):
    return np.clip(Z - Y, -1.0, 1.0) / Z.shape[1]


def _poisson_loss(Z, Y):
    return np.mean(np.exp(Z) - Y * Z, axis=1)


def _poisson_grad(Z, Y):
    return (np.exp(Z) - Y) / Z.shape[1]


def _binary_log_loss(Z, Y):
    # -(y log p + (1-y) log(1-p)) = softplus(z) - y z
    return np.sum(np.logaddexp(0, Z) - Y * Z, axis=1)


def _binary_log_loss_grad(Z, Y):
    return expit(Z) - Y


def _softmax(Z):
    # as scipy.special.softmax, at half its cost on one row
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    E /= E.sum(axis=1, keepdims=True)
    return E


def _log_softmax(Z):
    # as scipy.special.log_softmax, at a third of its cost on a batch's rows
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _log_loss(Z, Y):
    return -np.sum(Y * _log_softmax(Z), axis=1)


def _log_loss_grad(Z, Y):
    return _softmax(Z) - Y


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
    classifies : bool, default=False
        Whether the outputs are class scores (one logit for two classes,
        one per class for more) rather than values.
    row_wise : bool
        True: each row's prediction depends on that row's logits alone, so
        predictions can be streamed step by step (the CRF's is False).
    """

    activation: Callable
    loss: Callable
    gradient: Callable
    classifies: bool = False
    row_wise = True

    # Every head, row-wise or over whole sequences (the CRF's,
    # :class:`sklearn_rnn.network._crf.CRFHead`), takes the rows' sequence
    # ``lengths``, the network's ``params`` and decoding constraints
    # (``allowed``) in these methods; a row-wise head reads none of them.

    def init_params(self, n_outputs, dtype):
        """Parameters of its own beside the output layer's: none."""
        return {}

    def check_weights(self, weights, lengths):
        """Refuse row weights the loss cannot honour: a row-wise loss takes
        any."""

    def loss_and_gradient(self, Z, Y, weights, lengths=None, params=None):
        """``(sum_r w_r loss_r, dZ, grads)``: the weighted loss summed over
        the rows, its gradient with respect to ``Z`` and to the head's own
        parameters (none here)."""
        return (
            float((weights * self.loss(Z, Y)).sum()),
            weights[:, None] * self.gradient(Z, Y),
            {},
        )

    def class_index(self, Z, lengths=None, params=None, allowed=None):
        """Index of the most probable class of each row, shape (n_rows,);
        one logit column stands for class 1 against class 0."""
        return (Z[:, 0] > 0).astype(np.intp) if Z.shape[1] == 1 else Z.argmax(axis=1)

    def proba(self, Z, lengths=None, params=None):
        """Probabilities of every class, shape (n_rows, n_classes); one logit
        column gives ``[1 - p, p]``."""
        P = self.activation(Z)
        return np.hstack([1 - P, P]) if P.shape[1] == 1 else P

    def log_proba(self, Z, lengths=None, params=None):
        """Log of :meth:`proba`, computed stably from the logits."""
        if Z.shape[1] == 1:
            return _log_softmax(np.hstack([np.zeros_like(Z), Z]))
        return _log_softmax(Z)

    def score(self, Z, Y, weights=None, lengths=None, params=None, allowed=None):
        """The estimator's ``score`` from logits and encoded targets: accuracy
        for a classifying head (``Y`` one-hot or 0/1), R^2 of the predictions
        otherwise (invariant to the targets' standardisation)."""
        if self.classifies:
            # 0/1 or one-hot targets, shifted by -0.5, read as logits
            right = self.class_index(Z) == self.class_index(Y - 0.5)
            return float(np.average(right, weights=weights))
        return float(r2_score(Y, self.activation(Z), sample_weight=weights))


HEADS = {
    "identity": Head(_identity, _squared_error_loss, _squared_error_grad),
    "absolute_error": Head(_identity, _absolute_error_loss, _absolute_error_grad),
    "huber": Head(_identity, _huber_loss, _huber_grad),
    "poisson": Head(np.exp, _poisson_loss, _poisson_grad),
    "logistic": Head(expit, _binary_log_loss, _binary_log_loss_grad, True),
    "softmax": Head(_softmax, _log_loss, _log_loss_grad, True),
    "crf": CRFHead(),
}


def quantile_head(alpha):
    """The head of the pinball loss of quantile ``alpha`` (0 < alpha < 1)."""

    def loss(Z, Y):
        R = Y - Z
        return np.mean(np.maximum(alpha * R, (alpha - 1) * R), axis=1)

    def gradient(Z, Y):
        return np.where(Y > Z, -alpha, 1 - alpha) / Z.shape[1]

    return Head(_identity, loss, gradient)


def get_head(name):
    """The head called ``name``: a key of :data:`HEADS`, or ``"quantile:a"``
    for the pinball loss of quantile ``a``."""
    if name.startswith("quantile:"):
        return quantile_head(float(name.split(":", 1)[1]))
    return HEADS[name]
