"""The three estimators end to end: training, formats, persistence, sklearn tools."""

import io
import pickle
import sys

import joblib
import numba
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rnn import (
    DivergenceError,
    RNNClassifier,
    RNNRegressor,
    RNNSequenceTagger,
)
from sklearn_rnn.kernels import _threads
from sklearn_rnn.network._cells import CELLS
from tests.helpers import (
    SMALL,
    blas_threads,
    long_frame,
    make_sequences,
    numba_threads,
    padded,
    running_tags,
    sign_labels,
)


@pytest.fixture(scope="module")
def fitted_classifier(data):
    X, y = data
    return RNNClassifier(**{**SMALL, "max_iter": 60}).fit(X, y)


def test_classifier_learns(fitted_classifier, data):
    X, y = data
    X_test = make_sequences(seed=1)
    assert fitted_classifier.score(X, y) > 0.85
    assert fitted_classifier.score(X_test, sign_labels(X_test)) > 0.8
    np.testing.assert_array_equal(fitted_classifier.classes_, ["high", "low", "mid"])
    assert fitted_classifier.out_activation_ == "softmax"


def test_classifier_probabilities(fitted_classifier, data):
    X, _ = data
    proba = fitted_classifier.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        fitted_classifier.predict_log_proba(X), np.log(proba), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_array_equal(
        fitted_classifier.classes_[proba.argmax(axis=1)], fitted_classifier.predict(X)
    )


def test_binary_classifier_uses_one_logistic_output(data):
    X, _ = data
    y = np.array([x[:, 0].sum() > 0 for x in X])
    clf = RNNClassifier(**SMALL).fit(X, y)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) > 0.8


