"""Standardisation of each feature over every step of every sequence."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._atomic import atomic_fit
from sklearn_rnn.inputs import (
    check_features,
    check_sequences,
    dask_blocks,
    is_dask_collection,
    map_lazily,
    map_values,
    validate_sequences,
)


class SequenceScaler(
    OneToOneFeatureMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Standardise each feature over all time steps of all sequences.

    ``StandardScaler`` sees a 2D table, so on sequences it would scale each
    time step (column) separately, or refuse ragged input. This scaler
    computes one mean and one standard deviation per *feature*, pooled over
    the real steps of every sequence (NaN padding is ignored), and returns
    the sequences in the format they came in: a ragged list stays a ragged
    list of the same lengths, a padded array keeps its NaN padding. Put it
    first in a :class:`~sklearn.pipeline.Pipeline` before any estimator of
    this library.

    A Dask collection (see :class:`~sklearn_rnn.inputs.SequenceFrame`) is
    fitted in one pass over its blocks, each reduced to its own statistics
    where it is computed, and transformed lazily, block by block.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean of each feature.
    with_std : bool, default=True
        Divide by the standard deviation of each feature (a feature with zero
        variance is left unscaled).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean of each feature over all real steps; zeros if ``with_mean`` is
        False.
    scale_ : ndarray of shape (n_features,)
        Standard deviation of each feature; ones if ``with_std`` is False.
    var_ : ndarray of shape (n_features,)
        Variance of each feature.
    n_steps_seen_ : int
        Number of real steps the statistics were computed over.
    n_features_in_ : int
        Features per time step.
    feature_names_in_ : ndarray of str
        Column names of DataFrame input, when they are all strings.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.preprocessing import SequenceScaler
    >>> X = [np.array([[0.0], [2.0]]), np.array([[4.0], [6.0], [8.0]])]
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.var_
    (array([4.]), array([8.]))
    >>> [x.shape for x in scaler.transform(X)]
    [(2, 1), (3, 1)]
    """

    _parameter_constraints = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    @atomic_fit
    def fit(self, X, y=None):
        """Compute the mean and standard deviation of each feature.

        Parameters
        ----------
        X : sequences
            A list of arrays ``(T_i, n_features)`` or ``(T_i,)``, a 3D array,
            a 2D array of univariate sequences (NaN-padded at the end), or a
            DataFrame with a ``(sequence id, time step)`` MultiIndex.
        y : None
            Ignored.

        Returns
        -------
        self : SequenceScaler
        """
        self._validate_params()
        if is_dask_collection(X):
            blocks = dask_blocks(X)
            check_features(self, blocks.n_features, blocks.feature_names, reset=True)
            n, _, mean, std = _pooled(blocks.map(_block_statistics))
        else:
            sequences = validate_sequences(self, X, reset=True, dtype=np.float64)
            n, _, mean, std = column_statistics(sequences.steps())
        self.n_steps_seen_ = n
        with np.errstate(over="ignore"):
            self.var_ = std * std
        self.mean_ = mean if self.with_mean else np.zeros(len(mean))
        self.scale_ = np.ones(len(mean))
        if self.with_std:
            tiny = 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
            self.scale_ = np.where(std > tiny, std, 1.0)
        return self

    def transform(self, X):
        """Standardise the sequences.

        Parameters
        ----------
        X : sequences
            In any format accepted by :meth:`fit`, with ``n_features_in_``
            features per step.

        Returns
        -------
        X_scaled : sequences in the format of ``X``, float64
            A Dask collection gives a Dask collection of the same blocks.
        """
        return self._map(X, lambda v: (v - self.mean_) / self.scale_)

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : sequences
            Scaled sequences, in any accepted format.

        Returns
        -------
        X_original : sequences in the format of ``X``, float64
            A Dask collection gives a Dask collection of the same blocks.
        """
        return self._map(X, lambda v: v * self.scale_ + self.mean_)

    def _map(self, X, fn):
        """``fn`` applied to the values of X (lazily, block by block, for a
        Dask collection), after checking X against the fit."""
        check_is_fitted(self)
        if is_dask_collection(X):
            blocks = dask_blocks(X)
            check_features(self, blocks.n_features, blocks.feature_names, reset=False)

            def block(values, first_index):
                self._check_input(values, first_index)
                return map_values(values, fn)

            return map_lazily(X, block)
        self._check_input(X)
        return self._as_output(X, map_values(X, fn))

    def set_output(self, *, transform=None):
        """Choose the container of 2D results, as scikit-learn's transformers.

        Parameters
        ----------
        transform : {"default", "pandas"} or None, default=None
            ``"pandas"`` returns a 2D result (univariate sequences, one per
            row) as a DataFrame whose columns are the steps (named as in fit
            when fit saw a DataFrame, else ``"t0"``, ``"t1"``, ...); long
            frames stay frames. Lists of sequences and 3D arrays are returned
            as they are: a DataFrame cannot hold them. ``"default"`` keeps
            every format as it came; None leaves the setting unchanged.

        Returns
        -------
        self : SequenceScaler
        """
        if transform is None:
            return self
        if transform not in ("default", "pandas"):
            raise ValueError(
                f"transform must be 'default' or 'pandas', got {transform!r}."
            )
        # scikit-learn's attribute for it, which clone carries over
        self._sklearn_output_config = {"transform": transform}
        return self

    def _as_output(self, X, result):
        config = getattr(self, "_sklearn_output_config", {})
        if config.get("transform", "default") != "pandas":
            return result
        if isinstance(result, np.ndarray) and result.ndim == 2:
            names = getattr(self, "step_names_in_", None)
            if names is None or len(names) != result.shape[1]:
                names = [f"t{i}" for i in range(result.shape[1])]
            index = X.index if isinstance(X, pd.DataFrame) else None
            return pd.DataFrame(result, columns=names, index=index)
        return result

    def _check_input(self, X, first_index=0):
        check_is_fitted(self)
        validate_sequences(
            self, X, reset=False, dtype=np.float64, first_index=first_index
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags


def column_statistics(steps):
    """``(n, magnitude, mean, std)`` of each feature over the rows of
    ``steps``, computed on the values divided by their largest magnitude, so
    that values near the float range do not overflow in the sums."""
    magnitude = np.abs(steps).max(axis=0)
    magnitude[magnitude == 0] = 1.0
    unit = steps / magnitude
    return (
        len(steps),
        magnitude,
        unit.mean(axis=0) * magnitude,
        unit.std(axis=0) * magnitude,
    )


def _block_statistics(values, first_index):
    """:func:`column_statistics` of one block of a Dask collection."""
    sequences = check_sequences(values, dtype=np.float64, first_index=first_index)
    return column_statistics(sequences.steps())


def _pooled(parts):
    """The statistics of several blocks together, from each block's
    ``(n, magnitude, mean, std)``: the pooled variance is the mean of the
    blocks' variances plus the variance of their means (weighted by their
    steps), computed on values divided by the largest magnitude."""
    if len(parts) == 1:
        return parts[0]
    n = np.array([p[0] for p in parts], dtype=np.float64)[:, None]
    magnitude = np.max([p[1] for p in parts], axis=0)
    means = np.array([p[2] for p in parts]) / magnitude
    stds = np.array([p[3] for p in parts]) / magnitude
    mean = (n * means).sum(axis=0) / n.sum()
    var = (n * (stds**2 + (means - mean) ** 2)).sum(axis=0) / n.sum()
    return int(n.sum()), magnitude, mean * magnitude, np.sqrt(var) * magnitude
