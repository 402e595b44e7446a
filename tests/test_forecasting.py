"""Windows, splits without leakage, recursive and direct multi-step forecasts."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rnn import RNNRegressor
from sklearn_rnn.forecasting import (
    ConformalForecaster,
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
        ({"series": np.arange(9.0), "window": 0}, "'window' parameter"),
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
    with pytest.raises(ValueError, match="X has 4 features, but ReverseSteps is"):
        reverse.transform(np.ones((2, 4)))
    with pytest.raises(ValueError, match="Found array with dim 3"):
        reverse.transform(np.ones((2, 3, 1)))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        reverse.transform(np.c_[np.ones((2, 2)), [np.nan, 1.0]])


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


# ------------------------------------------------------------- many series


def two_series():
    """Series 0 holds 0..9, series 1 holds 100..106: a window mixing them
    would hold values of both ranges."""
    return [np.arange(10.0), np.arange(100.0, 107.0)]


def test_windows_of_many_series_never_cross_series():
    X, y, groups = make_windows(two_series(), 3, horizon=2, return_groups=True)
    assert X.shape == (6 + 3, 3, 1) and y.shape == (9, 2)
    np.testing.assert_array_equal(groups, [0] * 6 + [1] * 3)
    for x, target, g in zip(X[:, :, 0], y, groups, strict=True):
        low, high = (0, 10) if g == 0 else (100, 107)
        assert ((low <= x) & (x < high)).all() and (
            (low <= target) & (target < high)
        ).all()
        np.testing.assert_array_equal(np.diff(np.r_[x, target]), 1.0)
    # a long frame keyed by series id, rows out of time order, gives the same
    rows = [("b", t, v) for t, v in enumerate(two_series()[1])]
    rows += [("a", t, v) for t, v in enumerate(two_series()[0])]
    frame = pd.DataFrame(rows, columns=["id", "t", "v"]).set_index(["id", "t"])
    frame = frame.sample(frac=1.0, random_state=0)
    Xf, yf, gf = make_windows(frame, 3, horizon=2, return_groups=True)
    order = np.argsort(gf == "b", kind="stable")  # ids as they first appear
    np.testing.assert_array_equal(np.sort(Xf[:, 0, 0]), np.sort(X[:, 0, 0]))
    assert set(gf) == {"a", "b"}
    np.testing.assert_array_equal(yf[order][gf[order] == "a"], y[groups == 0])


def test_series_id_as_features_and_errors_name_the_series():
    X, _ = make_windows(two_series(), 3, id_features=True)
    np.testing.assert_array_equal(X[0, :, 1:], [[1, 0]] * 3)
    np.testing.assert_array_equal(X[-1, :, 1:], [[0, 1]] * 3)
    with pytest.raises(ValueError, match="In series 1: The series has 7 rows"):
        make_windows(two_series(), 6, horizon=2)
    with pytest.raises(ValueError, match="Series 1 has 2 columns"):
        make_windows([np.arange(10.0), np.ones((8, 2))], 3)
    with pytest.raises(ValueError, match="id_features needs several series"):
        make_windows(np.arange(10.0), 3, id_features=True)


def test_window_split_splits_each_series_in_its_own_time():
    series = [np.arange(40.0), np.arange(100.0, 130.0)]
    X, y, groups = make_windows(series, 4, horizon=3, return_groups=True)
    cv = window_split(3, horizon=3)
    folds = list(cv.split(X, y, groups))
    assert len(folds) == 3
    for train, test in folds:
        for g in (0, 1):
            train_g, test_g = train[groups[train] == g], test[groups[test] == g]
            assert len(train_g) and len(test_g)
            # every target value a test window predicts is later than every
            # value a training window was fitted to
            assert y[test_g].min() > y[train_g].max()


def test_known_future_covariates_extend_each_window():
    t = np.arange(20.0)
    frame = pd.DataFrame({"sales": t, "promo": 1000 + t, "price": 2000 + t})
    X, y = make_windows(frame, 4, horizon=2, target="sales", known_future="promo")
    assert X.shape == (15, 6, 4)  # 4 past + 2 future steps; 3 columns + flag
    np.testing.assert_array_equal(X[0, :4, :3], frame.to_numpy()[:4])
    np.testing.assert_array_equal(X[0, 4:, 1], [1004, 1005])  # promo ahead
    np.testing.assert_array_equal(X[0, 4:, [0, 2]], 0.0)  # unknown ahead
    np.testing.assert_array_equal(X[0, :, 3], [0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(y[0], [4, 5])
    with pytest.raises(ValueError, match="cannot hold a target"):
        make_windows(frame, 4, horizon=2, target="sales", known_future="sales")


# ------------------------------------------------------ prediction intervals


def simulated_series(n, seed=0):
    """A seasonal level with AR(1) noise."""
    rng = np.random.RandomState(seed)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.5 * noise[i - 1] + rng.normal()
    t = np.arange(n)
    return 10 + 3 * np.sin(2 * np.pi * t / 12) + noise


@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_conformal_intervals_cover_as_promised(strategy):
    """Nominal 90%: the share of later values inside their intervals, over
    every origin of a test segment the model and calibration never saw."""
    series = simulated_series(1100)
    model = ConformalForecaster(
        RNNRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0),
        window=12,
        horizon=3,
        strategy=strategy,
        calibration_size=200,
    ).fit(series[:520])
    assert model.radius_.shape == (3, 1) and model.n_calibration_ == 200
    inside = []
    for origin in range(520, 1100 - 3 + 1):
        frame = model.forecast(series[:origin])
        actual = series[origin : origin + 3]
        inside.extend((frame["lower"] <= actual) & (actual <= frame["upper"]))
    assert 0.85 <= np.mean(inside) <= 0.95


def test_conformal_forecast_frame_is_on_the_forecast_index():
    months = pd.date_range("2000-01-01", periods=120, freq="MS")
    history = pd.Series(simulated_series(120), index=months, name="y")
    model = ConformalForecaster(
        RNNRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
        window=12,
        horizon=2,
        calibration_size=20,
    ).fit(history)
    frame = model.forecast(history)
    assert list(frame.columns) == ["forecast", "lower", "upper"]
    assert list(frame.index) == list(pd.date_range("2010-01-01", periods=2, freq="MS"))
    np.testing.assert_allclose(frame["upper"] - frame["forecast"], model.radius_[:, 0])
    with pytest.raises(ValueError, match="needs at least 9"):
        ConformalForecaster(RNNRegressor(), window=3, calibration_size=5).fit(history)


def test_integrated_intervals_bound_the_change_since_the_origin():
    """On a random walk's steps, integrate=True forecasts the running sum of
    the steps, and its band widens with the horizon as errors add up."""
    steps = np.random.RandomState(0).normal(size=400)
    flat = make_pipeline(FunctionTransformer(lambda X: X[:, :, 0]), Ridge())
    plain = ConformalForecaster(flat, window=5, horizon=6, calibration_size=100)
    summed = clone(plain).set_params(integrate=True)
    plain.fit(steps)
    summed.fit(steps)
    np.testing.assert_allclose(
        summed.forecast(steps)["forecast"], np.cumsum(plain.forecast(steps)["forecast"])
    )
    assert summed.radius_[-1, 0] > 1.5 * summed.radius_[0, 0]
    assert plain.radius_[-1, 0] < 1.5 * plain.radius_[0, 0]


class _LastValue:
    def predict(self, X):
        return X[:, -1, 0]


@pytest.mark.parametrize(
    "future_exog, message",
    [
        ([[1.0, 2.0, 3.0]], r"future_exog has shape \(1, 3\)"),
        ([[np.nan], [1.0]], "step 1"),
    ],
    ids=["shape", "nan"],
)
def test_recursive_forecast_checks_future_exog(future_exog, message):
    history = np.c_[np.arange(10.0), np.arange(10.0)]
    with pytest.raises(ValueError, match=message):
        recursive_forecast(
            _LastValue(), history, 2, window=3, target=0, future_exog=future_exog
        )


def test_reverse_steps_pandas_output():
    lags = np.arange(6.0).reshape(2, 3)
    out = ReverseSteps().set_output(transform="pandas").fit_transform(lags)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["x2", "x1", "x0"]
    np.testing.assert_array_equal(out.to_numpy(), lags[:, ::-1])


# ------------------------------------------------ arguments and alignment

FLAT = make_pipeline(FunctionTransformer(lambda X: X.reshape(len(X), -1)), Ridge())
TWO = pd.DataFrame({"x": np.sin(np.arange(120.0)), "y": np.cos(np.arange(120.0))})


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: make_windows(np.arange(9.0), window=True), ValueError, "'window'"),
        (lambda: make_windows(np.arange(9.0), 2, horizon=-1), ValueError, "'horizon'"),
        (lambda: make_windows(np.arange(9.0), 2, step=1.5), ValueError, "'step'"),
        (
            lambda: make_windows(np.ones((5, 2)), 2, target=1.5),
            ValueError,
            "'target' parameter",
        ),
        (
            lambda: make_windows(np.ones((5, 2)), 2, target="x"),
            ValueError,
            r"target \['x'\] must be column positions",
        ),
        (
            lambda: make_windows(np.ones((5, 2)), 2, known_future="x"),
            ValueError,
            r"known_future \['x'\] must be column positions",
        ),
        (
            lambda: make_windows(pd.Series(list("abcdefgh")), 2),
            ValueError,
            "column 0 holds .* values, not numbers",
        ),
        (
            lambda: make_windows(np.array(list("abcdefgh")), 2),
            ValueError,
            "series must hold numbers",
        ),
        (
            lambda: recursive_forecast(_LastValue(), np.arange(9.0), 2, window=0),
            ValueError,
            "'window' parameter of recursive_forecast",
        ),
        (
            lambda: recursive_forecast(_LastValue(), np.arange(9.0), 2.5, window=2),
            ValueError,
            "'horizon' parameter of recursive_forecast",
        ),
        (
            lambda: recursive_forecast(object(), np.arange(9.0), 2, window=2),
            ValueError,
            "'estimator' parameter",
        ),
        (lambda: window_split(1), ValueError, "'n_splits' parameter"),
        (lambda: forecast_index(pd.RangeIndex(5), 0), ValueError, "'horizon'"),
    ],
    ids=lambda v: "" if callable(v) or isinstance(v, type) else v,
)
def test_forecasting_arguments_are_checked_before_any_work(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_many_series_are_aligned_by_column_name():
    a = pd.DataFrame({"x": np.arange(10.0), "y": 10 * np.arange(10.0)})
    X, y = make_windows([a, a[["y", "x"]]], window=3, target="x")
    half = len(X) // 2
    np.testing.assert_array_equal(X[:half], X[half:])
    np.testing.assert_array_equal(y[:half], y[half:])
    with pytest.raises(ValueError, match=r"In series 1: .*\['x', 'z'\].*\['x', 'y'\]"):
        make_windows([a, a.rename(columns={"y": "z"})], window=3)


def test_conformal_forecast_matches_history_columns_by_name():
    model = ConformalForecaster(FLAT, window=3, horizon=2, calibration_size=20)
    model.fit(TWO)
    assert list(model.feature_names_in_) == ["x", "y"]
    pd.testing.assert_frame_equal(
        model.forecast(TWO), model.forecast(TWO[["y", "x"]]), check_exact=True
    )
    with pytest.raises(ValueError, match=r"history has the columns \['x', 'z'\]"):
        model.forecast(TWO.rename(columns={"y": "z"}))


def test_recursive_forecast_matches_columns_by_name():
    X, y = make_windows(TWO, window=3, target="x")
    model = clone(FLAT).fit(X, y)
    future = pd.DataFrame({"y": np.cos(np.arange(120.0, 124.0))})
    expected = recursive_forecast(
        model, TWO, 4, window=3, target="x", future_exog=future
    )
    reordered = recursive_forecast(
        model,
        TWO[["y", "x"]],
        4,
        window=3,
        target="x",
        future_exog=future,
        columns=["x", "y"],
    )
    pd.testing.assert_series_equal(expected, reordered)
    # without the training order, a reordered history is read as given
    assert not np.allclose(
        recursive_forecast(
            model, TWO[["y", "x"]], 4, window=3, target="x", future_exog=future
        ),
        expected,
    )
    three = TWO.assign(z=1.0)
    model = clone(FLAT).fit(*make_windows(three, window=3, target="x"))
    plan = pd.DataFrame({"z": np.ones(4), "y": np.zeros(4)})  # by name: y, z
    np.testing.assert_allclose(
        recursive_forecast(model, three, 4, window=3, target="x", future_exog=plan),
        recursive_forecast(
            model, three, 4, window=3, target="x", future_exog=plan[["y", "z"]]
        ),
    )
    with pytest.raises(ValueError, match=r"future_exog has the columns \['z', 'w'\]"):
        recursive_forecast(
            model,
            three,
            4,
            window=3,
            target="x",
            future_exog=plan.rename(columns={"y": "w"}),
        )


@pytest.mark.parametrize("n_times", [40, 43])
def test_a_calibration_tail_the_series_cannot_hold_is_refused(n_times):
    """30 origins, horizon 2, window 3: 3 + 2 + 2 + 30 - 1 = 36 rows at least
    with the direct strategy; a fraction of the series above that wrapped
    around the start of the series before."""
    series = np.sin(np.arange(float(n_times)))
    model = ConformalForecaster(FLAT, window=3, horizon=2, calibration_size=30)
    model.fit(series)  # 36 rows suffice
    assert model.n_calibration_ == 30
    too_many = clone(model).set_params(calibration_size=n_times - 4)
    needed = 3 + 2 + 2 + (n_times - 4) - 1
    with pytest.raises(ValueError, match=f"needs at least {needed} rows"):
        too_many.fit(series)
    with pytest.raises(ValueError, match="needs at least"):
        clone(model).set_params(calibration_size=0.99).fit(series)


# --------------------------------------------- intervals on moving series


def trending_series(n, seed):
    """A trend that leaves the range of the training values, a season and
    autocorrelated noise."""
    rng = np.random.RandomState(seed)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.5 * noise[i - 1] + rng.normal()
    t = np.arange(n)
    return 0.05 * t + 3 * np.sin(2 * np.pi * t / 12) + noise


def drifting_series(n, seed):
    """A season under noise whose scale grows 4.5 times over the series."""
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    return 3 * np.sin(2 * np.pi * t / 12) + np.exp(1.5 * t / n) * rng.normal(size=n)


#: Nearest neighbours cannot forecast beyond the values they trained on: on a
#: trending series, a model that has not seen the recent past fails as a
#: recurrent network on scaled inputs does, at a fraction of the cost.
NEIGHBOURS = make_pipeline(
    FunctionTransformer(lambda X: X.reshape(len(X), -1)),
    KNeighborsRegressor(5),
)


def held_out_coverage(make, n_seeds=30, n=400, horizon=6, **params):
    """Coverage and mean width over the 6 origins after the end of each of
    ``n_seeds`` simulated series, for a 90% band."""
    inside, widths = [], []
    for seed in range(n_seeds):
        series = make(n + 2 * horizon, seed)
        model = ConformalForecaster(
            NEIGHBOURS, window=24, horizon=horizon, calibration_size=100, **params
        ).fit(series[:n])
        for origin in range(n, n + horizon):
            frame = model.forecast(series[:origin])
            actual = series[origin : origin + horizon]
            inside.extend((frame["lower"] <= actual) & (actual <= frame["upper"]))
            widths.append(np.mean(frame["upper"] - frame["lower"]))
    return np.mean(inside), np.mean(widths)


def test_a_trending_series_keeps_its_coverage_with_refits():
    """The model fitted before the calibration tail forecasts a level it
    never saw (coverage about half); the model refitted on the whole series
    covers, conservatively; calibration refitted every 10 origins gives
    errors like the final model's, and a band about half as wide."""
    stale, _ = held_out_coverage(trending_series, refit=False)
    refitted, wide = held_out_coverage(trending_series)
    rolling, narrow = held_out_coverage(trending_series, refit_every=10)
    assert stale < 0.6
    assert refitted >= 0.9
    assert 0.85 <= rolling <= 0.95
    assert narrow < 0.7 * wide


