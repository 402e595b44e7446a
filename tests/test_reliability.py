"""Reliability: every bad input named, failed calls that change nothing,
properties over random ragged inputs, extreme values, very long sequences,
threads and a fresh process."""

import copy
import os
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import (
    DivergenceError,
    RNNClassifier,
    RNNRegressor,
    RNNSequenceTagger,
)
from sklearn_rnn.preprocessing import SequenceScaler
from sklearn_rnn.text import SequenceVectorizer, TextGenerator
from tests.helpers import padded
from tests.test_estimators import long_frame

SMALL = {"hidden_layer_sizes": (4,), "max_iter": 2, "random_state": 0}
RNG = np.random.RandomState(0)
X_GOOD = [RNG.normal(size=(RNG.randint(2, 6), 2)) for _ in range(12)]
Y_CLASSES = np.arange(12) % 3
Y_VALUES = RNG.normal(size=12)
Y_TAGS = [np.arange(len(x)) % 2 for x in X_GOOD]
TOKENS_GOOD = [RNG.randint(1, 9, size=len(x)) for x in X_GOOD]
EMBEDDED = {**SMALL, "embedding_dim": 3}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def fitted():
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


# ------------------------------------------------------------ bad input table

#: Bad X: (case, X, error type, message pattern). Each runs through every
#: entry point below.
BAD_X = [
    ("empty", [], ValueError, "X is empty"),
    (
        "timestamps",
        np.arange(24).astype("datetime64[h]").reshape(12, 2),
        TypeError,
        "datetime64.* which are times",
    ),
    (
        "durations in a list",
        [np.arange(3).astype("timedelta64[s]")] * 12,
        TypeError,
        "sequence 0 holds timedelta64",
    ),
    (
        "a long frame with a (sequence id, time step) twice",
        pd.DataFrame(
            {"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]},
            index=pd.MultiIndex.from_tuples([("s1", 0), ("s2", 5), ("s2", 5)]),
        ),
        ValueError,
        "Sequence id 's2' has time step 5 more than once",
    ),
    (
        "a long frame with a missing sequence id",
        pd.DataFrame(
            {"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]},
            index=pd.MultiIndex.from_tuples([("s1", 0), (None, 0), ("s2", 1)]),
        ),
        ValueError,
        r"The sequence id \(first index level\) is missing in row 1",
    ),
    (
        "a long frame with an array in a cell",
        pd.DataFrame(
            {"a": [1.0, np.ones(3), 3.0], "b": [1.0, 2.0, 3.0]},
            index=pd.MultiIndex.from_tuples([("s1", 0), ("s1", 1), ("s2", 0)]),
        ),
        ValueError,
        "Column 'a' holds an array in sequence id 's1'",
    ),
    (
        "a frame of array cells of different lengths in one row",
        pd.DataFrame(
            {"a": [np.ones(3), np.ones(2)], "b": [np.ones(3), np.ones(4)]},
            index=["first", "second"],
        ),
        ValueError,
        "Sequence 'second' has columns of different lengths",
    ),
    (
        "a frame of array cells with a number among them",
        pd.DataFrame({"a": [np.ones(3), 2.0], "b": [np.ones(3), np.ones(2)]}),
        ValueError,
        "Column 'a' holds a single value in the row of sequence 1",
    ),
    (
        "empty sequence",
        [X_GOOD[0], np.zeros((0, 2))],
        ValueError,
        "Sequence 1 is empty",
    ),
    (
        "NaN inside a sequence",
        [X_GOOD[0], np.array([[1.0, 2.0], [np.nan, 1.0], [1.0, 1.0]])],
        ValueError,
        "Sequence 1 has NaN at step 1",
    ),
    (
        "inf",
        [np.array([[1.0, np.inf]])],
        ValueError,
        "Sequence 0 has an infinite value at step 0",
    ),
    (
        "inconsistent feature counts",
        [np.ones((2, 2)), np.ones((3, 3))],
        ValueError,
        "Sequence 1 has 3 features per step, but sequence 0 has 2",
    ),
    (
        "non-numeric values",
        [np.ones((2, 2)), np.array([["a", "b"]])],
        ValueError,
        "X must hold numbers; sequence 1",
    ),
    ("4D array", np.zeros((2, 2, 2, 2)), ValueError, "got 4 dimensions"),
    ("1D array", np.zeros(5), ValueError, "Reshape your data"),
    ("None", None, ValueError, "got None"),
    ("a dict", {"a": [1.0]}, TypeError, "got a dict"),
    ("sparse", sp.csr_array(np.eye(3)), TypeError, "Sparse input"),
    # scipy's dok format is also a dict
    ("sparse dok", sp.dok_array(np.eye(3)), TypeError, "Sparse input"),
    (
        "ragged steps",
        [[[1.0, 2.0], [3.0]]],
        ValueError,
        "sequence 0 could not be read as an array",
    ),
]


def step_weights(sequence, step, value):
    """One weight per step of X_GOOD, all 1 but ``value`` at one step."""
    weights = [np.ones(len(x)) for x in X_GOOD]
    weights[sequence][step] = value
    return weights


def long_frame_with_nan(sequence, step):
    """X_GOOD as a long frame keyed by letters, NaN at one step of one
    sequence: a long frame has no padding, so NaN is a missing value."""
    frame = pd.concat(
        {chr(97 + i): pd.DataFrame(x, columns=["u", "v"]) for i, x in enumerate(X_GOOD)}
    )
    frame.loc[(chr(97 + sequence), step), :] = np.nan
    return frame


BAD_X += [
    ("None among sequences", [X_GOOD[0], None], ValueError, r"X\[1\] is None"),
    (
        "a number among sequences",
        [X_GOOD[0], 3.0],
        ValueError,
        r"X\[1\] is the number 3.0 where a sequence should be",
    ),
    ("one number", 3.0, ValueError, r"X is a single value \(3.0\)"),
    (
        "long frame, NaN last row",
        long_frame_with_nan(1, len(X_GOOD[1]) - 1),
        ValueError,
        f"Sequence id 'b' has NaN at time step {len(X_GOOD[1]) - 1} in column 'u'",
    ),
    (
        "long frame, NaN inside",
        long_frame_with_nan(2, 0),
        ValueError,
        "Sequence id 'c' has NaN at time step 0",
    ),
]

#: Entry points taking X, given the fitted fixtures: (name, call(fitted, X)).
ENTRY_POINTS = [
    ("RNNClassifier.fit", lambda f, X: RNNClassifier(**SMALL).fit(X, Y_CLASSES)),
    (
        "RNNClassifier.partial_fit",
        lambda f, X: RNNClassifier(**SMALL).partial_fit(
            X, Y_CLASSES, classes=[0, 1, 2]
        ),
    ),
    ("RNNRegressor.fit", lambda f, X: RNNRegressor(**SMALL).fit(X, Y_VALUES)),
    ("RNNSequenceTagger.fit", lambda f, X: RNNSequenceTagger(**SMALL).fit(X, Y_TAGS)),
    ("RNNClassifier.predict", lambda f, X: f["classifier"].predict(X)),
    ("RNNClassifier.predict_proba", lambda f, X: f["classifier"].predict_proba(X)),
    (
        "RNNClassifier.predict_log_proba",
        lambda f, X: f["classifier"].predict_log_proba(X),
    ),
    ("RNNClassifier.score", lambda f, X: f["classifier"].score(X, Y_CLASSES)),
    ("RNNRegressor.predict", lambda f, X: f["regressor"].predict(X)),
    ("RNNRegressor.score", lambda f, X: f["regressor"].score(X, Y_VALUES)),
    ("RNNSequenceTagger.predict", lambda f, X: f["tagger"].predict(X)),
    ("RNNSequenceTagger.predict_proba", lambda f, X: f["tagger"].predict_proba(X)),
    ("RNNSequenceTagger.score", lambda f, X: f["tagger"].score(X, Y_TAGS)),
    ("SequenceScaler.fit", lambda f, X: SequenceScaler().fit(X)),
    ("SequenceScaler.transform", lambda f, X: f["scaler"].transform(X)),
    (
        "SequenceScaler.inverse_transform",
        lambda f, X: f["scaler"].inverse_transform(X),
    ),
]


@pytest.mark.parametrize(
    "case, X, error, message", BAD_X, ids=[case[0] for case in BAD_X]
)
@pytest.mark.parametrize(
    "entry, call", ENTRY_POINTS, ids=[entry[0] for entry in ENTRY_POINTS]
)
def test_bad_x_is_named(fitted, entry, call, case, X, error, message):
    with pytest.raises(error, match=message):
        call(fitted, X)


#: Bad token ids, for estimators with ``embedding_dim``: (case, X, error type,
#: message pattern). Each runs through every token entry point below.
BAD_TOKENS = [
    ("empty", [], ValueError, "X is empty"),
    ("empty sequence", [[2, 3], []], ValueError, "Sequence 1 is empty"),
    ("all padding", np.array([[2, 3], [0, 0]]), ValueError, "Sequence 1 is empty"),
    ("negative id", [[2, 3], [4, -1]], ValueError, "Sequence 1 holds -1 at step 1"),
    (
        "uint64 above the int64 range",
        [np.array([2, 2**63 + 5], dtype=np.uint64)],
        ValueError,
        "Sequence 0 holds 9223372036854775813 at step 1: too large",
    ),
    (
        "fraction",
        [[2, 3.5]],
        ValueError,
        "Sequence 0 holds 3.5 at step 1: token ids must be whole numbers",
    ),
    (
        "fraction in a padded float array",
        np.array([[2.0, 3.0, 0.0], [4.0, 1.25, 0.0]]),
        ValueError,
        "Sequence 1 holds 1.25 at step 1",
    ),
    ("inf", [[2, np.inf]], ValueError, "Sequence 0 holds inf at step 1"),
    (
        "padding id inside a sequence",
        [[2, 0, 3]],
        ValueError,
        "Sequence 0 holds the id 0 at step 1; 0 is reserved for padding",
    ),
    (
        "padding inside a padded array",
        np.array([[2.0, np.nan, 3.0]]),
        ValueError,
        r"Sequence 0 has padding \(nan\) at step 1, before its last token",
    ),
    ("strings", [["the", "cat"]], TypeError, "holds strings.*SequenceVectorizer"),
    ("raw text", ["the cat sat"], TypeError, "Sequence 0 is a string"),
    ("one string", "the cat", TypeError, "single string"),
    ("None id", [[2, None]], TypeError, "Sequence 0 .* holds None"),
    ("booleans", [np.array([True, False])], TypeError, "booleans"),
    ("complex", [np.array([2 + 1j])], TypeError, "complex"),
    ("flat list", [2, 3, 4], ValueError, "flat list of token ids"),
    ("4D array", np.ones((2, 3, 2, 2)), ValueError, "got an array of shape"),
    ("3D sequence", [np.ones((3, 2, 2))], ValueError, "Sequence 0 has shape"),
    (
        "ids per step differ",
        [np.ones((3, 2)), np.ones((3, 3))],
        ValueError,
        "Sequence 1 has 3 ids per step, but sequence 0 has 2",
    ),
    (
        "padding id in a step",
        [np.array([[2, 3], [4, 0]])],
        ValueError,
        "holds the id 0 at step 1, column 1",
    ),
    (
        "padding id in a step of an array",
        np.array([[[2, 3], [4, 0], [0, 0]]]),
        ValueError,
        r"Sequence 0 has padding \(0\) at step 1",
    ),
    ("None", None, ValueError, "got None"),
    ("a dict", {"a": [1]}, TypeError, "got a dict"),
    ("sparse", sp.csr_array(np.eye(3)), TypeError, "Sparse input"),
]

TOKEN_ENTRY_POINTS = [
    (
        "RNNClassifier.fit",
        lambda f, X: RNNClassifier(**EMBEDDED).fit(X, Y_CLASSES),
    ),
    (
        "RNNClassifier.partial_fit",
        lambda f, X: RNNClassifier(**EMBEDDED).partial_fit(X, Y_CLASSES, [0, 1, 2]),
    ),
    ("RNNRegressor.fit", lambda f, X: RNNRegressor(**EMBEDDED).fit(X, Y_VALUES)),
    (
        "RNNSequenceTagger.fit",
        lambda f, X: RNNSequenceTagger(**EMBEDDED).fit(X, Y_TAGS),
    ),
    ("RNNClassifier.predict", lambda f, X: f["token classifier"].predict(X)),
    (
        "RNNClassifier.predict_proba",
        lambda f, X: f["token classifier"].predict_proba(X),
    ),
    (
        "RNNClassifier.score",
        lambda f, X: f["token classifier"].score(X, Y_CLASSES),
    ),
    ("RNNRegressor.predict", lambda f, X: f["token regressor"].predict(X)),
    ("RNNSequenceTagger.predict", lambda f, X: f["token tagger"].predict(X)),
    (
        "RNNSequenceTagger.predict_log_proba",
        lambda f, X: f["token tagger"].predict_log_proba(X),
    ),
    (
        "SequenceVectorizer.inverse_transform",
        lambda f, X: f["vectorizer"].inverse_transform(X),
    ),
]


@pytest.mark.parametrize(
    "case, X, error, message", BAD_TOKENS, ids=[case[0] for case in BAD_TOKENS]
)
@pytest.mark.parametrize(
    "entry, call", TOKEN_ENTRY_POINTS, ids=[e[0] for e in TOKEN_ENTRY_POINTS]
)
def test_bad_token_ids_are_named(fitted, entry, call, case, X, error, message):
    with pytest.raises(error, match=message):
        call(fitted, X)


def test_ids_unseen_in_fit_are_not_an_error(fitted):
    """Large or never-seen ids are valid input: they read the unseen row."""
    proba = fitted["token classifier"].predict_proba([[10**12, 2], [9, 9, 9]])
    assert np.isfinite(proba).all()


WRONG_FEATURES = [np.ones((3, 5))]


@pytest.mark.parametrize(
    "entry, call",
    [e for e in ENTRY_POINTS if not e[0].endswith(".fit") and "partial" not in e[0]],
    ids=[
        e[0]
        for e in ENTRY_POINTS
        if not e[0].endswith(".fit") and "partial" not in e[0]
    ],
)
def test_wrong_feature_count_is_named(fitted, entry, call):
    with pytest.raises(
        ValueError, match="X has 5 features per step, but .* expecting 2"
    ):
        call(fitted, WRONG_FEATURES)


#: Bad targets and labels: (case, call, error, message).
BAD_Y = [
    (
        "classifier: fewer labels than sequences",
        lambda f: RNNClassifier(**SMALL).fit(X_GOOD, Y_CLASSES[:5]),
        ValueError,
        "X holds 12 sequences but y has 5 targets",
    ),
    (
        "classifier: y None",
        lambda f: RNNClassifier(**SMALL).fit(X_GOOD, None),
        ValueError,
        "requires y to be passed",
    ),
    (
        "classifier: NaN label",
        lambda f: RNNClassifier(**SMALL).fit(X_GOOD, np.r_[np.nan, Y_CLASSES[1:]]),
        ValueError,
        r"y has no label \(None or NaN\) for sequence 0",
    ),
    (
        "classifier: None label",
        lambda f: RNNClassifier(**SMALL).fit(X_GOOD, [1, 0, None] + [1] * 9),
        ValueError,
        r"y has no label \(None or NaN\) for sequence 2",
    ),
    (
        "tagger: None label",
        lambda f: RNNSequenceTagger(**SMALL).fit(
            X_GOOD,
            [list(t) for t in Y_TAGS[:3]]
            + [[None] * len(Y_TAGS[3])]
            + [list(t) for t in Y_TAGS[4:]],
        ),
        ValueError,
        r"y has no label \(None or NaN\) for step 0 of sequence 3",
    ),
    (
        "regressor: non-numeric target",
        lambda f: RNNRegressor(**SMALL).fit(X_GOOD, ["a"] * 12),
        ValueError,
        "numeric",
    ),
    (
        "regressor: inf target",
        lambda f: RNNRegressor(**SMALL).fit(X_GOOD, np.r_[np.inf, Y_VALUES[1:]]),
        ValueError,
        r"NaN or infinite values \(first for sequence 0",
    ),
    (
        "regressor: NaN target",
        lambda f: RNNRegressor(**SMALL).fit(
            X_GOOD, np.r_[Y_VALUES[:4], np.nan, Y_VALUES[5:]]
        ),
        ValueError,
        r"NaN or infinite values \(first for sequence 4",
    ),
    (
        "regressor: one string among numbers",
        lambda f: RNNRegressor(**SMALL).fit(X_GOOD, [1.0] * 3 + ["x"] + [1.0] * 8),
        ValueError,
        "not a number for sequence 3",
    ),
    (
        "regressor: timestamps as targets",
        lambda f: RNNRegressor(**SMALL).fit(X_GOOD, pd.date_range("2020", periods=12)),
        ValueError,
        "which are times",
    ),
    (
        "regressor: 3D target",
        lambda f: RNNRegressor(**SMALL).fit(X_GOOD, np.ones((12, 2, 2))),
        ValueError,
        "dim 3",
    ),
    (
        "tagger: labels of the wrong length",
        lambda f: RNNSequenceTagger(**SMALL).fit(X_GOOD, Y_TAGS[:-1] + [np.zeros(9)]),
        ValueError,
        "Sequence 11 has .* steps but 9 labels",
    ),
    (
        "tagger: fewer label sequences",
        lambda f: RNNSequenceTagger(**SMALL).fit(X_GOOD, Y_TAGS[:3]),
        ValueError,
        "X holds 12 sequences but y has 3 label sequences",
    ),
    (
        "tagger: one label per sequence",
        lambda f: RNNSequenceTagger(**SMALL).fit(X_GOOD, Y_CLASSES),
        ValueError,
        "needs a list of label sequences",
    ),
    (
        "tagger: score with labels of the wrong length",
        lambda f: f["tagger"].score(X_GOOD, Y_TAGS[:-1] + [np.zeros(1)]),
        ValueError,
        "Sequence 11 has .* steps but 1 labels",
    ),
    (
        "classifier partial_fit: unseen class",
        lambda f: copy.deepcopy(f["classifier"]).partial_fit(X_GOOD, Y_CLASSES + 7),
        ValueError,
        "y contains labels .* that are not in classes_",
    ),
    (
        "classifier partial_fit: no classes on the first call",
        lambda f: RNNClassifier(**SMALL).partial_fit(X_GOOD, Y_CLASSES),
        ValueError,
        "classes must be passed on the first call",
    ),
    (
        "tagger partial_fit: unseen tag",
        lambda f: copy.deepcopy(f["tagger"]).partial_fit(
            X_GOOD, [t + 5 for t in Y_TAGS]
        ),
        ValueError,
        "y contains labels .* that are not in classes_",
    ),
    (
        "tagger: negative step weight",
        lambda f: RNNSequenceTagger(**SMALL).fit(
            X_GOOD, Y_TAGS, sample_weight=step_weights(4, 1, -1.0)
        ),
        ValueError,
        "sample_weight holds negative values, first -1.0 at step 1 of sequence 4",
    ),
    (
        "tagger: NaN step weight",
        lambda f: RNNSequenceTagger(**SMALL).fit(
            X_GOOD, Y_TAGS, sample_weight=step_weights(2, 0, np.nan)
        ),
        ValueError,
        "sample_weight holds NaN or infinite values, first nan at step 0 of sequence 2",
    ),
    (
        "classifier: negative sequence weight",
        lambda f: RNNClassifier(**SMALL).fit(
            X_GOOD, Y_CLASSES, sample_weight=np.r_[np.ones(7), -2.0, np.ones(4)]
        ),
        ValueError,
        "sample_weight holds negative values, first -2.0 at sequence 7",
    ),
    (
        "tagger: labels of two kinds",
        lambda f: RNNSequenceTagger(**SMALL).fit(
            X_GOOD, [t if i < 6 else t.astype(str) for i, t in enumerate(Y_TAGS)]
        ),
        ValueError,
        r"y mixes kinds of labels \(numbers in sequence 0, text in sequence 6\)",
    ),
    (
        "tagger: a dict of labels",
        lambda f: RNNSequenceTagger(**SMALL).fit(X_GOOD, dict(enumerate(Y_TAGS))),
        TypeError,
        "got a dict, whose order is not X's",
    ),
    (
        "classifier: one class only",
        lambda f: RNNClassifier(**SMALL).fit(X_GOOD, np.zeros(12)),
        ValueError,
        "class",
    ),
]


@pytest.mark.parametrize("case, call, error, message", BAD_Y, ids=[c[0] for c in BAD_Y])
def test_bad_targets_are_named(fitted, case, call, error, message):
    with pytest.raises(error, match=message):
        call(fitted)


#: Invalid parameter values, each with the words of the error that name the
#: parameter at fault: scikit-learn's ``InvalidParameterError`` wording for
#: what ``_parameter_constraints`` declares, the rule's own for the rest.
BAD_PARAMS = [
    ({"cell": "rnn"}, "The 'cell' parameter of"),
    ({"hidden_layer_sizes": (0,)}, r"hidden_layer_sizes must be > 0"),
    ({"hidden_layer_sizes": "wide"}, "The 'hidden_layer_sizes' parameter of"),
    ({"hidden_layer_sizes": (True,)}, "hidden_layer_sizes must be a positive integer"),
    ({"hidden_layer_sizes": (2**40,)}, r"hidden_layer_sizes=\(1099511627776,\) needs"),
    ({"activation": "gelu"}, "The 'activation' parameter of"),
    ({"solver": "lbfgs"}, "The 'solver' parameter of"),
    ({"dropout": 1.0}, "The 'dropout' parameter of"),
    ({"recurrent_dropout": -0.1}, "The 'recurrent_dropout' parameter of"),
    ({"bptt_truncate": 0}, "The 'bptt_truncate' parameter of"),
    ({"bptt_truncate": True}, "The 'bptt_truncate' parameter of .* Got True"),
    ({"learning_rate_init": 0.0}, "The 'learning_rate_init' parameter of"),
    ({"max_iter": 0}, "The 'max_iter' parameter of"),
    ({"max_iter": True}, "The 'max_iter' parameter of .* Got True"),
    ({"batch_size": 0}, "The 'batch_size' parameter of"),
    ({"batch_size": True}, "The 'batch_size' parameter of .* Got True"),
    ({"embedding_dim": True}, "The 'embedding_dim' parameter of .* Got True"),
    ({"n_iter_no_change": True}, "The 'n_iter_no_change' parameter of .* Got True"),
    ({"clip_norm": 0.0}, "The 'clip_norm' parameter of"),
    ({"clip_value": -1.0}, "The 'clip_value' parameter of"),
    ({"dtype": "float16"}, "The 'dtype' parameter of"),
    ({"validation_fraction": 1.0}, "The 'validation_fraction' parameter of"),
    (
        {"bidirectional": True, "bptt_truncate": 3},
        "bptt_truncate cannot be combined with bidirectional=True",
    ),
    ({"alpha": 1e308}, "alpha=1e.308 makes the L2 penalty overflow"),
    ({"hidden_layer_sizes": (10**7,)}, r"hidden_layer_sizes=\(10000000,\) needs"),
    ({"scoring": "no_such_score", "early_stopping": True}, "no_such_score"),
]


@pytest.mark.parametrize(
    "params, fault", BAD_PARAMS, ids=[str(p) for p, _ in BAD_PARAMS]
)
@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor, RNNSequenceTagger])
def test_invalid_parameters_are_named(Estimator, params, fault):
    y = {RNNClassifier: Y_CLASSES, RNNRegressor: Y_VALUES, RNNSequenceTagger: Y_TAGS}
    with pytest.raises(ValueError, match=fault):
        Estimator(**{**SMALL, **params}).fit(X_GOOD, y[Estimator])


