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
from tests.helpers import blas_threads, numba_threads, padded

SMALL = {
    "hidden_layer_sizes": (8,),
    "random_state": 0,
    "max_iter": 30,
    "learning_rate_init": 0.01,
}


def make_sequences(n=300, seed=0, n_features=2, min_len=3, max_len=10):
    rng = np.random.RandomState(seed)
    return [
        rng.normal(size=(rng.randint(min_len, max_len + 1), n_features))
        for _ in range(n)
    ]


def sign_labels(X):
    """Which of three bins the sum of the first feature falls in."""
    return np.array(["low", "mid", "high"])[
        np.digitize([x[:, 0].sum() for x in X], [-1.0, 1.0])
    ]


def running_tags(X):
    """Per step: is the running sum of the first feature positive?"""
    return [np.where(np.cumsum(x[:, 0]) > 0, "P", "N") for x in X]


def long_frame(X):
    index = pd.MultiIndex.from_tuples(
        [(i, t) for i, x in enumerate(X) for t in range(len(x))]
    )
    return pd.DataFrame(np.vstack(X), index=index, columns=["a", "b"])


@pytest.fixture(scope="module")
def data():
    X = make_sequences()
    return X, sign_labels(X)


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


def test_regressor_multi_output(data):
    X, _ = data
    y = np.column_stack([[x[:, 0].sum(), x[:, 1].mean()] for x in X]).T
    reg = RNNRegressor(**{**SMALL, "max_iter": 80}).fit(X, y)
    assert reg.n_outputs_ == 2
    assert reg.predict(X).shape == (len(X), 2)
    assert reg.predict(X).dtype == np.float64
    assert reg.score(X, y) > 0.5


def test_regressor_learns_targets_at_any_scale(data):
    """Targets in the thousands train as well as standardised ones: with the
    same seed, the predictions follow the same affine map as the targets."""
    X, _ = data
    y = np.array([x[:, 0].sum() for x in X])
    params = {**SMALL, "dtype": "float64", "max_iter": 20}
    unit = RNNRegressor(**params).fit(X, (y - y.mean()) / y.std())
    raw = RNNRegressor(**params).fit(X, 400.0 + 250.0 * y)
    np.testing.assert_allclose(raw.target_mean_, [400.0 + 250.0 * y.mean()])
    np.testing.assert_allclose(raw.target_scale_, [250.0 * y.std()])
    expected = raw.target_mean_ + raw.target_scale_ * unit.predict(X)
    np.testing.assert_allclose(raw.predict(X), expected, rtol=1e-6)
    np.testing.assert_allclose(raw.loss_curve_, unit.loss_curve_, rtol=1e-6)
    assert raw.score(X, 400.0 + 250.0 * y) > 0.8
    # without scaling, the same targets are far from what the network reaches
    plain = RNNRegressor(**params, scale_targets=False).fit(X, 400.0 + 250.0 * y)
    np.testing.assert_array_equal(plain.target_mean_, [0.0])
    np.testing.assert_array_equal(plain.target_scale_, [1.0])
    assert plain.score(X, 400.0 + 250.0 * y) < 0.5


def test_regressor_target_scale_is_per_column_and_fixed_after_the_first_fit(data):
    X, _ = data
    y = np.column_stack([[x[:, 0].sum() * 1e3, 7.0] for x in X]).T
    reg = RNNRegressor(**{**SMALL, "max_iter": 2}).partial_fit(X, y)
    assert reg.target_scale_[1] == 1.0  # a constant column: no scaling
    np.testing.assert_allclose(reg.target_mean_, y.mean(axis=0))
    mean, scale = reg.target_mean_.copy(), reg.target_scale_.copy()
    reg.partial_fit(X, y * 2)
    np.testing.assert_array_equal(reg.target_mean_, mean)
    np.testing.assert_array_equal(reg.target_scale_, scale)
    assert np.isfinite(reg.predict(X)).all()


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


# ------------------------------------------------------------------ weights


def test_sample_weight_of_ones_changes_no_bit_and_weights_change_the_model(data):
    X, y = data
    params = {**SMALL, "max_iter": 3}
    plain = RNNClassifier(**params).fit(X, y)
    ones = RNNClassifier(**params).fit(X, y, sample_weight=np.ones(len(X)))
    weighted = RNNClassifier(**params).fit(X, y, sample_weight=np.arange(len(X)) % 3)
    for name in plain.params_:
        np.testing.assert_array_equal(ones.params_[name], plain.params_[name])
    assert any(
        not np.array_equal(weighted.params_[name], plain.params_[name])
        for name in plain.params_
    )


