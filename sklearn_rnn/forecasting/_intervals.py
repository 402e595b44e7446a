"""Prediction intervals for forecasts by split conformal calibration."""

import math
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._param_validation import Count
from sklearn_rnn.forecasting._forecast import forecast_index, recursive_forecast
from sklearn_rnn.forecasting._windows import _as_table, make_windows


class ConformalForecaster(BaseEstimator):
    """Forecasts with prediction intervals calibrated on the series' own tail.

    Split conformal prediction for time series: the model is fitted on the
    series up to a calibration tail, then forecasts from every origin of the
    tail; the absolute errors of those forecasts, for each horizon step and
    target, give the interval's half-width. Nothing of the tail is trained
    on, and a forecast's targets never reach into the training part.

    Parameters
    ----------
    estimator : regressor
        An unfitted regressor of windows, e.g. :class:`~sklearn_rnn.RNNRegressor`
        (cloned before fitting).
    window : int
        Steps of history in each input window.
    horizon : int, default=1
        Steps to forecast.
    strategy : {"direct", "recursive"}, default="direct"
        ``"direct"`` fits one multi-output model on
        ``make_windows(series, window, horizon)``; ``"recursive"`` fits a
        one-step model and feeds it its own forecasts
        (:func:`recursive_forecast`; no exogenous columns).
    coverage : float, default=0.9
        Share of future values the intervals should hold, in (0, 1).
    calibration_size : int or float, default=0.2
        Forecast origins in the calibration tail: a number, or a share of the
        series' rows. It needs at least ``coverage / (1 - coverage)``
        origins (9 for 90%) for finite intervals.
    target : column name, index, or list of them, default=None
        As in :func:`make_windows`.
    integrate : bool, default=False
        For a series of differences (changes, log-returns, growth rates):
        forecast, calibrate and bound their running sum over the horizon,
        that is the change of the underlying quantity since the forecast
        origin, whose errors add up step after step.

    Attributes
    ----------
    estimator_ : regressor
        The model fitted on the series before the calibration tail.
    radius_ : ndarray of shape (horizon, n_targets)
        Half-width of the intervals at each horizon step for each target:
        the ``ceil((n + 1) * coverage)``-th smallest of the ``n`` calibration
        errors.
    n_calibration_ : int
        Forecast origins the radius was calibrated on.
    n_features_in_ : int
        Columns of the series.
    feature_names_in_ : ndarray of str
        The series' column names, when it was a DataFrame (or a named
        Series). ``forecast`` matches a DataFrame history's columns to them
        by name, and refuses other names.

    Notes
    -----
    The guarantee of split conformal prediction (coverage at least
    ``coverage`` on average) assumes the errors of the tail are exchangeable
    with future ones; for a series whose behaviour drifts, coverage near the
    nominal level holds only while the recent past resembles the future.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sklearn_rnn.forecasting import ConformalForecaster
    >>> t = np.arange(200.0)
    >>> series = np.sin(t / 5) + np.random.RandomState(0).normal(0, 0.1, 200)
    >>> flat = make_pipeline(FunctionTransformer(lambda X: X[:, :, 0]), Ridge())
    >>> model = ConformalForecaster(flat, window=10, horizon=3).fit(series)
    >>> model.forecast(series).columns.tolist()
    ['forecast', 'lower', 'upper']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "window": [Count(1)],
        "horizon": [Count(1)],
        "strategy": [StrOptions({"direct", "recursive"})],
        "coverage": [Interval(Real, 0, 1, closed="neither")],
        "calibration_size": [
            Count(1),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "target": "no_validation",
        "integrate": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        *,
        window,
        horizon=1,
        strategy="direct",
        coverage=0.9,
        calibration_size=0.2,
        target=None,
        integrate=False,
    ):
        self.estimator = estimator
        self.window = window
        self.horizon = horizon
        self.strategy = strategy
        self.coverage = coverage
        self.calibration_size = calibration_size
        self.target = target
        self.integrate = integrate

    def fit(self, series, y=None):
        """Fit on the series before its tail, and calibrate on the tail.

        Parameters
        ----------
        series : array-like of shape (n_times,) or (n_times, n_variables), \
                Series or DataFrame
            Rows in time order.
        y : None
            Ignored.

        Returns
        -------
        self : ConformalForecaster
        """
        self._validate_params()
        values, target_idx, names = _as_table(series, self.target)
        n_times = values.shape[0]
        n_cal = self.calibration_size
        if isinstance(n_cal, Real) and not isinstance(n_cal, Integral):
            n_cal = int(math.ceil(n_cal * n_times))
        # the fewest origins n with ceil((n + 1) * coverage) <= n
        needed = math.ceil(self.coverage / (1 - self.coverage) - 1e-9)
        if n_cal < needed:
            raise ValueError(
                f"calibration_size gives {n_cal} forecast origins; coverage="
                f"{self.coverage} needs at least {needed} for finite intervals."
            )
        if self.strategy == "recursive" and len(target_idx) < values.shape[1]:
            raise ValueError(
                "strategy='recursive' forecasts every column, but the series has "
                "exogenous columns; use strategy='direct'."
            )
        # origins o: history rows [:o], forecast rows [o, o + horizon); the
        # model trains on rows [:first], so no origin's targets reach them,
        # and the first origin needs one training window before it
        first = n_times - self.horizon - n_cal + 1
        step_horizon = self.horizon if self.strategy == "direct" else 1
        needed_rows = self.window + step_horizon + self.horizon + n_cal - 1
        if n_times < needed_rows:
            raise ValueError(
                f"The series has {n_times} rows, but a calibration tail of {n_cal} "
                f"forecast origins with horizon={self.horizon}, after at least one "
                f"training window of window={self.window} steps and its "
                f"{step_horizon}-step target, needs at least {needed_rows} rows. "
                "Give a longer series, or a smaller calibration_size or window."
            )
        X, Y = make_windows(
            values[:first], self.window, step_horizon, target=target_idx
        )
        model = clone(self.estimator).fit(X, Y)
        origins = np.arange(first, first + n_cal)
        predicted = self._forecast_from(model, values, target_idx, origins)
        actual = values[origins[:, None] + np.arange(self.horizon)][:, :, target_idx]
        if self.integrate:
            actual = np.cumsum(actual, axis=1)
        errors = np.sort(np.abs(actual - predicted), axis=0)
        rank = math.ceil((n_cal + 1) * self.coverage - 1e-9)
        self.estimator_ = model
        self.radius_ = errors[rank - 1]
        self.n_calibration_ = n_cal
        self.n_features_in_ = values.shape[1]
        if names is not None:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._target_idx = target_idx
        return self

    def _forecast_from(self, model, values, target_idx, origins):
        """Forecasts (n_origins, horizon, n_targets) from each origin (their
        running sums with ``integrate``)."""
        if self.strategy == "direct":
            windows = values[origins[:, None] - self.window + np.arange(self.window)]
            forecasts = model.predict(windows).reshape(len(origins), self.horizon, -1)
        else:
            forecasts = self._recursive(model, values, origins)
        return np.cumsum(forecasts, axis=1) if self.integrate else forecasts

    def _recursive(self, model, values, origins):
        return np.stack(
            [
                np.reshape(
                    recursive_forecast(
                        model,
                        values[o - self.window : o],
                        self.horizon,
                        window=self.window,
                    ),
                    (self.horizon, -1),
                )
                for o in origins
            ]
        )

    def forecast(self, history):
        """Forecast the ``horizon`` steps after ``history``, with intervals.

        Parameters
        ----------
        history : array-like, Series or DataFrame
            The series up to the forecast origin, with the columns of fit; at
            least ``window`` rows.

        Returns
        -------
        forecast : DataFrame of shape (horizon, 3 * n_targets)
            Columns ``forecast``, ``lower``, ``upper`` for one target;
            ``{name}``, ``{name}_lower``, ``{name}_upper`` for each of
            several. Indexed by :func:`forecast_index` when ``history`` is
            pandas, else by the steps ahead, 1 to ``horizon``.
        """
        check_is_fitted(self, "radius_")
        values, _, names = _as_table(
            history,
            self.target,
            columns=getattr(self, "feature_names_in_", None),
            what="history",
        )
        if values.shape[1] != self.n_features_in_ or values.shape[0] < self.window:
            raise ValueError(
                f"history needs at least window={self.window} rows of the "
                f"{self.n_features_in_} column(s) seen in fit, got shape "
                f"{values.shape}."
            )
        origin = np.array([values.shape[0]])
        point = self._forecast_from(self.estimator_, values, self._target_idx, origin)[
            0
        ]
        lower, upper = point - self.radius_, point + self.radius_
        if isinstance(history, pd.Series | pd.DataFrame):
            index = forecast_index(history.index, self.horizon)
        else:
            index = pd.RangeIndex(1, self.horizon + 1, name="steps_ahead")
        if point.shape[1] == 1:
            columns = {
                "forecast": point[:, 0],
                "lower": lower[:, 0],
                "upper": upper[:, 0],
            }
            return pd.DataFrame(columns, index=index)
        names = (
            [names[k] for k in self._target_idx]
            if names is not None
            else [str(k) for k in self._target_idx]
        )
        columns = {}
        for k, name in enumerate(names):
            columns[name] = point[:, k]
            columns[f"{name}_lower"] = lower[:, k]
            columns[f"{name}_upper"] = upper[:, k]
        return pd.DataFrame(columns, index=index)
