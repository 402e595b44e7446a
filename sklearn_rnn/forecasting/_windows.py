"""Sliding windows over a series, and splits of windows that do not leak."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.model_selection import TimeSeriesSplit
from sklearn.utils._param_validation import validate_params

from sklearn_rnn._param_validation import Count


def _as_table(series, target, *, columns=None, what="series"):
    """The series as a float table (n_times, n_columns) and the target columns.

    Columns are matched by name wherever names exist: given ``columns`` (the
    names a DataFrame had where the model or the first series saw them), a
    DataFrame with the same names in another order is reordered to them, and
    one with other names is refused, naming both.

    Parameters
    ----------
    series : array-like, Series or DataFrame
    target : column name, index, list of them, or None
        Names for a Series or DataFrame, positions for an array.
    columns : list, default=None
        The column names to align a DataFrame to.
    what : str, default="series"
        The argument's name, for messages.

    Returns
    -------
    values : ndarray of shape (n_times, n_columns)
    target_idx : ndarray of int
        Columns of ``values`` that are targets.
    names : list or None
        The column names, in the order of ``values``; None for an array.
    """
    if isinstance(series, pd.Series):
        series = series.to_frame()
    if isinstance(series, pd.DataFrame):
        series = _aligned(series, columns, what)
        names = list(series.columns)
        text = [c for c in names if not pd.api.types.is_numeric_dtype(series[c])]
        if text:
            raise ValueError(
                f"{what} column {text[0]!r} holds {series[text[0]].dtype} values, "
                "not numbers: encode it first (a category as its code, a date as "
                "a number)."
            )
        target_idx = _positions(target, names)
        values = series.to_numpy(dtype=np.float64)
    else:
        names = None
        try:
            values = np.asarray(series, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{what} must hold numbers: {error}") from None
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(
                f"{what} must be 1D (one variable) or 2D (n_times, n_variables), "
                f"got an array of shape {values.shape}."
            )
        target_idx = _positions(target, None, values.shape[1])
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
        raise ValueError(
            f"{what} has a missing or infinite value at row {row}; fill or "
            "drop it before making windows."
        )
    return values, np.asarray(target_idx, dtype=np.intp), names


def _aligned(frame, columns, what):
    """``frame`` with its columns in the order of ``columns`` (matched by
    name), or a clear error when the names differ."""
    if columns is None or list(frame.columns) == list(columns):
        return frame
    if len(frame.columns) == len(columns) == 1:
        return frame  # one column (a renamed Series): nothing to misalign
    if len(frame.columns) == len(columns) and set(frame.columns) == set(columns):
        return frame[list(columns)]
    raise ValueError(
        f"{what} has the columns {list(frame.columns)}, but the columns were "
        f"{list(columns)} where they were first seen: give the same columns, "
        "matched by name."
    )


def first_columns(parts):
    """The columns of the first DataFrame among several series: the names
    every other series is matched to (None when none has names)."""
    return next((list(p.columns) for p in parts if isinstance(p, pd.DataFrame)), None)


def _positions(target, names, n_columns=None, argument="target"):
    """The positions of the ``target`` columns: every column for None, else
    names among ``names``, or positions for an array without names.
    ``argument`` names the argument in messages."""
    if target is None:
        return list(range(len(names) if names is not None else n_columns))
    wanted = [target] if np.ndim(target) == 0 else list(target)
    if names is not None:
        missing = [n for n in wanted if n not in names]
        if missing:
            raise ValueError(f"{argument} {missing} not among the columns {names}.")
        return [names.index(n) for n in wanted]
    bad = [
        t
        for t in wanted
        if isinstance(t, bool | np.bool_) or not isinstance(t, Integral)
    ]
    if bad:
        raise ValueError(
            f"{argument} {bad} must be column positions (integers) for an array "
            "without column names; give a DataFrame to name columns."
        )
    out = [t for t in wanted if not 0 <= int(t) < n_columns]
    if out:
        raise ValueError(
            f"{argument} columns {out} out of range for a series with {n_columns} "
            "columns."
        )
    return [int(t) for t in wanted]


def _many_series(series):
    """``(ids, parts)`` when ``series`` holds several series, else None.

    Several series are a list or tuple of series (arrays, Series or
    DataFrames; not of numbers), or a DataFrame with a two-level MultiIndex
    ``(series id, time)``, one row per time of each series.
    """
    if isinstance(series, pd.DataFrame | pd.Series) and isinstance(
        series.index, pd.MultiIndex
    ):
        if series.index.nlevels != 2:
            raise ValueError(
                "A long frame of several series needs a two-level MultiIndex "
                f"(series id, time); this one has {series.index.nlevels} levels."
            )
        if series.index.duplicated().any():
            pair = series.index[series.index.duplicated()][0]
            raise ValueError(f"series has the (series id, time) pair {pair} twice.")
        series = series.sort_index(level=1, sort_remaining=False, kind="stable")
        ids = list(dict.fromkeys(series.index.get_level_values(0)))
        return ids, [series.xs(i, level=0) for i in ids]
    if (
        isinstance(series, list | tuple)
        and series
        and all(np.ndim(part) >= 1 for part in series)
    ):
        return list(range(len(series))), list(series)
    return None


#: What names columns: a name or position, or a list of them.
COLUMNS = [str, Integral, "array-like", None]


@validate_params(
    {
        "series": ["array-like"],
        "window": [Count(1)],
        "horizon": [Count(1)],
        "step": [Count(1)],
        "target": COLUMNS,
        "known_future": COLUMNS,
        "id_features": ["boolean"],
        "return_groups": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_windows(
    series,
    window,
    horizon=1,
    step=1,
    *,
    target=None,
    known_future=None,
    id_features=False,
    return_groups=False,
):
    """Cut a series, or several, into input windows and the values that
    follow them.

    Window ``i`` holds the rows ``[i * step, i * step + window)`` of the series
    (every column: past values of the targets and the exogenous variables),
    and its target is the next ``horizon`` values of the target columns, rows
    ``[i * step + window, i * step + window + horizon)``. Windows are in time
    order, so splitting them with :func:`window_split` keeps the future out of
    training.

    Several series (a list of them, or a long frame keyed by series id) give
    the windows of each series, series after series; no window crosses from
    one series into the next.

    Parameters
    ----------
    series : array-like of shape (n_times,) or (n_times, n_variables), Series \
            or DataFrame, or several of them
        One variable or several, rows in time order. Several series: a list
        (or tuple) of such series with the same columns, or a DataFrame with a
        two-level MultiIndex ``(series id, time)``, rows put in time order
        within each series.
    window : int
        Steps in each input window.
    horizon : int, default=1
        Future steps in each target.
    step : int, default=1
        Rows between the starts of consecutive windows.
    target : column name, index, or list of them, default=None
        The variables to forecast; the other columns are exogenous inputs.
        None forecasts every column.
    known_future : column name, index, or list of them, default=None
        Exogenous columns whose future values are known when forecasting
        (calendar, planned promotions, prices set in advance). Each window
        then runs ``horizon`` steps further: at those steps the
        ``known_future`` columns hold their values over the horizon, every
        other column is 0, and a last column added to every step flags them
        (0 in the past, 1 in the horizon). For direct multi-step models; the
        window to forecast from is built the same way, from the last
        ``window`` rows and the covariates' planned values.
    id_features : bool, default=False
        With several series, add one indicator column per series to every
        step (1 in the columns of the window's own series), so that one model
        can learn what differs between series. Columns follow the series'
        order (ids as they first appear).
    return_groups : bool, default=False
        Also return the series id of each window, for
        ``window_split(...).split(X, y, groups)`` and ``GroupKFold``.

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_variables)
        ``window + horizon`` steps with ``known_future``; one more column
        with ``known_future`` and one per series with ``id_features``.
    y : ndarray of shape (n_windows,), (n_windows, horizon) or \
            (n_windows, horizon * n_targets)
        ``(n_windows,)`` for one target and ``horizon=1``; ``(n_windows,
        horizon)`` for one target; otherwise step by step, every target at
        each step: ``y[:, h * n_targets + k]`` is target ``k`` at step
        ``h + 1``.
    groups : ndarray of shape (n_windows,)
        With ``return_groups``: the id of each window's series (its position
        in a list of series, or its id in a long frame); 0 for one series.

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
    >>> X, y, groups = make_windows([np.arange(5.0), np.arange(10.0, 14.0)],
    ...                             window=3, return_groups=True)
    >>> y, groups
    (array([ 3.,  4., 13.]), array([0, 0, 1]))
    """
    many = _many_series(series)
    if many is None:
        if id_features:
            raise ValueError("id_features needs several series (a list or long frame).")
        X, y = _windows_of_one(series, window, horizon, step, target, known_future)
        groups = np.zeros(len(X), dtype=np.intp)
    else:
        ids, parts = many
        Xs, ys, groups = [], [], []
        n_columns = None
        columns = first_columns(parts)
        for k, (series_id, part) in enumerate(zip(ids, parts, strict=True)):
            try:
                Xk, yk = _windows_of_one(
                    part, window, horizon, step, target, known_future, columns
                )
            except ValueError as error:
                raise ValueError(f"In series {series_id!r}: {error}") from None
            if n_columns is not None and Xk.shape[2] != n_columns:
                raise ValueError(
                    f"Series {series_id!r} has {Xk.shape[2]} columns, the first "
                    f"series {n_columns}: every series needs the same columns."
                )
            n_columns = Xk.shape[2]
            if id_features:
                onehot = np.zeros(Xk.shape[:2] + (len(ids),))
                onehot[:, :, k] = 1.0
                Xk = np.concatenate([Xk, onehot], axis=2)
            Xs.append(Xk)
            ys.append(yk)
            groups.append(np.full(len(Xk), series_id, dtype=object))
        X, y = np.concatenate(Xs), np.concatenate(ys)
        groups = np.concatenate(groups)
        if all(isinstance(i, int | np.integer) for i in ids):
            groups = groups.astype(np.intp)
    return (X, y, groups) if return_groups else (X, y)


def _windows_of_one(series, window, horizon, step, target, known_future, columns=None):
    """The windows and targets of one series, as :func:`make_windows`; a
    DataFrame's columns are put in the order of ``columns`` by name."""
    values, target_idx, names = _as_table(series, target, columns=columns)
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
    if known_future is not None:
        known_idx = np.asarray(
            _positions(known_future, names, values.shape[1], "known_future")
        )
        overlap = np.intersect1d(known_idx, target_idx)
        if overlap.size:
            raise ValueError(
                "known_future cannot hold a target column: its future is what "
                "is forecast."
            )
        future = np.zeros((n_windows, horizon, values.shape[1]))
        future[:, :, known_idx] = values[
            starts[:, None, None] + window + np.arange(horizon)[:, None], known_idx
        ]
        flag = np.r_[np.zeros(window), np.ones(horizon)]
        X = np.concatenate([X, future], axis=1)
        X = np.concatenate(
            [X, np.broadcast_to(flag[None, :, None], X.shape[:2] + (1,))], axis=2
        )
    return X, (y[:, 0] if y.shape[1] == 1 else y)


