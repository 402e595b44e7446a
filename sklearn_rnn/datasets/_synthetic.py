"""Synthetic sequence tasks with a known answer."""

import numpy as np
from sklearn.utils import check_random_state


def make_adding_problem(n_sequences=1000, n_steps=40, *, random_state=None):
    """The adding problem: a long-range dependency test for recurrent nets.

    Each step carries two features: a value drawn uniformly from [0, 1] and a
    marker, 0 or 1. Exactly two steps are marked, one among the first tenth
    of the steps and one among the last tenth; the target is the sum of the
    two marked values (Hochreiter & Schmidhuber, 1997).

    A model that only remembers recent steps can learn the second value and
    explains about half of the target's variance (R^2 near 0.5); going beyond
    that needs the first value, carried over about ``n_steps`` steps.

    Parameters
    ----------
    n_sequences : int, default=1000
        Number of sequences.
    n_steps : int, default=40
        Length of every sequence, at least 2.
    random_state : int, RandomState instance or None, default=None
        Seeds the values and the marker positions.

    Returns
    -------
    X : ndarray of shape (n_sequences, n_steps, 2)
        Values in ``X[..., 0]``, markers in ``X[..., 1]``.
    y : ndarray of shape (n_sequences,)
        Sum of the two marked values.

    Examples
    --------
    >>> from sklearn_rnn.datasets import make_adding_problem
    >>> X, y = make_adding_problem(3, 10, random_state=0)
    >>> X.shape, y.shape
    ((3, 10, 2), (3,))
    >>> X[:, :, 1].sum(axis=1)
    array([2., 2., 2.])
    """
    if n_steps < 2:
        raise ValueError(f"n_steps must be at least 2, got {n_steps}.")
    rng = check_random_state(random_state)
    span = max(1, n_steps // 10)
    values = rng.uniform(size=(n_sequences, n_steps))
    markers = np.zeros((n_sequences, n_steps))
    rows = np.arange(n_sequences)
    markers[rows, rng.randint(0, span, size=n_sequences)] = 1.0
    markers[rows, rng.randint(n_steps - span, n_steps, size=n_sequences)] = 1.0
    return np.stack([values, markers], axis=2), (values * markers).sum(axis=1)