def test_regressor_fits_the_weighted_mean_of_conflicting_targets():
    """The same sequences with targets 0 (weight 3) and 10 (weight 1): the
    weighted squared error is smallest at 2.5."""
    X = make_sequences(n=20, seed=1)
    y = np.r_[np.zeros(20), np.full(20, 10.0)]
    weights = np.r_[np.full(20, 3.0), np.ones(20)]
    reg = RNNRegressor(**{**SMALL, "max_iter": 150}).fit(X + X, y, weights)
    assert np.mean(reg.predict(X)) == pytest.approx(2.5, abs=0.2)  # not 5


def test_tagger_takes_weights_per_sequence_or_per_step(data):
    X, _ = data
    X = X[:40]
    tags = running_tags(X)
    per_step = [np.where(t == "P", 2.0, 0.5) for t in tags]
    params = {**SMALL, "max_iter": 2}
    tagger = RNNSequenceTagger(**params).fit(X, tags, sample_weight=per_step)
    per_sequence = RNNSequenceTagger(**params).fit(X, tags, np.ones(len(X)))
    plain = RNNSequenceTagger(**params).fit(X, tags)
    for name in plain.params_:
        np.testing.assert_array_equal(per_sequence.params_[name], plain.params_[name])
    assert 0 <= tagger.score(X, tags, sample_weight=per_step) <= 1
    # the weighted token accuracy counts only the weighted steps
    zero_on_p = [np.where(t == "P", 0.0, 1.0) for t in tags]
    predicted = np.concatenate(tagger.predict(X))
    truth = np.concatenate(tags)
    expected = np.mean(predicted[truth == "N"] == "N")
    assert tagger.score(X, tags, sample_weight=zero_on_p) == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"sample_weight\[3\] has shape"):
        tagger.fit(X, tags, sample_weight=per_step[:3] + [np.ones(99)] + per_step[4:])


@pytest.mark.parametrize(
    "weights, message",
    [
        (np.ones(5), "X holds 300 sequences"),
        (-np.ones(300), "negative values"),
        (np.r_[np.nan, np.ones(299)], "NaN or infinite"),
        (np.zeros(300), "sums to zero"),
    ],
    ids=["length", "negative", "nan", "all zero"],
)
def test_bad_sample_weight_is_named(data, weights, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        RNNClassifier(**SMALL).fit(X, y, sample_weight=weights)


def test_weights_reach_fit_through_routing_and_meta_estimators():
    """Metadata routing in a grid search; AdaBoost, bagging and calibration,
    which pass weights to fit."""
    from sklearn import config_context
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))  # univariate sequences of 5 steps
    y = (X.sum(axis=1) > 0).astype(int)
    weights = rng.uniform(0.5, 2.0, size=60)
    small = {**SMALL, "max_iter": 2}
    with config_context(enable_metadata_routing=True):
        model = RNNClassifier(**small).set_fit_request(sample_weight=True)
        model.set_score_request(sample_weight=True)
        grid = GridSearchCV(model, {"alpha": [1e-4, 1e-2]}, cv=2)
        grid.fit(X, y, sample_weight=weights)
        unweighted = GridSearchCV(model, {"alpha": [1e-4, 1e-2]}, cv=2)
        unweighted.fit(X, y, sample_weight=np.ones(60))
    assert not np.array_equal(
        grid.cv_results_["mean_test_score"], unweighted.cv_results_["mean_test_score"]
    )
    boosted = AdaBoostClassifier(RNNClassifier(**SMALL), n_estimators=2, random_state=0)
    boosted.fit(X, y)  # each round fits with the boosting weights
    assert boosted.predict(X).shape == (60,)
    bagged = BaggingClassifier(RNNClassifier(**small), n_estimators=2, random_state=0)
    bagged.fit(X, y)
    assert bagged.predict(X).shape == (60,)
    calibrated = CalibratedClassifierCV(RNNClassifier(**small), cv=2)
    calibrated.fit(X, y, sample_weight=weights)
    assert calibrated.predict_proba(X).shape == (60, 2)


# ------------------------------------------------------------ regression losses


