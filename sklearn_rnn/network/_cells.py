"""Registry of recurrent cells with one calling convention for the network.

Each entry adapts one kernel module of :mod:`sklearn_rnn.kernels` to the
signature the network uses::

    H, cache = cell.forward(X, lengths, W_x, W_h, b, h0, activation)
    dX, dW_x, dW_h, db, dh0 = cell.backward(X, lengths, W_x, W_h, h0, H, cache,
                                            dH, activation)

``cache`` holds whatever the kernel's forward pass returned besides ``H``
(gates, cell states) for its backward pass; backward never recomputes them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sklearn_rnn.kernels import elman


@dataclass(frozen=True)
class Cell:
    """How to run one kind of recurrent cell.

    Attributes
    ----------
    n_gates : int
        Number of ``n_hidden`` blocks stacked in the columns of ``W_x``,
        ``W_h`` and ``b``.
    forward, backward : callable
        The kernel pair, in the calling convention of this module.
    uses_activation : bool
        Whether the estimators' ``activation`` parameter applies to the cell.
    """

    n_gates: int
    forward: Callable
    backward: Callable
    uses_activation: bool


def _elman_forward(X, lengths, W_x, W_h, b, h0, activation):
    return elman.elman_forward(X, lengths, W_x, W_h, b, h0, activation), ()


def _elman_backward(X, lengths, W_x, W_h, h0, H, cache, dH, activation):
    return elman.elman_backward(X, lengths, W_x, W_h, h0, H, dH, activation)


CELLS = {
    "elman": Cell(
        n_gates=elman.N_GATES,
        forward=_elman_forward,
        backward=_elman_backward,
        uses_activation=True,
    ),
}
