"""Reliability: properties over random ragged inputs, extreme values, very
long sequences, threads and a fresh process."""

import copy
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_rnn import (
    DivergenceError,
    RNNRegressor,
)
from tests.helpers import long_frame, padded
from tests.reliability import (
    SMALL,
    X_GOOD,
    Y_CLASSES,
    Y_VALUES,
    assert_same_state,
    snapshot,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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
