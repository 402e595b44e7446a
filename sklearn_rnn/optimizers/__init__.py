"""Stochastic optimizers and gradient clipping used by the training loop."""

from sklearn_rnn.optimizers._clipping import clip_by_norm, clip_by_value
from sklearn_rnn.optimizers._optimizers import (
    AdamOptimizer,
    BaseOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
)
from sklearn_rnn.optimizers._row_gradient import RowGradient, gradient_values

__all__ = [
    "AdamOptimizer",
    "BaseOptimizer",
    "RMSpropOptimizer",
    "RowGradient",
    "SGDOptimizer",
    "clip_by_norm",
    "clip_by_value",
    "gradient_values",
]
