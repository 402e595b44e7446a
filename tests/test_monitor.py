"""Early stopping watches a score it can measure, and says when it cannot."""

import numpy as np
import pytest

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger

SMALL = {"hidden_layer_sizes": (3,), "max_iter": 3, "random_state": 0}
rng = np.random.RandomState(0)
X = rng.normal(size=(20, 4, 1))
Y_VALUES = rng.normal(size=20)
Y_CLASSES = np.arange(20) % 2
Y_TAGS = [np.array(["B-X", "I-X", "O", "O"])] * 20


def nan_scorer(estimator, X, y):
    return np.nan


@pytest.mark.parametrize(
    "model, y, fit_kwargs, message",
    [
        (
            RNNRegressor(early_stopping=True, **SMALL),
            Y_VALUES,
            {"X_val": X[:1], "y_val": Y_VALUES[:1]},
            r"scoring=None on the validation set \(1 sequence\) is nan in epoch 1",
        ),
        (
            RNNRegressor(early_stopping=True, scoring=nan_scorer, **SMALL),
            Y_VALUES,
            {},
            r"scoring=<function nan_scorer.*\(2 sequences\) is nan in epoch 1",
        ),
    ],
    ids=["R^2 of one sequence", "scorer returning NaN"],
)
def test_a_score_that_cannot_be_measured_is_an_error(model, y, fit_kwargs, message):
    """Not epochs compared on NaN, with the last one kept silently."""
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, **fit_kwargs)
    assert not hasattr(model, "params_")


@pytest.mark.parametrize(
    "model, y, fit_kwargs, error, message",
    [
        (
            RNNClassifier(scoring="r2"),
            np.where(Y_CLASSES, "yes", "no"),
            {},
            ValueError,
            r"In early stopping's scoring='r2' on the validation set \(2 sequences\)",
        ),
        (
            RNNRegressor(scoring="accuracy"),
            Y_VALUES,
            {},
            ValueError,
            "scoring='accuracy' on the validation set .*continuous",
        ),
        (
            RNNClassifier(scoring="neg_log_loss"),
            Y_CLASSES,
            {"X_val": X[:3], "y_val": np.zeros(3, dtype=int)},
            ValueError,
            r"scoring='neg_log_loss' on the validation set \(3 sequences\)",
        ),
        (
            RNNSequenceTagger(scoring="entity_f1", crf=True),
            [np.array([1, 2, 3, 4])] * 20,
            {},
            (ValueError, TypeError),
            "scoring='entity_f1' on the validation set",
        ),
    ],
    ids=[
        "r2 on a classifier",
        "accuracy on a regressor",
        "log-loss, one class",
        "tags",
    ],
)
def test_scorer_errors_name_the_scoring_and_the_validation_set(
    model, y, fit_kwargs, error, message
):
    model.set_params(early_stopping=True, **SMALL)
    with pytest.raises(error, match=message):
        model.fit(X, y, **fit_kwargs)
