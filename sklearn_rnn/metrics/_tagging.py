"""Scores of sequence taggers: per token, per sequence and per entity.

Every function takes ``y_true`` and ``y_pred`` as lists of label sequences,
one array per sequence as :meth:`RNNSequenceTagger.predict` returns them, so
each can be wrapped with :func:`sklearn.metrics.make_scorer` and given as
``scoring=`` to ``GridSearchCV`` or ``cross_val_score``.
"""

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    make_scorer,
    precision_recall_fscore_support,
)


def _flatten(y_true, y_pred):
    """Both label lists concatenated, after checking they align."""
    y_true, y_pred = _check_pairs(y_true, y_pred)
    if not y_true:
        raise ValueError("y_true is empty: it holds no sequences.")
    return np.concatenate(y_true), np.concatenate(y_pred)


def _check_pairs(y_true, y_pred):
    y_true = [np.asarray(labels).ravel() for labels in y_true]
    y_pred = [np.asarray(labels).ravel() for labels in y_pred]
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true holds {len(y_true)} sequences but y_pred holds {len(y_pred)}."
        )
    for i, (t, p) in enumerate(zip(y_true, y_pred)):
        if t.shape != p.shape:
            raise ValueError(
                f"Sequence {i} has {t.shape[0]} true labels but {p.shape[0]} "
                "predicted ones."
            )
    return y_true, y_pred


def flat_accuracy_score(y_true, y_pred):
    """Share of tokens, over all sequences, whose label is right.

    Parameters
    ----------
    y_true, y_pred : list of array-like of shape (T_i,)

    Returns
    -------
    score : float

    Examples
    --------
    >>> from sklearn_rnn.metrics import flat_accuracy_score
    >>> flat_accuracy_score([["O", "B-PER"], ["O"]], [["O", "O"], ["O"]])
    0.666...
    """
    return float(accuracy_score(*_flatten(y_true, y_pred)))


def flat_precision_recall_fscore_support(y_true, y_pred, **kwargs):
    """Token-level :func:`sklearn.metrics.precision_recall_fscore_support`.

    Parameters
    ----------
    y_true, y_pred : list of array-like of shape (T_i,)
    **kwargs
        Passed on: ``labels``, ``average``, ``beta``, ``zero_division``...
    """
    return precision_recall_fscore_support(*_flatten(y_true, y_pred), **kwargs)


def flat_precision_score(y_true, y_pred, *, labels=None, average="micro"):
    """Token-level precision, averaged over labels as ``average`` says.

    Parameters
    ----------
    y_true, y_pred : list of array-like of shape (T_i,)
    labels : array-like, default=None
        The labels to score (e.g. every tag but ``"O"``); None for all.
    average : {"micro", "macro", "weighted"} or None, default="micro"
        As in :func:`sklearn.metrics.precision_score`; None gives one score
        per label.

    Returns
    -------
    precision : float or ndarray
    """
    return flat_precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=average, zero_division=0.0
    )[0]


def flat_recall_score(y_true, y_pred, *, labels=None, average="micro"):
    """Token-level recall; see :func:`flat_precision_score` for the arguments."""
    return flat_precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=average, zero_division=0.0
    )[1]


def flat_f1_score(y_true, y_pred, *, labels=None, average="micro"):
    """Token-level F1; see :func:`flat_precision_score` for the arguments."""
    return flat_precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=average, zero_division=0.0
    )[2]


def flat_classification_report(y_true, y_pred, **kwargs):
    """Token-level :func:`sklearn.metrics.classification_report`.

    Parameters
    ----------
    y_true, y_pred : list of array-like of shape (T_i,)
    **kwargs
        Passed on: ``labels``, ``digits``, ``output_dict``...
    """
    return classification_report(*_flatten(y_true, y_pred), **kwargs)


def sequence_accuracy_score(y_true, y_pred):
    """Share of sequences whose every label is right.

    Parameters
    ----------
    y_true, y_pred : list of array-like of shape (T_i,)

    Returns
    -------
    score : float
    """
    y_true, y_pred = _check_pairs(y_true, y_pred)
    if not y_true:
        raise ValueError("y_true is empty: it holds no sequences.")
    return float(np.mean([np.array_equal(t, p) for t, p in zip(y_true, y_pred)]))