class WindowSplit(TimeSeriesSplit):
    """:class:`~sklearn.model_selection.TimeSeriesSplit` over the windows of
    one series, or of each series when ``groups`` names them.

    With ``groups`` (the series id of each window, as
    ``make_windows(..., return_groups=True)`` returns it, windows of each
    series in time order), each series is split on its own and split ``k``
    joins the ``k``-th training and test windows of every series: every
    series is tested on its own latest windows, after a gap, and trained on
    its earlier ones. Made by :func:`window_split`.

    Parameters
    ----------
    n_splits : int, default=5
    max_train_size : int, default=None
    test_size : int, default=None
    gap : int, default=0
        As in :class:`~sklearn.model_selection.TimeSeriesSplit`, counted in
        windows of each series when ``groups`` are given.
    """

    def split(self, X, y=None, groups=None):
        if groups is None:
            yield from super().split(X, y)
            return
        groups = np.asarray(groups)
        if len(groups) != len(X):
            raise ValueError(
                f"groups has {len(groups)} items for {len(X)} windows: give the "
                "series id of each window."
            )
        folds = [([], []) for _ in range(self.n_splits)]
        for series_id in dict.fromkeys(groups.tolist()):
            rows = np.flatnonzero(groups == series_id)
            try:
                splits = list(super().split(rows))
            except ValueError as error:
                raise ValueError(
                    f"Series {series_id!r} has too few windows ({len(rows)}) for "
                    f"{self.n_splits} splits: {error}"
                ) from None
            for (train, test), (trains, tests) in zip(splits, folds, strict=True):
                trains.append(rows[train])
                tests.append(rows[test])
        for trains, tests in folds:
            yield np.concatenate(trains), np.concatenate(tests)


