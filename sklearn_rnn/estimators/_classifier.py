"""Many-to-one classification: one label per sequence."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import column_or_1d

from sklearn_rnn.estimators import _docs
from sklearn_rnn.estimators._base import BaseRNN, user_validation_set
from sklearn_rnn.estimators._labels import ClassLabelsMixin
from sklearn_rnn.estimators._lazy import predictions_to_score
from sklearn_rnn.estimators._targets import EncodedTargets
from sklearn_rnn.inputs import check_targets


class RNNClassifier(ClassLabelsMixin, ClassifierMixin, BaseRNN):
    """Recurrent network classifier: one label per sequence (many-to-one).

    The network reads each sequence step by step and classifies it from the
    hidden state of the last layer at the sequence's last real step. Two
    classes use one logistic output with log-loss, more a softmax with
    cross-entropy.

    {input_formats}
    Parameters
    ----------
    {parameters}
    class_weight : dict, "balanced" or None, default=None
        Weight of each class in the loss, multiplied with ``sample_weight``
        as in scikit-learn's linear models: a dict ``{label: weight}``
        (classes left out weigh 1), or ``"balanced"`` for
        ``n_rows / (n_classes * np.bincount(y))`` over the rows of the call
        (the sequences). ``"balanced"`` is refused by ``partial_fit``, whose one
        call does not see the class frequencies of the data. The validation
        loss and score of ``early_stopping`` are weighted the same way.

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

    _parameter_constraints = {
        **BaseRNN._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        cell="lstm",
        hidden_layer_sizes=(64,),
        activation="tanh",
        *,
        embedding_dim=None,
        embedding_init=None,
        freeze_embedding=False,
        categorical_features=None,
        char_encoder=None,
        bidirectional=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        bptt_truncate=None,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.003,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        rho=0.9,
        n_iter_no_change=10,
        clip_norm=5.0,
        clip_value=None,
        dtype="float32",
        scoring=None,
        class_weight=None,
    ):
        super().__init__(
            cell=cell,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            embedding_dim=embedding_dim,
            embedding_init=embedding_init,
            freeze_embedding=freeze_embedding,
            categorical_features=categorical_features,
            char_encoder=char_encoder,
            bidirectional=bidirectional,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            bptt_truncate=bptt_truncate,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            rho=rho,
            n_iter_no_change=n_iter_no_change,
            clip_norm=clip_norm,
            clip_value=clip_value,
            dtype=dtype,
            scoring=scoring,
        )
        self.class_weight = class_weight

    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the classifier.

        Parameters
        ----------
        X : sequences
            ``n_sequences`` sequences in any accepted format.
        y : array-like of shape (n_sequences,)
            One label per sequence.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss (and in the validation loss
            and score); None weighs them equally.

        X_val : sequences, default=None
            Validation sequences for ``early_stopping``, used instead of
            holding out ``validation_fraction`` of ``X`` (as
            ``HistGradientBoosting*``). In a :class:`~sklearn.pipeline.Pipeline`
            they reach the estimator untransformed unless the pipeline is
            told to transform them (``transform_input=["X_val"]``).

        y_val : array-like of shape (n_val,), default=None
            Targets of ``X_val``.

        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of ``X_val``.

        Returns
        -------
        self : RNNClassifier
        """
        return self._fit(
            X,
            y,
            incremental=False,
            sample_weight=sample_weight,
            validation=user_validation_set(X_val, y_val, sample_weight_val),
        )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X``, continuing from the current parameters.

        Parameters
        ----------
        X : sequences
        y : array-like of shape (n_sequences,)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call.

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss; None weighs them equally.

        Returns
        -------
        self : RNNClassifier
        """
        classes = self._check_partial_fit_classes(classes)
        return self._fit(
            X, y, incremental=True, classes=classes, sample_weight=sample_weight
        )

    def _encode_targets(self, y, sequences, *, fitted, reset, classes=None):
        y = check_targets(y, sequences.n_sequences, type(self).__name__)
        y = column_or_1d(y, warn=True)
        learned, codes, head, n_outputs = self._encode_labels(
            y, fitted=fitted, reset=reset, classes=classes
        )
        if n_outputs == 1:
            values = codes[:, None].astype(np.float64)
        else:
            values = np.eye(n_outputs)[codes]
        return EncodedTargets(values, head, n_outputs, y, learned, codes)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of the predicted labels, as scikit-learn's
        classifiers.

        Parameters
        ----------
        X : sequences
            In any accepted format, a Dask collection included (predicted
            block by block).
        y : array-like of shape (n_sequences,)
        sample_weight : array-like of shape (n_sequences,), default=None

        Returns
        -------
        score : float
        """
        y, y_pred, sample_weight = predictions_to_score(self, X, y, sample_weight)
        return float(accuracy_score(y, y_pred, sample_weight=sample_weight))

    def _batch_targets(self, targets, idx, lengths):
        return targets[idx]

    def _per_sequence(self, rows, sequences):
        return rows
