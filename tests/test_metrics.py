"""Tagging metrics against cases counted by hand, and as GridSearchCV scorers."""

import numpy as np
import pytest
from sklearn.metrics import make_scorer
from sklearn.model_selection import cross_val_score

from sklearn_rnn import RNNSequenceTagger
from sklearn_rnn.metrics import (
    entity_f1_score,
    entity_precision_recall_fscore_support,
    entity_precision_score,
    entity_recall_score,
    flat_accuracy_score,
    flat_classification_report,
    flat_f1_score,
    flat_precision_score,
    flat_recall_score,
    get_entities,
    sequence_accuracy_score,
)

# Two sentences. True entities: PER(0,2), LOC(3,4) in the first; ORG(1,3),
# PER(4,5) in the second. Predicted: PER(0,1) (boundary wrong), LOC(3,4)
# (right) in the first; ORG(1,3) (right), LOC(4,5) (type wrong) in the second.
Y_TRUE = [
    ["B-PER", "I-PER", "O", "B-LOC", "O"],
    ["O", "B-ORG", "I-ORG", "O", "B-PER"],
]
Y_PRED = [
    ["B-PER", "O", "O", "B-LOC", "O"],
    ["O", "B-ORG", "I-ORG", "O", "B-LOC"],
]


def test_get_entities_reads_bio_and_iob1():
    assert get_entities(["O", "B-PER", "I-PER", "B-PER", "O"]) == [
        ("PER", 1, 3),
        ("PER", 3, 4),
    ]
    # an I- tag after O or after another type opens a span (IOB1, conlleval)
    assert get_entities(["I-LOC", "I-LOC", "O", "I-PER", "I-ORG"]) == [
        ("LOC", 0, 2),
        ("PER", 3, 4),
        ("ORG", 4, 5),
    ]
    assert get_entities(["O", "O"]) == []
    with pytest.raises(ValueError, match="'E-PER' is not a BIO tag"):
        get_entities(["E-PER"])


def test_entity_scores_by_hand():
    # 2 of 4 predicted entities are right; 2 of 4 true ones are found
    assert entity_precision_score(Y_TRUE, Y_PRED) == pytest.approx(2 / 4)
    assert entity_recall_score(Y_TRUE, Y_PRED) == pytest.approx(2 / 4)
    assert entity_f1_score(Y_TRUE, Y_PRED) == pytest.approx(0.5)
    # per type, sorted LOC, ORG, PER:
    #   LOC: 1 right of 2 predicted, 1 true  -> P 1/2, R 1,   F 2/3
    #   ORG: 1 of 1, 1 true                  -> P 1,   R 1,   F 1
    #   PER: 0 of 1, 2 true                  -> P 0,   R 0,   F 0
    p, r, f, support = entity_precision_recall_fscore_support(
        Y_TRUE, Y_PRED, average=None
    )
    np.testing.assert_allclose(p, [0.5, 1.0, 0.0])
    np.testing.assert_allclose(r, [1.0, 1.0, 0.0])
    np.testing.assert_allclose(f, [2 / 3, 1.0, 0.0])
    np.testing.assert_array_equal(support, [1, 1, 2])
    assert entity_f1_score(Y_TRUE, Y_PRED, average="macro") == pytest.approx(
        (2 / 3 + 1) / 3
    )
    assert entity_f1_score(Y_TRUE, Y_PRED, average="weighted") == pytest.approx(
        (2 / 3 * 1 + 1 * 1 + 0 * 2) / 4
    )
    assert entity_f1_score(Y_TRUE, Y_TRUE) == 1.0
    # nothing predicted, nothing to find: zero, not NaN
    assert entity_f1_score([["O"]], [["O"]]) == 0.0
    with pytest.raises(ValueError, match="average"):
        entity_f1_score(Y_TRUE, Y_PRED, average="binary")