def test_same_seed_gives_bit_identical_model(data):
    X, y = data
    a = RNNClassifier(**SMALL).fit(X, y)
    b = RNNClassifier(**SMALL).fit(X, y)
    for name in a.params_:
        np.testing.assert_array_equal(a.params_[name], b.params_[name])
    assert a.loss_curve_ == b.loss_curve_
    c = RNNClassifier(**{**SMALL, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.params_["out.W"], c.params_["out.W"])


def test_fit_runs_blas_on_one_thread_and_restores_it(data, monkeypatch):
    """BLAS threads woken inside a fit would spin and take the cores from
    the kernels' threads; the user's setting is back after the fit."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from sklearn_rnn.estimators import _base

    seen = []

    def init_params(*args, **kwargs):
        seen.append(blas_threads())
        return original(*args, **kwargs)

    original = _base.init_params
    monkeypatch.setattr(_base, "init_params", init_params)
    X, y = data
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        RNNClassifier(**{**SMALL, "max_iter": 1}).fit(X, y)
        assert seen == [[1] * len(before)]
        assert blas_threads() == before


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 threads")
def test_fit_does_not_depend_on_the_number_of_threads(data, monkeypatch):
    X, y = data  # batches of 32: two groups of sequences, two tasks
    monkeypatch.setattr(_threads, "SERIAL_WORK", 0)  # threads even for tiny work
    with numba_threads(1):
        one = RNNClassifier(**SMALL).fit(X, y)
    with numba_threads(2):
        two = RNNClassifier(**SMALL).fit(X, y)
    for name in one.params_:
        np.testing.assert_array_equal(one.params_[name], two.params_[name])


def test_formats_give_the_same_model(data):
    X, _ = data
    y = np.array([x[:, 0].sum() for x in X])
    reference = RNNRegressor(**SMALL).fit(X, y)
    for other in (padded(X), long_frame(X), [pd.DataFrame(x) for x in X]):
        model = RNNRegressor(**SMALL).fit(other, y)
        for name in reference.params_:
            np.testing.assert_array_equal(model.params_[name], reference.params_[name])
        np.testing.assert_array_equal(model.predict(other), reference.predict(X))


def test_sequences_longer_than_in_fit(fitted_classifier):
    long = make_sequences(n=5, seed=3, min_len=40, max_len=60)
    assert fitted_classifier.predict(long).shape == (5,)


#: How closely a sequence's outputs alone and inside a batch agree: matrix
#: products round differently for different numbers of rows.
BATCH_TOLERANCE = {
    "float32": {"rtol": 1e-5, "atol": 1e-7},
    "float64": {"rtol": 1e-12, "atol": 1e-14},
}


@pytest.mark.parametrize("dtype", sorted(BATCH_TOLERANCE))
def test_prediction_does_not_depend_on_batch(data, dtype):
    X, y = data
    clf = RNNClassifier(**{**SMALL, "max_iter": 3, "dtype": dtype}).fit(X, y)
    together = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba([x]) for x in X[:10]])
    np.testing.assert_allclose(alone, together[:10], **BATCH_TOLERANCE[dtype])
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(
        clf.predict_proba([X[i] for i in order]),
        together[order],
        **BATCH_TOLERANCE[dtype],
    )


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize(
    "layout", [{}, {"hidden_layer_sizes": (8, 4), "bidirectional": True}]
)
def test_every_cell_and_layout_through_the_api(data, cell, layout):
    """What scikit-learn's common checks test on the default configuration,
    for every cell, stacked and bidirectional: a refit with the same seed is
    bit-identical, pickling keeps predictions, row order changes nothing
    (to float32 rounding) and the tagger and regressor run the same layout."""
    X, y = data[0][:64], data[1][:64]
    params = {**SMALL, "max_iter": 2, "cell": cell, **layout}
    clf = RNNClassifier(**params).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict_proba(X), proba)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), proba)
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(
        clf.predict_proba([X[i] for i in order]),
        proba[order],
        **BATCH_TOLERANCE["float32"],
    )
    reg = RNNRegressor(**params).fit(X, np.arange(len(X), dtype=float))
    assert reg.predict(X).shape == (len(X),)
    tags = RNNSequenceTagger(**params).fit(X, running_tags(X)).predict(X)
    assert [len(t) for t in tags] == [len(x) for x in X]


@pytest.mark.parametrize("dump, load", [(pickle.dumps, pickle.loads), (None, None)])
def test_persistence_round_trip(fitted_classifier, data, dump, load):
    X, _ = data
    if dump is None:
        buffer = io.BytesIO()
        joblib.dump(fitted_classifier, buffer)
        buffer.seek(0)
        restored = joblib.load(buffer)
    else:
        restored = load(dump(fitted_classifier))
    np.testing.assert_array_equal(
        restored.predict_proba(X), fitted_classifier.predict_proba(X)
    )


def test_fitted_state_holds_only_plain_data(fitted_classifier):
    """Public and private: arrays, numbers, strings and containers of them,
    and the random state; no objects of the library's private classes."""
    allowed = (np.ndarray, np.generic, str, int, float, list, dict, tuple, type(None))
    params = fitted_classifier.get_params()

    def plain(value):
        if isinstance(value, dict):
            return all(plain(v) for v in value.values())
        if isinstance(value, list | tuple):
            return all(plain(v) for v in value)
        return isinstance(value, allowed)

    for name, value in vars(fitted_classifier).items():
        if name not in params and name != "_random_state":
            assert plain(value), name
    assert all(isinstance(v, np.ndarray) for v in fitted_classifier.params_.values())


def test_skops_loads_models_trusting_only_public_classes(fitted_classifier, data):
    sio = pytest.importorskip("skops.io")
    from sklearn_rnn.preprocessing import SequenceScaler

    X, y = data
    pipeline = make_pipeline(SequenceScaler(), clone(fitted_classifier)).fit(X, y)
    for model in (fitted_classifier, pipeline):
        dumped = sio.dumps(model)
        untrusted = set(sio.get_untrusted_types(data=dumped))
        public = {
            "sklearn_rnn.estimators._classifier.RNNClassifier",
            "sklearn_rnn.preprocessing._scaler.SequenceScaler",
        }
        assert untrusted <= public
        loaded = sio.loads(dumped, trusted=sorted(untrusted))
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.fixture(scope="module")
def fitted_tagger(data):
    X, _ = data
    return RNNSequenceTagger(**{**SMALL, "max_iter": 60}).fit(X, running_tags(X))


def test_tagger_predicts_one_label_per_step(fitted_tagger, data):
    X, _ = data
    y = running_tags(X)
    predicted = fitted_tagger.predict(X)
    assert [len(p) for p in predicted] == [len(x) for x in X]
    assert fitted_tagger.out_activation_ == "logistic"
    assert fitted_tagger.score(X, y) > 0.85
    flat = np.concatenate(predicted) == np.concatenate(y)
    assert fitted_tagger.score(X, y) == pytest.approx(flat.mean())
    proba = fitted_tagger.predict_proba(X)
    assert [p.shape for p in proba] == [(len(x), 2) for x in X]
    np.testing.assert_array_equal(
        fitted_tagger.classes_[proba[0].argmax(axis=1)], predicted[0]
    )


def test_multiclass_tagger_uses_softmax(data):
    X, _ = data
    y = [np.digitize(np.cumsum(x[:, 0]), [-1.0, 1.0]) for x in X]
    tagger = RNNSequenceTagger(**SMALL).fit(X, y)
    assert tagger.out_activation_ == "softmax" and tagger.n_outputs_ == 3
    proba = tagger.predict_proba(X[:4])
    np.testing.assert_allclose(np.concatenate(proba).sum(axis=1), 1.0)
    assert tagger.score(X, y) > 0.6


def test_tagger_padding_changes_nothing(fitted_tagger, data):
    X, _ = data
    together = fitted_tagger.predict_proba(padded(X))
    for i in range(5):
        # the recurrent states are bit-identical; the output layer's matrix
        # product may round differently for a different number of rows
        np.testing.assert_allclose(
            fitted_tagger.predict_proba([X[i]])[0], together[i], rtol=1e-5, atol=1e-7
        )


def test_pipeline_grid_search_and_cross_validation(data):
    X, y = data
    pipe = make_pipeline(
        FunctionTransformer(), RNNClassifier(**{**SMALL, "max_iter": 5})
    )
    search = GridSearchCV(
        pipe, {"rnnclassifier__hidden_layer_sizes": [(4,), (6,)]}, cv=2
    ).fit(X, y)
    assert search.best_params_["rnnclassifier__hidden_layer_sizes"] in [(4,), (6,)]
    scores = cross_val_score(
        RNNRegressor(**{**SMALL, "max_iter": 5}), X, [x.sum() for x in X], cv=3
    )
    assert scores.shape == (3,) and np.isfinite(scores).all()
    tag_scores = cross_val_score(
        RNNSequenceTagger(**{**SMALL, "max_iter": 5}),
        X,
        running_tags(X),
        cv=KFold(3),
    )
    assert np.all((tag_scores >= 0) & (tag_scores <= 1))


def test_clone_keeps_parameters_and_drops_fit(fitted_classifier):
    copy = clone(fitted_classifier)
    assert copy.get_params() == fitted_classifier.get_params()
    assert not hasattr(copy, "params_")


def test_partial_fit(data):
    X, y = data
    clf = RNNClassifier(**SMALL)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:60], y[:60], classes=["low", "mid", "high"])
    assert clf.n_iter_ == 1 and clf.t_ == 60
    clf.partial_fit(X[60:], y[60:])
    assert clf.n_iter_ == 2 and clf.t_ == len(X)
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X[:3], ["low", "mid", "other"])


