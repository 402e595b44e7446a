"""Gradients that touch only some rows of a parameter (embedding tables)."""

import numpy as np


class RowGradient:
    """Gradient of a 2D parameter that is zero outside a few rows.

    The gradient of an embedding table is non-zero only in the rows of the
    tokens of the batch. Optimizers and clipping read and update those rows
    only, so a batch costs the same whatever the size of the table.

    Parameters
    ----------
    rows : ndarray of shape (n_used,), int64
        Distinct row indices, ascending.
    values : ndarray of shape (n_used, n_columns)
        Gradient of each row in ``rows``.
    shape : tuple of int
        Shape of the full parameter.
    """

    def __init__(self, rows, values, shape):
        self.rows = rows
        self.values = values
        self.shape = shape

    @classmethod
    def from_pairs(cls, rows, values, shape):
        """Sum the gradients ``values[k]`` of rows ``rows[k]``, repeats allowed.

        Parameters
        ----------
        rows : ndarray of shape (n,), int
        values : ndarray of shape (n, n_columns)
        shape : tuple of int
        """
        unique, inverse = np.unique(rows, return_inverse=True)
        summed = np.zeros((unique.shape[0], shape[1]), dtype=values.dtype)
        np.add.at(summed, inverse, values)
        return cls(unique.astype(np.int64), summed, shape)

    def __add__(self, other):
        return RowGradient.from_pairs(
            np.concatenate([self.rows, other.rows]),
            np.concatenate([self.values, other.values]),
            self.shape,
        )

    def toarray(self):
        """The full gradient as a dense array of shape ``shape``."""
        dense = np.zeros(self.shape, dtype=self.values.dtype)
        dense[self.rows] = self.values
        return dense


def gradient_values(grad):
    """The stored entries of a gradient: the array itself, or its used rows."""
    return grad.values if isinstance(grad, RowGradient) else grad
