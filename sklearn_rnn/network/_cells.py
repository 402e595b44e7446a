"""Registry of recurrent cells with one calling convention for the network.

Each entry adapts one kernel module of :mod:`sklearn_rnn.kernels` to the
signature the network uses::

    H, cache = cell.forward(X, lengths, W_x, W_h, b, state0, h_mask, activation)
    dX, dW_x, dW_h, db, dstate0 = cell.backward(
        X, lengths, W_x, W_h, state0, h_mask, H, cache, dH, activation,
        input_gradient=True,
    )

``state0`` is a tuple of ``n_states`` arrays of shape (n_seq, n_hidden): the
initial hidden state, and for the LSTM the initial cell state. ``cache`` holds
whatever the kernel's forward pass returned besides ``H`` (gates, cell
states) for its backward pass; backward never recomputes them. Without
``input_gradient`` (the first layer of a network reading features, in
training) backward returns None for ``dX`` and skips its product.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sklearn_rnn.kernels import elman, gru, lstm


@dataclass(frozen=True)
class Cell:
    """How to run one kind of recurrent cell.

    Attributes
    ----------
    n_gates : int
        Number of ``n_hidden`` blocks stacked in the columns of ``W_x`` and
        ``W_h``.
    n_biases : int
        Number of ``n_hidden`` blocks in ``b``.
    n_states : int
        Number of state arrays carried from step to step.
    forward, backward : callable
        The kernel pair, in the calling convention of this module.
    step_states : callable
        ``step_states(H, cache)`` gives the tuple of per-step state arrays
        (n_seq, n_steps, n_hidden), in the order of ``state0``.
    init_bias : callable
        ``init_bias(n_hidden)`` gives the initial ``b``, float64.
    """

    n_gates: int
    n_biases: int
    n_states: int
    forward: Callable
    backward: Callable
    step_states: Callable
    init_bias: Callable


def _zero_bias(n_biases):
    return lambda n_hidden: np.zeros(n_biases * n_hidden)


def _carry_bias(n_biases, block):
    """Zero biases except ``block``, at 1.

    The LSTM's forget gate and the GRU's update gate then start mostly open:
    the state is carried from step to step and gradients flow over long
    spans from the first epoch (Jozefowicz et al., 2015).
    """

    def init_bias(n_hidden):
        b = np.zeros(n_biases * n_hidden)
        b[block * n_hidden : (block + 1) * n_hidden] = 1.0
        return b

    return init_bias


def _elman_forward(X, lengths, W_x, W_h, b, state0, h_mask, activation):
    (h0,) = state0
    H = elman.elman_forward(X, lengths, W_x, W_h, b, h0, h_mask, activation)
    return H, ()


def _elman_backward(
    X, lengths, W_x, W_h, state0, h_mask, H, cache, dH, activation, input_gradient=True
):
    (h0,) = state0
    dX, dW_x, dW_h, db, dh0 = elman.elman_backward(
        X, lengths, W_x, W_h, h0, h_mask, H, dH, activation, input_gradient
    )
    return dX, dW_x, dW_h, db, (dh0,)


def _lstm_forward(X, lengths, W_x, W_h, b, state0, h_mask, activation):
    h0, c0 = state0
    H, C, S, G = lstm.lstm_forward(X, lengths, W_x, W_h, b, h0, c0, h_mask, activation)
    return H, (C, S, G)


def _lstm_backward(
    X, lengths, W_x, W_h, state0, h_mask, H, cache, dH, activation, input_gradient=True
):
    h0, c0 = state0
    C, S, G = cache
    dX, dW_x, dW_h, db, dh0, dc0 = lstm.lstm_backward(
        X,
        lengths,
        W_x,
        W_h,
        h0,
        c0,
        h_mask,
        H,
        C,
        S,
        G,
        dH,
        activation,
        input_gradient,
    )
    return dX, dW_x, dW_h, db, (dh0, dc0)


def _gru_forward(X, lengths, W_x, W_h, b, state0, h_mask, activation):
    (h0,) = state0
    H, G = gru.gru_forward(X, lengths, W_x, W_h, b, h0, h_mask, activation)
    return H, (G,)


def _gru_backward(
    X, lengths, W_x, W_h, state0, h_mask, H, cache, dH, activation, input_gradient=True
):
    (h0,) = state0
    (G,) = cache
    dX, dW_x, dW_h, db, dh0 = gru.gru_backward(
        X, lengths, W_x, W_h, h0, h_mask, H, G, dH, activation, input_gradient
    )
    return dX, dW_x, dW_h, db, (dh0,)


CELLS = {
    "elman": Cell(
        n_gates=elman.N_GATES,
        n_biases=elman.N_BIASES,
        n_states=1,
        forward=_elman_forward,
        backward=_elman_backward,
        step_states=lambda H, cache: (H,),
        init_bias=_zero_bias(elman.N_BIASES),
    ),
    "lstm": Cell(
        n_gates=lstm.N_GATES,
        n_biases=lstm.N_BIASES,
        n_states=2,
        forward=_lstm_forward,
        backward=_lstm_backward,
        step_states=lambda H, cache: (H, cache[0]),
        init_bias=_carry_bias(lstm.N_BIASES, lstm.FORGET_GATE),
    ),
    "gru": Cell(
        n_gates=gru.N_GATES,
        n_biases=gru.N_BIASES,
        n_states=1,
        forward=_gru_forward,
        backward=_gru_backward,
        step_states=lambda H, cache: (H,),
        init_bias=_carry_bias(gru.N_BIASES, gru.UPDATE_GATE),
    ),
}
