"""The scikit-learn estimators: classifier, regressor and sequence tagger,
and the state their streamed predictions return."""

from sklearn_rnn.estimators._char_encoder import CharEncoder
from sklearn_rnn.estimators._classifier import RNNClassifier
from sklearn_rnn.estimators._regressor import RNNRegressor
from sklearn_rnn.estimators._stream import StreamState
from sklearn_rnn.estimators._tagger import RNNSequenceTagger

__all__ = [
    "CharEncoder",
    "RNNClassifier",
    "RNNRegressor",
    "RNNSequenceTagger",
    "StreamState",
]
