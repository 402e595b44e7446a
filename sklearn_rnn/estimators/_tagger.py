"""Many-to-many sequence labelling: one label per time step."""

import numpy as np

from sklearn_rnn.estimators import _docs
from sklearn_rnn.estimators._base import (
    BaseRNN,
    class_index_from_logits,
    log_proba_from_logits,
    proba_from_logits,
)
from sklearn_rnn.estimators._classifier import (
    _check_partial_fit_classes,
    encode_classes,
)
from sklearn_rnn.inputs import check_sequence_labels, check_step_weights


def _token_index(lengths, idx):
    """Positions, in the concatenated labels, of the steps of sequences ``idx``."""
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    sel_lengths = lengths[idx]
    offsets = np.repeat(starts[idx] - np.cumsum(sel_lengths) + sel_lengths, sel_lengths)
    return offsets + np.arange(sel_lengths.sum())


def _split(rows, lengths):
    return np.split(rows, np.cumsum(lengths)[:-1])


class RNNSequenceTagger(BaseRNN):
    """Recurrent network tagger: one label per time step (many-to-many).

    The output layer reads the last layer's hidden state at every real step
    of every sequence; padded steps carry no label and add nothing to the
    loss. Two classes use one logistic output with log-loss, more a softmax
    with cross-entropy. The loss is the mean over labelled steps.

    {input_formats}
    ``y`` is a list with one 1D array of labels per sequence, as long as the
    sequence; labels may be of any type (str, int).

    Parameters
    ----------
    {parameters}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Tag labels.

    {attributes}
    See Also
    --------
    RNNClassifier : One label per sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNSequenceTagger
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=rng.randint(3, 8)) for _ in range(40)]
    >>> y = [np.where(x > 0, "pos", "neg") for x in X]
    >>> tagger = RNNSequenceTagger(hidden_layer_sizes=(8,), max_iter=5,
    ...                            random_state=0)
    >>> [x.shape for x in X[:2]]
    [(7,), (7,)]
    >>> [p.shape for p in tagger.fit(X, y).predict(X[:2])]
    [(7,), (7,)]
    """

    __doc__ = _docs.fill(__doc__)

    _per_step = True

    def fit(self, X, y, sample_weight=None):
        """Fit the tagger.

        Parameters
        ----------
        X : sequences
            ``n_sequences`` sequences in any accepted format.
        y : list of array-like of shape (T_i,)
            The labels of each step of each sequence.

        sample_weight : array-like or list of array-like, default=None
            Weight of each sequence, shape (n_sequences,), or of each step of
            each sequence, a list of arrays of shape (T_i,), in the loss (and
            in the validation split's loss and score); None weighs every step
            equally.

        Returns
        -------
        self : RNNSequenceTagger
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X``, continuing from the current parameters.

        Parameters
        ----------
        X : sequences
        y : list of array-like of shape (T_i,)
        classes : array-like of shape (n_classes,), default=None
            Every tag that will ever appear; required on the first call.

        sample_weight : array-like or list of array-like, default=None
            Weight of each sequence, shape (n_sequences,), or of each step of
            each sequence, a list of arrays of shape (T_i,), in the loss (and
            in the validation split's loss and score); None weighs every step
            equally.

        Returns
        -------
        self : RNNSequenceTagger
        """
        classes = _check_partial_fit_classes(self, classes)
        return self._fit(
            X, y, incremental=True, classes=classes, sample_weight=sample_weight
        )

    def _encode_targets(self, y, sequences, *, reset, classes=None):
        labels = check_sequence_labels(y, sequences.lengths, type(self).__name__)
        if reset and classes is None:
            classes = labels
        encode_classes(labels, classes if reset else None, self)
        return np.searchsorted(self.classes_, labels)

    def _row_index(self, idx, lengths):
        return _token_index(lengths, idx)

    def _row_weights(self, sample_weight, sequences):
        return check_step_weights(sample_weight, sequences.lengths)

    def _batch_targets(self, codes, idx, lengths):
        batch_codes = codes[_token_index(lengths, idx)]
        if self.n_outputs_ == 1:
            return batch_codes[:, None].astype(np.float64)
        return np.eye(self.n_outputs_)[batch_codes]

    def predict(self, X):
        """Predict the label of every step of every sequence.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        y : list of ndarray of shape (T_i,)
            One array per sequence, as long as the sequence.
        """
        Z, sequences = self._predict_logits(X)
        return _split(self.classes_[class_index_from_logits(Z)], sequences.lengths)

    def predict_proba(self, X):
        """Label probabilities of every step of every sequence.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        proba : list of ndarray of shape (T_i, n_classes)
            Columns in the order of ``classes_``.
        """
        Z, sequences = self._predict_logits(X)
        return _split(proba_from_logits(Z, self.out_activation_), sequences.lengths)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        log_proba : list of ndarray of shape (T_i, n_classes)
        """
        Z, sequences = self._predict_logits(X)
        return _split(log_proba_from_logits(Z), sequences.lengths)

    def score(self, X, y, sample_weight=None):
        """Token accuracy: the share of real steps whose label is predicted.

        Parameters
        ----------
        X : sequences
        y : list of array-like of shape (T_i,)
        sample_weight : array-like or list of array-like, default=None
            Weight of each sequence, shape (n_sequences,), or of each step, a
            list of arrays of shape (T_i,), in the share.

        Returns
        -------
        score : float
        """
        Z, sequences = self._predict_logits(X)
        labels = check_sequence_labels(y, sequences.lengths, type(self).__name__)
        predicted = self.classes_[class_index_from_logits(Z)]
        weights = None
        if sample_weight is not None:
            weights = check_step_weights(sample_weight, sequences.lengths)
        return float(np.average(predicted == labels, weights=weights))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