def test_flat_and_sequence_scores_by_hand():
    # 10 tokens, 8 right (step 2 of the first and step 5 of the second wrong)
    assert flat_accuracy_score(Y_TRUE, Y_PRED) == pytest.approx(0.8)
    assert sequence_accuracy_score(Y_TRUE, Y_PRED) == 0.0
    assert sequence_accuracy_score(Y_TRUE, [Y_TRUE[0], Y_PRED[1]]) == 0.5
    # micro over all labels is accuracy; over the entity tags only:
    # B-LOC: P 1/2 R 1; B-ORG 1/1; B-PER: P 1/1, R 1/2; I-ORG 1/1; I-PER: P 0, R 0
    entity_tags = ["B-LOC", "B-ORG", "B-PER", "I-ORG", "I-PER"]
    assert flat_precision_score(Y_TRUE, Y_PRED) == pytest.approx(0.8)
    # predicted entity tags 5, right 4; true entity tags 6
    assert flat_precision_score(Y_TRUE, Y_PRED, labels=entity_tags) == pytest.approx(
        4 / 5
    )
    assert flat_recall_score(Y_TRUE, Y_PRED, labels=entity_tags) == pytest.approx(4 / 6)
    assert flat_f1_score(Y_TRUE, Y_PRED, labels=entity_tags) == pytest.approx(
        2 * (4 / 5) * (4 / 6) / (4 / 5 + 4 / 6)
    )
    f1 = flat_f1_score(Y_TRUE, Y_PRED, labels=entity_tags, average=None)
    np.testing.assert_allclose(f1, [2 / 3, 1.0, 2 / 3, 1.0, 0.0])
    report = flat_classification_report(Y_TRUE, Y_PRED, output_dict=True)
    assert report["I-PER"]["support"] == 1
    assert report["accuracy"] == pytest.approx(0.8)


def test_misaligned_labels_are_named():
    with pytest.raises(ValueError, match="Sequence 1 has 5 true labels but 4"):
        flat_accuracy_score(Y_TRUE, [Y_PRED[0], Y_PRED[1][:4]])
    with pytest.raises(ValueError, match="y_true holds 2 sequences but y_pred holds 1"):
        entity_f1_score(Y_TRUE, Y_PRED[:1])
    with pytest.raises(ValueError, match="empty"):
        sequence_accuracy_score([], [])


def test_metrics_work_as_scorers():
    """cross_val_score with each metric wrapped by make_scorer."""
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(3, 7), 1)) for _ in range(40)]
    # an entity wherever the feature is positive: B- at its start, I- after
    y = []
    for x in X:
        pos = x[:, 0] > 0
        tags = np.where(pos, "I-POS", "O").astype(object)
        tags[pos & ~np.r_[False, pos[:-1]]] = "B-POS"
        y.append(tags)
    tagger = RNNSequenceTagger(hidden_layer_sizes=(8,), max_iter=150, random_state=0)
    fitted = tagger.fit(X[:20], y[:20])
    predicted = fitted.predict(X[20:])
    for metric, kwargs in (
        (entity_f1_score, {}),
        (flat_f1_score, {"average": "macro"}),
        (sequence_accuracy_score, {}),
        (flat_accuracy_score, {}),
    ):
        scorer = make_scorer(metric, **kwargs)
        assert scorer(fitted, X[20:], y[20:]) == metric(y[20:], predicted, **kwargs)
        scores = cross_val_score(tagger, X, y, cv=2, scoring=scorer)
        assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))
    # the task is learnable: the entity score is far from chance
    assert entity_f1_score(y[20:], predicted) > 0.5


def test_entity_report_rows_are_the_entity_scores():
    from sklearn_rnn.metrics import (
        entity_classification_report,
        entity_f1_score,
        entity_precision_recall_fscore_support,
    )

    y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O", "B-LOC", "I-LOC"]]
    y_pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG", "O", "B-LOC", "O"]]
    report = entity_classification_report(y_true, y_pred, output_dict=True)
    p, r, f, n = entity_precision_recall_fscore_support(y_true, y_pred, average=None)
    for k, kind in enumerate(["LOC", "ORG", "PER"]):
        assert report[kind] == {
            "precision": p[k],
            "recall": r[k],
            "f1-score": f[k],
            "support": n[k],
        }
    assert report["micro avg"]["f1-score"] == entity_f1_score(y_true, y_pred)
    assert report["micro avg"]["support"] == 4
    text = entity_classification_report(y_true, y_pred, digits=3)
    assert "LOC" in text and f"{report['macro avg']['f1-score']:.3f}" in text
