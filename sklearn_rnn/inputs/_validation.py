"""Validation of sequences against what an estimator saw in fit."""

import warnings

from sklearn_rnn.inputs._sequences import check_sequences


def validate_sequences(estimator, X, *, reset, dtype):
    """Check ``X`` and, on ``reset``, record its feature count and names.

    Parameters
    ----------
    estimator : estimator
        Receives ``n_features_in_`` and ``feature_names_in_`` on ``reset``;
        otherwise X is checked against them.
    X : sequences in any format accepted by :func:`check_sequences`
    reset : bool
        True in ``fit``, False when predicting or transforming.
    dtype : numpy dtype
        Floating type of the returned data.

    Returns
    -------
    sequences : Sequences
    """
    sequences = check_sequences(X, dtype=dtype)
    if reset:
        estimator.n_features_in_ = sequences.n_features
    elif sequences.n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {sequences.n_features} features per step, but "
            f"{type(estimator).__name__} is expecting {estimator.n_features_in_} "
            "features per step as input."
        )
    _check_feature_names(estimator, sequences.feature_names, reset=reset)
    return sequences


def _check_feature_names(estimator, names, *, reset):
    """scikit-learn's feature-name rules, for names read from any format."""
    name = type(estimator).__name__
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None and names is None:
        return
    if names is None:
        warnings.warn(
            f"X does not have valid feature names, but {name} was fitted "
            "with feature names",
            UserWarning,
            stacklevel=3,
        )
    elif fitted is None:
        warnings.warn(
            f"X has feature names, but {name} was fitted without feature names",
            UserWarning,
            stacklevel=3,
        )
    elif len(names) != len(fitted) or any(names != fitted):
        raise ValueError(
            "The feature names should match those that were passed during "
            f"fit. Fitted with {list(fitted)}, got {list(names)}."
        )
