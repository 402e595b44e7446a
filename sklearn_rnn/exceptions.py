"""Exceptions raised by sklearn_rnn."""


class DivergenceError(ValueError):
    """Training produced a non-finite loss or non-finite parameters.

    Raised instead of returning a model whose predictions would be NaN. The
    estimator is left as it was before the failed call.
    """
