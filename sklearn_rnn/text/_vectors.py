"""Pretrained word vectors: reading them, and lining them up with a vocabulary."""

import numpy as np


def load_word_vectors(path, *, encoding="utf-8", dtype=np.float32):
    """Read word vectors from a GloVe or word2vec text file.

    Each line holds a word and its vector, separated by spaces. A first line
    of two integers (word2vec's ``n_words n_dims`` header) is skipped.

    Parameters
    ----------
    path : str or path-like
    encoding : str, default="utf-8"
    dtype : numpy dtype, default=numpy.float32

    Returns
    -------
    vectors : dict of str to ndarray of shape (n_dims,)

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn_rnn.text import load_word_vectors
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "vectors.txt")
    ...     with open(path, "w") as f:
    ...         _ = f.write("cat 0.1 0.2\\ndog 0.3 0.4\\n")
    ...     vectors = load_word_vectors(path)
    >>> vectors["dog"]
    array([0.3, 0.4], dtype=float32)
    """
    vectors = {}
    n_dims = None
    with open(path, encoding=encoding) as lines:
        for number, line in enumerate(lines, start=1):
            parts = line.rstrip().split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue  # word2vec header
            if len(parts) < 2:
                continue  # blank line
            try:
                vector = np.asarray(parts[1:], dtype=dtype)
            except ValueError:
                raise ValueError(
                    f"{path}, line {number}: the values after the word "
                    f"{parts[0]!r} are not all numbers."
                ) from None
            if n_dims is None:
                n_dims = len(vector)
            elif len(vector) != n_dims:
                raise ValueError(
                    f"{path}, line {number}: the vector of {parts[0]!r} has "
                    f"{len(vector)} values, the first line's {n_dims}."
                )
            vectors[parts[0]] = vector
    if not vectors:
        raise ValueError(f"{path} holds no word vectors.")
    return vectors
