"""The scikit-learn estimators: classifier, regressor and sequence tagger."""

from sklearn_rnn.estimators._classifier import RNNClassifier
from sklearn_rnn.estimators._regressor import RNNRegressor
from sklearn_rnn.estimators._tagger import RNNSequenceTagger

__all__ = ["RNNClassifier", "RNNRegressor", "RNNSequenceTagger"]
