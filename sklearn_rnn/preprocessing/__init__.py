"""Sequence-aware preprocessing: transformers that keep sequences intact."""

from sklearn_rnn.preprocessing._scaler import SequenceScaler

__all__ = ["SequenceScaler"]
