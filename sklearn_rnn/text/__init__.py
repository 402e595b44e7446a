"""Text: documents to token-id sequences, pretrained word vectors, and text
generation."""

from sklearn_rnn.text._generator import TextGenerator
from sklearn_rnn.text._vectorizer import UNKNOWN_ID, SequenceVectorizer, word_shape
from sklearn_rnn.text._vectors import load_word_vectors

__all__ = [
    "UNKNOWN_ID",
    "SequenceVectorizer",
    "TextGenerator",
    "load_word_vectors",
    "word_shape",
]