def test_adaptive_calibration_follows_a_drifting_error_scale():
    """Split conformal pools errors from quieter times and undercovers as the
    noise grows; adaptive conformal inference widens the band after its
    misses and covers more."""
    split, split_width = held_out_coverage(drifting_series)
    adaptive, adaptive_width = held_out_coverage(drifting_series, adaptation_rate=0.05)
    assert split < 0.82
    assert adaptive >= split + 0.03
    assert adaptive_width > split_width


def test_refits_and_adaptation_are_counted_and_checked():
    series = trending_series(300, 0)
    model = ConformalForecaster(
        NEIGHBOURS, window=12, horizon=3, calibration_size=25, refit_every=10
    ).fit(series)
    assert model.n_fits_ == 3 + 1  # origins 0-9, 10-19, 20-24; the final fit
    assert model.calibration_errors_.shape == (25, 3, 1)
    assert clone(model).set_params(refit=False).fit(series).n_fits_ == 3
    with pytest.raises(ValueError, match="'adaptation_rate' parameter"):
        clone(model).set_params(adaptation_rate=1.5).fit(series)
    with pytest.raises(ValueError, match="'refit_every' parameter"):
        clone(model).set_params(refit_every=0).fit(series)


def test_many_series_calibrate_pooled_or_per_series():
    """One model on the windows of all series; each series calibrated on its
    own tail; one radius for all, or one per series that follows its scale."""
    quiet = trending_series(300, 0)
    loud = 3 * trending_series(260, 1)  # another length, three times the noise
    params = {"window": 12, "horizon": 3, "calibration_size": 30}
    pooled = ConformalForecaster(NEIGHBOURS, **params).fit([quiet, loud])
    assert pooled.series_ids_ == [0, 1] and pooled.radius_.shape == (3, 1)
    assert pooled.n_calibration_ == 60 and pooled.n_fits_ == 2
    own = ConformalForecaster(NEIGHBOURS, calibrate="per_series", **params)
    own.fit([quiet, loud])
    assert own.radius_.shape == (2, 3, 1)
    assert (own.radius_[1] > 1.5 * own.radius_[0]).all()
    frame = own.forecast(loud, series_id=1)
    np.testing.assert_allclose(frame["upper"] - frame["forecast"], own.radius_[1, :, 0])
    with pytest.raises(ValueError, match="series_id=None is not one of the series"):
        own.forecast(loud)
    # a long frame gives the same as the list, its ids as series ids
    long = pd.concat(
        {"a": pd.Series(quiet), "b": pd.Series(loud)}, names=["store", "day"]
    )
    by_frame = clone(own).fit(long)
    assert by_frame.series_ids_ == ["a", "b"]
    np.testing.assert_allclose(by_frame.radius_, own.radius_)
    # refits in blocks of origins across the series, and per-series errors named
    rolling = clone(pooled).set_params(refit_every=10).fit([quiet, loud])
    assert rolling.n_fits_ == 3 + 1
    with pytest.raises(ValueError, match="The series 1 has 40 rows"):
        clone(pooled).fit([quiet, loud[:40]])
    with pytest.raises(ValueError, match="calibrate='per_series'"):
        clone(pooled).set_params(adaptation_rate=0.05).fit([quiet, loud])