# ------------------------------------------------- failed calls change nothing


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


@pytest.mark.parametrize(
    "failing_call",
    [
        lambda est, y: est.fit([np.ones((2, 2)), np.array([[np.nan, 1.0]])], y[:2]),
        lambda est, y: est.partial_fit([np.ones((2, 7))], y[:1]),
        lambda est, y: est.set_params(dropout=2.0).fit(X_GOOD, y),
        lambda est, y: est.set_params(
            learning_rate_init=1e38, clip_norm=None, solver="sgd", warm_start=True
        ).fit(X_GOOD, y),
    ],
    ids=["bad X in fit", "bad X in partial_fit", "invalid parameter", "divergence"],
)
@pytest.mark.parametrize("kind", ["classifier", "regressor", "tagger"])
def test_a_failed_call_leaves_the_fitted_model_as_it_was(fitted, kind, failing_call):
    estimator = copy.deepcopy(fitted[kind])
    y = {"classifier": Y_CLASSES, "regressor": Y_VALUES, "tagger": Y_TAGS}[kind]
    params = estimator.get_params()
    before = snapshot(estimator)
    predictions = estimator.predict(X_GOOD)
    with pytest.raises((ValueError, TypeError)):
        failing_call(estimator, y)
    estimator.set_params(**params)  # the calls above changed parameters on purpose
    assert_same_state(before, estimator)
    for a, b in zip(predictions, estimator.predict(X_GOOD), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "failing_call",
    [
        lambda est, y: est.fit([[5, 6], [7, -1]], y[:2]),
        lambda est, y: est.partial_fit([[2, 0, 3]], y[:1]),
        lambda est, y: est.set_params(warm_start=True, embedding_dim=7).fit(
            TOKENS_GOOD, y
        ),
    ],
    ids=["bad ids in fit", "padding inside in partial_fit", "new embedding_dim"],
)
@pytest.mark.parametrize("kind", ["token classifier", "token tagger"])
def test_a_failed_call_leaves_a_token_model_as_it_was(fitted, kind, failing_call):
    estimator = copy.deepcopy(fitted[kind])
    y = Y_CLASSES if kind == "token classifier" else Y_TAGS
    params = estimator.get_params()
    before = snapshot(estimator)
    predictions = estimator.predict(TOKENS_GOOD)
    with pytest.raises((ValueError, TypeError)):
        failing_call(estimator, y)
    estimator.set_params(**params)
    assert_same_state(before, estimator)
    for a, b in zip(predictions, estimator.predict(TOKENS_GOOD), strict=True):
        np.testing.assert_array_equal(a, b)


