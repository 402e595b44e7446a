"""Tools to look inside fitted estimators."""

from sklearn_rnn.inspection._gradient_flow import gradient_flow

__all__ = ["gradient_flow"]
