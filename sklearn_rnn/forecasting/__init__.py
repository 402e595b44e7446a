"""Forecasting: windows from a series, splits without leakage, multi-step
forecasts."""

from sklearn_rnn.forecasting._forecast import forecast_index, recursive_forecast
from sklearn_rnn.forecasting._lags import ReverseSteps
from sklearn_rnn.forecasting._windows import make_windows, window_split

__all__ = [
    "ReverseSteps",
    "forecast_index",
    "make_windows",
    "recursive_forecast",
    "window_split",
]
