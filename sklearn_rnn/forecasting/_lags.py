"""Lag matrices in the estimators' time order."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_rnn.inputs import is_dask_collection


class ReverseSteps(TransformerMixin, BaseEstimator):
    """Reverse the columns of a lag matrix: most recent first to oldest first.

    The estimators read the columns of a 2D ``X`` as the time steps of one
    univariate sequence per row, oldest first. Forecasting tools often build
    their lag columns the other way round: skforecast's ``lag_1`` (the most
    recent value), ``lag_2``, ... Put this transformer before the estimator
    so that the network reads the lags in time order::

        make_pipeline(ReverseSteps(), RNNRegressor())

    A DataFrame stays a DataFrame with its columns (and their names)
    reversed; an array comes back reversed along its columns, a Dask array as
    a lazy Dask array. Lag matrices
    have no padding: NaN at the end of a row would come first once
    reversed, and the estimator refuses it.

    Attributes
    ----------
    n_features_in_ : int
        Columns (lags) seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen in ``fit``, when all are strings.
    """

    def fit(self, X, y=None):
        """Record the number of lags.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_lags)
        y : None
            Ignored.

        Returns
        -------
        self : ReverseSteps
        """
        self._check(X, reset=True)
        return self

    def transform(self, X):
        """The lag matrix with its columns in reverse order.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_lags)

        Returns
        -------
        X_reversed : ndarray or DataFrame of shape (n_samples, n_lags)
        """
        check_is_fitted(self)
        X = self._check(X, reset=False)
        if isinstance(X, pd.DataFrame):
            return X.iloc[:, ::-1]
        return X[:, ::-1].copy()  # lazy for a Dask array

    def get_feature_names_out(self, input_features=None):
        """Names of the reversed columns."""
        check_is_fitted(self)
        if input_features is None:
            input_features = getattr(
                self,
                "feature_names_in_",
                np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object),
            )
        return np.asarray(input_features, dtype=object)[::-1]

    def _check(self, X, *, reset):
        """X, checked as scikit-learn checks a feature matrix (numbers, 2D,
        not empty, finite, not sparse) and against the columns of ``fit``; a
        DataFrame is returned as it is, a Dask array stays lazy (only its
        shape is checked)."""
        if is_dask_collection(X):
            if X.ndim != 2:
                raise ValueError(
                    f"ReverseSteps takes a 2D lag matrix (n_samples, n_lags), "
                    f"got {X.ndim} dimensions."
                )
            if reset:
                self.n_features_in_ = X.shape[1]
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but ReverseSteps is expecting "
                    f"{self.n_features_in_} features as input."
                )
            return X
        checked = validate_data(self, X, reset=reset, dtype="numeric")
        return X if isinstance(X, pd.DataFrame) else checked
