"""SequenceScaler: pooled statistics, formats kept, inverse, pipelines."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from sklearn_rnn.preprocessing import SequenceScaler
from tests.helpers import long_frame, make_sequences, padded

RAGGED = [
    np.array([[1.0, 10.0], [3.0, 10.0]]),
    np.array([[5.0, 10.0], [7.0, 10.0], [9.0, 10.0]]),
]


def test_statistics_are_pooled_over_real_steps():
    scaler = SequenceScaler().fit(RAGGED)
    np.testing.assert_allclose(scaler.mean_, [5.0, 10.0])
    np.testing.assert_allclose(scaler.var_, [8.0, 0.0])
    # a constant feature is centred, not divided by zero
    np.testing.assert_allclose(scaler.scale_, [np.sqrt(8.0), 1.0])
    assert scaler.n_steps_seen_ == 5 and scaler.n_features_in_ == 2
    # NaN padding is ignored, not counted
    same = SequenceScaler().fit(padded(RAGGED))
    np.testing.assert_allclose(same.mean_, scaler.mean_)
    np.testing.assert_allclose(same.var_, scaler.var_)


def test_options():
    scaler = SequenceScaler(with_mean=False, with_std=False).fit(RAGGED)
    np.testing.assert_array_equal(scaler.transform(RAGGED)[1], RAGGED[1])
    only_std = SequenceScaler(with_mean=False).fit(RAGGED)
    np.testing.assert_allclose(
        only_std.transform(RAGGED)[0][:, 0], RAGGED[0][:, 0] / np.sqrt(8.0)
    )


def formats():
    X = make_sequences(n=5, seed=2)
    univariate = [x[:, 0] for x in X]
    frames = [pd.DataFrame(x, columns=["a", "b"]) for x in X]
    return {
        "list": X,
        "3d": padded(X),
        "univariate list": univariate,
        "2d": padded([u[:, None] for u in univariate])[:, :, 0],
        "long frame": long_frame(X),
        "list of frames": frames,
    }


@pytest.mark.parametrize("name", list(formats()))
def test_transform_keeps_the_format_and_inverts(name):
    X = formats()[name]
    scaler = SequenceScaler().fit(X)
    Xt = scaler.transform(X)
    assert type(Xt) is type(X)
    if isinstance(X, list):
        assert [np.shape(a) for a in Xt] == [np.shape(a) for a in X]
        pooled = np.concatenate([np.asarray(a).reshape(len(a), -1) for a in Xt])
    elif isinstance(X, pd.DataFrame):
        assert Xt.index.equals(X.index) and list(Xt.columns) == list(X.columns)
        pooled = Xt.to_numpy()
    else:
        assert Xt.shape == X.shape
        np.testing.assert_array_equal(np.isnan(Xt), np.isnan(X))
        pooled = Xt.reshape(-1, scaler.n_features_in_)
        pooled = pooled[~np.isnan(pooled).any(axis=1)]
    np.testing.assert_allclose(pooled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(pooled.std(axis=0), 1.0, rtol=1e-12)
    back = scaler.inverse_transform(Xt)
    for a, b in zip(
        back if isinstance(X, list) else [back], X if isinstance(X, list) else [X]
    ):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12)


def test_errors_name_the_problem():
    scaler = SequenceScaler().fit(RAGGED)
    with pytest.raises(ValueError, match="3 features per step, but SequenceScaler"):
        scaler.transform([np.ones((2, 3))])
    with pytest.raises(ValueError, match="Sequence 1 has NaN at step 0"):
        scaler.transform([np.ones((2, 2)), np.array([[np.nan, 1.0]])])
    frames = formats()["list of frames"]
    named = SequenceScaler().fit(frames)
    renamed = [f.rename(columns={"a": "z"}) for f in frames]
    with pytest.raises(ValueError, match="feature names should match"):
        named.transform(renamed)


def quiet_fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor, RNNSequenceTagger])
def test_first_in_a_pipeline(Estimator):
    X = [100 + 50 * x for x in make_sequences(n=40)]
    y = {
        RNNClassifier: np.array([x[:, 0].mean() > 100 for x in X]),
        RNNRegressor: np.array([x[:, 0].mean() for x in X]),
        RNNSequenceTagger: [x[:, 0] > 100 for x in X],
    }[Estimator]
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
    pipe = quiet_fit(make_pipeline(SequenceScaler(), Estimator(**params)), X, y)
    scaler = SequenceScaler().fit(X)
    alone = quiet_fit(Estimator(**params), scaler.transform(X), y)
    for a, b in zip(pipe.predict(X), alone.predict(scaler.transform(X))):
        np.testing.assert_array_equal(a, b)


def test_regressor_inside_transformed_target_regressor():
    X = make_sequences(n=40)
    y = 1000 + 300 * np.array([x[:, 0].sum() for x in X])
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
    ttr = quiet_fit(
        TransformedTargetRegressor(
            RNNRegressor(**params), transformer=StandardScaler()
        ),
        X,
        y,
    )
    inner = ttr.regressor_.predict(X)
    expected = ttr.transformer_.inverse_transform(inner[:, None])[:, 0]
    np.testing.assert_allclose(ttr.predict(X), expected)
    assert abs(np.mean(ttr.predict(X)) - 1000) < 300


def test_values_near_the_float_range_do_not_overflow():
    X = np.array([[1e308, -1e308, 1e308]] * 3)
    scaled = SequenceScaler().fit_transform(X)
    assert np.isfinite(scaled).all()
    np.testing.assert_allclose(scaled[0], [2**-0.5, -(2**0.5), 2**-0.5])


def test_pandas_output_for_2d_results_and_in_a_pipeline():
    from sklearn.base import clone

    X = np.random.RandomState(0).normal(size=(6, 4))
    frame = pd.DataFrame(X, columns=["lag4", "lag3", "lag2", "lag1"])
    scaler = SequenceScaler().set_output(transform="pandas")
    out = scaler.fit_transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == [
        "t0",
        "t1",
        "t2",
        "t3",
    ]
    out = clone(scaler).fit(frame).transform(frame)
    assert list(out.columns) == list(frame.columns)
    np.testing.assert_allclose(scaler.inverse_transform(out.to_numpy()), X)
    ragged = [np.ones((3, 2)), np.zeros((2, 2))]
    assert isinstance(scaler.fit_transform(ragged), list)  # kept as it came
    pipe = make_pipeline(
        SequenceScaler(), RNNClassifier(hidden_layer_sizes=(2,), max_iter=1)
    )
    pipe.set_output(transform="pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, [0, 1] * 3)
    assert isinstance(pipe[:-1].transform(X), pd.DataFrame)
    with pytest.raises(ValueError, match="'default' or 'pandas'"):
        SequenceScaler().set_output(transform="polars")
