"""Coverage of prediction intervals on real series, over many forecast origins.

For each series, from each of several origins late in the series, every
method is fitted on the series up to the origin and gives a 90% band (and,
where it is a conformal radius, an 80% band) for the next ``horizon``
values; the table reports the share of those values inside their band, the
band's mean width, and the point forecast's mean absolute error relative to
the seasonal-naive forecast's (below 1: better than seasonal naive).

Methods:

- ``split``: ``ConformalForecaster(refit=False)``, the model fitted before the
  calibration tail forecasts (the behaviour before ``refit``);
- ``refit``: the default, a model refitted on the whole series forecasts;
- ``refit_every``: calibration forecasts from models refitted every
  ``refit_every`` origins, and the refitted final model;
- ``adaptive``: ``refit`` with adaptive conformal inference
  (``adaptation_rate=0.05``);
- ``naive``: a conformal band around the seasonal-naive forecast;
- ``quantile``: two ``RNNRegressor(loss="quantile")`` models, 0.05 and 0.95.

Series: the bundled monthly CO2 at Mauna Loa in logs (trend and season),
and, when statsmodels is installed, monthly El Nino sea temperatures (season,
no trend) and yearly sunspot numbers (an 11-year cycle, no trend).

Run with ``python benchmarks/bench_intervals.py`` (about 10 minutes on two
cores); ``--origins`` sets the number of origins per series.
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from sklearn_rnn import RNNRegressor
from sklearn_rnn.datasets import load_co2
from sklearn_rnn.forecasting import ConformalForecaster, make_windows
from sklearn_rnn.forecasting._intervals import conformal_quantile
from sklearn_rnn.preprocessing import SequenceScaler


class SeasonalNaive(RegressorMixin, BaseEstimator):
    """Each of the next ``horizon`` values as it was one ``season`` before."""

    def __init__(self, season=12, horizon=1):
        self.season = season
        self.horizon = horizon

    def fit(self, X, y):
        return self

    def predict(self, X):
        last = np.asarray(X)[:, -self.season :, 0]
        return np.tile(last, (1, -(-self.horizon // self.season)))[:, : self.horizon]


def series_to_measure():
    """``(name, values, season, window, horizon, calibration_size, step)``."""
    found = [("CO2, monthly, log", np.log(load_co2().to_numpy()), 12, 24, 12, 60, 12)]
    try:
        from statsmodels import datasets
    except ImportError:
        return found
    elnino = datasets.elnino.load_pandas().data.drop(columns="YEAR").to_numpy()
    found.append(("El Nino SST, monthly", elnino.ravel(), 12, 24, 12, 60, 12))
    sunspots = datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy()
    found.append(("sunspots, yearly", sunspots, 11, 22, 5, 40, 5))
    return found


def rnn():
    return make_pipeline(
        SequenceScaler(),
        RNNRegressor(
            hidden_layer_sizes=(16,),
            max_iter=80,
            early_stopping=True,
            n_iter_no_change=10,
            random_state=0,
        ),
    )


def conformal(kind, season, window, horizon, calibration_size, coverage=0.9):
    params = {
        "split": {"refit": False},
        "refit": {},
        "refit_every": {"refit_every": 2 * horizon},
        "adaptive": {"adaptation_rate": 0.05},
        "naive": {},
    }[kind]
    estimator = SeasonalNaive(season, horizon) if kind == "naive" else rnn()
    return ConformalForecaster(
        estimator,
        window=window,
        horizon=horizon,
        coverage=coverage,
        calibration_size=calibration_size,
        **params,
    )


def measure(name, values, season, window, horizon, calibration_size, step, n_origins):
    origins = len(values) - horizon - step * np.arange(n_origins)[::-1]
    rows = {}
    for kind in ("split", "refit", "refit_every", "adaptive", "naive", "quantile"):
        inside90, inside80, widths, errors = [], [], [], []
        start = time.perf_counter()
        for origin in origins:
            history, actual = values[:origin], values[origin : origin + horizon]
            if kind == "quantile":
                X, Y = make_windows(history, window, horizon)
                ends = [
                    clone(rnn())
                    .set_params(rnnregressor__loss="quantile", rnnregressor__quantile=q)
                    .fit(X, Y)
                    .predict(history[None, -window:, None])[0]
                    for q in (0.05, 0.95)
                ]
                lower, upper = np.minimum(*ends), np.maximum(*ends)
                point = (lower + upper) / 2
                r80 = None
            else:
                model = conformal(kind, season, window, horizon, calibration_size)
                frame = model.fit(history).forecast(history)
                point = frame["forecast"].to_numpy()
                lower, upper = frame["lower"].to_numpy(), frame["upper"].to_numpy()
                r80 = (
                    None
                    if kind == "adaptive"
                    else conformal_quantile(model.calibration_errors_, 0.8)[:, 0]
                )
            naive = SeasonalNaive(season, horizon).predict(history[None, :, None])[0]
            inside90.extend((lower <= actual) & (actual <= upper))
            if r80 is not None:
                inside80.extend(np.abs(actual - point) <= r80)
            widths.append(np.mean(upper - lower))
            errors.append(
                np.mean(np.abs(actual - point)) / np.mean(np.abs(actual - naive))
            )
        rows[kind] = {
            "coverage 90%": np.mean(inside90),
            "coverage 80%": np.mean(inside80) if inside80 else np.nan,
            "width 90%": np.mean(widths),
            "MAE / naive": np.median(errors),
            "seconds": time.perf_counter() - start,
        }
    table = pd.DataFrame(rows).T
    print(
        f"\n{name}: {n_origins} origins, horizon {horizon}, window {window}, "
        f"calibration {calibration_size}"
    )
    print(table.round(3).to_string())
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=8)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    for spec in series_to_measure():
        measure(*spec, args.origins)


if __name__ == "__main__":
    main()
