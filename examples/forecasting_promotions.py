"""Forecasting daily sales with promotions planned in advance
==========================================================

Known future covariates in a direct multi-step forecast. A shop's daily sales
follow the week (busier at the weekend) and jump on promotion days, which are
planned weeks ahead. A forecaster of the next 14 days that sees only the past
cannot know when the next promotion falls; one whose windows carry the
promotion calendar of the horizon can.

1. Simulate three years of daily sales with a weekly pattern, promotions on
   about one day in eight, and noise.
2. Cut them into windows of 28 days with ``make_windows``, once with the
   promotion flag as an ordinary input (its past only), once with
   ``known_future="promo"`` (its past and the 14 days ahead).
3. Fit the same ``RNNRegressor`` (14 outputs) on each, and forecast the 14
   days after each of 10 later origins, without refitting.
4. Compare the mean absolute percentage error (MAPE) with the seasonal naive
   forecast (each day as on the same weekday a week before).

Run with ``python examples/forecasting_promotions.py``.
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNRegressor
from sklearn_rnn.forecasting import make_windows
from sklearn_rnn.preprocessing import SequenceScaler

WINDOW, HORIZON = 28, 14
N_DAYS, N_TRAIN = 3 * 365, 3 * 365 - 10 * HORIZON


def simulate_sales(seed=0):
    rng = np.random.RandomState(seed)
    days = pd.date_range("2021-01-01", periods=N_DAYS, freq="D")
    weekly = np.where(days.day_of_week >= 5, 130.0, 100.0)
    promo = (rng.uniform(size=N_DAYS) < 0.125).astype(float)
    sales = weekly + 60.0 * promo + rng.normal(0, 8, N_DAYS)
    return pd.DataFrame({"sales": sales, "promo": promo}, index=days)


def make_model():
    return make_pipeline(
        SequenceScaler(),
        RNNRegressor(
            hidden_layer_sizes=(32,),
            max_iter=60,
            learning_rate_init=0.01,
            random_state=0,
        ),
    )


def forecast_window(frame, origin, known_future):
    """The input window for the 14 days from ``origin``, built as
    ``make_windows`` builds its windows."""
    past = frame.to_numpy()[origin - WINDOW : origin]
    if not known_future:
        return past[None]
    ahead = np.zeros((HORIZON, frame.shape[1]))
    ahead[:, 1] = frame["promo"].to_numpy()[origin : origin + HORIZON]
    flag = np.r_[np.zeros(WINDOW), np.ones(HORIZON)][:, None]
    return np.hstack([np.vstack([past, ahead]), flag])[None]


def main():
    frame = simulate_sales()
    origins = N_TRAIN + HORIZON * np.arange(10)
    truth = np.stack([frame["sales"].to_numpy()[o : o + HORIZON] for o in origins])
    naive = np.stack(
        [np.tile(frame["sales"].to_numpy()[o - 7 : o], 2) for o in origins]
    )
    rows = [("seasonal naive (a week before)", naive, "")]
    for known_future in (False, True):
        start = time.perf_counter()
        X, y = make_windows(
            frame[:N_TRAIN],
            WINDOW,
            horizon=HORIZON,
            target="sales",
            known_future="promo" if known_future else None,
        )
        model = make_model()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        forecasts = np.vstack(
            [model.predict(forecast_window(frame, o, known_future)) for o in origins]
        )
        name = "RNN, promotions ahead known" if known_future else "RNN, past only"
        rows.append((name, forecasts, f"{time.perf_counter() - start:.1f} s"))

    print(
        f"Daily sales, {HORIZON} days ahead from {len(origins)} origins "
        f"({len(origins) * HORIZON} days), promotions on "
        f"{frame['promo'].mean():.0%} of days.\n"
    )
    print(f"  {'forecast':<34}{'MAPE':>7}{'fit':>8}")
    for name, forecasts, seconds in rows:
        mape = 100 * np.mean(np.abs(forecasts - truth) / truth)
        print(f"  {name:<34}{mape:>6.1f}%{seconds:>8}")


if __name__ == "__main__":
    main()
