"""Every bad input named: tables of bad X, token ids, targets, weights and
parameters, each run through every entry point that takes it, asserting the
exception type and the words that name the problem."""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sklearn_rnn import (
    RNNClassifier,
    RNNRegressor,
    RNNSequenceTagger,
)
from sklearn_rnn.preprocessing import SequenceScaler
from tests.reliability import (
    EMBEDDED,
    SMALL,
    X_GOOD,
    Y_CLASSES,
    Y_TAGS,
    Y_VALUES,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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
