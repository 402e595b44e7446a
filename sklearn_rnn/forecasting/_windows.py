"""Sliding windows over a series, and splits of windows that do not leak."""

import numpy as np
import pandas as pd
from sklearn.model_selection import TimeSeriesSplit


def _as_table(series, target):
    """The series as a float table (n_times, n_columns) and the target columns.

    Returns
    -------
    values : ndarray of shape (n_times, n_columns)
    target_idx : ndarray of int
        Columns of ``values`` that are targets.
    """
    if isinstance(series, pd.Series):
        series = series.to_frame()
    if isinstance(series, pd.DataFrame):
        columns = list(series.columns)
        if target is None:
            target_idx = list(range(len(columns)))
        else:
            names = [target] if np.ndim(target) == 0 else list(target)
            missing = [n for n in names if n not in columns]
            if missing:
                raise ValueError(f"target {missing} not among the columns {columns}.")
            target_idx = [columns.index(n) for n in names]
        values = series.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(series, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(
                "series must be 1D (one variable) or 2D (n_times, n_variables), "
                f"got an array of shape {values.shape}."
            )
        if target is None:
            target_idx = list(range(values.shape[1]))
        else:
            target_idx = [target] if np.ndim(target) == 0 else list(target)
            bad = [t for t in target_idx if not 0 <= int(t) < values.shape[1]]
            if bad:
                raise ValueError(
                    f"target columns {bad} out of range for a series with "
                    f"{values.shape[1]} columns."
                )
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
        raise ValueError(
            f"series has a missing or infinite value at row {row}; fill or "
            "drop it before making windows."
        )
    return values, np.asarray(target_idx, dtype=np.intp)


def make_windows(series, window, horizon=1, step=1, *, target=None):
    """Cut a series into input windows and the values that follow them.

    Window ``i`` holds the rows ``[i * step, i * step + window)`` of the series
    (every column: past values of the targets and the exogenous variables),
    and its target is the next ``horizon`` values of the target columns, rows
    ``[i * step + window, i * step + window + horizon)``. Windows are in time
    order, so splitting them with :func:`window_split` keeps the future out of
    training.

    Parameters
    ----------
    series : array-like of shape (n_times,) or (n_times, n_variables), Series \
            or DataFrame
        One variable or several, rows in time order.
    window : int
        Steps in each input window.
    horizon : int, default=1
        Future steps in each target.
    step : int, default=1
        Rows between the starts of consecutive windows.
    target : column name, index, or list of them, default=None
        The variables to forecast; the other columns are exogenous inputs.
        None forecasts every column.

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_variables)
    y : ndarray of shape (n_windows,), (n_windows, horizon) or \
            (n_windows, horizon * n_targets)
        ``(n_windows,)`` for one target and ``horizon=1``; ``(n_windows,
        horizon)`` for one target; otherwise step by step, every target at
        each step: ``y[:, h * n_targets + k]`` is target ``k`` at step
        ``h + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.forecasting import make_windows
    >>> X, y = make_windows(np.arange(6.0), window=3, horizon=2)
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([[3., 4.],
           [4., 5.]])
    """
    for name, value in (("window", window), ("horizon", horizon), ("step", step)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    values, target_idx = _as_table(series, target)
    n_times = values.shape[0]
    n_windows = (n_times - window - horizon) // step + 1
    if n_windows < 1:
        raise ValueError(
            f"The series has {n_times} rows: too short for one window of "
            f"{window} steps followed by a horizon of {horizon}."
        )
    starts = np.arange(n_windows) * step
    X = values[starts[:, None] + np.arange(window)]
    targets = values[:, target_idx]
    y = targets[starts[:, None] + window + np.arange(horizon)]
    y = y.reshape(n_windows, horizon * len(target_idx))
    return X, (y[:, 0] if y.shape[1] == 1 else y)


def window_split(n_splits=5, *, horizon=1, step=1, test_size=None, max_train_size=None):
    """Time-ordered splits of windows whose test targets were never trained on.

    When ``horizon > step``, consecutive windows share target values: the
    last training windows' targets reach into those of the first test
    windows. This returns scikit-learn's :class:`~sklearn.model_selection.\
TimeSeriesSplit` with a ``gap`` of ``(horizon - 1) // step`` windows between
    training and test windows, the fewest for which no value a test window
    must predict was a training target. Use it as ``cv=`` in ``GridSearchCV`` or
    ``cross_val_score`` on the output of :func:`make_windows` with the same
    ``horizon`` and ``step``.

    Parameters
    ----------
    n_splits : int, default=5
    horizon, step : int, default=1
        As given to :func:`make_windows`.
    test_size, max_train_size : int, default=None
        As in :class:`~sklearn.model_selection.TimeSeriesSplit`, in windows.

    Returns
    -------
    cv : TimeSeriesSplit
    """
    return TimeSeriesSplit(
        n_splits=n_splits,
        gap=(horizon - 1) // step,
        test_size=test_size,
        max_train_size=max_train_size,
    )
