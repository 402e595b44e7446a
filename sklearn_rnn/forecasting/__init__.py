"""Forecasting: windows from one series or many, splits without leakage,
multi-step forecasts and their prediction intervals."""

from sklearn_rnn.forecasting._forecast import forecast_index, recursive_forecast
from sklearn_rnn.forecasting._intervals import ConformalForecaster
from sklearn_rnn.forecasting._lags import ReverseSteps
from sklearn_rnn.forecasting._windows import WindowSplit, make_windows, window_split

__all__ = [
    "ConformalForecaster",
    "ReverseSteps",
    "WindowSplit",
    "forecast_index",
    "make_windows",
    "recursive_forecast",
    "window_split",
]