def get_entities(labels):
    """Typed spans of a sequence of BIO (IOB2) or IOB1 tags.

    A span starts at ``B-X``, or at ``I-X`` when the previous tag is not of
    type ``X`` (as conlleval and seqeval's default mode read them, which also
    covers IOB1), and continues while the tags are ``I-X``. Any other tag
    ends it; ``O`` is outside every span.

    Parameters
    ----------
    labels : array-like of shape (T,)
        Tags such as ``"B-PER"``, ``"I-PER"`` and ``"O"``.

    Returns
    -------
    entities : list of tuple (type, start, stop)
        ``labels[start:stop]`` is the span.

    Examples
    --------
    >>> from sklearn_rnn.metrics import get_entities
    >>> get_entities(["B-PER", "I-PER", "O", "I-LOC", "B-LOC"])
    [('PER', 0, 2), ('LOC', 3, 4), ('LOC', 4, 5)]
    """
    entities = []
    current = None  # (type, start)
    for t, tag in enumerate(list(labels) + ["O"]):
        prefix, kind = _split_tag(tag)
        continues = prefix == "I" and current is not None and current[0] == kind
        if current is not None and not continues:
            entities.append((current[0], current[1], t))
            current = None
        if prefix == "B" or (prefix == "I" and not continues):
            current = (kind, t)
    return entities


def _split_tag(tag):
    tag = str(tag)
    if tag == "O":
        return "O", ""
    prefix, _, kind = tag.partition("-")
    if prefix not in ("B", "I"):
        raise ValueError(
            f"Tag {tag!r} is not a BIO tag: entity scores need tags 'O', "
            "'B-<type>' or 'I-<type>'."
        )
    return prefix, kind


def entity_precision_recall_fscore_support(y_true, y_pred, *, average="micro"):
    """Entity-level precision, recall, F1 and support.

    An entity predicted counts as right only if a true entity has the same
    type, start and end. With ``average="micro"`` this is conlleval's
    overall score.

    Parameters
    ----------
    y_true, y_pred : list of array-like of shape (T_i,)
        BIO (IOB2) tags; see :func:`get_entities`.
    average : {"micro", "macro", "weighted"} or None, default="micro"
        ``"micro"`` counts entities of every type together; ``"macro"``
        averages the per-type scores, ``"weighted"`` weights them by support;
        None returns the per-type scores, types sorted by name.

    Returns
    -------
    precision, recall, f1 : float or ndarray of shape (n_types,)
        0 where undefined (no entity predicted, or none to find).
    support : int or ndarray of shape (n_types,)
        True entities of each type (their total when averaged).
    """
    return _entity_scores(_entity_counts(y_true, y_pred), average)


def _entity_counts(y_true, y_pred):
    """``(types, hits, predicted, true)``: the entity types, sorted, and the
    number of entities of each type that are right, predicted and true."""
    y_true, y_pred = _check_pairs(y_true, y_pred)
    true, pred = set(), set()
    for i, (t, p) in enumerate(zip(y_true, y_pred)):
        true.update((kind, i, a, b) for kind, a, b in get_entities(t))
        pred.update((kind, i, a, b) for kind, a, b in get_entities(p))
    types = sorted({e[0] for e in true | pred})

    def count(entities):
        return np.array([sum(e[0] == k for e in entities) for k in types], dtype=float)

    return types, count(true & pred), count(pred), count(true)


def _entity_scores(counts, average):
    """Precision, recall, F1 and support from :func:`_entity_counts`."""
    types, n_hit, n_pred, n_true = counts
    if average == "micro":
        n_hit, n_pred, n_true = n_hit.sum(), n_pred.sum(), n_true.sum()
    precision = _ratio(n_hit, n_pred)
    recall = _ratio(n_hit, n_true)
    f1 = _ratio(2 * precision * recall, precision + recall)
    if average in ("macro", "weighted"):
        weights = n_true if average == "weighted" else np.ones(len(types))
        if weights.sum() == 0:
            return 0.0, 0.0, 0.0, int(n_true.sum())
        precision, recall, f1 = (
            float(np.average(s, weights=weights)) for s in (precision, recall, f1)
        )
        return precision, recall, f1, int(n_true.sum())
    if average == "micro":
        return float(precision), float(recall), float(f1), int(n_true)
    if average is None:
        return precision, recall, f1, n_true.astype(int)
    raise ValueError(
        f"average must be 'micro', 'macro', 'weighted' or None, got {average!r}."
    )


