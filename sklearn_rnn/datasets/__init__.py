"""Data sets: synthetic generators, and small real series and text corpora
that ship with the package."""

from sklearn_rnn.datasets._real import load_co2
from sklearn_rnn.datasets._synthetic import make_adding_problem
from sklearn_rnn.datasets._text import (
    load_entity_sentences,
    load_movie_reviews,
    load_proverbs,
)

__all__ = [
    "load_co2",
    "load_entity_sentences",
    "load_movie_reviews",
    "load_proverbs",
    "make_adding_problem",
]
