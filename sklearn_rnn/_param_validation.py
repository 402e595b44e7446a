"""Constraints on parameters, for scikit-learn's own checking mechanism.

Estimators and transformers declare ``_parameter_constraints`` and public
functions use :func:`sklearn.utils._param_validation.validate_params`, so
that every invalid argument is refused before any work, in one wording
(``InvalidParameterError``, a ``ValueError`` and ``TypeError``). The
constraints scikit-learn lacks live here.
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval


class Count(Interval):
    """A whole number in ``[left, right]`` that is not a bool.

    ``Interval(Integral, ...)`` accepts ``True`` as 1; a flag given where a
    count belongs (``embedding_dim=True``, ``window=True``) is a mistake to
    name, not a size of one.

    Parameters
    ----------
    left : int, default=1
    right : int or None, default=None
        None for no upper bound.
    closed : {"left", "right", "both", "neither"}, default="left"
    """

    def __init__(self, left=1, right=None, *, closed="left"):
        super().__init__(Integral, left, right, closed=closed)

    def is_satisfied_by(self, val):
        if isinstance(val, bool | np.bool_):
            return False
        return super().is_satisfied_by(val)
