"""Scores of sequence taggers: per token (flat), per sequence and per entity."""

from sklearn_rnn.metrics._tagging import (
    TAGGING_SCORERS,
    entity_classification_report,
    entity_f1_score,
    entity_precision_recall_fscore_support,
    entity_precision_score,
    entity_recall_score,
    flat_accuracy_score,
    flat_classification_report,
    flat_f1_score,
    flat_precision_recall_fscore_support,
    flat_precision_score,
    flat_recall_score,
    get_entities,
    sequence_accuracy_score,
)

__all__ = [
    "TAGGING_SCORERS",
    "entity_classification_report",
    "entity_f1_score",
    "entity_precision_recall_fscore_support",
    "entity_precision_score",
    "entity_recall_score",
    "flat_accuracy_score",
    "flat_classification_report",
    "flat_f1_score",
    "flat_precision_recall_fscore_support",
    "flat_precision_score",
    "flat_recall_score",
    "get_entities",
    "sequence_accuracy_score",
]
