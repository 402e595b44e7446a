"""Cells and layer options through the estimators: the long-range dependency
that gated cells learn and the Elman cell does not, bidirectional tagging,
dropout, truncated BPTT on long sequences."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.datasets import make_adding_problem
from tests.helpers import SMALL, make_sequences, sign_labels


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_default_cell_is_lstm():
    assert RNNClassifier().cell == "lstm"
    X = make_sequences(n=20)
    clf = RNNClassifier(**{**SMALL, "max_iter": 1}).fit(X, sign_labels(X))
    assert clf.params_["rnn0.W_h"].shape == (8, 32)
    # forget-gate bias started at 1 (one Adam step of 0.01 since)
    np.testing.assert_allclose(clf.params_["rnn0.b"][8:16], 1.0, atol=0.011)


@pytest.mark.slow
def test_gated_cells_learn_a_long_range_dependency_elman_cannot():
    """The adding problem over 40 steps, the same budget for every cell.

    Elman learns the recent marked value only (R^2 near 0.5, its predictions
    uncorrelated with the first value); LSTM and GRU carry the first value
    across the sequence.
    """
    X, y = make_adding_problem(1000, 40, random_state=0)
    X_test, y_test = make_adding_problem(500, 40, random_state=100)
    first = X_test[:, :4, 0][X_test[:, :4, 1] == 1]
    scores, first_corr = {}, {}
    for cell in ("elman", "lstm", "gru"):
        reg = RNNRegressor(
            cell=cell,
            hidden_layer_sizes=(32,),
            learning_rate_init=0.01,
            max_iter=40,
            n_iter_no_change=40,
            random_state=0,
        ).fit(X, y)
        scores[cell] = reg.score(X_test, y_test)
        first_corr[cell] = np.corrcoef(reg.predict(X_test), first)[0, 1]
    assert scores["lstm"] > 0.95 and scores["gru"] > 0.95, scores
    assert 0.2 < scores["elman"] < 0.6, scores
    assert abs(first_corr["elman"]) < 0.2, first_corr
    assert first_corr["lstm"] > 0.6 and first_corr["gru"] > 0.6, first_corr


def future_tags(X):
    """Per step: is the next step's first feature larger? (last step: no)."""
    return [np.append(np.diff(x[:, 0]) > 0, False).astype(int) for x in X]


def test_bidirectional_tagger_reads_the_future():
    X = make_sequences(n=200, seed=3)
    X_test = make_sequences(n=100, seed=4)
    scores = {}
    for bidirectional in (False, True):
        tagger = RNNSequenceTagger(
            **{**SMALL, "hidden_layer_sizes": (16,), "max_iter": 40},
            bidirectional=bidirectional,
        ).fit(X, future_tags(X))
        scores[bidirectional] = tagger.score(X_test, future_tags(X_test))
    # the step's own value alone predicts the tag about 75% of the time
    assert scores[False] < 0.8 and scores[True] > 0.9, scores


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_dropout_is_seeded_and_off_at_predict(Estimator):
    X = make_sequences(n=60)
    y = sign_labels(X) if Estimator is RNNClassifier else np.arange(60.0)
    params = {**SMALL, "max_iter": 3, "dropout": 0.3, "recurrent_dropout": 0.3}
    a = Estimator(**params).fit(X, y)
    b = Estimator(**params).fit(X, y)
    plain = Estimator(**{**SMALL, "max_iter": 3}).fit(X, y)
    for name in a.params_:
        np.testing.assert_array_equal(a.params_[name], b.params_[name])
    assert not np.array_equal(a.params_["out.W"], plain.params_["out.W"])
    np.testing.assert_array_equal(a.predict(X), a.predict(X))


def test_truncated_bptt_trains_on_a_sequence_of_20000_steps():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(20_000, 2)), rng.normal(size=(5_000, 2))]
    y = [np.cumsum(x[:, 0]) > 0 for x in X]
    tagger = RNNSequenceTagger(
        hidden_layer_sizes=(8,), bptt_truncate=100, max_iter=2, random_state=0
    ).fit(X, y)
    assert np.isfinite(tagger.loss_curve_).all() and tagger.n_iter_ == 2
    tags = tagger.predict(X)
    assert [len(t) for t in tags] == [20_000, 5_000]


def test_truncation_and_bidirectional_are_refused_together():
    X = make_sequences(n=10)
    with pytest.raises(ValueError, match="bptt_truncate cannot be combined"):
        RNNClassifier(bidirectional=True, bptt_truncate=5).fit(X, sign_labels(X))


def test_warm_start_refuses_a_change_of_direction():
    X = make_sequences(n=20)
    y = sign_labels(X)
    clf = RNNClassifier(**{**SMALL, "max_iter": 1}, warm_start=True).fit(X, y)
    clf.set_params(bidirectional=True)
    with pytest.raises(ValueError, match="bidirectional=False"):
        clf.fit(X, y)
