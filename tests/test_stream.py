"""Streamed prediction (``predict_stream``, ``predict_proba_stream``): the
next steps of the same sequences, from the state the last call returned,
equal predicting the whole history at once."""

import copy
import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger, StreamState
from tests.reliability import assert_same_state, snapshot

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
LENGTHS = [7, 3, 5, 6, 4, 7]
X = [RNG.normal(size=(n, 2)) for n in LENGTHS]
Y = {
    "classifier": np.arange(len(X)) % 3,
    "regressor": RNG.normal(size=(len(X), 2)),
    "tagger": [np.arange(n) % 3 for n in LENGTHS],
}
TOKENS = [RNG.randint(1, 9, size=n) for n in LENGTHS]
ESTIMATORS = {
    "classifier": RNNClassifier,
    "regressor": RNNRegressor,
    "tagger": RNNSequenceTagger,
}
#: float64 networks: streamed and whole predictions agree to rounding.
TOLERANCE = {"rtol": 1e-9, "atol": 1e-12}


def _fit(kind, cell, **params):
    model = ESTIMATORS[kind](
        cell=cell,
        hidden_layer_sizes=(5, 3),
        max_iter=3,
        dtype="float64",
        **{"random_state": 0, **params},
    )
    return model.fit(TOKENS if "embedding_dim" in params else X, Y[kind])


@pytest.fixture(scope="module")
def models():
    return {
        (kind, cell): _fit(kind, cell)
        for kind in ESTIMATORS
        for cell in ("elman", "lstm", "gru")
    }


def _parts(sequences, cuts):
    """Each sequence cut after ``cuts[k]`` steps: two lists of parts."""
    return (
        [s[:c] for s, c in zip(sequences, cuts, strict=True)],
        [s[c:] for s, c in zip(sequences, cuts, strict=True)],
    )


CUTS = [1, 2, 4, 5, 1, 6]  # each part holds at least one step


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_streamed_predictions_equal_the_whole_history(models, kind, cell):
    model = models[kind, cell]
    first, second = _parts(X, CUTS)
    y1, state = model.predict_stream(first)
    y2, state = model.predict_stream(second, state)
    np.testing.assert_array_equal(state.n_steps_seen, LENGTHS)
    whole = model.predict(X)
    if kind == "tagger":
        for a, b, c in zip(y1, y2, whole, strict=True):
            np.testing.assert_array_equal(np.concatenate([a, b]), c)
    else:
        np.testing.assert_allclose(y2, whole, **TOLERANCE)
        np.testing.assert_allclose(y1, model.predict(first), **TOLERANCE)
    if kind != "regressor":
        p1, state = model.predict_proba_stream(first)
        p2, state = model.predict_proba_stream(second, state)
        proba = model.predict_proba(X)
        if kind == "tagger":
            for a, b, c in zip(p1, p2, proba, strict=True):
                np.testing.assert_allclose(np.concatenate([a, b]), c, **TOLERANCE)
        else:
            np.testing.assert_allclose(p2, proba, **TOLERANCE)


def test_one_step_at_a_time_in_float32():
    """Steps fed one by one through a float32 LSTM tagger give the whole
    history's probabilities within float32 rounding."""
    model = RNNSequenceTagger(hidden_layer_sizes=(6,), max_iter=3, random_state=0)
    model.fit(X, Y["tagger"])
    x = X[0]
    state, steps = None, []
    for t in range(len(x)):
        proba, state = model.predict_proba_stream([x[t : t + 1]], state)
        steps.append(proba[0])
    np.testing.assert_allclose(
        np.concatenate(steps), model.predict_proba([x])[0], rtol=1e-5, atol=1e-6
    )


def test_token_ids_stream():
    model = _fit("tagger", "lstm", embedding_dim=3)
    first, second = _parts(TOKENS, CUTS)
    p1, state = model.predict_proba_stream(first)
    p2, _ = model.predict_proba_stream(second, state)
    for a, b, c in zip(p1, p2, model.predict_proba(TOKENS), strict=True):
        np.testing.assert_allclose(np.concatenate([a, b]), c, **TOLERANCE)


