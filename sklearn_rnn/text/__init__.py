"""Text: documents to token-id sequences, and text generation."""

from sklearn_rnn.text._generator import TextGenerator
from sklearn_rnn.text._vectorizer import UNKNOWN_ID, SequenceVectorizer

__all__ = ["UNKNOWN_ID", "SequenceVectorizer", "TextGenerator"]
