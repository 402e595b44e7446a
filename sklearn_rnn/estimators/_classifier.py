"""Many-to-one classification: one label per sequence."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import column_or_1d

from sklearn_rnn.estimators import _docs
from sklearn_rnn.estimators._base import (
    BaseRNN,
    class_index_from_logits,
    log_proba_from_logits,
    proba_from_logits,
)
from sklearn_rnn.inputs import check_targets


def encode_classes(labels, reset_classes, estimator):
    """Set or check ``classes_`` and the output head of a classifying estimator.

    Parameters
    ----------
    labels : ndarray of shape (n,)
        Labels of the training data.
    reset_classes : array-like or None
        On a fresh fit, the classes to learn (``labels`` themselves, or the
        ``classes`` passed to ``partial_fit``); None to continue training.
    estimator : BaseRNN
        Receives ``classes_``, ``n_outputs_`` and ``out_activation_``.
    """
    check_classification_targets(labels)
    name = type(estimator).__name__
    if reset_classes is not None:
        classes = unique_labels(reset_classes)
        if len(classes) < 2:
            raise ValueError(
                f"{name} needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {classes[0]!r}."
            )
        estimator.classes_ = classes
        binary = len(classes) == 2
        estimator.n_outputs_ = 1 if binary else len(classes)
        estimator.out_activation_ = "logistic" if binary else "softmax"
    unseen = np.setdiff1d(unique_labels(labels), estimator.classes_)
    if unseen.size:
        raise ValueError(
            f"y contains labels {list(unseen)} that are not in classes_="
            f"{list(estimator.classes_)}. Pass every class with `classes=` on "
            "the first call to partial_fit."
        )


def _check_partial_fit_classes(estimator, classes):
    if not hasattr(estimator, "classes_"):
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return classes
    if classes is not None and not np.array_equal(
        estimator.classes_, unique_labels(classes)
    ):
        raise ValueError(
            f"`classes={classes!r}` is not the same as on the last call to "
            f"partial_fit, was: {estimator.classes_!r}."
        )
    return None


class RNNClassifier(ClassifierMixin, BaseRNN):
    """Recurrent network classifier: one label per sequence (many-to-one).

    The network reads each sequence step by step and classifies it from the
    hidden state of the last layer at the sequence's last real step. Two
    classes use one logistic output with log-loss, more a softmax with
    cross-entropy.

    {input_formats}
    Parameters
    ----------
    {parameters}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {attributes}
    See Also
    --------
    RNNRegressor : Many-to-one regression.
    RNNSequenceTagger : One label per time step.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(rng.randint(3, 8), 2)) for _ in range(40)]
    >>> y = [int(x[:, 0].sum() > 0) for x in X]
    >>> clf = RNNClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    __doc__ = _docs.fill(__doc__)

    def fit(self, X, y, sample_weight=None):
        """Fit the classifier.

        Parameters
        ----------
        X : sequences
            ``n_sequences`` sequences in any accepted format.
        y : array-like of shape (n_sequences,)
            One label per sequence.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss (and in the validation split's
            loss and score); None weighs them equally.

        Returns
        -------
        self : RNNClassifier
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X``, continuing from the current parameters.

        Parameters
        ----------
        X : sequences
        y : array-like of shape (n_sequences,)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss (and in the validation split's
            loss and score); None weighs them equally.

        Returns
        -------
        self : RNNClassifier
        """
        classes = _check_partial_fit_classes(self, classes)
        return self._fit(
            X, y, incremental=True, classes=classes, sample_weight=sample_weight
        )

    def _encode_targets(self, y, sequences, *, reset, classes=None):
        y = check_targets(y, sequences.n_sequences, type(self).__name__)
        y = column_or_1d(y, warn=True)
        if reset and classes is None:
            classes = y
        encode_classes(y, classes if reset else None, self)
        binarizer = LabelBinarizer().fit(self.classes_)
        return binarizer.transform(y).astype(np.float64)

    def _batch_targets(self, targets, idx, lengths):
        return targets[idx]

    def _stratify_labels(self, targets):
        return targets.argmax(axis=1) if targets.shape[1] > 1 else targets[:, 0]

    def predict(self, X):
        """Predict the class of each sequence.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        y : ndarray of shape (n_sequences,)
        """
        Z, _ = self._predict_logits(X)
        return self.classes_[class_index_from_logits(Z)]

    def predict_proba(self, X):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        proba : ndarray of shape (n_sequences, n_classes)
            Columns in the order of ``classes_``.
        """
        Z, _ = self._predict_logits(X)
        return proba_from_logits(Z, self.out_activation_)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        log_proba : ndarray of shape (n_sequences, n_classes)
        """
        Z, _ = self._predict_logits(X)
        return log_proba_from_logits(Z)