def entity_classification_report(y_true, y_pred, *, digits=2, output_dict=False):
    """Entity-level precision, recall and F1 of each entity type, as
    :func:`sklearn.metrics.classification_report` lays them out.

    Parameters
    ----------
    y_true, y_pred : list of array-like of shape (T_i,)
        BIO (IOB2) tags; see :func:`get_entities`.
    digits : int, default=2
    output_dict : bool, default=False
        Return a dict ``{type: {"precision", "recall", "f1-score",
        "support"}}``, with ``"micro avg"``, ``"macro avg"`` and ``"weighted
        avg"`` rows, instead of text.

    Returns
    -------
    report : str or dict

    Examples
    --------
    >>> from sklearn_rnn.metrics import entity_classification_report
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"]]
    >>> y_pred = [["B-PER", "I-PER", "O", "O"]]
    >>> print(entity_classification_report(y_true, y_pred))
                  precision    recall  f1-score   support
    <BLANKLINE>
             LOC       0.00      0.00      0.00         1
             PER       1.00      1.00      1.00         1
    <BLANKLINE>
       micro avg       1.00      0.50      0.67         2
       macro avg       0.50      0.50      0.50         2
    weighted avg       0.50      0.50      0.50         2
    <BLANKLINE>
    """
    counts = _entity_counts(y_true, y_pred)  # each entity found once
    per_type = _entity_scores(counts, None)
    report = {}
    for k, kind in enumerate(counts[0]):
        p, r, f, n = (float(v[k]) for v in per_type)
        report[kind] = {"precision": p, "recall": r, "f1-score": f, "support": int(n)}
    for average in ("micro", "macro", "weighted"):
        p, r, f, n = _entity_scores(counts, average)
        report[f"{average} avg"] = {
            "precision": p,
            "recall": r,
            "f1-score": f,
            "support": int(n),
        }
    if output_dict:
        return report
    width = max([len(name) for name in report] + [digits + 3])
    header = " " * width + "".join(
        f"{h:>{10}}" for h in ("precision", "recall", "f1-score", "support")
    )
    lines = [header, ""]
    for name, row in report.items():
        if name == "micro avg":
            lines.append("")
        values = "".join(
            f"{row[k]:>10.{digits}f}" for k in ("precision", "recall", "f1-score")
        )
        lines.append(f"{name:>{width}}{values}{row['support']:>10}")
    return "\n".join(lines) + "\n"


def _ratio(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def entity_f1_score(y_true, y_pred, *, average="micro"):
    """Entity-level F1 (CoNLL's score); see
    :func:`entity_precision_recall_fscore_support`.

    Examples
    --------
    >>> from sklearn_rnn.metrics import entity_f1_score
    >>> y_true = [["B-PER", "I-PER", "O", "B-LOC"]]
    >>> y_pred = [["B-PER", "O", "O", "B-LOC"]]  # the person is cut short
    >>> entity_f1_score(y_true, y_pred)
    0.5
    """
    return entity_precision_recall_fscore_support(y_true, y_pred, average=average)[2]


def entity_precision_score(y_true, y_pred, *, average="micro"):
    """Entity-level precision; see :func:`entity_precision_recall_fscore_support`."""
    return entity_precision_recall_fscore_support(y_true, y_pred, average=average)[0]


def entity_recall_score(y_true, y_pred, *, average="micro"):
    """Entity-level recall; see :func:`entity_precision_recall_fscore_support`."""
    return entity_precision_recall_fscore_support(y_true, y_pred, average=average)[1]


#: Scorers of taggers, by the name ``RNNSequenceTagger(scoring=...)`` takes;
#: each is ``make_scorer`` of the metric of the same name (``"flat_f1"``
#: micro-averaged over tokens, ``"entity_f1"`` micro-averaged over entities).
TAGGING_SCORERS = {
    "flat_accuracy": make_scorer(flat_accuracy_score),
    "flat_f1": make_scorer(flat_f1_score),
    "flat_precision": make_scorer(flat_precision_score),
    "flat_recall": make_scorer(flat_recall_score),
    "sequence_accuracy": make_scorer(sequence_accuracy_score),
    "entity_f1": make_scorer(entity_f1_score),
    "entity_precision": make_scorer(entity_precision_score),
    "entity_recall": make_scorer(entity_recall_score),
}
