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
from sklearn_rnn.forecasting._windows import (
    _as_table,
    _many_series,
    first_columns,
    make_windows,
)


class ConformalForecaster(BaseEstimator):
    """Forecasts with prediction intervals calibrated on the series' own tail.

    Conformal prediction for time series, in three steps:

    1. **Calibration forecasts.** Forecast from every origin of a calibration
       tail with models that never trained on what they forecast: one model
       fitted on the series before the tail (split conformal), or, with
       ``refit_every=k``, a model refitted every ``k`` origins on the series
       up to its first origin (backtesting with refits), so that the errors
       are those of a model that has seen the recent past, as the final
       model has.
    2. **Radius.** The absolute errors of those forecasts, for each horizon
       step and target, give the interval's half-width: their
       ``ceil((n + 1) * coverage)``-th smallest of ``n``, or with
       ``adaptation_rate`` the quantile that adaptive conformal inference
       reaches after running over the origins in time order, for series
       whose error scale drifts.
    3. **Final model.** With ``refit=True`` (the default) a clone is fitted
       on the whole series, and forecasts come from it: on a trending
       series the model fitted before the tail would forecast from a level
       it never saw. The calibration models saw less than it, so their
       errors make a conservative radius.

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
    refit : bool, default=True
        Forecast with a clone fitted on the whole series after calibration.
        False forecasts with the model fitted before the calibration tail
        (one fit fewer).
    refit_every : int or None, default=None
        Refit the calibration model every ``refit_every`` origins of the
        tail, each time on the series up to the next origin. None fits it
        once, before the tail. The cost is ``ceil(n_calibration /
        refit_every)`` fits instead of one.
    adaptation_rate : float or None, default=None
        Adaptive conformal inference (Gibbs and Candes, 2021): run over the
        calibration origins in time order, and after each one move the
        miscoverage level by ``adaptation_rate * (1 - coverage - missed)``,
        where ``missed`` is 1 when the actual value fell outside the
        interval the errors known at that origin gave; the radius is the
        quantile at the level reached. Wider after misses, narrower after
        hits, so the band follows an error scale that drifts. Typical rates
        are 0.005 to 0.05. None gives split conformal's fixed rank.
    calibrate : {"pooled", "per_series"}, default="pooled"
        With several series: one radius from the calibration errors of all
        of them (more errors, one width), or one radius per series from its
        own (a width that follows each series' scale; each series then needs
        enough origins on its own). ``forecast`` takes the ``series_id``.

    Attributes
    ----------
    estimator_ : regressor
        The model forecasts come from: fitted on the whole series with
        ``refit=True``, else on the series before the calibration tail.
    radius_ : ndarray of shape (horizon, n_targets), or (n_series, horizon, \
            n_targets) with ``calibrate="per_series"``
        Half-width of the intervals at each horizon step for each target.
    calibration_errors_ : ndarray of shape (n_calibration, horizon, n_targets)
        Absolute errors of the calibration forecasts, origins in time order,
        series after series.
    n_calibration_ : int
        Forecast origins the radius was calibrated on, over all series.
    series_ids_ : list or None
        The ids of the series of fit (positions in a list, or ids of a long
        frame); None for one series.
    n_fits_ : int
        Models fitted: calibration models, and the final model.
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
        "refit": ["boolean"],
        "refit_every": [Count(1), None],
        "adaptation_rate": [Interval(Real, 0, 1, closed="neither"), None],
        "calibrate": [StrOptions({"pooled", "per_series"})],
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
        refit=True,
        refit_every=None,
        adaptation_rate=None,
        calibrate="pooled",
    ):
        self.estimator = estimator
        self.window = window
        self.horizon = horizon
        self.strategy = strategy
        self.coverage = coverage
        self.calibration_size = calibration_size
        self.target = target
        self.integrate = integrate
        self.refit = refit
        self.refit_every = refit_every
        self.adaptation_rate = adaptation_rate
        self.calibrate = calibrate

    def fit(self, series, y=None):
        """Calibrate on the series' tail, then fit the forecasting model.

        Parameters
        ----------
        series : array-like of shape (n_times,) or (n_times, n_variables), \
                Series or DataFrame, or several of them
            Rows in time order. Several series (a list of them, or a long
            frame with a ``(series id, time)`` MultiIndex, as
            :func:`make_windows` takes them) train one model on the windows
            of all; each is calibrated on its own tail, and ``calibrate``
            chooses one radius for all or one per series.
        y : None
            Ignored.

        Returns
        -------
        self : ConformalForecaster
        """
        self._validate_params()
        many = _many_series(series)
        ids, parts = many if many is not None else ([None], [series])
        if self.adaptation_rate is not None and self.calibrate == "pooled" and many:
            raise ValueError(
                "adaptation_rate follows the errors of one series in time order; "
                "with several series use calibrate='per_series'."
            )
        columns = first_columns(parts)
        tables, tails = [], []
        for series_id, part in zip(ids, parts, strict=True):
            where = "series" if series_id is None else f"series {series_id!r}"
            values, target_idx, names = _as_table(
                part, self.target, columns=columns, what=where
            )
            tables.append(values)
            tails.append(self._calibration_origins(values, target_idx, where))
        # calibration forecasts: block b of every series' origins is forecast
        # by a model trained on each series up to its block's first origin
        every = max(map(len, tails)) if self.refit_every is None else self.refit_every
        blocks = [np.split(t, np.arange(every, len(t), every)) for t in tails]
        errors = [[] for _ in tables]
        models = []
        for b in range(max(map(len, blocks))):
            members = [k for k in range(len(tables)) if b < len(blocks[k])]
            models.append(
                self._fit_model(
                    [tables[k][: blocks[k][b][0]] for k in members], target_idx
                )
            )
            for k in members:
                errors[k].append(
                    self._errors(models[-1], tables[k], target_idx, blocks[k][b])
                )
        errors = [np.concatenate(e) for e in errors]
        if self.calibrate == "pooled":
            radius = self._radius(np.concatenate(errors))
        else:
            radius = np.stack([self._radius(e) for e in errors])
        self.estimator_ = (
            self._fit_model(tables, target_idx) if self.refit else models[0]
        )
        self.radius_ = radius
        self.calibration_errors_ = np.concatenate(errors)
        self.n_calibration_ = len(self.calibration_errors_)
        self.n_fits_ = len(models) + bool(self.refit)
        self.n_features_in_ = tables[0].shape[1]
        if names is not None:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.series_ids_ = None if many is None else list(ids)
        self._target_idx = target_idx
        return self

    def _calibration_origins(self, values, target_idx, where):
        """The calibration origins of one series (its last ``calibration_size``
        from which a whole horizon is observed), after checking that it can
        hold them with a training window before."""
        n_times = values.shape[0]
        n_cal = self.calibration_size
        if isinstance(n_cal, Real) and not isinstance(n_cal, Integral):
            n_cal = int(math.ceil(n_cal * n_times))
        # the fewest origins n with ceil((n + 1) * coverage) <= n
        needed = math.ceil(self.coverage / (1 - self.coverage) - 1e-9)
        if n_cal < needed:
            raise ValueError(
                f"calibration_size gives {n_cal} forecast origins in the {where}; "
                f"coverage={self.coverage} needs at least {needed} for finite "
                "intervals."
            )
        if self.strategy == "recursive" and len(target_idx) < values.shape[1]:
            raise ValueError(
                "strategy='recursive' forecasts every column, but the series has "
                "exogenous columns; use strategy='direct'."
            )
        # origins o: history rows [:o], forecast rows [o, o + horizon); each
        # calibration model trains on rows before its first origin, so no
        # origin's targets reach them, and the first origin needs one
        # training window before it
        first = n_times - self.horizon - n_cal + 1
        step_horizon = self.horizon if self.strategy == "direct" else 1
        needed_rows = self.window + step_horizon + self.horizon + n_cal - 1
        if n_times < needed_rows:
            raise ValueError(
                f"The {where} has {n_times} rows, but a calibration tail of {n_cal} "
                f"forecast origins with horizon={self.horizon}, after at least one "
                f"training window of window={self.window} steps and its "
                f"{step_horizon}-step target, needs at least {needed_rows} rows. "
                "Give a longer series, or a smaller calibration_size or window."
            )
        return np.arange(first, first + n_cal)

    def _errors(self, model, values, target_idx, origins):
        """Absolute errors (n_origins, horizon, n_targets) of the forecasts
        from ``origins`` (of their running sums with ``integrate``)."""
        predicted = self._forecast_from(model, values, target_idx, origins)
        actual = values[origins[:, None] + np.arange(self.horizon)][:, :, target_idx]
        if self.integrate:
            actual = np.cumsum(actual, axis=1)
        return np.abs(actual - predicted)

    def _radius(self, errors):
        """The half-width of each horizon step and target from calibration
        errors in time order."""
        if self.adaptation_rate is None:
            return conformal_quantile(errors, self.coverage)
        return self._adaptive_radius(errors)

    def _fit_model(self, tables, target_idx):
        """A clone of the estimator fitted on the windows of every table
        (the rows of one series each)."""
        step_horizon = self.horizon if self.strategy == "direct" else 1
        X, Y = make_windows(
            tables if len(tables) > 1 else tables[0],
            self.window,
            step_horizon,
            target=target_idx,
        )
        return clone(self.estimator).fit(X, Y)

    def _radius_of(self, series_id):
        """The radius for a forecast of the series ``series_id``."""
        if self.radius_.ndim == 2:  # one radius for every series
            return self.radius_
        if series_id not in self.series_ids_:
            raise ValueError(
                f"series_id={series_id!r} is not one of the series of fit "
                f"{self.series_ids_}; with calibrate='per_series' each series "
                "has its own radius."
            )
        return self.radius_[self.series_ids_.index(series_id)]

    def _adaptive_radius(self, errors):
        """Adaptive conformal inference over the calibration origins.

        At origin ``i`` the errors of origins ``j <= i - horizon`` are known
        (their whole horizon has been observed); their quantile at level
        ``1 - alpha`` is the radius the origin would have had, and ``alpha``
        (one per horizon step and target) moves by ``rate * (target -
        missed)``. The radius returned is the quantile of all the errors at
        the level reached.
        """
        rate, goal = self.adaptation_rate, 1 - self.coverage
        alpha = np.full(errors.shape[1:], goal)
        for i in range(len(errors)):
            known = errors[: max(i - self.horizon + 1, 0)]
            if len(known) == 0:
                continue
            missed = errors[i] > conformal_quantile(known, 1 - alpha)
            alpha += rate * (goal - missed)
        return conformal_quantile(errors, 1 - alpha)

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

    def forecast(self, history, series_id=None):
        """Forecast the ``horizon`` steps after ``history``, with intervals.

        Parameters
        ----------
        history : array-like, Series or DataFrame
            The series up to the forecast origin, with the columns of fit; at
            least ``window`` rows.
        series_id : hashable, default=None
            Which of the series of fit ``history`` continues (its position in
            a list, or its id in a long frame): needed for its own radius
            with ``calibrate="per_series"``.

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
        radius = self._radius_of(series_id)
        lower, upper = point - radius, point + radius
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


def conformal_quantile(errors, level):
    """The conformal quantile of ``errors`` (n, horizon, n_targets) at a
    ``level`` in [0, 1], one for every horizon step and target or one for
    each: the ``ceil((n + 1) * level)``-th smallest, capped at the largest
    error (split conformal's radius at ``level = coverage``)."""
    n = len(errors)
    level = np.broadcast_to(np.clip(level, 0, 1), errors.shape[1:])
    rank = np.ceil((n + 1) * level - 1e-9).astype(np.intp)
    rank = np.clip(rank, 1, n)
    ordered = np.sort(errors, axis=0)
    return np.take_along_axis(ordered, (rank - 1)[None], axis=0)[0]
