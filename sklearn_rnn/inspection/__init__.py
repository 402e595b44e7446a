"""Tools to look inside fitted estimators."""

from sklearn_rnn.inspection._gradient_flow import gradient_flow
from sklearn_rnn.inspection._permutation import permutation_importance

__all__ = ["gradient_flow", "permutation_importance"]
