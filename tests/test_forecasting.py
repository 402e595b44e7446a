"""Windows, splits without leakage, recursive and direct multi-step forecasts."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNRegressor
from sklearn_rnn.forecasting import (
    ReverseSteps,
    forecast_index,
    make_windows,
    recursive_forecast,
    window_split,
)
from sklearn_rnn.preprocessing import SequenceScaler


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("window, horizon, step", [(3, 1, 1), (4, 3, 1), (2, 2, 3)])
def test_windows_are_aligned(window, horizon, step):
    series = np.arange(20.0)
    X, y = make_windows(series, window, horizon, step)
    n_windows = (20 - window - horizon) // step + 1
    assert X.shape == (n_windows, window, 1)
    assert y.shape == ((n_windows,) if horizon == 1 else (n_windows, horizon))
    for i in range(n_windows):
        start = i * step
        np.testing.assert_array_equal(X[i, :, 0], np.arange(start, start + window))
        np.testing.assert_array_equal(
            np.atleast_1d(y[i]), np.arange(start + window, start + window + horizon)
        )
    # the last window's targets end at or before the series' end
    assert np.max(y) <= 19


def test_frame_with_target_and_exogenous_columns():
    frame = pd.DataFrame(
        {"sales": np.arange(10.0), "price": 100 + np.arange(10.0), "promo": 0.5}
    )
    X, y = make_windows(frame, 3, horizon=2, target="sales")
    assert X.shape == (6, 3, 3)
    np.testing.assert_array_equal(X[0], frame.to_numpy()[:3])
    np.testing.assert_array_equal(y[0], [3.0, 4.0])
    X, y = make_windows(frame, 3, horizon=2, target=["sales", "price"])
    # step by step, every target at each step
    np.testing.assert_array_equal(y[0], [3.0, 103.0, 4.0, 104.0])
    X, y = make_windows(frame["sales"], 3)
    assert X.shape == (7, 3, 1) and y.shape == (7,)
    X, y = make_windows(frame.to_numpy(), 3, target=[0])
    assert X.shape == (7, 3, 3) and y.shape == (7,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"series": np.arange(4.0), "window": 3, "horizon": 2}, "too short"),
        ({"series": np.arange(9.0), "window": 0}, "window must be a positive"),
        ({"series": [1.0, np.nan, 2.0, 3.0], "window": 1}, "at row 1"),
        (
            {"series": pd.DataFrame({"a": [1.0] * 5}), "window": 2, "target": "b"},
            r"target \['b'\] not among",
        ),
        ({"series": np.ones((5, 2)), "window": 2, "target": 2}, "out of range"),
        ({"series": np.ones((5, 2, 2)), "window": 2}, "must be 1D"),
    ],
)
def test_window_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_windows(**kwargs)


def target_rows(indices, window, horizon, step):
    return {i * step + window + h for i in indices for h in range(horizon)}


@pytest.mark.parametrize("horizon, step", [(1, 1), (5, 1), (6, 2), (3, 4)])
def test_window_split_never_tests_on_trained_targets(horizon, step):
    window = 4
    X, _ = make_windows(np.arange(120.0), window, horizon, step)
    for train, test in window_split(4, horizon=horizon, step=step).split(X):
        assert train.max() < test.min()
        train_rows = target_rows(train, window, horizon, step)
        test_rows = target_rows(test, window, horizon, step)
        assert not train_rows & test_rows
        assert max(train_rows) < min(test_rows)
    if (horizon - 1) // step:  # a plain TimeSeriesSplit would leak
        leaks = [
            target_rows(train, window, horizon, step)
            & target_rows(test, window, horizon, step)
            for train, test in TimeSeriesSplit(4).split(X)
        ]
        assert all(leaks)


def seasonal_series(n=80):
    t = np.arange(n)
    return np.sin(2 * np.pi * t / 12) + 0.01 * t


def test_grid_search_over_windows():
    X, y = make_windows(seasonal_series(), 12, horizon=3)
    search = GridSearchCV(
        make_pipeline(SequenceScaler(), RNNRegressor(max_iter=3, random_state=0)),
        {"rnnregressor__hidden_layer_sizes": [(4,), (6,)]},
        cv=window_split(3, horizon=3),
    ).fit(X, y)
    assert search.predict(X[-1:]).shape == (1, 3)


@pytest.fixture(scope="module")
def one_step_model():
    X, y = make_windows(seasonal_series(), 12)
    model = make_pipeline(
        SequenceScaler(),
        RNNRegressor(hidden_layer_sizes=(6,), max_iter=5, random_state=0),
    )
    return model.fit(X, y)


def test_recursive_forecast_equals_manual_steps(one_step_model):
    history = seasonal_series()
    forecast = recursive_forecast(one_step_model, history, 6, window=12)
    values = list(history)
    for _ in range(6):
        window = np.array(values[-12:])[None, :, None]
        values.append(one_step_model.predict(window)[0])
    np.testing.assert_allclose(forecast, values[-6:], rtol=1e-12)
    assert forecast.shape == (6,)


def test_recursive_forecast_with_pandas_index(one_step_model):
    months = pd.date_range("2001-01-01", periods=80, freq="MS")
    series = pd.Series(seasonal_series(), index=months, name="load")
    forecast = recursive_forecast(one_step_model, series, 4, window=12)
    assert isinstance(forecast, pd.Series) and forecast.name == "load"
    assert list(forecast.index.strftime("%Y-%m")) == [
        "2007-09",
        "2007-10",
        "2007-11",
        "2007-12",
    ]
    np.testing.assert_allclose(
        forecast.to_numpy(),
        recursive_forecast(one_step_model, series.to_numpy(), 4, window=12),
    )


def test_recursive_forecast_with_exogenous_columns():
    frame = pd.DataFrame({"y": seasonal_series(40), "x": np.arange(40.0)})
    X, y = make_windows(frame, 5, target="y")
    model = RNNRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    model.fit(X, y)
    future = np.arange(40.0, 43.0)
    forecast = recursive_forecast(
        model, frame, 3, window=5, target="y", future_exog=future
    )
    assert forecast.name == "y" and list(forecast.index) == [40, 41, 42]
    # the first step reads the last 5 observed rows, exogenous values included
    assert forecast.iloc[0] == pytest.approx(
        model.predict(frame.to_numpy()[None, -5:])[0]
    )
    with pytest.raises(ValueError, match="pass their future values as future_exog"):
        recursive_forecast(model, frame, 3, window=5, target="y")


def test_recursive_forecast_needs_a_one_step_model():
    X, y = make_windows(seasonal_series(), 12, horizon=3)
    direct = RNNRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    direct.fit(X, y)
    with pytest.raises(ValueError, match="needs a one-step model"):
        recursive_forecast(direct, seasonal_series(), 3, window=12)
    # the direct strategy: one prediction of the last window covers the horizon
    assert direct.predict(seasonal_series()[None, -12:, None]).shape == (1, 3)


def test_forecast_index():
    periods = pd.period_range("2020-01", periods=3, freq="M")
    assert list(forecast_index(periods, 2).astype(str)) == ["2020-04", "2020-05"]
    assert list(forecast_index(pd.RangeIndex(0, 10, 2), 2)) == [10, 12]
    irregular = pd.DatetimeIndex(["2020-01-01", "2020-01-03", "2020-01-10"])
    with pytest.raises(ValueError, match="no frequency"):
        forecast_index(irregular, 2)


def test_reverse_steps_puts_lag_matrices_in_time_order():
    """skforecast's lag matrix (lag_1 = most recent first) reversed is the
    window oldest first, for arrays and DataFrames."""
    series = np.arange(10.0)
    windows, _ = make_windows(series, window=3)
    lags = pd.DataFrame(windows[:, ::-1, 0], columns=["lag_1", "lag_2", "lag_3"])
    reverse = ReverseSteps().fit(lags)
    out = reverse.transform(lags)
    np.testing.assert_array_equal(out.to_numpy(), windows[:, :, 0])
    assert list(out.columns) == ["lag_3", "lag_2", "lag_1"]
    assert list(reverse.get_feature_names_out()) == ["lag_3", "lag_2", "lag_1"]
    as_array = ReverseSteps().fit_transform(lags.to_numpy())
    np.testing.assert_array_equal(as_array, windows[:, :, 0])
    with pytest.raises(ValueError, match="4 lag columns"):
        reverse.transform(np.ones((2, 4)))
    with pytest.raises(ValueError, match="2D lag matrix"):
        reverse.transform(np.ones((2, 3, 1)))


def test_step_names_of_a_2d_frame_are_kept_and_a_reordering_is_refused():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["t-2", "t-1", "t"])
    y = X["t"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = RNNRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    assert list(reg.step_names_in_) == ["t-2", "t-1", "t"]
    reg.predict(X)
    reg.predict(X.to_numpy())  # arrays carry no names to check
    reg.predict(X.rename(columns={"t": "t-0"}))  # other steps are valid input
    with pytest.raises(ValueError, match="same steps in another order"):
        reg.predict(X[["t", "t-1", "t-2"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X.to_numpy(), y)
    assert not hasattr(reg, "step_names_in_")