def test_warm_start_continues_from_the_fitted_parameters(data):
    X, y = data
    clf = RNNClassifier(**{**SMALL, "max_iter": 10, "warm_start": True}).fit(X, y)
    first_curve = list(clf.loss_curve_)
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 20
    assert clf.loss_curve_[10] < first_curve[0]
    clf.set_params(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="cannot change between calls"):
        clf.fit(X, y)


def test_early_stopping_records_validation_curves(data):
    X, y = data
    clf = RNNClassifier(**{**SMALL, "early_stopping": True, "n_iter_no_change": 3})
    clf.fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_no_improvement_stops_training(data):
    X, y = data
    clf = RNNClassifier(
        **{**SMALL, "max_iter": 200, "tol": 10.0, "n_iter_no_change": 2}
    )
    clf.fit(X, y)
    # epoch 1 improves on the initial infinite loss; 2, 3 and 4 do not, and
    # the third epoch without improvement exceeds n_iter_no_change=2
    assert clf.n_iter_ == 4


def test_verbose_prints_one_line_per_epoch(data, capsys):
    X, y = data
    RNNClassifier(**{**SMALL, "max_iter": 3, "verbose": 1, "early_stopping": True}).fit(
        X, y
    )
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert len(lines) == 3
    assert lines[0].startswith("Epoch 1, loss = ")
    assert "validation loss = " in lines[0] and "validation score = " in lines[0]
    assert lines[0].endswith(" s")


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop"])
def test_every_solver_reduces_the_loss(data, solver):
    X, y = data
    clf = RNNClassifier(
        **{**SMALL, "max_iter": 15, "solver": solver, "learning_rate_init": 0.01}
    ).fit(X, y)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def one_sgd_step(X, y, **clipping):
    """Parameter change of one plain SGD step (lr 1, full batch, no penalty)."""
    plain_sgd = {"solver": "sgd", "momentum": 0.0, "learning_rate_init": 1.0}
    clf = RNNClassifier(
        **{**SMALL, **plain_sgd, "batch_size": len(X), "alpha": 0.0, **clipping}
    )
    clf.partial_fit(X, y, classes=np.unique(y))
    before = {k: v.copy() for k, v in clf.params_.items()}
    clf.partial_fit(X, y)
    return [clf.params_[k] - before[k] for k in before]


