"""Real series bundled with the package (see ``data/README.md`` for sources and
licences)."""

from importlib import resources

import pandas as pd


def load_co2():
    """Monthly atmospheric CO2 at Mauna Loa, March 1958 to December 2001.

    A trend with a yearly cycle: a classic forecasting benchmark. Public
    domain data (Keeling and Whorf, CDIAC, U.S. Department of Energy); weekly
    values averaged per month, the 5 months without data interpolated.

    Returns
    -------
    co2 : pandas Series of length 526
        Concentration in ppm, indexed by month start (``freq="MS"``).

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_co2
    >>> co2 = load_co2()
    >>> len(co2), co2.index.freqstr, float(co2.iloc[0])
    (526, 'MS', 316.1)
    """
    path = (
        resources.files("sklearn_rnn.datasets") / "data" / "co2_mauna_loa_monthly.csv"
    )
    with path.open() as f:
        frame = pd.read_csv(f)
    index = pd.DatetimeIndex(pd.to_datetime(frame["month"], format="%Y-%m"), freq="MS")
    return pd.Series(frame["co2"].to_numpy(), index=index, name="co2")