def _raise_on_call(n, error):
    """A stand-in that raises ``error`` on its ``n``-th call and otherwise
    calls the function it replaces (set as ``.original``)."""
    calls = []

    def stand_in(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise error
        return stand_in.original(*args, **kwargs)

    return stand_in


def _interrupt_from_kernel():
    """What Ctrl-C inside a compiled kernel's call can look like."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        try:
            raise SystemError("<dispatcher> returned a result with an exception set")
        except SystemError as error:
            return error


@pytest.mark.parametrize(
    "error, expected",
    [
        (KeyboardInterrupt(), KeyboardInterrupt),
        (_interrupt_from_kernel(), KeyboardInterrupt),
        (MemoryError(), MemoryError),
    ],
    ids=["Ctrl-C", "Ctrl-C in a kernel call", "MemoryError"],
)
@pytest.mark.parametrize("call", ["fit", "partial_fit", "warm fit"])
@pytest.mark.parametrize("kind", ["classifier", "regressor", "tagger"])
def test_an_interrupted_fit_changes_nothing(
    fitted, monkeypatch, kind, call, error, expected
):
    """Interrupted in its third gradient step, a fitted model keeps its
    previous state and a fresh one stays unfitted; the caller gets the
    interrupt itself."""
    from sklearn_rnn.estimators import _base

    y = {"classifier": Y_CLASSES, "regressor": Y_VALUES, "tagger": Y_TAGS}[kind]
    stand_in = _raise_on_call(3, error)
    stand_in.original = _base.loss_and_gradient
    monkeypatch.setattr(_base, "loss_and_gradient", stand_in)
    estimator = copy.deepcopy(fitted[kind]).set_params(
        batch_size=4, warm_start=call == "warm fit"
    )
    before = snapshot(estimator)
    with pytest.raises(expected) as raised:
        getattr(estimator, "fit" if call != "partial_fit" else call)(X_GOOD, y)
    assert type(raised.value) is expected
    assert_same_state(before, estimator)
    fresh = clone(estimator)
    stand_in = _raise_on_call(3, error)
    stand_in.original = _base.loss_and_gradient.original
    monkeypatch.setattr(_base, "loss_and_gradient", stand_in)
    with pytest.raises(expected):
        fresh.fit(X_GOOD, y)
    assert not [k for k in vars(fresh) if k.endswith("_") and not k.startswith("_")]


def test_a_failed_refit_of_any_fitted_object_keeps_its_state(monkeypatch):
    """The scaler, the vectorizer and the text generator: a refit that fails
    after part of its work (an interrupt, or an error in a later step)
    leaves the previous fitted state whole."""
    from sklearn_rnn.preprocessing import _scaler

    scaler = SequenceScaler().fit(X_GOOD)
    before = snapshot(scaler)
    stand_in = _raise_on_call(1, KeyboardInterrupt())

    def validate_then_interrupt(estimator, X, **kwargs):
        stand_in.original(estimator, X, **kwargs)  # records n_features_in_
        raise KeyboardInterrupt

    stand_in.original = _scaler.validate_sequences
    monkeypatch.setattr(_scaler, "validate_sequences", validate_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        scaler.fit([np.ones((3, 5))])
    assert_same_state(before, scaler)

    vectorizer = SequenceVectorizer().fit(["a b c", "b c d"])
    vocabulary = dict(vectorizer.vocabulary_)

    def documents():
        yield "x y z"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        vectorizer.fit(documents())
    assert vectorizer.vocabulary_ == vocabulary

    model = RNNSequenceTagger(embedding_dim=3, hidden_layer_sizes=(4,), max_iter=1)
    generator = TextGenerator(model=model, window=4).fit(["abcabcabc"])
    vocabulary = dict(generator.vectorizer_.vocabulary_)
    params = copy.deepcopy(generator.model_.params_)
    generator.set_params(model=clone(model).set_params(dropout=2.0))
    with pytest.raises(ValueError, match="dropout"):
        generator.fit(["xyzxyzxyz"])  # the new vocabulary is learnt first
    assert generator.vectorizer_.vocabulary_ == vocabulary
    for name, value in params.items():
        np.testing.assert_array_equal(generator.model_.params_[name], value)


def test_concurrent_fits_of_one_object_do_not_mix():
    """Two threads fitting the same object on different data: the calls run
    one after the other, and the model is one of the two whole models."""
    X_three = [np.column_stack([x, x[:, 0]]) for x in X_GOOD]
    params = {**SMALL, "max_iter": 5}
    alone = [
        RNNRegressor(**params).fit(X_GOOD, Y_VALUES),
        RNNRegressor(**params).fit(X_three, Y_VALUES * 100),
    ]
    shared = RNNRegressor(**params)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [
            pool.submit(shared.fit, X_GOOD, Y_VALUES),
            pool.submit(shared.fit, X_three, Y_VALUES * 100),
        ]:
            future.result()
    winner = alone[shared.n_features_in_ - 2]
    np.testing.assert_array_equal(shared.target_mean_, winner.target_mean_)
    for name, value in winner.params_.items():
        np.testing.assert_array_equal(shared.params_[name], value)


def test_early_stopping_switched_between_calls_and_in_partial_fit():
    reg = RNNRegressor(**SMALL).fit(X_GOOD, Y_VALUES)
    reg.set_params(warm_start=True, early_stopping=True, validation_fraction=0.25)
    reg.fit(X_GOOD, Y_VALUES)
    assert len(reg.validation_scores_) == reg.max_iter
    reg.set_params(early_stopping=False).fit(X_GOOD, Y_VALUES)
    assert np.isfinite(reg.best_loss_)
    with pytest.warns(UserWarning, match="early_stopping is not supported"):
        RNNRegressor(**SMALL, early_stopping=True).partial_fit(X_GOOD, Y_VALUES)
    assert np.isfinite(reg.predict(X_GOOD)).all()


# ---------------------------------------------------------------- properties


def ragged(n_features):
    """Strategy: 1 to 6 sequences of 1 to 7 steps with n_features features."""
    sequence = st.integers(1, 7).flatmap(
        lambda length: st.lists(
            st.lists(
                st.floats(-5, 5, allow_nan=False, width=32),
                min_size=n_features,
                max_size=n_features,
            ),
            min_size=length,
            max_size=length,
        )
    )
    return st.lists(sequence, min_size=1, max_size=6).map(
        lambda seqs: [np.array(s, dtype=np.float64) for s in seqs]
    )


#: Derandomised so that every run of the suite checks the same examples.
PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


#: The recurrent states of a sequence are bit-identical in any batch; the
#: output layer's matrix product may round differently with the batch size.
FLOAT32_TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}


@pytest.mark.filterwarnings("ignore:X has feature names:UserWarning")
@PROPERTY_SETTINGS
@given(X=ragged(2))
def test_formats_give_the_same_predictions(fitted, X):
    clf = fitted["classifier"]
    expected = clf.predict_proba(X)
    frames = [pd.DataFrame(x, columns=["a", "b"]) for x in X]
    for other in (padded(X), long_frame(X), frames, tuple(X)):
        np.testing.assert_array_equal(clf.predict_proba(other), expected)


@PROPERTY_SETTINGS
@given(X=ragged(2), garbage=st.floats(-1e6, 1e6))
def test_padding_changes_no_prediction(fitted, X, garbage):
    """Each sequence alone gives what it gives inside a padded batch."""
    batch = fitted["tagger"].predict_proba(X)
    for x, probabilities in zip(X, batch, strict=True):
        alone = fitted["tagger"].predict_proba([x])[0]
        np.testing.assert_allclose(alone, probabilities, **FLOAT32_TOLERANCE)
    reg = fitted["regressor"]
    np.testing.assert_allclose(
        np.concatenate([reg.predict([x]) for x in X]),
        reg.predict(X),
        **FLOAT32_TOLERANCE,
    )


@PROPERTY_SETTINGS
@given(X=ragged(2), seed=st.integers(0, 2**16))
def test_shuffled_input_gives_shuffled_predictions(fitted, X, seed):
    order = np.random.RandomState(seed).permutation(len(X))
    shuffled = [X[i] for i in order]
    np.testing.assert_allclose(
        fitted["regressor"].predict(shuffled),
        fitted["regressor"].predict(X)[order],
        **FLOAT32_TOLERANCE,
    )
    tags = fitted["tagger"].predict(X)
    for got, i in zip(fitted["tagger"].predict(shuffled), order, strict=True):
        np.testing.assert_array_equal(got, tags[i])


#: Strategy: 1 to 6 sequences of 1 to 7 token ids, some never seen in fit.
TOKEN_SEQUENCES = st.lists(
    st.lists(st.integers(1, 12), min_size=1, max_size=7), min_size=1, max_size=6
)


@PROPERTY_SETTINGS
@given(X=TOKEN_SEQUENCES, seed=st.integers(0, 2**16))
def test_token_formats_padding_and_order_change_nothing(fitted, X, seed):
    """Ragged lists, 0-padded and NaN-padded arrays agree; each sequence gives
    the same alone as in the batch; shuffling X shuffles the predictions."""
    clf, tagger = fitted["token classifier"], fitted["token tagger"]
    expected = clf.predict_proba(X)
    width = max(map(len, X))
    zero_padded = np.array([x + [0] * (width - len(x)) for x in X])
    nan_padded = np.where(zero_padded == 0, np.nan, zero_padded.astype(float))
    for other in (zero_padded, nan_padded, [np.array(x) for x in X]):
        np.testing.assert_array_equal(clf.predict_proba(other), expected)
    for x, row in zip(X, expected, strict=True):
        np.testing.assert_allclose(clf.predict_proba([x])[0], row, **FLOAT32_TOLERANCE)
    order = np.random.RandomState(seed).permutation(len(X))
    tags = tagger.predict(X)
    for got, i in zip(tagger.predict([X[i] for i in order]), order, strict=True):
        np.testing.assert_array_equal(got, tags[i])


@PROPERTY_SETTINGS
@given(X=ragged(2), seed=st.integers(0, 2**16))
def test_row_order_of_a_long_frame_changes_nothing(fitted, X, seed):
    """A long frame's rows may come in any order: each sequence is read in
    the order of its time steps, sequences in order of first appearance."""
    frame = long_frame(X)
    shuffled = frame.iloc[np.random.RandomState(seed).permutation(len(frame))]
    first_seen = list(dict.fromkeys(shuffled.index.get_level_values(0)))
    expected = fitted["regressor"].predict(frame)
    order = [
        list(dict.fromkeys(frame.index.get_level_values(0))).index(i)
        for i in first_seen
    ]
    np.testing.assert_allclose(
        fitted["regressor"].predict(shuffled), expected[order], **FLOAT32_TOLERANCE
    )


#: Integer dtypes that hold the ids 1 to 12; floats hold whole numbers too.
ID_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64, np.float32]


@PROPERTY_SETTINGS
@given(X=TOKEN_SEQUENCES, dtype=st.sampled_from(ID_DTYPES))
def test_token_ids_and_category_codes_survive_any_dtype(fitted, X, dtype):
    clf = fitted["token classifier"]
    expected = clf.predict_proba([np.array(x) for x in X])
    np.testing.assert_array_equal(
        clf.predict_proba([np.array(x, dtype=dtype) for x in X]), expected
    )
    reg = fitted["categorical regressor"]
    coded = [np.c_[np.ones(len(x)), 2**24 + np.array(x)] for x in X]
    expected = reg.predict(coded)
    # codes above 2**24 in the widest dtype of the same kind: float32 cannot
    # hold them, whoever reads them
    wide = {"i": np.int64, "u": np.uint64, "f": np.float64}[np.dtype(dtype).kind]
    np.testing.assert_array_equal(
        reg.predict([c.astype(wide) for c in coded]), expected
    )


@PROPERTY_SETTINGS
@given(X=ragged(2))
def test_float32_and_float64_forward_passes_agree(fitted, X):
    """The same parameters in either dtype give the same probabilities, to
    float32's rounding."""
    clf = fitted["classifier"]
    wide = copy.deepcopy(clf)
    wide.params_ = {k: v.astype(np.float64) for k, v in clf.params_.items()}
    np.testing.assert_allclose(
        wide.predict_proba(X), clf.predict_proba(X), rtol=1e-4, atol=1e-5
    )


@PROPERTY_SETTINGS
@given(
    sequence=st.integers(0, len(X_GOOD) - 1),
    step=st.integers(0, 1),
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_a_failed_refit_names_the_sequence_and_changes_nothing(
    fitted, sequence, step, bad
):
    model = copy.deepcopy(fitted["classifier"])
    before = snapshot(model)
    X = [x.copy() for x in X_GOOD]
    X[sequence][step, 1] = bad
    with pytest.raises(ValueError, match=f"Sequence {sequence} has"):
        model.fit(X, Y_CLASSES)
    assert_same_state(before, model)


# -------------------------------------------------- training that goes wrong


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "what, scale", [("X", 1e30), ("X", 1e-30), ("y", 1e30), ("y", 1e-30)]
)
def test_extreme_values_end_in_finite_predictions_or_a_clear_error(
    cell, dtype, what, scale
):
    X = [x * scale for x in X_GOOD] if what == "X" else X_GOOD
    y = Y_VALUES * scale if what == "y" else Y_VALUES
    reg = RNNRegressor(**SMALL, cell=cell, dtype=dtype)
    try:
        reg.fit(X, y)
    except DivergenceError as exc:
        assert "diverged" in str(exc)
        assert not hasattr(reg, "params_")
        return
    try:
        predictions = reg.predict(X)
    except ValueError as exc:
        assert "non-finite outputs" in str(exc)
        return
    assert np.isfinite(predictions).all()


def test_exploding_gradients_end_in_a_clear_error():
    reg = RNNRegressor(
        cell="elman",
        activation="relu",
        solver="sgd",
        learning_rate_init=1e6,
        clip_norm=None,
        max_iter=20,
        random_state=0,
    )
    with pytest.raises(DivergenceError, match="Training diverged in epoch"):
        reg.fit(X_GOOD, Y_VALUES * 1e3)


@pytest.mark.parametrize("bptt_truncate", [None, 500])
def test_a_sequence_of_20000_steps_trains_and_predicts(bptt_truncate):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(20_000, 2)), rng.normal(size=(300, 2))]
    reg = RNNRegressor(
        hidden_layer_sizes=(4,), bptt_truncate=bptt_truncate, max_iter=2, random_state=0
    ).fit(X, [1.0, -1.0])
    assert reg.n_iter_ == 2 and np.isfinite(reg.loss_curve_).all()
    assert np.isfinite(reg.predict(X)).all()