def test_clip_norm_bounds_each_step(data):
    step = one_sgd_step(*data, clip_norm=1e-3)
    norm = np.sqrt(sum(np.sum(d**2) for d in step))
    assert 0 < norm <= 1e-3 * (1 + 1e-4)  # float32 rounding


def test_clip_value_bounds_each_component(data):
    step = one_sgd_step(*data, clip_norm=None, clip_value=1e-4)
    largest = max(np.abs(d).max() for d in step)
    assert 0 < largest <= 1e-4 * (1 + 1e-3)  # float32 rounding


def test_float64_computation(data):
    X, y = data
    clf = RNNClassifier(**{**SMALL, "max_iter": 3, "dtype": "float64"}).fit(X, y)
    assert all(p.dtype == np.float64 for p in clf.params_.values())
    default = RNNClassifier(**{**SMALL, "max_iter": 3}).fit(X, y)
    assert all(p.dtype == np.float32 for p in default.params_.values())


def test_divergence_is_reported_and_leaves_the_model_unchanged(data):
    X, _ = data
    y = np.array([x.sum() for x in X]) * 1e20
    reg = RNNRegressor(**{**SMALL, "max_iter": 3}).fit(X, y / 1e20)
    before = reg.predict(X)
    reg.set_params(
        warm_start=True,
        activation="relu",
        clip_norm=None,
        solver="sgd",
        learning_rate_init=10.0,
    )
    seed = np.random.RandomState(0)
    reg.set_params(random_state=seed)
    with pytest.raises(DivergenceError, match="Training diverged"):
        reg.fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)
    assert len(reg.loss_curve_) == 3
    assert reg.random_state is seed  # parameters are the user's own objects


def test_feature_checks_at_predict(fitted_classifier, data):
    X, y = data
    with pytest.raises(
        ValueError, match="X has 3 features per step, but RNNClassifier is expecting 2"
    ):
        fitted_classifier.predict([np.zeros((4, 3))])
    named = RNNClassifier(**{**SMALL, "max_iter": 2}).fit(long_frame(X), y)
    np.testing.assert_array_equal(named.feature_names_in_, ["a", "b"])
    renamed = long_frame(X).rename(columns={"b": "c"})
    with pytest.raises(ValueError, match="feature names should match"):
        named.predict(renamed)


def test_invalid_parameters_are_named(data):
    X, y = data
    with pytest.raises(ValueError, match="'solver' parameter"):
        RNNClassifier(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        RNNClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)


def test_one_class_is_refused(data):
    X, _ = data
    with pytest.raises(ValueError, match="at least 2 classes"):
        RNNClassifier(**SMALL).fit(X, ["a"] * len(X))


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_2_draws_a_progress_bar_on_a_terminal(monkeypatch, capsys):
    X = [np.ones((3, 1)) * i for i in range(8)]
    y = [0, 1] * 4
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    RNNClassifier(
        hidden_layer_sizes=(2,), max_iter=3, batch_size=4, verbose=2, random_state=0
    ).fit(X, y)
    drawn = terminal.getvalue()
    # the last batch of every epoch is always drawn, then replaced by its line
    for epoch in (1, 2, 3):
        assert f"\rEpoch {epoch}/3 [####################] batch 2/2, loss = " in drawn
        assert f"\r\033[KEpoch {epoch}, loss = " in drawn
    assert capsys.readouterr().out == ""


