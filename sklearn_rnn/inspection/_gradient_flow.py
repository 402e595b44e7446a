"""How strongly a fitted model's outputs depend on each step of its input."""

import numpy as np

from sklearn_rnn.network._network import backward, forward


def gradient_flow(estimator, X):
    """Size of the gradient reaching each input step from the read-out.

    For each sequence and step ``t``, the Frobenius norm of the Jacobian of
    the model's outputs (its logits: one per class or tag; the regressor's
    predictions, in the units of ``y``) with respect to the input ``x_t``::

        flow[i, t] = sqrt(sum_k sum_j (d z_k / d x_{t, j})**2)

    where ``z`` are the outputs read for sequence ``i``: at its last step for
    :class:`~sklearn_rnn.RNNClassifier` and :class:`~sklearn_rnn.RNNRegressor`,
    summed over its steps for :class:`~sklearn_rnn.RNNSequenceTagger`. This
    is the gradient that backpropagation through time carries back to step
    ``t``: when it shrinks geometrically with the distance from the read-out,
    the model cannot learn, and in practice does not use, what happened
    there (the vanishing-gradient problem).

    Parameters
    ----------
    estimator : fitted RNNClassifier, RNNRegressor or RNNSequenceTagger
    X : sequences
        In any format the estimator accepts.

    Returns
    -------
    flow : ndarray of shape (n_sequences, n_steps)
        ``n_steps`` is the longest length; NaN at padded steps.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> from sklearn_rnn.inspection import gradient_flow
    >>> X = np.random.RandomState(0).normal(size=(20, 6, 1))
    >>> reg = RNNRegressor(hidden_layer_sizes=(4,), max_iter=2,
    ...                    random_state=0).fit(X, X[:, -1, 0])
    >>> gradient_flow(reg, X).shape
    (20, 6)
    """
    params, spec = estimator._network()
    sequences = estimator._read(X)
    data, lengths = sequences.data, sequences.lengths
    Z, trace = forward(params, spec, data, lengths)
    squares = np.zeros(data.shape[:2])
    slope = estimator._output_slope(Z)
    for k in range(Z.shape[1]):
        dZ = np.zeros_like(Z)
        dZ[:, k] = slope[:, k]
        _, dX = backward(params, spec, trace, dZ)
        squares += np.sum(dX.astype(np.float64) ** 2, axis=2)
    flow = np.sqrt(squares)
    flow[np.arange(data.shape[1]) >= lengths[:, None]] = np.nan
    return flow
