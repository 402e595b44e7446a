"""A failed or interrupted call leaves every fitted object as it was
(:mod:`sklearn_rnn._atomic`), and concurrent fits of one object do not mix."""

import copy
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_rnn import (
    RNNRegressor,
    RNNSequenceTagger,
)
from sklearn_rnn.preprocessing import SequenceScaler
from sklearn_rnn.text import SequenceVectorizer, TextGenerator
from tests.reliability import (
    SMALL,
    TOKENS_GOOD,
    X_GOOD,
    Y_CLASSES,
    Y_TAGS,
    Y_VALUES,
    assert_same_state,
    snapshot,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ------------------------------------------------- failed calls change nothing


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


@pytest.mark.parametrize(
    "params, validation",
    [
        ({"alpha": 1e308}, None),
        ({"early_stopping": True}, ([np.ones((3, 5))] * 4, Y_CLASSES[:4], None)),
        ({"early_stopping": True, "validation_fraction": 0.01}, None),
        ({"embedding_dim": 3, "embedding_init": np.ones((2, 3))}, None),
    ],
    ids=["penalty overflow", "bad validation set", "no held-out set", "short init"],
)
@pytest.mark.parametrize("warm", [False, True], ids=["new", "warm"])
def test_checks_run_before_anything_is_written(fitted, params, validation, warm):
    """The checks late in fit (penalty, validation set, held-out split,
    embedding) fail before fit writes anything, without the safety net of
    ``atomic_fit`` (``_fit.__wrapped__`` is fit without it)."""
    tokens = "embedding_dim" in params
    if warm and tokens:
        pytest.skip("embedding_init is read by a new fit only")
    estimator = (
        copy.deepcopy(fitted["classifier"]) if warm else clone(fitted["classifier"])
    )
    estimator.set_params(warm_start=warm, **params)
    X = TOKENS_GOOD if tokens else X_GOOD
    before = snapshot(estimator)
    with pytest.raises(ValueError):
        type(estimator)._fit.__wrapped__(
            estimator, X, Y_CLASSES, incremental=False, validation=validation
        )
    assert_same_state(before, estimator)


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
