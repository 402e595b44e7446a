"""Steps of padded sequences: the backward direction reads them reversed."""

import numpy as np


def reverse_steps(A, lengths):
    """Reverse each sequence of ``A`` (n_seq, n_steps, ...) within its length.

    Padded steps stay where they are. The operation is its own inverse.
    """
    n_seq, n_steps = A.shape[:2]
    steps = np.arange(n_steps)
    source = lengths[:, None] - 1 - steps
    source = np.where(source >= 0, source, steps)
    return A[np.arange(n_seq)[:, None], source]
