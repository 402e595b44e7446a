"""gradient_flow against finite differences; permutation importance on sequences."""

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.inspection import gradient_flow, permutation_importance
from sklearn_rnn.network._network import forward
from tests.helpers import make_sequences, sign_labels


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


# ------------------------------------------------------ permutation importance


def test_permutation_importance_finds_the_feature_that_matters():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(3, 9), 2)) for _ in range(120)]
    y = np.array([x[:, 0].sum() for x in X])  # feature 1 is noise
    reg = RNNRegressor(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(X, y)
    result = permutation_importance(reg, X, y, n_repeats=3, random_state=0)
    assert result.importances.shape == (2, 3)
    assert result.importances_mean[0] > 0.5
    assert abs(result.importances_mean[1]) < 0.1
    np.testing.assert_allclose(result.importances_std, result.importances.std(axis=1))


def test_permutation_keeps_padding_and_the_values_of_each_feature():
    """Every shuffled copy the scorer sees has the padding where it was and
    the same values of the shuffled feature at its real steps."""
    rng = np.random.RandomState(1)
    X = [rng.normal(size=(n, 2)) for n in (2, 5, 3, 5)]
    y = np.array([0, 1, 0, 1])
    clf = RNNClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0).fit(X, y)
    reference = clf._read(X)
    real = np.arange(reference.data.shape[1]) < reference.lengths[:, None]
    seen = []

    def scorer(estimator, sequences, y):
        seen.append(sequences.data.copy())
        return 0.0

    permutation_importance(clf, X, y, scoring=scorer, n_repeats=2, random_state=0)
    assert len(seen) == 1 + 2 * 2
    for k, data in enumerate(seen[1:]):
        j = k // 2
        assert (data[~real] == 0).all()
        np.testing.assert_array_equal(
            np.sort(data[real, j]), np.sort(reference.data[real, j])
        )
        np.testing.assert_array_equal(data[:, :, 1 - j], reference.data[:, :, 1 - j])


def test_permutation_over_steps_needs_equal_lengths():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(50, 4))
    y = X[:, -1] * 2  # only the last step matters
    reg = RNNRegressor(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(X, y)
    result = permutation_importance(reg, X, y, over="steps", random_state=0)
    assert result.importances.shape == (4, 5)
    assert np.argmax(result.importances_mean) == 3
    with pytest.raises(ValueError, match="needs sequences of equal length"):
        permutation_importance(reg, [X[0], X[1, :2]], y[:2], over="steps")
    with pytest.raises(ValueError, match="over must be"):
        permutation_importance(reg, X, y, over="time")