def test_a_character_encoder_streams():
    from sklearn_rnn import CharEncoder

    spelled = [np.c_[t, (t[:, None] + np.arange(3)) % 5 + 1] for t in TOKENS]
    model = RNNSequenceTagger(
        cell="gru",
        embedding_dim=3,
        char_encoder=CharEncoder(3, hidden_size=2),
        hidden_layer_sizes=(4,),
        max_iter=2,
        dtype="float64",
        random_state=0,
    ).fit(spelled, Y["tagger"])
    first, second = _parts(spelled, CUTS)
    p1, state = model.predict_proba_stream(first)
    p2, _ = model.predict_proba_stream(second, state)
    for a, b, c in zip(p1, p2, model.predict_proba(spelled), strict=True):
        np.testing.assert_allclose(np.concatenate([a, b]), c, **TOLERANCE)


def test_the_state_is_a_value(models):
    """Streaming changes nothing on the estimator; the state pickles, and
    ``take`` continues some of the sequences only."""
    model = models["regressor", "lstm"]
    before = snapshot(model)
    first, second = _parts(X, CUTS)
    _, state = model.predict_stream(first)
    assert_same_state(before, model)
    state = pickle.loads(pickle.dumps(state))
    keep = [4, 1]
    y, _ = model.predict_stream([second[k] for k in keep], state.take(keep))
    np.testing.assert_allclose(y, model.predict([X[k] for k in keep]), **TOLERANCE)
    # the same state read twice gives the same answer: nothing was consumed
    again, _ = model.predict_stream([second[k] for k in keep], state.take(keep))
    np.testing.assert_array_equal(again, y)


def test_streaming_is_refused_where_it_cannot_hold(models):
    bidirectional = RNNClassifier(
        hidden_layer_sizes=(3,), bidirectional=True, max_iter=1, random_state=0
    ).fit(X, Y["classifier"])
    with pytest.raises(ValueError, match="unidirectional"):
        bidirectional.predict_stream(X)
    crf = RNNSequenceTagger(
        hidden_layer_sizes=(3,), crf=True, max_iter=1, random_state=0
    ).fit(X, Y["tagger"])
    with pytest.raises(ValueError, match="CRF"):
        crf.predict_proba_stream(X)
    model = models["classifier", "lstm"]
    _, state = model.predict_stream(X)
    with pytest.raises(TypeError, match="StreamState"):
        model.predict_stream(X, {"rnn0": ()})
    with pytest.raises(ValueError, match="X holds 2 sequences but state holds 6"):
        model.predict_stream(X[:2], state)
    wider = RNNClassifier(hidden_layer_sizes=(5, 4), max_iter=1, dtype="float64")
    for other in (models["classifier", "gru"], wider.fit(X, Y["classifier"])):
        with pytest.raises(ValueError, match="does not come from this model"):
            other.predict_stream(X, state)
    with pytest.raises(ValueError, match="features per step"):
        model.predict_stream([x[:, :1] for x in X], state)


def test_an_unfitted_model_cannot_stream():
    with pytest.raises(NotFittedError):
        RNNRegressor().predict_stream(X)


def test_taking_part_of_a_state_leaves_the_state_as_it_was(models):
    model = models["tagger", "gru"]
    _, state = model.predict_stream(X)
    part = state.take([0])
    assert isinstance(part, StreamState)
    assert part.n_sequences == 1
    original = copy.deepcopy(state.layers)
    part.layers["rnn0"][0][:] = 0.0
    for name in original:
        for a, b in zip(original[name], state.layers[name], strict=True):
            np.testing.assert_array_equal(a, b)


