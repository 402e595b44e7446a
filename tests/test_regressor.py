"""RNNRegressor: outputs, target scaling, losses, and the rules on them."""

import numpy as np
import pytest

from sklearn_rnn import RNNRegressor
from tests.helpers import (
    SMALL,
    make_sequences,
    shop_sales,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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


def test_regressor_fits_the_weighted_mean_of_conflicting_targets():
    """The same sequences with targets 0 (weight 3) and 10 (weight 1): the
    weighted squared error is smallest at 2.5."""
    X = make_sequences(n=20, seed=1)
    y = np.r_[np.zeros(20), np.full(20, 10.0)]
    weights = np.r_[np.full(20, 3.0), np.ones(20)]
    reg = RNNRegressor(**{**SMALL, "max_iter": 150}).fit(X + X, y, weights)
    assert np.mean(reg.predict(X)) == pytest.approx(2.5, abs=0.2)  # not 5


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
