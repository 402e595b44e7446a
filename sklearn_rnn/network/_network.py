"""A stack of recurrent layers with an output head: forward and backward.

Parameters are a ``dict`` of arrays, ordered as created by :func:`init_params`::

    rnn{l}.W_x  (n_in_l, n_gates * n_hidden_l)   input weights of layer l
    rnn{l}.W_h  (n_hidden_l, n_gates * n_hidden_l)  recurrent weights
    rnn{l}.b    (n_gates * n_hidden_l,)           bias
    out.W       (n_hidden_last, n_outputs)        output weights
    out.b       (n_outputs,)                      output bias

Weights multiply row vectors (``x_t W_x``); PyTorch stores the transposes
(``weight_ih_l{l} = W_x.T``).

The head reads *rows* of the last layer's hidden states: the last real step of
each sequence (many-to-one) or every real step (many-to-many). Targets ``Y``
have one row per read-out row, in the same order: sequence by sequence, and
step by step within a sequence.
"""

from dataclasses import dataclass

import numpy as np

from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._heads import HEADS
from sklearn_rnn.network._init import glorot_uniform, orthogonal


@dataclass(frozen=True)
class NetworkSpec:
    """What the network is, independent of its parameter values.

    Attributes
    ----------
    cell : str
        Key of :data:`sklearn_rnn.network._cells.CELLS`.
    activation : str
        Key of :data:`sklearn_rnn.kernels._activations.ACTIVATION_CODES`.
    hidden_layer_sizes : tuple of int
        Width of each recurrent layer, first to last.
    head : str
        Key of :data:`sklearn_rnn.network._heads.HEADS`.
    per_step : bool
        True for one output per real step (many-to-many), False for one
        output per sequence read at its last real step (many-to-one).
    """

    cell: str
    activation: str
    hidden_layer_sizes: tuple
    head: str
    per_step: bool


def init_params(spec, n_features, n_outputs, rng, dtype):
    """Draw initial parameters.

    Input and output weights are Glorot-uniform, each gate block of the
    recurrent weights is orthogonal, biases start at zero.

    Parameters
    ----------
    spec : NetworkSpec
    n_features : int
        Features per time step of the input.
    n_outputs : int
        Width of the output head.
    rng : numpy.random.RandomState
    dtype : numpy dtype
        Floating type of every parameter.

    Returns
    -------
    params : dict of str to ndarray
    """
    n_gates = CELLS[spec.cell].n_gates
    params = {}
    n_in = n_features
    for layer, n_hidden in enumerate(spec.hidden_layer_sizes):
        params[f"rnn{layer}.W_x"] = glorot_uniform(n_in, n_gates * n_hidden, rng)
        params[f"rnn{layer}.W_h"] = np.hstack(
            [orthogonal(n_hidden, rng) for _ in range(n_gates)]
        )
        params[f"rnn{layer}.b"] = np.zeros(n_gates * n_hidden)
        n_in = n_hidden
    params["out.W"] = glorot_uniform(n_in, n_outputs, rng)
    params["out.b"] = np.zeros(n_outputs)
    return {name: np.ascontiguousarray(p, dtype=dtype) for name, p in params.items()}


def is_weight(name):
    """Whether the L2 penalty applies to the parameter (weights, not biases)."""
    return name.rsplit(".", 1)[1].startswith("W")


def readout_index(lengths, n_steps, per_step):
    """Rows of the last layer's states that the head reads.

    Returns
    -------
    seq_idx, step_idx : ndarray of shape (n_rows,), int64
        ``H[seq_idx, step_idx]`` are the read-out states, in target order.
    """
    if per_step:
        return np.nonzero(np.arange(n_steps) < lengths[:, None])
    return np.arange(lengths.shape[0]), lengths - 1


