"""Forecasting through sktime and skforecast, as their users write it.

These libraries pin their own versions of pandas, so CI runs this file in a
second environment where they are installed (``.ci/run``); in the main
environment it is skipped. One model per strategy is fitted on a simulated
monthly series of values near 400 (raw scale: the clients pass the series as
it is), then forecasts 12 months from each of 8 later origins without
refitting. The forecasts must be on the series' scale and beat the seasonal
naive forecast (each month as it was a year before) over those 96 months.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNRegressor
from sklearn_rnn.forecasting import ReverseSteps
from sklearn_rnn.preprocessing import SequenceScaler

sktime = pytest.importorskip("sktime")
skforecast = pytest.importorskip("skforecast")

HORIZON = 12
LAGS = 24
N_TRAIN = 180
ORIGINS = N_TRAIN + HORIZON * np.arange(8)


def monthly_series(seed=0, n=N_TRAIN + 8 * HORIZON):
    """Seasonal counts near 400 with independent noise."""
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    values = 400 + 40 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 12, n)
    return pd.Series(values, index=pd.period_range("2000-01", periods=n, freq="M"))


def regressor():
    """What the user guide recommends: inputs scaled in the pipeline, targets
    by the regressor itself."""
    return make_pipeline(
        SequenceScaler(), RNNRegressor(hidden_layer_sizes=(16,), random_state=0)
    )


def check_forecasts(series, forecasts):
    """On the series' scale, and better than seasonal naive over all origins."""
    errors, naive_errors = [], []
    for origin, forecast in zip(ORIGINS, forecasts, strict=True):
        truth = series.to_numpy()[origin : origin + HORIZON]
        naive = series.to_numpy()[origin - 12 : origin - 12 + HORIZON]
        forecast = np.asarray(forecast, dtype=float)
        assert forecast.shape == (HORIZON,)
        assert (forecast > 0.7 * series.min()).all()
        assert (forecast < 1.3 * series.max()).all()
        errors.append(np.abs(forecast - truth) / truth)
        naive_errors.append(np.abs(naive - truth) / truth)
    assert np.mean(errors) < np.mean(naive_errors)
    return np.mean(errors) / np.mean(naive_errors)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_sktime_make_reduction(strategy):
    from sktime.forecasting.compose import make_reduction

    series = monthly_series()
    fh = np.arange(1, HORIZON + 1)
    forecaster = make_reduction(regressor(), window_length=LAGS, strategy=strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster.fit(series[:N_TRAIN], fh=fh)
        forecasts = []
        for origin in ORIGINS:
            forecaster.update(series[:origin], update_params=False)
            forecasts.append(forecaster.predict(fh))
    check_forecasts(series, forecasts)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_skforecast_forecasters(strategy):
    from skforecast.direct import ForecasterDirect
    from skforecast.recursive import ForecasterRecursive

    series = monthly_series().reset_index(drop=True)
    # skforecast passes lag_1 (the most recent value) first
    model = make_pipeline(ReverseSteps(), regressor())
    if strategy == "recursive":
        forecaster = ForecasterRecursive(model, lags=LAGS)
    else:
        forecaster = ForecasterDirect(model, steps=HORIZON, lags=LAGS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster.fit(series[:N_TRAIN])
        forecasts = [
            forecaster.predict(
                steps=HORIZON, last_window=series[origin - LAGS : origin]
            )
            for origin in ORIGINS
        ]
    check_forecasts(series, forecasts)
