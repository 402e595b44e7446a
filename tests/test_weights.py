"""Sample and class weights: per sequence or per step, through meta-estimators,
and their errors (:mod:`sklearn_rnn.inputs._weights`)."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_rnn import RNNClassifier, RNNSequenceTagger
from tests.helpers import (
    SMALL,
    running_tags,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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