def noisy_sums(n=200, seed=3):
    """Sequences, the sum of their first feature, and that sum plus noise."""
    X = make_sequences(n=n, seed=seed)
    signal = np.array([x[:, 0].sum() for x in X])
    noise = np.random.RandomState(seed).normal(scale=1.0, size=n)
    return X, signal, signal + noise


def test_robust_losses_resist_outliers():
    """Ten targets pushed 50 away: on the other sequences, the absolute error
    keeps the signal and the Huber loss does better than the squared error."""
    X, signal, y = noisy_sums()
    y[:10] += 50.0
    params = {**SMALL, "max_iter": 60}
    r2 = {}
    for loss in ["squared_error", "huber", "absolute_error"]:
        reg = RNNRegressor(**params, loss=loss).fit(X, y)
        assert reg.out_activation_ == "identity"
        r2[loss] = r2_of(reg.predict(X)[10:], signal[10:])
    assert r2["absolute_error"] > 0.8
    assert r2["squared_error"] < r2["huber"] < r2["absolute_error"]


def r2_of(prediction, truth):
    return 1 - np.sum((truth - prediction) ** 2) / np.sum((truth - truth.mean()) ** 2)


def test_quantile_loss_predicts_the_quantile():
    X, _, y = noisy_sums()
    # the default step size: the pinball gradient does not shrink near the
    # optimum, so larger steps leave the last epoch's quantile noisy
    params = {**SMALL, "max_iter": 60, "learning_rate_init": 0.003}
    high = RNNRegressor(**params, loss="quantile", quantile=0.9).fit(X, y)
    low = RNNRegressor(**params, loss="quantile", quantile=0.1).fit(X, y)
    assert 0.8 <= np.mean(y <= high.predict(X)) <= 0.97
    assert 0.03 <= np.mean(y <= low.predict(X)) <= 0.2
    with pytest.raises(ValueError, match="set quantile"):
        RNNRegressor(loss="quantile").fit(X, y)


def test_poisson_loss_predicts_positive_counts():
    X = make_sequences(n=200, seed=4)
    rate = np.exp(np.array([0.5 * np.tanh(x[:, 0].sum()) for x in X]) + 2.0)
    y = np.random.RandomState(4).poisson(rate).astype(float)
    reg = RNNRegressor(**{**SMALL, "max_iter": 60}, loss="poisson").fit(X, y)
    assert reg.out_activation_ == "exp"
    assert reg.target_mean_[0] == 0.0 and reg.target_scale_[0] == y.mean()
    prediction = reg.predict(X)
    assert (prediction > 0).all()
    assert prediction.mean() == pytest.approx(y.mean(), rel=0.1)
    assert np.corrcoef(prediction, rate)[0, 1] > 0.5
    with pytest.raises(ValueError, match="targets >= 0"):
        RNNRegressor(loss="poisson").fit(X, y - 100)


# --------------------------------------------- class weights, early stopping


def test_class_weight_is_a_weight_per_sequence_of_each_class(data):
    """A dict, or "balanced", gives the model that the equal per-sequence
    weights give, bit for bit; with sample_weight the two multiply."""
    from sklearn.utils.class_weight import compute_sample_weight

    X, y = data
    params = {**SMALL, "max_iter": 2}
    by_class = {"low": 3.0, "high": 0.5}
    per_sequence = np.array([by_class.get(label, 1.0) for label in y])
    sample_weight = np.arange(len(X)) % 4
    pairs = [
        (
            RNNClassifier(**params, class_weight=by_class).fit(X, y),
            RNNClassifier(**params).fit(X, y, per_sequence),
        ),
        (
            RNNClassifier(**params, class_weight=by_class).fit(X, y, sample_weight),
            RNNClassifier(**params).fit(X, y, per_sequence * sample_weight),
        ),
        (
            RNNClassifier(**params, class_weight="balanced").fit(X, y),
            RNNClassifier(**params).fit(X, y, compute_sample_weight("balanced", y)),
        ),
    ]
    for weighted, explicit in pairs:
        for name in explicit.params_:
            np.testing.assert_array_equal(
                weighted.params_[name], explicit.params_[name]
            )


