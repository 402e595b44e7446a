"""The network stack: finite-difference gradients of every head, read-out."""

import numpy as np
import pytest

from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._heads import HEADS
from sklearn_rnn.network._network import (
    NetworkSpec,
    forward,
    init_params,
    loss_and_gradient,
)

LENGTHS = np.array([5, 2, 4], dtype=np.int64)
N_FEATURES = 2


def random_targets(rng, head, n_rows, n_outputs):
    if head == "identity":
        return rng.normal(size=(n_rows, n_outputs))
    if head == "logistic":
        return rng.randint(0, 2, size=(n_rows, 1)).astype(float)
    return np.eye(n_outputs)[rng.randint(0, n_outputs, size=n_rows)]


def random_network(rng, spec, n_outputs):
    """Parameters perturbed away from their initial values: biases non-zero."""
    params = init_params(spec, N_FEATURES, n_outputs, rng, np.float64)
    return {k: v + rng.normal(scale=0.4, size=v.shape) for k, v in params.items()}


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("activation", sorted(ACTIVATION_CODES))
@pytest.mark.parametrize(
    "head, per_step, n_outputs",
    [
        ("softmax", False, 3),
        ("logistic", False, 1),
        ("identity", False, 2),
        ("softmax", True, 3),
        ("logistic", True, 1),
        ("identity", True, 1),
    ],
)
@pytest.mark.parametrize("hidden", [(4,), (4, 3)])
def test_gradient_matches_finite_differences(
    rng, cell, activation, head, per_step, n_outputs, hidden
):
    spec = NetworkSpec(cell, activation, hidden, head, per_step)
    params = random_network(rng, spec, n_outputs)
    X = rng.normal(size=(len(LENGTHS), LENGTHS.max(), N_FEATURES))
    n_rows = LENGTHS.sum() if per_step else len(LENGTHS)
    Y = random_targets(rng, head, n_rows, n_outputs)
    alpha = 0.3

    _, grads = loss_and_gradient(params, spec, X, LENGTHS, Y, alpha)
    for name, p in params.items():
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + 1e-6
            plus, _ = loss_and_gradient(params, spec, X, LENGTHS, Y, alpha)
            p[idx] = old - 1e-6
            minus, _ = loss_and_gradient(params, spec, X, LENGTHS, Y, alpha)
            p[idx] = old
            numeric[idx] = (plus - minus) / 2e-6
        error = np.abs(grads[name] - numeric).max() / np.abs(numeric).max()
        assert error < 1e-5, (name, error)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("per_step", [False, True])
def test_read_out_ignores_padding(rng, cell, per_step):
    spec = NetworkSpec(cell, "tanh", (4, 3), "softmax", per_step)
    params = random_network(rng, spec, 3)
    X = rng.normal(size=(len(LENGTHS), LENGTHS.max(), N_FEATURES))
    Z, _ = forward(params, spec, X, LENGTHS)
    rows = []
    for i, length in enumerate(LENGTHS):
        one = np.ascontiguousarray(X[i : i + 1, :length])
        Z1, _ = forward(params, spec, one, LENGTHS[i : i + 1])
        rows.append(Z1)
    np.testing.assert_allclose(Z, np.concatenate(rows), rtol=1e-12, atol=1e-12)


def test_losses_stay_finite_at_saturated_logits():
    Z = np.array([[800.0, -800.0, 0.0]])
    Y = np.array([[0.0, 1.0, 0.0]])
    assert np.isfinite(HEADS["softmax"].loss(Z, Y)).all()
    assert np.isfinite(HEADS["logistic"].loss(Z[:, :1], Y[:, :1])).all()
    np.testing.assert_allclose(HEADS["softmax"].loss(Z, Y), [1600.0])
