"""Pretrained word vectors: reading them, and lining them up with a vocabulary."""

import os

import numpy as np
from sklearn.utils._param_validation import validate_params


@validate_params(
    {
        "path": [str, os.PathLike],
        "encoding": [str],
        "dtype": [type, str, np.dtype],
    },
    prefer_skip_nested_validation=True,
)
def load_word_vectors(path, *, encoding="utf-8", dtype=np.float32):
    """Read word vectors from a GloVe or word2vec text file.

    Each line holds a word and its vector, separated by spaces (or by tabs).
    A first line of two integers (word2vec's ``n_words n_dims`` header) is
    skipped. A binary word2vec file is refused with the way to convert it.

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
    _refuse_binary(path, encoding)
    vectors = {}
    n_dims = None
    with open(path, encoding=encoding) as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip()
            # GloVe and word2vec separate by spaces, some exports by tabs
            parts = line.split("\t") if "\t" in line else line.split(" ")
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


def _refuse_binary(path, encoding):
    """Name a binary word2vec file (a text header, then raw floats), and text
    in another encoding, instead of failing on their bytes."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    try:
        head.decode(encoding)
        return
    except UnicodeDecodeError as error:
        if error.end >= len(head) - 4:  # a character cut by the read
            return
        first_line = head.split(b"\n", 1)[0]
        header = first_line.split()
        if (
            error.start > len(first_line)
            and len(header) == 2
            and all(h.isdigit() for h in header)
        ):
            raise ValueError(
                f"{path} is a binary word2vec file ({header[0].decode()} words "
                f"of {header[1].decode()} values); load_word_vectors reads the "
                "text format. Convert it once, for example with gensim: "
                "KeyedVectors.load_word2vec_format(path, binary=True)"
                ".save_word2vec_format(text_path, binary=False)."
            ) from None
        raise ValueError(
            f"{path} is not text in the encoding {encoding!r} ({error.reason} "
            f"at byte {error.start}); give its encoding with encoding=."
        ) from None
