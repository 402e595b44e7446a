"""Forecasting monthly CO2 at Mauna Loa two years ahead
====================================================

A forecasting script from start to finish on a real series that ships with the
package (public domain; see ``sklearn_rnn/datasets/data/README.md``):

1. Take logs and first differences: the monthly growth rate has no trend, so a
   model trained on 1958-1997 sees values of the same range when it forecasts
   1998-1999.
2. Cut the growth rates into windows of 24 months with ``make_windows``.
3. Fit ``RNNRegressor`` inside a pipeline that scales the inputs
   (``SequenceScaler``) and the target (``TransformedTargetRegressor``).
4. Forecast 24 months with both multi-step strategies: recursive (a one-step
   model fed its own predictions, ``recursive_forecast``) and direct (one model
   predicting all 24 months at once), then undo the differences and the logs.
5. Compare with the seasonal-naive baseline (each month as it was a year
   before) by the mean absolute percentage error (MAPE).
6. Put a 90% prediction band around a direct forecast with
   ``ConformalForecaster``: models refitted every 12 months of a 60-month
   calibration tail forecast from each of its origins, their errors set the
   band's width at each horizon, and a model refitted on the whole history
   forecasts. With ``integrate=True`` it bounds the running sum of the
   growth rates, that is the log-change of CO2 since the origin. Save a plot
   of history, forecasts, band and truth.

   One 24-month forecast is one draw: the band held 16 of the 24 months of
   1998-1999, the years of a strong El Nino and of a growth of CO2 that was
   a record for its time, with or without the refits. From 16 origins over
   the last years of the series, in logs, refits every 24 months held 93% of
   values at 90% nominal (``benchmarks/bench_intervals.py``, in the user
   guide).

Run with::

    python examples/forecasting_co2.py [--output-dir examples/output]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_rnn import RNNRegressor  # noqa: E402
from sklearn_rnn.datasets import load_co2  # noqa: E402
from sklearn_rnn.forecasting import (  # noqa: E402
    ConformalForecaster,
    forecast_index,
    make_windows,
    recursive_forecast,
)
from sklearn_rnn.preprocessing import SequenceScaler  # noqa: E402

HORIZON = 24
WINDOW = 24


def make_model():
    rnn = RNNRegressor(
        cell="lstm",
        hidden_layer_sizes=(32,),
        max_iter=150,
        early_stopping=True,
        n_iter_no_change=20,
        random_state=0,
    )
    return TransformedTargetRegressor(
        make_pipeline(SequenceScaler(), rnn), transformer=StandardScaler()
    )


def to_levels(growth, last_level):
    """Undo the log-differences: levels from monthly growth rates."""
    return np.exp(np.log(last_level) + np.cumsum(growth))


def mape(truth, forecast):
    return 100 * float(np.mean(np.abs((truth - forecast) / truth)))


def main(output_dir):
    output_dir.mkdir(parents=True, exist_ok=True)
    co2 = load_co2()
    history, truth = co2[:"1997-12"], co2["1998-01":"1999-12"]
    growth = np.log(history).diff().dropna()

    start = time.perf_counter()
    X, y = make_windows(growth, WINDOW)
    one_step = make_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one_step.fit(X, y)
    recursive = to_levels(
        recursive_forecast(one_step, growth, HORIZON, window=WINDOW), history.iloc[-1]
    )
    fit_recursive = time.perf_counter() - start

    start = time.perf_counter()
    X, Y = make_windows(growth, WINDOW, horizon=HORIZON)
    direct_model = make_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        direct_model.fit(X, Y)
    last_window = growth.to_numpy()[None, -WINDOW:, None]
    direct = pd.Series(
        to_levels(direct_model.predict(last_window)[0], history.iloc[-1]),
        index=forecast_index(history, HORIZON),
    )
    fit_direct = time.perf_counter() - start

    start = time.perf_counter()
    banded = ConformalForecaster(
        make_model(),
        window=WINDOW,
        horizon=HORIZON,
        coverage=0.9,
        calibration_size=60,
        integrate=True,
        refit_every=12,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        band = banded.fit(growth).forecast(growth)
    band = np.exp(np.log(history.iloc[-1]) + band)  # log-changes to levels
    fit_band = time.perf_counter() - start

    # each month as it was in the last observed year
    naive = pd.Series(
        np.tile(history.iloc[-12:].to_numpy(), HORIZON // 12 + 1)[:HORIZON],
        index=truth.index,
    )

    print(f"Monthly CO2 at Mauna Loa: trained on {history.index[0]:%Y-%m} to")
    print(f"{history.index[-1]:%Y-%m}, forecast {HORIZON} months ahead.\n")
    print(f"  {'forecast':<28}{'MAPE':>8}{'fit':>9}")
    rows = [
        ("RNN, recursive (1-step)", recursive, f"{fit_recursive:.1f} s"),
        (f"RNN, direct ({HORIZON} outputs)", direct, f"{fit_direct:.1f} s"),
        ("seasonal naive", naive, ""),
    ]
    for name, forecast, seconds in rows:
        print(f"  {name:<28}{mape(truth, forecast):>7.3f}%{seconds:>9}")
    inside = (band["lower"] <= truth) & (truth <= band["upper"])
    width = band["upper"] - band["lower"]
    print(
        f"\n90% conformal band ({fit_band:.1f} s): holds {inside.sum()} of "
        f"{HORIZON} true months; {width.iloc[0]:.2f} ppm wide 1 month ahead, "
        f"{width.iloc[-1]:.2f} ppm {HORIZON} months ahead."
    )

    fig, ax = plt.subplots(figsize=(10, 4.5))
    shown = history["1992-01":]
    ax.plot(shown.index, shown, color="black", label="history")
    ax.plot(truth.index, truth, color="black", linestyle=":", label="truth")
    ax.fill_between(
        band.index,
        band["lower"],
        band["upper"],
        color="C1",
        alpha=0.2,
        label="90% band (conformal, direct)",
    )
    for (name, forecast, _), color in zip(rows, ["C0", "C1", "C7"], strict=True):
        ax.plot(forecast.index, forecast, color=color, label=name)
    ax.set(
        title="Monthly CO2 at Mauna Loa: 24-month forecasts",
        ylabel="CO2 (ppm)",
    )
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = output_dir / "forecasting_co2.png"
    fig.savefig(path, dpi=100)
    print(f"\nPlot saved to {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(sys.argv[0]).resolve().parent / "output",
        help="where to save the plot (default: examples/output)",
    )
    main(parser.parse_args().output_dir)