def long_frame(sequences, ids):
    """Sequences as a long DataFrame: one row per step, indexed by
    (sequence id, time step) from ``first_step``."""
    import pandas as pd

    rows, index = [], []
    for i, (x, first) in zip(ids, sequences, strict=True):
        for t, step in enumerate(x):
            rows.append(step)
            index.append((i, first + t))
    return pd.DataFrame(np.array(rows), index=pd.MultiIndex.from_tuples(index))


def test_sequences_of_a_long_frame_are_matched_by_id(models):
    """With ids, a call may hold some of the state's sequences in any order;
    the state keeps the others. Ids stay exact (int64 beyond 2**53)."""
    model = models["regressor", "gru"]
    ids = [2**62 + 1, 2**62 + 2, 7]
    first, second = _parts(X[:3], CUTS[:3])
    _, state = model.predict_stream(long_frame([(x, 0) for x in first], ids))
    assert list(state.ids) == ids
    later = [2, 0]  # the third and the first sequence, in that order
    y, state = model.predict_stream(
        long_frame(
            [(second[k], len(first[k])) for k in later], [ids[k] for k in later]
        ),
        state,
    )
    np.testing.assert_allclose(y, model.predict([X[k] for k in later]), **TOLERANCE)
    np.testing.assert_array_equal(state.n_steps_seen, [LENGTHS[0], CUTS[1], LENGTHS[2]])
    # the second sequence, untouched, continues from its first part
    y, _ = model.predict_stream(long_frame([(second[1], CUTS[1])], [ids[1]]), state)
    np.testing.assert_allclose(y, model.predict([X[1]]), **TOLERANCE)


def test_ids_the_state_does_not_hold_are_refused(models):
    model = models["regressor", "lstm"]
    _, state = model.predict_stream(long_frame([(X[0][:2], 0)], ["a"]))
    with pytest.raises(ValueError, match="Sequence id 'b' is not in state"):
        model.predict_stream(long_frame([(X[1][:2], 0)], ["b"]), state)
    with pytest.raises(ValueError, match="matches its sequences by ids"):
        model.predict_stream([X[0][2:]], state)
    _, by_position = model.predict_stream([X[0][:2]])
    with pytest.raises(ValueError, match="matches its sequences by positions"):
        model.predict_stream(long_frame([(X[0][2:], 2)], ["a"]), by_position)


def test_a_state_of_another_model_of_the_same_sizes_is_refused(models):
    """Same cell and layer sizes, other weights: its states would be read as
    this model's without any error, so they are refused by the model key."""
    model = models["classifier", "lstm"]
    _, state = model.predict_stream(X)
    other = _fit("classifier", "lstm", random_state=1)
    with pytest.raises(ValueError, match="another fitted model"):
        other.predict_stream(X, state)
    # a new fit of the same model to other weights starts its streams again
    refit = pickle.loads(pickle.dumps(model)).set_params(random_state=1)
    refit.fit(X, Y["classifier"])
    with pytest.raises(ValueError, match="before its last fit"):
        refit.predict_stream(X, state)
    refit.predict_stream(X, None)


def test_a_state_stays_valid_where_the_weights_are_the_same_model(models):
    """A pickled copy, a new fit to the same weights, and training that
    continues (partial_fit, warm_start) all go on with the state."""
    model = models["regressor", "elman"]
    first, second = _parts(X, CUTS)
    _, state = model.predict_stream(first)
    copy_ = pickle.loads(pickle.dumps(model))
    y, _ = copy_.predict_stream(second, state)
    np.testing.assert_allclose(y, model.predict(X), **TOLERANCE)
    same = _fit("regressor", "elman")
    y, _ = same.predict_stream(second, state)
    np.testing.assert_allclose(y, model.predict(X), **TOLERANCE)
    copy_.partial_fit(X, Y["regressor"])
    copy_.set_params(warm_start=True, max_iter=1).fit(X, Y["regressor"])
    y, _ = copy_.predict_stream(second, state)
    assert y.shape == (len(X), 2)