# ------------------------------------------------- concurrency, persistence


def test_predicting_from_threads_matches_serial(fitted):
    rng = np.random.RandomState(1)
    batches = [
        [rng.normal(size=(rng.randint(1, 30), 2)) for _ in range(40)] for _ in range(8)
    ]
    for kind in ("classifier", "regressor"):
        method = getattr(
            fitted[kind], "predict_proba" if kind == "classifier" else "predict"
        )
        serial = [method(b) for b in batches]
        with ThreadPoolExecutor(max_workers=4) as pool:
            threaded = list(pool.map(method, batches * 3))
        for got, expected in zip(threaded, serial * 3, strict=True):
            np.testing.assert_array_equal(got, expected)


@pytest.mark.slow
def test_joblib_model_predicts_identically_in_a_fresh_process(fitted, tmp_path):
    """A fresh interpreter with an empty Numba cache loads and predicts."""
    path = tmp_path / "model.joblib"
    joblib.dump(fitted["tagger"], path)
    np.save(tmp_path / "X.npy", padded(X_GOOD))
    script = (
        "import joblib, numpy as np\n"
        f"model = joblib.load({str(path)!r})\n"
        f"X = np.load({str(tmp_path / 'X.npy')!r})\n"
        "P = model.predict_proba(X)\n"
        f"np.save({str(tmp_path / 'P.npy')!r}, np.concatenate(P))\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(tmp_path / "empty-numba-cache"),
        "PYTHONPATH": root,
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    expected = np.concatenate(fitted["tagger"].predict_proba(padded(X_GOOD)))
    np.testing.assert_array_equal(np.load(tmp_path / "P.npy"), expected)
