"""Exceptions raised by sklearn_rnn."""


class DivergenceError(ValueError):
    """Training produced a non-finite loss or non-finite parameters.

    Raised instead of returning a model whose predictions would be NaN. The
    estimator is left as it was before the failed call.
    """


class StepColumnsWarning(UserWarning):
    """The columns of a 2D DataFrame were read as time steps.

    A 2D ``X`` holds one univariate sequence per row, its columns the steps,
    oldest first. ``fit`` gives this warning when a 2D DataFrame's column
    names do not read as steps (names that do end in a number: ``t0``,
    ``lag_1``, ``2024-01``), since columns such as ``"sepal length (cm)"``
    are more likely the features of a tabular data set. Silence it with
    ``warnings.filterwarnings("ignore", category=StepColumnsWarning)`` when
    the reading is intended.
    """