@validate_params(
    {
        "n_splits": [Count(2)],
        "horizon": [Count(1)],
        "step": [Count(1)],
        "test_size": [Count(1), None],
        "max_train_size": [Count(1), None],
    },
    prefer_skip_nested_validation=True,
)
def window_split(n_splits=5, *, horizon=1, step=1, test_size=None, max_train_size=None):
    """Time-ordered splits of windows whose test targets were never trained on.

    When ``horizon > step``, consecutive windows share target values: the
    last training windows' targets reach into those of the first test
    windows. This returns a :class:`WindowSplit`, scikit-learn's
    :class:`~sklearn.model_selection.TimeSeriesSplit` with a ``gap`` of
    ``(horizon - 1) // step`` windows between training and test windows, the
    fewest for which no value a test window must predict was a training
    target. Use it as ``cv=`` in ``GridSearchCV`` or ``cross_val_score`` on the
    output of :func:`make_windows` with the same ``horizon`` and ``step``; for
    the windows of several series, pass their series ids as ``groups``
    (``GridSearchCV(...).fit(X, y, groups=groups)``) so that each series is
    split in its own time order.

    Parameters
    ----------
    n_splits : int, default=5
    horizon, step : int, default=1
        As given to :func:`make_windows`.
    test_size, max_train_size : int, default=None
        As in :class:`~sklearn.model_selection.TimeSeriesSplit`, in windows
        (of each series, with ``groups``).

    Returns
    -------
    cv : WindowSplit
    """
    return WindowSplit(
        n_splits=n_splits,
        gap=(horizon - 1) // step,
        test_size=test_size,
        max_train_size=max_train_size,
    )