def test_tagger_balances_classes_over_real_steps(data):
    from sklearn.utils.class_weight import compute_sample_weight

    X, _ = data
    X = X[:40]
    tags = running_tags(X)
    params = {**SMALL, "max_iter": 2}
    balanced = RNNSequenceTagger(**params, class_weight="balanced").fit(X, tags)
    steps = compute_sample_weight("balanced", np.concatenate(tags))
    per_step = np.split(steps, np.cumsum([len(t) for t in tags])[:-1])
    explicit = RNNSequenceTagger(**params).fit(X, tags, sample_weight=per_step)
    for name in explicit.params_:
        np.testing.assert_array_equal(balanced.params_[name], explicit.params_[name])


@pytest.mark.parametrize(
    "class_weight, call, message",
    [
        ("balanced", "partial_fit", "not supported by partial_fit"),
        ({"low": 1.0, "nope": 2.0}, "fit", "class_weight names labels"),
        ({"low": -1.0}, "fit", "finite weight >= 0"),
        ({"low": 0.0, "mid": 0.0, "high": 0.0}, "fit", "sums to zero"),
    ],
    ids=["balanced partial_fit", "unknown label", "negative", "all zero"],
)
def test_bad_class_weight_is_named(data, class_weight, call, message):
    X, y = data
    model = RNNClassifier(**SMALL, class_weight=class_weight)
    fit = model.fit if call == "fit" else lambda X, y: model.partial_fit(X, y, y)
    with pytest.raises(ValueError, match=message):
        fit(X, y)


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


# ---------------------------------------------------- categorical features


def shop_sales(n=300, seed=0):
    """Sequences of (shop code, value); the target is the sum of the values
    plus an effect of the shop that its code's size does not follow."""
    rng = np.random.RandomState(seed)
    shop = rng.randint(0, 5, size=n).astype(float)
    values = rng.normal(size=(n, 6))
    X = np.stack([np.repeat(shop[:, None], 6, axis=1), values], axis=2)
    y = values.sum(axis=1) + np.array([2.0, -2.0, 1.0, -1.0, 0.0])[shop.astype(int)]
    return X, y


def test_categorical_features_are_embedded_beside_numbers():
    X, y = shop_sales()
    params = {**SMALL, "max_iter": 80, "embedding_dim": 2}
    reg = RNNRegressor(**params, categorical_features=[0]).fit(X[:200], y[:200])
    np.testing.assert_array_equal(reg.categorical_features_, [0])
    np.testing.assert_array_equal(reg.category_values_[0], [0, 1, 2, 3, 4])
    assert reg.params_["embed.table"].shape == (6, 2)
    assert reg.params_["rnn0.W_x"].shape[0] == 2 + 1
    assert reg.score(X[200:], y[200:]) > 0.95
    # a shop never seen shares row 0, and a DataFrame names the column
    unseen = X[200:203].copy()
    unseen[:, :, 0] = 7
    assert np.isfinite(reg.predict(unseen)).all()
    frames = [pd.DataFrame({"value": x[:, 1], "shop": x[:, 0]}) for x in X[:40]]
    named = RNNRegressor(**{**params, "max_iter": 2}, categorical_features=["shop"])
    named.fit(frames, y[:40])
    np.testing.assert_array_equal(named.categorical_features_, [1])
    assert named.predict(frames[:3]).shape == (3,)


