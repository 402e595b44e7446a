"""Label handling shared by the classifying estimators.

:class:`~sklearn_rnn.RNNClassifier` (one label per sequence) and
:class:`~sklearn_rnn.RNNSequenceTagger` (one label per step) learn classes
and weigh them the same way, and read predictions from logits the same way
through a softmax or logistic head. They differ in how read-out rows map to
sequences (``_row_index``, ``_per_sequence``), and the tagger with
``crf=True`` decodes whole tag sequences instead (Viterbi for ``predict``,
forward-backward marginals for ``predict_proba``), through the same head
methods (:class:`sklearn_rnn.network._crf.CRFHead`).
"""

import numpy as np
import pandas as pd
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels

from sklearn_rnn.estimators._lazy import lazy_over_blocks
from sklearn_rnn.inputs import row_name


def learn_classes(labels, name):
    """The sorted classes of ``labels``, with the output head they need.

    Returns
    -------
    fitted : dict
        ``classes_``, ``n_outputs_`` (1 for two classes: one logistic output)
        and ``out_activation_`` (``"logistic"`` or ``"softmax"``).
    """
    classes = unique_labels(labels)
    if len(classes) < 2:
        raise ValueError(
            f"{name} needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes[0]!r}."
        )
    binary = len(classes) == 2
    return {
        "classes_": classes,
        "n_outputs_": 1 if binary else len(classes),
        "out_activation_": "logistic" if binary else "softmax",
    }


def class_codes(labels, classes):
    """Index in ``classes`` of each label; labels outside it are refused."""
    unseen = np.setdiff1d(unique_labels(labels), classes)
    if unseen.size:
        raise ValueError(
            f"y contains labels {unseen.tolist()} that are not in classes_="
            f"{classes.tolist()}: the classes are those of the first fit (for "
            "partial_fit, pass every class with `classes=` on the first call)."
        )
    return np.searchsorted(classes, labels)


class ClassLabelsMixin:
    """Classes, class weights and class predictions of a classifying RNN.

    The estimator provides ``_predict_logits`` and ``_per_sequence(rows,
    sequences)``, which groups per-row results by sequence. The output head
    decides and gives the probabilities, row by row or over whole sequences
    (the tagger's CRF), with the decoding constraints of
    ``_decoding_constraints``.
    """

    def _encode_labels(self, labels, *, fitted, reset, classes, lengths=None):
        """``(learned, codes, head, n_outputs)``: the classes learned on
        ``reset`` (from ``classes`` if given, else from ``labels``) or those
        of ``fitted``, each label's code, and the output head they need.
        ``lengths`` are given when there is one label per step."""
        missing = np.flatnonzero(pd.isna(np.asarray(labels)))
        if missing.size:
            raise ValueError(
                f"y has no label (None or NaN) for "
                f"{row_name(missing[0], lengths)}: every one needs a label."
            )
        check_classification_targets(labels)
        if reset:
            learned = learn_classes(
                labels if classes is None else classes, type(self).__name__
            )
            state = learned
        else:
            learned = {}
            known = ("classes_", "n_outputs_", "out_activation_")
            state = {k: getattr(fitted, k) for k in known}
        codes = class_codes(labels, state["classes_"])
        return learned, codes, state["out_activation_"], state["n_outputs_"]

    def _check_partial_fit_classes(self, classes):
        """The ``classes`` to learn on a first ``partial_fit``, None after."""
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            return classes
        if classes is not None and not np.array_equal(
            self.classes_, unique_labels(classes)
        ):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on the last call to "
                f"partial_fit, was: {self.classes_!r}."
            )
        return None

    def _class_weights(self, targets, classes, *, incremental):
        """Weight of each row from ``class_weight``, or None.

        ``"balanced"`` gives class ``c`` the weight
        ``n_rows / (n_classes * n_rows_of_c)`` over the rows of this call
        (real steps for the tagger), as scikit-learn's ``compute_class_weight``.
        """
        if self.class_weight is None:
            return None
        if self.class_weight == "balanced" and incremental:
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the "
                "class frequencies of one call are not those of the data. Pass "
                "a dict of weights computed once, e.g. with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', "
                "classes=classes, y=y)."
            )
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(classes.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names labels {sorted(map(repr, unknown))} "
                    f"that are not classes; the classes are {list(classes)}."
                )
            per_class = np.array(
                [self.class_weight.get(c, 1.0) for c in classes], dtype=np.float64
            )
            if not (np.isfinite(per_class).all() and (per_class >= 0).all()):
                raise ValueError(
                    "class_weight must give each class a finite weight >= 0, "
                    f"got {self.class_weight!r}."
                )
        else:
            # a class absent from these rows keeps weight 1 (it has no rows)
            present = np.unique(targets.codes)
            per_class = np.ones(len(classes))
            per_class[present] = compute_class_weight(
                "balanced", classes=classes[present], y=classes[targets.codes]
            )
        return per_class[targets.codes].astype(np.float64)

    @lazy_over_blocks
    def predict(self, X):
        """Predict the label of each sequence (the classifier) or of each step
        of each sequence (the tagger).

        Parameters
        ----------
        X : sequences

        Returns
        -------
        y : ndarray of shape (n_sequences,), or list of ndarray of shape (T_i,)
            For the tagger, one array per sequence, as long as the sequence.
        """
        return self._predictions(*self._predict_logits(X))

    @lazy_over_blocks
    def predict_proba(self, X):
        """Class probabilities of each sequence (the classifier) or of each
        step (the tagger).

        Parameters
        ----------
        X : sequences

        Returns
        -------
        proba : ndarray of shape (n_sequences, n_classes), or list of ndarray
            of shape (T_i, n_classes)
            Columns in the order of ``classes_``.
        """
        Z, sequences = self._predict_logits(X)
        return self._per_sequence(self._proba(Z, sequences), sequences)

    def predict_proba_stream(self, X, state=None):
        """Class probabilities on sequences fed a part at a time.

        As :meth:`predict_stream`, with the probabilities of
        :meth:`predict_proba`: of each new step (the tagger), or of each
        sequence after its new steps (the classifier).

        Parameters
        ----------
        X : sequences
            The new steps of each sequence.
        state : StreamState or None, default=None
            What the previous call returned; None starts the sequences.

        Returns
        -------
        proba : ndarray of shape (n_sequences, n_classes), or list of ndarray
            of shape (T_i, n_classes)
        state : StreamState
        """
        Z, sequences, state = self._stream(X, state)
        return self._per_sequence(self._proba(Z, sequences), sequences), state

    @lazy_over_blocks
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        log_proba : ndarray of shape (n_sequences, n_classes), or list of
            ndarray of shape (T_i, n_classes)
        """
        Z, sequences = self._predict_logits(X)
        return self._per_sequence(self._log_proba(Z, sequences), sequences)

    def _predictions(self, Z, sequences):
        """The labels the logits ``Z`` of ``sequences`` decide."""
        index = self._class_index(Z, sequences)
        return self._per_sequence(self.classes_[index], sequences)

    def _class_index(self, Z, sequences):
        """Index of the predicted class of each row of logits ``Z``."""
        return self._output_head().class_index(
            Z, sequences.lengths, self.params_, self._decoding_constraints()
        )

    def _proba(self, Z, sequences):
        return self._output_head().proba(Z, sequences.lengths, self.params_)

    def _log_proba(self, Z, sequences):
        return self._output_head().log_proba(Z, sequences.lengths, self.params_)
