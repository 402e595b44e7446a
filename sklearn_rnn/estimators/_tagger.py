"""Many-to-many sequence labelling: one label per time step."""

import numpy as np
from sklearn.utils._param_validation import StrOptions

from sklearn_rnn.estimators import _docs
from sklearn_rnn.estimators._base import BaseRNN, user_validation_set
from sklearn_rnn.estimators._labels import ClassLabelsMixin
from sklearn_rnn.estimators._lazy import predictions_to_score
from sklearn_rnn.estimators._targets import EncodedTargets
from sklearn_rnn.inputs import check_sequence_labels, check_step_weights
from sklearn_rnn.metrics import TAGGING_SCORERS
from sklearn_rnn.network._crf import (
    bio_allowed,
    check_bio_tags,
)


def _token_index(lengths, idx):
    """Positions, in the concatenated labels, of the steps of sequences ``idx``."""
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    sel_lengths = lengths[idx]
    offsets = np.repeat(starts[idx] - np.cumsum(sel_lengths) + sel_lengths, sel_lengths)
    return offsets + np.arange(sel_lengths.sum())


def _split(rows, lengths):
    return np.split(rows, np.cumsum(lengths)[:-1])


class RNNSequenceTagger(ClassLabelsMixin, BaseRNN):
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
    class_weight : dict, "balanced" or None, default=None
        Weight of each class in the loss, multiplied with ``sample_weight``
        as in scikit-learn's linear models: a dict ``{label: weight}``
        (classes left out weigh 1), or ``"balanced"`` for
        ``n_rows / (n_classes * np.bincount(y))`` over the rows of the call
        (the real steps, padding excluded). ``"balanced"`` is refused by
        ``partial_fit``, whose one call does not see the class frequencies
        of the data. The validation loss and score of ``early_stopping`` are
        weighted the same way.

    crf : bool, default=False
        Put a linear-chain conditional random field on top of the network:
        the logits of a sequence's steps are its emissions, and learned
        transition, start and end scores (``params_["crf.transitions"]``,
        ``["crf.start"]``, ``["crf.end"]``) tie neighbouring tags. Training
        minimises the negative log-likelihood of whole tag sequences (per
        step, as the loss without it), ``predict`` returns the likeliest tag
        sequence (Viterbi) and ``predict_proba`` each step's marginal
        probabilities. One output per tag, even for two tags. Not available
        with ``bptt_truncate`` or ``class_weight``; weights must be the same
        at every step of a sequence.

    crf_constraints : {"bio"} or None, default=None
        With ``crf``, tag sequences that decoding may not return: ``"bio"``
        forbids ``I-X`` at the start of a sequence and after any tag but
        ``B-X`` and ``I-X``. Applied in ``predict`` (and ``score``), not in
        training or in ``predict_proba``.

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

    _parameter_constraints = {
        **BaseRNN._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "crf": ["boolean"],
        "crf_constraints": [StrOptions({"bio"}), None],
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
        crf=False,
        crf_constraints=None,
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
        self.crf = crf
        self.crf_constraints = crf_constraints

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
            in the validation loss and score); None weighs every step
            equally.

        X_val : sequences, default=None
            Validation sequences for ``early_stopping``, used instead of
            holding out ``validation_fraction`` of ``X`` (as
            ``HistGradientBoosting*``). In a :class:`~sklearn.pipeline.Pipeline`
            they reach the estimator untransformed unless the pipeline is
            told to transform them (``transform_input=["X_val"]``).

        y_val : list of array-like of shape (T_i,), default=None
            Targets of ``X_val``.

        sample_weight_val : array-like or list of array-like, default=None
            Weights of ``X_val``.

        Returns
        -------
        self : RNNSequenceTagger
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
        y : list of array-like of shape (T_i,)
        classes : array-like of shape (n_classes,), default=None
            Every tag that will ever appear; required on the first call.

        sample_weight : array-like or list of array-like, default=None
            Weight of each sequence, shape (n_sequences,), or of each step of
            each sequence, a list of arrays of shape (T_i,), in the loss; None
            weighs every step equally.

        Returns
        -------
        self : RNNSequenceTagger
        """
        classes = self._check_partial_fit_classes(classes)
        return self._fit(
            X, y, incremental=True, classes=classes, sample_weight=sample_weight
        )

    def _encode_targets(self, y, sequences, *, fitted, reset, classes=None):
        labels = check_sequence_labels(y, sequences.lengths, type(self).__name__)
        learned, codes, head, n_outputs = self._encode_labels(
            labels,
            fitted=fitted,
            reset=reset,
            classes=classes,
            lengths=sequences.lengths,
        )
        if reset and self.crf:
            learned["out_activation_"] = head = "crf"
            learned["n_outputs_"] = n_outputs = len(learned["classes_"])
        if self.crf_constraints == "bio":
            check_bio_tags(learned.get("classes_", getattr(fitted, "classes_", [])))
        per_sequence = _split(labels, sequences.lengths)
        return EncodedTargets(codes, head, n_outputs, per_sequence, learned, codes)

    def _check_continuation(self, structure):
        super()._check_continuation(structure)
        fitted_crf = self._spec.head == "crf"
        if self.crf != fitted_crf:
            raise ValueError(
                "warm_start and partial_fit continue training the same network: "
                f"crf={fitted_crf} cannot change between calls."
            )

    def _structure(self):
        if self.crf_constraints is not None and not self.crf:
            raise ValueError(
                f"crf_constraints={self.crf_constraints!r} constrains the CRF's "
                "decoding, so it needs crf=True."
            )
        if self.crf and self.bptt_truncate is not None:
            raise ValueError(
                "crf=True cannot be combined with bptt_truncate: the CRF scores "
                "whole tag sequences."
            )
        if self.crf and self.class_weight is not None:
            raise ValueError(
                "crf=True cannot be combined with class_weight: class weights "
                "weigh single steps, while the CRF's loss is that of whole tag "
                "sequences. Weigh sequences with sample_weight instead."
            )
        return super()._structure()

    def _row_index(self, idx, lengths):
        return _token_index(lengths, idx)

    def _row_weights(self, sample_weight, sequences):
        return check_step_weights(sample_weight, sequences.lengths)

    def _batch_targets(self, codes, idx, lengths):
        batch_codes = codes[_token_index(lengths, idx)]
        if self.n_outputs_ == 1:
            return batch_codes[:, None].astype(np.float64)
        return np.eye(self.n_outputs_)[batch_codes]

    def _per_sequence(self, rows, sequences):
        return _split(rows, sequences.lengths)

    def _decoding_constraints(self):
        if self.crf_constraints == "bio":
            return bio_allowed(self.classes_)
        return None

    def _scorer(self):
        if isinstance(self.scoring, str) and self.scoring != "loss":
            if self.scoring not in TAGGING_SCORERS:
                raise ValueError(
                    f"scoring={self.scoring!r} is not a tagging scorer; use one "
                    f"of {sorted(TAGGING_SCORERS)}, 'loss', None or a callable."
                )
            return TAGGING_SCORERS[self.scoring]
        return super()._scorer()

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
        y, predicted, sample_weight = predictions_to_score(self, X, y, sample_weight)
        lengths = np.array([len(steps) for steps in predicted], dtype=np.int64)
        labels = check_sequence_labels(y, lengths, type(self).__name__)
        weights = None
        if sample_weight is not None:
            weights = check_step_weights(sample_weight, lengths)
        return float(np.average(np.concatenate(predicted) == labels, weights=weights))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