@pytest.mark.parametrize(
    "params, X_change, message",
    [
        ({"embedding_dim": None}, None, "categorical_features embeds categories"),
        ({"categorical_features": [5]}, None, r"holds 5: give indices in \[0, 2\)"),
        ({"categorical_features": ["shop"]}, None, "X has no column names"),
        ({}, "fraction", "Sequence 3 has 2.5 at step 4 in the categorical column 0"),
    ],
    ids=["no embedding", "index", "name", "fraction"],
)
def test_bad_categorical_features_are_named(params, X_change, message):
    X, y = shop_sales(n=20)
    if X_change == "fraction":
        X[3, 4, 0] = 2.5
    settings = {**SMALL, "embedding_dim": 2, "categorical_features": [0], **params}
    with pytest.raises(ValueError, match=message):
        RNNRegressor(**settings).fit(X, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("codes", [np.int64, np.float64])
def test_category_codes_above_float32_precision_stay_distinct(dtype, codes):
    """Product ids 2**24 and 2**24 + 1 are one number in float32: codes are
    read exactly before the network's dtype is applied."""
    X, y = shop_sales(n=60)
    big = (2**24 + X[:, :, 0]).astype(codes)
    frames = [pd.DataFrame({"product": b, "value": x[:, 1]}) for b, x in zip(big, X)]
    params = {**SMALL, "max_iter": 2, "embedding_dim": 2, "dtype": dtype}
    reg = RNNRegressor(**params, categorical_features=["product"]).fit(frames, y)
    np.testing.assert_array_equal(reg.category_values_[0], 2**24 + np.arange(5))
    # each product reads its own row of the table
    one = [f.assign(product=2**24 + 1) for f in frames[:3]]
    other = [f.assign(product=2**24 + 2) for f in frames[:3]]
    assert not np.allclose(reg.predict(one), reg.predict(other))


def test_a_boolean_mask_names_categorical_columns():
    X, y = shop_sales(n=40)
    params = {**SMALL, "max_iter": 2, "embedding_dim": 2}
    by_mask = RNNRegressor(**params, categorical_features=np.array([True, False]))
    by_index = RNNRegressor(**params, categorical_features=[0])
    np.testing.assert_array_equal(by_mask.fit(X, y).categorical_features_, [0])
    np.testing.assert_allclose(
        by_mask.predict(X), by_index.fit(X, y).predict(X), rtol=1e-6
    )
    with pytest.raises(ValueError, match=r"boolean mask of shape \(3,\).* 2 features"):
        RNNRegressor(**params, categorical_features=[True, False, True]).fit(X, y)


def test_targets_near_the_float_range_are_standardised_without_overflow():
    X, y = shop_sales(n=40)
    params = {**SMALL, "max_iter": 2, "dtype": "float64"}
    unit = RNNRegressor(**params).fit(X, y)
    huge = RNNRegressor(**params).fit(X, y * 1e200)
    assert (
        np.isfinite(huge.target_mean_).all() and np.isfinite(huge.target_scale_).all()
    )
    np.testing.assert_allclose(huge.target_scale_, unit.target_scale_ * 1e200)
    np.testing.assert_allclose(huge.predict(X), unit.predict(X) * 1e200, rtol=1e-9)


def test_category_codes_are_not_warned_about_as_unscaled():
    import warnings

    X, y = shop_sales(n=20)
    X[:, :, 0] *= 100  # codes 0 to 400: categories, not magnitudes
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*root mean square")
        RNNRegressor(
            **{**SMALL, "max_iter": 1}, embedding_dim=2, categorical_features=[0]
        ).fit(X, y)


def test_a_width_per_categorical_column():
    X, y = shop_sales(n=40)
    X = np.concatenate([X, X[:, :, :1] % 2], axis=2)  # a second category column
    reg = RNNRegressor(
        **{**SMALL, "max_iter": 2}, embedding_dim=[3, 1], categorical_features=[0, 2]
    ).fit(X, y)
    assert reg.params_["embed.table"].shape == (6, 3)
    assert reg.params_["embed1.table"].shape == (3, 1)
    with pytest.raises(ValueError, match="embedding_dim gives 3 widths"):
        RNNRegressor(**SMALL, embedding_dim=[3, 1, 2], categorical_features=[0, 2]).fit(
            X, y
        )
    with pytest.raises(ValueError, match="embedding_dim must be a positive integer"):
        RNNRegressor(**SMALL, embedding_dim=[3, 0], categorical_features=[0, 2]).fit(
            X, y
        )


@pytest.mark.parametrize(
    "switch",
    [{"loss": "poisson"}, {"loss": "quantile", "quantile": 0.5}],
    ids=["to poisson", "to quantile"],
)
def test_a_warm_start_cannot_switch_the_regressors_loss(switch):
    """The loss fixed the output activation and the target scaling of the
    first fit; continuing under another loss would mix the two silently."""
    X, y = shop_sales(n=30)
    y = y - y.min() + 1.0  # valid for every loss
    reg = RNNRegressor(**{**SMALL, "max_iter": 2}).fit(X, y)
    before = reg.predict(X)
    reg.set_params(warm_start=True, **switch)
    with pytest.raises(ValueError, match=f"loss={switch['loss']!r}.* cannot replace"):
        reg.fit(X, y)
    with pytest.raises(ValueError, match="cannot replace the fitted loss"):
        reg.partial_fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)
    quantile = RNNRegressor(**{**SMALL, "max_iter": 2}, loss="quantile", quantile=0.9)
    quantile.fit(X, y).set_params(warm_start=True, quantile=0.1)
    with pytest.raises(ValueError, match="quantile=0.1 cannot replace"):
        quantile.fit(X, y)