def test_verbose_2_without_a_terminal_prints_epoch_lines(capsys):
    X = [np.ones((3, 1)) * i for i in range(8)]
    RNNClassifier(hidden_layer_sizes=(2,), max_iter=2, verbose=2).fit(X, [0, 1] * 4)
    out = capsys.readouterr()
    assert out.out.count("Epoch ") == 2 and "[" not in out.out
    assert "batch" not in out.err


def test_early_stopping_scores_the_users_validation_set(data):
    """X_val replaces the split (training sees all of X), the scorer sees
    X_val and y_val, and the model kept is the best-scoring epoch's."""
    from sklearn.metrics import f1_score

    X, y = data
    X_val = make_sequences(n=60, seed=7)
    y_val = sign_labels(X_val)
    seen = []

    def macro_f1(estimator, X, y):
        seen.append((len(X), list(y)))
        return f1_score(y, estimator.predict(X), average="macro")

    params = {**SMALL, "max_iter": 6, "n_iter_no_change": 100}
    clf = RNNClassifier(**params, early_stopping=True, scoring=macro_f1)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    assert clf.t_ == clf.n_iter_ * len(X)
    assert len(clf.validation_scores_) == len(seen) == 6
    assert all(n == 60 and labels == list(y_val) for n, labels in seen)
    best = f1_score(y_val, clf.predict(X_val), average="macro")
    assert best == pytest.approx(clf.best_validation_score_, abs=1e-12)
    assert clf.best_validation_score_ == max(clf.validation_scores_)

    named = RNNClassifier(**params, early_stopping=True, scoring="f1_macro")
    named.fit(X, y, X_val=X_val, y_val=y_val)
    np.testing.assert_allclose(named.validation_scores_, clf.validation_scores_)
    by_loss = RNNClassifier(**params, early_stopping=True, scoring="loss")
    by_loss.fit(X, y)
    np.testing.assert_array_equal(
        by_loss.validation_scores_, -np.asarray(by_loss.validation_loss_curve_)
    )


def test_tagger_stops_early_on_entity_f1():
    from sklearn_rnn.metrics import entity_f1_score

    X = make_sequences(n=80, seed=5)
    # an entity: a run of positive first features, B- at its start
    tags = []
    for x in X:
        positive = x[:, 0] > 0
        start = positive & ~np.r_[False, positive[:-1]]
        tags.append(np.where(start, "B-POS", np.where(positive, "I-POS", "O")))
    X_val, tags_val = X[60:], tags[60:]
    tagger = RNNSequenceTagger(
        **{**SMALL, "max_iter": 5, "n_iter_no_change": 100},
        early_stopping=True,
        scoring="entity_f1",
    ).fit(X[:60], tags[:60], X_val=X_val, y_val=tags_val)
    assert len(tagger.validation_scores_) == 5
    assert all(0 <= s <= 1 for s in tagger.validation_scores_)
    final = entity_f1_score(tags_val, tagger.predict(X_val))
    assert final == pytest.approx(tagger.best_validation_score_, abs=1e-12)
    with pytest.raises(ValueError, match="not a tagging scorer"):
        RNNSequenceTagger(**SMALL, early_stopping=True, scoring="f1").fit(X, tags)


@pytest.mark.parametrize(
    "kwargs, params, message",
    [
        ({"X_val": "X", "y_val": "y"}, {}, "used for early stopping only"),
        ({"sample_weight_val": np.ones(3)}, {}, "without X_val and y_val"),
        ({"X_val": "X"}, {"early_stopping": True}, "must be given together"),
        (
            {"X_val": "X", "y_val": np.full(300, "other")},
            {"early_stopping": True},
            r"In the validation set \(X_val, y_val\): y contains labels \['other'\]",
        ),
        ({}, {"early_stopping": True, "validation_fraction": 0.001}, "validation_"),
        ({}, {"early_stopping": True, "scoring": "no such"}, "valid scoring value"),
    ],
    ids=["no early stopping", "weights alone", "X alone", "label", "few", "scorer"],
)
def test_bad_validation_settings_are_named(data, kwargs, params, message):
    X, y = data
    kwargs = {
        k: {"X": X, "y": y}.get(v, v) if isinstance(v, str) else v
        for k, v in kwargs.items()
    }
    with pytest.raises(ValueError, match=message):
        RNNClassifier(**SMALL, **params).fit(X, y, **kwargs)


