"""Data, fitted models and state comparisons shared by the reliability tests
(``test_bad_inputs``, ``test_atomic``, ``test_reliability``)."""

import copy
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.preprocessing import SequenceScaler
from sklearn_rnn.text import SequenceVectorizer

SMALL = {"hidden_layer_sizes": (4,), "max_iter": 2, "random_state": 0}
RNG = np.random.RandomState(0)
X_GOOD = [RNG.normal(size=(RNG.randint(2, 6), 2)) for _ in range(12)]
Y_CLASSES = np.arange(12) % 3
Y_VALUES = RNG.normal(size=12)
Y_TAGS = [np.arange(len(x)) % 2 for x in X_GOOD]
TOKENS_GOOD = [RNG.randint(1, 9, size=len(x)) for x in X_GOOD]
EMBEDDED = {**SMALL, "embedding_dim": 3}


def fit_models():
    """One small fitted model of each kind, by name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return {
            "classifier": RNNClassifier(**SMALL).fit(X_GOOD, Y_CLASSES),
            "regressor": RNNRegressor(**SMALL).fit(X_GOOD, Y_VALUES),
            "tagger": RNNSequenceTagger(**SMALL).fit(X_GOOD, Y_TAGS),
            "scaler": SequenceScaler().fit(X_GOOD),
            "token classifier": RNNClassifier(**EMBEDDED).fit(TOKENS_GOOD, Y_CLASSES),
            "token regressor": RNNRegressor(**EMBEDDED).fit(TOKENS_GOOD, Y_VALUES),
            "token tagger": RNNSequenceTagger(**EMBEDDED).fit(TOKENS_GOOD, Y_TAGS),
            "vectorizer": SequenceVectorizer().fit(["a b c d e f g h"]),
            "categorical regressor": RNNRegressor(
                **EMBEDDED, categorical_features=[1]
            ).fit(
                [np.c_[x[:, 0], 2**24 + t] for x, t in zip(X_GOOD, TOKENS_GOOD)],
                Y_VALUES,
            ),
        }


def snapshot(estimator):
    return copy.deepcopy(vars(estimator))


def assert_same_state(before, estimator):
    """Every attribute of ``estimator`` equals its value in ``before``, the
    private ones included (optimizer state, network spec, random state),
    arrays by content."""
    assert_same(before, vars(estimator), "estimator")


def assert_same(a, b, path):
    assert type(a) is type(b), path
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, np.random.RandomState):
        assert_same(a.get_state(legacy=False), b.get_state(legacy=False), path)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif hasattr(a, "__dict__") and not callable(a):
        assert_same(vars(a), vars(b), path)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), path
    else:
        assert a == b, path
