"""Small data helpers shared by the test modules."""

import numpy as np


def padded(seqs):
    """Sequences (T_i, n_features) as one 3D array padded at the end with NaN."""
    out = np.full((len(seqs), max(len(s) for s in seqs), seqs[0].shape[1]), np.nan)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out