@pytest.mark.parametrize("solver", ["sgd", "adam", "rmsprop"])
def test_adaptive_schedule_with_every_solver(data, solver):
    """With no epoch improving, the rate is divided by 5 every
    n_iter_no_change + 1 epochs until it is at most 1e-6: from 0.003 that is
    five divisions after the first epoch (which improves on nothing), and
    training stops at epoch 13."""
    X, y = data
    clf = RNNClassifier(
        **{**SMALL, "max_iter": 50, "learning_rate_init": 0.003},
        solver=solver,
        learning_rate="adaptive",
        n_iter_no_change=1,
        tol=1e9,
    ).fit(X[:40], y[:40])
    assert clf.n_iter_ == 13
    assert clf._optimizer_state["scheduled_rate"] == pytest.approx(0.003 / 5**5)


def test_fit_never_changes_the_arrays_of_an_earlier_fit(data):
    """Training updates copies: the arrays a model had before partial_fit or
    a warm-started fit keep their values (what makes a failed call
    undoable by putting the attributes back)."""
    X, y = data
    clf = RNNClassifier(**{**SMALL, "max_iter": 2}, warm_start=True).fit(X, y)
    before = clf.params_
    values = {k: v.copy() for k, v in before.items()}
    clf.partial_fit(X, y)
    clf.fit(X, y)
    for name, v in values.items():
        np.testing.assert_array_equal(before[name], v)
        assert not np.array_equal(clf.params_[name], v)


def test_predict_uses_the_fitted_dtype(fitted_classifier, data):
    X, _ = data
    changed = clone(fitted_classifier).set_params(dtype="float64")
    changed.__dict__.update(
        {k: v for k, v in vars(fitted_classifier).items() if k.endswith("_")}
    )
    changed._spec_fields = fitted_classifier._spec_fields
    np.testing.assert_array_equal(
        changed.predict_proba(X[:20]), fitted_classifier.predict_proba(X[:20])
    )


def test_validation_set_is_routed_as_metadata():
    from sklearn import config_context
    from sklearn.model_selection import cross_validate

    rng = np.random.RandomState(0)
    X, X_val = rng.normal(size=(40, 5)), rng.normal(size=(17, 5))
    y, y_val = (X.sum(axis=1) > 0).astype(int), (X_val.sum(axis=1) > 0).astype(int)
    with config_context(enable_metadata_routing=True):
        model = RNNClassifier(**{**SMALL, "max_iter": 2}, early_stopping=True)
        model.set_fit_request(X_val=True, y_val=True)
        result = cross_validate(
            model,
            X,
            y,
            cv=2,
            params={"X_val": X_val, "y_val": y_val},
            return_estimator=True,
        )
    for fitted in result["estimator"]:
        assert fitted.t_ == 2 * 20  # all of each training fold trained
        assert len(fitted.validation_scores_) == 2


def test_inputs_far_from_unit_scale_are_warned_about(data):
    import warnings

    X, y = data
    with pytest.warns(UserWarning, match="Feature 1 of X has a root mean square"):
        RNNClassifier(**{**SMALL, "max_iter": 1}).fit([x * [1.0, 400.0] for x in X], y)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*root mean square")
        RNNClassifier(**{**SMALL, "max_iter": 1}).fit(X, y)


def test_predicting_one_long_sequence_among_short_ones_stays_small(fitted_classifier):
    """The input is stored unpadded and predicted in chunks of similar
    lengths: the peak memory is a small fraction of what padding every
    sequence to the longest would take, and the results are those of the
    sequences predicted on their own (to rounding)."""
    import tracemalloc

    rng = np.random.RandomState(0)
    X = [rng.normal(size=(3, 2)) for _ in range(2000)] + [rng.normal(size=(4000, 2))]
    fitted_classifier.predict_proba(X[:20] + X[-1:])  # compile outside the trace
    padded_bytes = len(X) * 4000 * 2 * 4  # float32: 64 MB
    tracemalloc.start()
    proba = fitted_classifier.predict_proba(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < padded_bytes / 8
    for i in (0, 1999, 2000):
        np.testing.assert_allclose(
            proba[i], fitted_classifier.predict_proba([X[i]])[0], rtol=1e-5, atol=1e-6
        )
