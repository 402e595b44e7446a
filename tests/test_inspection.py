"""gradient_flow: the Jacobian norms it reports, against finite differences."""

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.inspection import gradient_flow
from sklearn_rnn.network._network import forward
from tests.test_estimators import make_sequences, sign_labels


def fitted(Estimator, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return Estimator(
            hidden_layer_sizes=(5, 3), max_iter=2, random_state=0, **params
        ).fit(X, y)


def prediction_jacobian_norm(reg, x, t):
    """Norm of the Jacobian of ``reg.predict([x])[0]`` with respect to step
    ``t`` of ``x``, by central differences; returned as ``pytest.approx``
    compares it, to a relative 1e-6."""
    jacobian = []
    for j in range(x.shape[1]):
        plus, minus = x.copy(), x.copy()
        plus[t, j] += 1e-6
        minus[t, j] -= 1e-6
        jacobian.append((reg.predict([plus])[0] - reg.predict([minus])[0]) / 2e-6)
    return pytest.approx(np.linalg.norm(jacobian), rel=1e-6)


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_flow_is_the_jacobian_norm(cell, bidirectional):
    X = make_sequences(n=3, min_len=2, max_len=6)
    y = np.random.RandomState(0).normal(size=(3, 2))
    reg = fitted(
        RNNRegressor, X, y, cell=cell, bidirectional=bidirectional, dtype="float64"
    )
    flow = gradient_flow(reg, X)
    assert flow.shape == (3, max(len(x) for x in X))
    for i, x in enumerate(X):
        assert np.all(np.isnan(flow[i, len(x) :]))
        for t in range(len(x)):
            assert flow[i, t] == prediction_jacobian_norm(reg, x, t)


def test_flow_of_a_poisson_regressor_is_that_of_its_predictions():
    """Predictions exp(z) * target_scale_: the flow follows them."""
    X = make_sequences(n=3, min_len=2, max_len=5)
    y = np.abs(np.random.RandomState(0).normal(size=3)) * 40
    reg = fitted(RNNRegressor, X, y, loss="poisson", dtype="float64")
    flow = gradient_flow(reg, X)
    for t in range(len(X[0])):
        assert flow[0, t] == prediction_jacobian_norm(reg, X[0], t)


def test_flow_for_classifier_and_tagger():
    X = make_sequences(n=30)
    labels = sign_labels(X)
    for estimator in (
        fitted(RNNClassifier, X, labels),
        fitted(RNNSequenceTagger, X, [np.cumsum(x[:, 0]) > 0 for x in X]),
    ):
        flow = gradient_flow(estimator, X[:4])
        lengths = [len(x) for x in X[:4]]
        assert np.isfinite(flow[0, : lengths[0]]).all()
        assert (flow[np.isfinite(flow)] > 0).all()


def test_flow_needs_a_fitted_estimator():
    with pytest.raises(NotFittedError):
        gradient_flow(RNNRegressor(), make_sequences(n=2))


def test_flow_of_a_token_model_is_taken_at_the_embedded_vectors():
    """With an embedding, the flow is the Jacobian norm with respect to each
    step's embedded vector: the network fed those vectors as features."""
    X = [np.array([2, 5, 3]), np.array([4, 2])]
    reg = fitted(RNNRegressor, X, [0.5, -1.0], embedding_dim=3, dtype="float64")
    flow = gradient_flow(reg, X)
    sequences = reg._read(X)
    vectors = reg.params_["embed.table"][sequences.data]
    spec = dataclasses.replace(reg._spec, embedding_dim=None)
    params = {k: v for k, v in reg.params_.items() if k != "embed.table"}
    for i, length in enumerate(sequences.lengths):
        for t in range(length):
            jacobian = []
            for j in range(vectors.shape[2]):
                plus, minus = vectors.copy(), vectors.copy()
                plus[i, t, j] += 1e-6
                minus[i, t, j] -= 1e-6
                z_plus = forward(params, spec, plus, sequences.lengths)[0][i]
                z_minus = forward(params, spec, minus, sequences.lengths)[0][i]
                # predictions are the network's outputs times target_scale_
                jacobian.append(reg.target_scale_ * (z_plus - z_minus) / 2e-6)
            assert flow[i, t] == pytest.approx(np.linalg.norm(jacobian), rel=1e-6)
