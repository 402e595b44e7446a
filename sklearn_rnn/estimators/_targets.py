"""What an estimator's target encoding hands to ``fit``."""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class EncodedTargets:
    """Targets encoded for the loss, and the fitted state they imply.

    Returned by each estimator's ``_encode_targets``; ``fit`` builds the
    network from ``head`` and ``n_outputs`` and adds ``fitted`` to the
    :class:`~sklearn_rnn.estimators._state.FitState` it is building, which
    is written onto the estimator once every check has passed.

    Attributes
    ----------
    values : ndarray
        What the loss reads, one row per read-out row: 0/1 or one-hot class
        indicators (n_sequences, n_outputs) for the classifier, class codes
        (n_steps,) for the tagger (one-hot encoded batch by batch), scaled
        values (n_sequences, n_outputs) for the regressor.
    head : str
        Name of the output head (:func:`sklearn_rnn.network._heads.get_head`).
    n_outputs : int
        Number of network outputs.
    labels : ndarray or list of ndarray
        The targets as the user gave them, one item per sequence: what
        ``score`` and scorers compare predictions with.
    fitted : dict
        Fitted attributes this encoding sets (``classes_``, ``n_outputs_``,
        ``out_activation_``, ``target_mean_``, ...); empty when training
        continues with the fitted ones.
    codes : ndarray of shape (n_rows,) or None
        Class index of each read-out row (classification), for class weights
        and a stratified validation split.
    """

    values: np.ndarray
    head: str
    n_outputs: int
    labels: object
    fitted: dict = field(default_factory=dict)
    codes: np.ndarray | None = None


def take_labels(labels, indices):
    """The user-form targets of the sequences ``indices``."""
    if isinstance(labels, np.ndarray):
        return labels[indices]
    return [labels[i] for i in indices]