def forward(params, spec, X, lengths):
    """Run the network.

    Parameters
    ----------
    params : dict of str to ndarray
    spec : NetworkSpec
    X : ndarray of shape (n_seq, n_steps, n_features)
        C-contiguous, of the parameters' dtype; padded steps are ignored.
    lengths : ndarray of shape (n_seq,), int64

    Returns
    -------
    Z : ndarray of shape (n_rows, n_outputs)
        Logits of every read-out row (see :func:`readout_index`).
    trace : dict
        What :func:`backward` needs: each layer's input, states and cache,
        and the read-out rows.
    """
    cell = CELLS[spec.cell]
    activation = ACTIVATION_CODES[spec.activation]
    layers = []
    inputs = X
    for layer, n_hidden in enumerate(spec.hidden_layer_sizes):
        h0 = np.zeros((X.shape[0], n_hidden), dtype=X.dtype)
        W_x, W_h, b = (params[f"rnn{layer}.{k}"] for k in ("W_x", "W_h", "b"))
        H, cache = cell.forward(inputs, lengths, W_x, W_h, b, h0, activation)
        layers.append((inputs, h0, H, cache))
        inputs = H
    seq_idx, step_idx = readout_index(lengths, X.shape[1], spec.per_step)
    features = inputs[seq_idx, step_idx]
    Z = features @ params["out.W"] + params["out.b"]
    trace = {"layers": layers, "readout": (seq_idx, step_idx), "features": features}
    return Z, trace


def predict(params, spec, X, lengths):
    """Predictions of the head (probabilities or values), in float64.

    Returns
    -------
    P : ndarray of shape (n_rows, n_outputs)
    """
    Z, _ = forward(params, spec, X, lengths)
    return HEADS[spec.head].activation(Z.astype(np.float64))


def backward(params, spec, lengths, trace, dZ):
    """Gradient of the parameters given the gradient of the logits.

    Parameters
    ----------
    params : dict of str to ndarray
    spec : NetworkSpec
    lengths : ndarray of shape (n_seq,), int64
    trace : dict
        From :func:`forward` on the same inputs.
    dZ : ndarray of shape (n_rows, n_outputs)

    Returns
    -------
    grads : dict of str to ndarray
        Same keys, shapes and dtype as ``params``.
    """
    cell = CELLS[spec.cell]
    activation = ACTIVATION_CODES[spec.activation]
    grads = {
        "out.W": trace["features"].T @ dZ,
        "out.b": dZ.sum(axis=0),
    }
    last_H = trace["layers"][-1][2]
    dH = np.zeros_like(last_H)
    seq_idx, step_idx = trace["readout"]
    # Many-to-many read-out rows are distinct, so plain assignment suffices.
    dH[seq_idx, step_idx] = dZ @ params["out.W"].T
    for layer in reversed(range(len(spec.hidden_layer_sizes))):
        inputs, h0, H, cache = trace["layers"][layer]
        W_x, W_h = params[f"rnn{layer}.W_x"], params[f"rnn{layer}.W_h"]
        dX, dW_x, dW_h, db, _ = cell.backward(
            inputs, lengths, W_x, W_h, h0, H, cache, dH, activation
        )
        grads[f"rnn{layer}.W_x"] = dW_x
        grads[f"rnn{layer}.W_h"] = dW_h
        grads[f"rnn{layer}.b"] = db
        dH = dX
    return {name: grads[name] for name in params}


def loss_and_gradient(params, spec, X, lengths, Y, alpha):
    """Mean loss over the read-out rows plus L2 penalty, and its gradient.

    ``loss = mean_rows(head loss) + 0.5 * alpha * sum(W**2) / n_rows``, the
    penalty summed over weights only (not biases), as in scikit-learn's MLP.

    Parameters
    ----------
    params : dict of str to ndarray
    spec : NetworkSpec
    X : ndarray of shape (n_seq, n_steps, n_features)
    lengths : ndarray of shape (n_seq,), int64
    Y : ndarray of shape (n_rows, n_outputs)
        Targets of the read-out rows: one-hot or 0/1 labels, or values.
    alpha : float
        L2 penalty strength.

    Returns
    -------
    loss : float
    grads : dict of str to ndarray
    """
    head = HEADS[spec.head]
    Z, trace = forward(params, spec, X, lengths)
    n_rows = Z.shape[0]
    loss = head.loss(Z, Y).sum() / n_rows
    dZ = (head.gradient(Z, Y) / n_rows).astype(Z.dtype, copy=False)
    grads = backward(params, spec, lengths, trace, dZ)
    for name, p in params.items():
        if is_weight(name):
            loss += 0.5 * alpha * float(np.sum(p * p)) / n_rows
            grads[name] += (alpha / n_rows) * p
    return float(loss), grads
