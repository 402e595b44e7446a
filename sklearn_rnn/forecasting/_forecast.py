"""Multi-step forecasts from a fitted one-step model, and their time index."""

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import HasMethods, validate_params

from sklearn_rnn._param_validation import Count
from sklearn_rnn.forecasting._windows import COLUMNS, _aligned, _as_table


@validate_params(
    {"index": ["array-like"], "horizon": [Count(1)]},
    prefer_skip_nested_validation=True,
)
def forecast_index(index, horizon):
    """The time index of the ``horizon`` steps after the end of ``index``.

    Parameters
    ----------
    index : pandas Index, Series or DataFrame
        The history's index: a DatetimeIndex with a frequency (set or
        inferable), a PeriodIndex, or integers at a regular step.
    horizon : int

    Returns
    -------
    future : pandas Index of length ``horizon``

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_rnn.forecasting import forecast_index
    >>> months = pd.date_range("2020-01-01", periods=6, freq="MS")
    >>> list(forecast_index(months, 2).strftime("%Y-%m-%d"))
    ['2020-07-01', '2020-08-01']
    """
    if isinstance(index, pd.Series | pd.DataFrame):
        index = index.index
    if isinstance(index, pd.PeriodIndex):
        return index[-1] + np.arange(1, horizon + 1)
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq is None:
            raise ValueError(
                "The history's DatetimeIndex has no frequency and none can be "
                "inferred; set one, e.g. with series.asfreq('MS')."
            )
        return pd.date_range(index[-1], periods=horizon + 1, freq=freq)[1:]
    if pd.api.types.is_integer_dtype(index.dtype):
        delta = int(index[-1] - index[-2]) if len(index) > 1 else 1
        return pd.Index(index[-1] + delta * np.arange(1, horizon + 1))
    raise ValueError(
        f"Cannot extend an index of type {type(index).__name__}; use a "
        "DatetimeIndex, a PeriodIndex or integers."
    )


@validate_params(
    {
        "estimator": [HasMethods(["predict"])],
        "history": ["array-like"],
        "horizon": [Count(1)],
        "window": [Count(1)],
        "target": COLUMNS,
        "future_exog": ["array-like", None],
        "columns": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def recursive_forecast(
    estimator,
    history,
    horizon,
    *,
    window,
    target=None,
    future_exog=None,
    columns=None,
):
    """Forecast several steps with a one-step model fed its own predictions.

    The recursive multi-step strategy: predict the next value from the last
    ``window`` rows of ``history``, append it as if observed, and repeat
    ``horizon`` times. (The direct strategy needs no helper: fit a
    multi-output :class:`~sklearn_rnn.RNNRegressor` on
    ``make_windows(..., horizon=h)`` and predict the last window.)

    Parameters
    ----------
    estimator : fitted regressor
        Trained on ``make_windows(series, window, horizon=1, target=target)``:
        maps a window of every column to the next value of each target. A
        Pipeline or a TransformedTargetRegressor around an RNNRegressor works.
    history : array-like of shape (n_times,) or (n_times, n_variables), \
            Series or DataFrame
        The series up to the forecast origin, with the columns used in fit;
        at least ``window`` rows.
    horizon : int
        Number of steps to forecast.
    window : int
        Window length the estimator was trained on.
    target : column name, index, or list of them, default=None
        As given to :func:`~sklearn_rnn.forecasting.make_windows`.
    future_exog : array-like of shape (horizon, n_exogenous), default=None
        Values of the exogenous (non-target) columns over the forecast
        horizon, in their column order; required when there are any. A
        DataFrame is matched to ``history``'s exogenous columns by name.
    columns : array-like of str, default=None
        The column names of the series the estimator was trained on, in
        their order then. A DataFrame ``history`` with these names in another
        order is reordered to them, and one with other names refused, so that
        the windows the estimator reads have the columns of its training
        windows (an array of windows, as :func:`make_windows` returns, keeps
        no names for the estimator to check). The estimator's own
        ``feature_names_in_`` serve when it has them.

    Returns
    -------
    forecast : ndarray of shape (horizon,) or (horizon, n_targets), or \
            Series / DataFrame
        pandas, indexed by :func:`forecast_index`, when ``history`` is.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.forecasting import recursive_forecast
    >>> class LastValue:  # a one-step model: tomorrow = today + 1
    ...     def predict(self, X):
    ...         return X[:, -1, 0] + 1
    >>> recursive_forecast(LastValue(), np.arange(5.0), 3, window=2)
    array([5., 6., 7.])
    """
    if columns is None and isinstance(history, pd.DataFrame):
        names_in = getattr(estimator, "feature_names_in_", None)
        # the names of a step's features, when they are the history's columns
        if names_in is not None and len(names_in) == history.shape[1]:
            columns = names_in
    values, target_idx, names = _as_table(
        history, target, columns=columns, what="history"
    )
    if values.shape[0] < window:
        raise ValueError(
            f"history has {values.shape[0]} rows, fewer than window={window}."
        )
    n_columns = values.shape[1]
    exog_idx = np.setdiff1d(np.arange(n_columns), target_idx)
    if len(exog_idx):
        if future_exog is None:
            raise ValueError(
                f"history has {len(exog_idx)} exogenous column(s); pass their "
                f"future values as future_exog, shape ({horizon}, {len(exog_idx)})."
            )
        if isinstance(future_exog, pd.DataFrame) and names is not None:
            exog_names = [names[i] for i in exog_idx]
            future_exog = _aligned(future_exog, exog_names, "future_exog")
        future_exog = np.asarray(future_exog, dtype=np.float64)
        if future_exog.ndim == 1 and len(exog_idx) == 1:
            future_exog = future_exog[:, None]
        expected = (horizon, len(exog_idx))
        if future_exog.shape != expected:
            raise ValueError(
                f"future_exog has shape {future_exog.shape}; it needs one row per "
                f"step of the horizon and one column per exogenous column of "
                f"history, shape {expected}."
            )
        if not np.isfinite(future_exog).all():
            row = int(np.flatnonzero(~np.isfinite(future_exog).all(axis=1))[0])
            raise ValueError(
                f"future_exog has a missing or infinite value at step {row + 1} "
                "of the horizon; every future value must be known."
            )
    inputs = values[-window:].copy()
    forecast = np.empty((horizon, len(target_idx)))
    for h in range(horizon):
        prediction = np.ravel(estimator.predict(inputs[None]))
        if prediction.shape[0] != len(target_idx):
            raise ValueError(
                f"The estimator predicts {prediction.shape[0]} value(s) per "
                f"window, but there are {len(target_idx)} target column(s); "
                "recursive forecasting needs a one-step model (horizon=1)."
            )
        forecast[h] = prediction
        row = np.empty(n_columns)
        row[target_idx] = prediction
        if len(exog_idx):
            row[exog_idx] = future_exog[h]
        inputs = np.vstack([inputs[1:], row])
    if not isinstance(history, pd.Series | pd.DataFrame):
        return forecast[:, 0] if len(target_idx) == 1 else forecast
    index = forecast_index(history.index, horizon)
    if isinstance(history, pd.Series):
        return pd.Series(forecast[:, 0], index=index, name=history.name)
    targets = [names[i] for i in target_idx]
    if len(targets) == 1:
        return pd.Series(forecast[:, 0], index=index, name=targets[0])
    return pd.DataFrame(forecast, index=index, columns=targets)
