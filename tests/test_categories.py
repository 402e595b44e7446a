"""Categorical features: codes embedded beside numbers, exact in any dtype
(:mod:`sklearn_rnn.inputs._categories`)."""

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn import RNNRegressor
from tests.helpers import (
    SMALL,
    shop_sales,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_categorical_features_are_embedded_beside_numbers():
    X, y = shop_sales()
    params = {**SMALL, "max_iter": 80, "embedding_dim": 2}
    reg = RNNRegressor(**params, categorical_features=[0]).fit(X[:200], y[:200])
    np.testing.assert_array_equal(reg.categorical_features_, [0])
    np.testing.assert_array_equal(reg.category_values_[0], [0, 1, 2, 3, 4])
    assert reg.params_["embed.table"].shape == (6, 2)
    assert reg.params_["rnn0.W_x"].shape[0] == 2 + 1
    assert reg.score(X[200:], y[200:]) > 0.95
    # a shop never seen shares row 0, and a DataFrame names the column
    unseen = X[200:203].copy()
    unseen[:, :, 0] = 7
    assert np.isfinite(reg.predict(unseen)).all()
    frames = [pd.DataFrame({"value": x[:, 1], "shop": x[:, 0]}) for x in X[:40]]
    named = RNNRegressor(**{**params, "max_iter": 2}, categorical_features=["shop"])
    named.fit(frames, y[:40])
    np.testing.assert_array_equal(named.categorical_features_, [1])
    assert named.predict(frames[:3]).shape == (3,)


@pytest.mark.parametrize(
    "params, X_change, message",
    [
        ({"embedding_dim": None}, None, "categorical_features embeds categories"),
        ({"categorical_features": [5]}, None, r"holds 5: give indices in \[0, 2\)"),
        ({"categorical_features": ["shop"]}, None, "X has no column names"),
        ({}, "fraction", "Sequence 3 has 2.5 at step 4 in the categorical column 0"),
    ],
    ids=["no embedding", "index", "name", "fraction"],
)
def test_bad_categorical_features_are_named(params, X_change, message):
    X, y = shop_sales(n=20)
    if X_change == "fraction":
        X[3, 4, 0] = 2.5
    settings = {**SMALL, "embedding_dim": 2, "categorical_features": [0], **params}
    with pytest.raises(ValueError, match=message):
        RNNRegressor(**settings).fit(X, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("codes", [np.int64, np.float64])
def test_category_codes_above_float32_precision_stay_distinct(dtype, codes):
    """Product ids 2**24 and 2**24 + 1 are one number in float32: codes are
    read exactly before the network's dtype is applied."""
    X, y = shop_sales(n=60)
    big = (2**24 + X[:, :, 0]).astype(codes)
    frames = [pd.DataFrame({"product": b, "value": x[:, 1]}) for b, x in zip(big, X)]
    params = {**SMALL, "max_iter": 2, "embedding_dim": 2, "dtype": dtype}
    reg = RNNRegressor(**params, categorical_features=["product"]).fit(frames, y)
    np.testing.assert_array_equal(reg.category_values_[0], 2**24 + np.arange(5))
    # each product reads its own row of the table
    one = [f.assign(product=2**24 + 1) for f in frames[:3]]
    other = [f.assign(product=2**24 + 2) for f in frames[:3]]
    assert not np.allclose(reg.predict(one), reg.predict(other))


def test_a_boolean_mask_names_categorical_columns():
    X, y = shop_sales(n=40)
    params = {**SMALL, "max_iter": 2, "embedding_dim": 2}
    by_mask = RNNRegressor(**params, categorical_features=np.array([True, False]))
    by_index = RNNRegressor(**params, categorical_features=[0])
    np.testing.assert_array_equal(by_mask.fit(X, y).categorical_features_, [0])
    np.testing.assert_allclose(
        by_mask.predict(X), by_index.fit(X, y).predict(X), rtol=1e-6
    )
    with pytest.raises(ValueError, match=r"boolean mask of shape \(3,\).* 2 features"):
        RNNRegressor(**params, categorical_features=[True, False, True]).fit(X, y)


def test_category_codes_are_not_warned_about_as_unscaled():
    import warnings

    X, y = shop_sales(n=20)
    X[:, :, 0] *= 100  # codes 0 to 400: categories, not magnitudes
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*root mean square")
        RNNRegressor(
            **{**SMALL, "max_iter": 1}, embedding_dim=2, categorical_features=[0]
        ).fit(X, y)


def test_a_width_per_categorical_column():
    X, y = shop_sales(n=40)
    X = np.concatenate([X, X[:, :, :1] % 2], axis=2)  # a second category column
    reg = RNNRegressor(
        **{**SMALL, "max_iter": 2}, embedding_dim=[3, 1], categorical_features=[0, 2]
    ).fit(X, y)
    assert reg.params_["embed.table"].shape == (6, 3)
    assert reg.params_["embed1.table"].shape == (3, 1)
    with pytest.raises(ValueError, match="embedding_dim gives 3 widths"):
        RNNRegressor(**SMALL, embedding_dim=[3, 1, 2], categorical_features=[0, 2]).fit(
            X, y
        )
    with pytest.raises(ValueError, match="embedding_dim must be a positive integer"):
        RNNRegressor(**SMALL, embedding_dim=[3, 0], categorical_features=[0, 2]).fit(
            X, y
        )


def test_codes_beyond_float64_precision_are_refused():
    """64-bit hashes above 2**53 could share a row after the read in float64:
    refused, naming where, rather than merged silently; codes up to 2**53
    are exact."""
    X, y = shop_sales(n=20)
    codes = [np.int64(2**53 - 5) + x[:, 0].astype(np.int64) for x in X]
    frames = [pd.DataFrame({"product": c, "v": x[:, 1]}) for c, x in zip(codes, X)]
    params = {**SMALL, "max_iter": 1, "embedding_dim": 2}
    exact = RNNRegressor(**params, categorical_features=["product"]).fit(frames, y)
    np.testing.assert_array_equal(exact.category_values_[0], 2**53 - 5 + np.arange(5))
    frames[3].loc[2, "product"] = np.int64(2**62)
    with pytest.raises(ValueError, match=f"Sequence 3 has the code {2**62} at step 2"):
        RNNRegressor(**params, categorical_features=["product"]).fit(frames, y)
