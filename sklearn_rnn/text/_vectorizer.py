"""Documents to sequences of integer token ids, for models with an embedding."""

import re
from collections import Counter
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._atomic import atomic_fit
from sklearn_rnn._param_validation import Count
from sklearn_rnn.inputs import PADDING_ID, TokenSequences, check_token_sequences

#: The id of tokens outside the vocabulary.
UNKNOWN_ID = 1


class SequenceVectorizer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Turn documents into sequences of integer token ids.

    The sequence counterpart of scikit-learn's ``CountVectorizer``: instead of
    counting tokens it keeps them in order, one id per token, ready for an
    estimator with ``embedding_dim`` set. Raw strings are split into tokens
    (words, or characters with ``analyzer="char"``); documents given as lists
    of tokens are used as given, which is what a tagger's pre-tokenised
    sentences need, one label per token.

    Two ids are reserved: 0 pads sequences to a common length and 1 stands
    for every token outside the vocabulary. The vocabulary's tokens get ids
    from 2, the most frequent first.

    Parameters
    ----------
    analyzer : {"word", "char"} or callable, default="word"
        How raw strings become tokens: the matches of ``token_pattern``, or
        every character (spaces and punctuation included). A callable takes
        one string and returns its tokens.

    lowercase : bool, default=True
        Lowercase raw strings before splitting them. Pre-tokenised documents
        are never changed.

    token_pattern : str, default=r"(?u)\\w+|[^\\w\\s]"
        Regular expression of a token, used with ``analyzer="word"``. The
        default keeps words of any length and each punctuation mark, since
        word order and punctuation carry meaning in a sequence
        (``CountVectorizer`` drops both single letters and punctuation).

    min_df : int or float, default=1
        Leave out tokens found in fewer documents than this (an int) or than
        this share of the documents (a float in [0, 1]); they become unknown.

    max_df : int or float, default=1.0
        Leave out tokens found in more documents than this count or share.

    max_features : int or None, default=None
        Keep only the ``max_features`` most frequent tokens (counted over the
        whole corpus, ties broken alphabetically).

    padding_token, unknown_token : str, default="<pad>", "<unk>"
        What ids 0 and 1 turn back into in :meth:`inverse_transform` and
        :meth:`get_feature_names_out`.

    lower : bool, default=False
        Add a column of ids of each token lower-cased (useful when
        ``lowercase=False`` keeps the case of the tokens themselves).

    prefix, suffix : int or None, default=None
        Add a column of ids of each token's first (last) ``prefix``
        (``suffix``) characters.

    shape : bool, default=False
        Add a column of ids of each token's shape: upper-case letters become
        ``X``, lower-case ``x``, digits ``d``, other characters stay, and runs
        of one kind longer than two are cut to two (``"McDonald's"`` ->
        ``"XxXxx'x"``, ``"1984"`` -> ``"dd"``).

    characters : int or None, default=None
        Add ``characters`` columns, last, with the ids of each token's first
        ``characters`` characters, then 0 after its end: the input of an
        estimator's :class:`~sklearn_rnn.CharEncoder` of ``max_word_length``
        equal to it. Characters get ids from 2 in their own vocabulary
        (``character_vocabulary_``, every character seen in fit, the most
        frequent first), 1 for characters outside it.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Id of each token of the vocabulary, from 2.

    column_names_ : list of str
        The columns of each step: ``"word"``, then ``"lower"``,
        ``"prefix{n}"``, ``"suffix{n}"``, ``"shape"`` as asked for. With more
        than one, :meth:`transform` returns 2D arrays ``(T_i, n_columns)``,
        which an estimator with ``embedding_dim`` reads as several ids per
        step, one embedding table each.

    column_vocabularies_ : dict of str to dict
        The vocabulary of each added column (ids from 2, as ``vocabulary_``),
        learned with the same ``min_df``, ``max_df`` and ``max_features``.

    character_vocabulary_ : dict of str to int
        With ``characters``: the id of each character, from 2.

    n_documents_ : int
        Documents seen in fit.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counts.

    Notes
    -----
    A document without any token (an empty string, say) becomes the
    one-token sequence ``[1]`` (unknown) rather than an empty sequence, so
    that a model can still predict for it.

    Examples
    --------
    >>> from sklearn_rnn.text import SequenceVectorizer
    >>> vectorizer = SequenceVectorizer().fit(["The cat sat.", "The dog sat!"])
    >>> vectorizer.transform(["the cat barked"])
    [array([3, 6, 1])]
    >>> vectorizer.inverse_transform([[3, 6, 1]])
    [array(['the', 'cat', '<unk>'], dtype=object)]
    """

    _parameter_constraints = {
        "analyzer": [StrOptions({"word", "char"}), callable],
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "min_df": [
            Count(1),
            Interval(Real, 0, 1, closed="both"),
        ],
        "max_df": [
            Count(1),
            Interval(Real, 0, 1, closed="both"),
        ],
        "max_features": [Count(1), None],
        "padding_token": [str],
        "unknown_token": [str],
        "lower": ["boolean"],
        "prefix": [Count(1), None],
        "suffix": [Count(1), None],
        "shape": ["boolean"],
        "characters": [Count(1), None],
    }

    def __init__(
        self,
        *,
        analyzer="word",
        lowercase=True,
        token_pattern=r"(?u)\w+|[^\w\s]",
        min_df=1,
        max_df=1.0,
        max_features=None,
        padding_token="<pad>",
        unknown_token="<unk>",
        lower=False,
        prefix=None,
        suffix=None,
        shape=False,
        characters=None,
    ):
        self.analyzer = analyzer
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.padding_token = padding_token
        self.unknown_token = unknown_token
        self.lower = lower
        self.prefix = prefix
        self.suffix = suffix
        self.shape = shape
        self.characters = characters

    def build_analyzer(self):
        """The function that turns one raw string into its list of tokens."""
        if callable(self.analyzer):
            split = self.analyzer
        elif self.analyzer == "char":
            split = list
        else:
            try:
                pattern = re.compile(self.token_pattern)
            except re.error as error:
                raise ValueError(
                    f"token_pattern={self.token_pattern!r} is not a valid regular "
                    f"expression: {error}."
                ) from None
            if pattern.groups > 1:
                raise ValueError(
                    f"token_pattern={self.token_pattern!r} has {pattern.groups} "
                    "capturing groups; it may have at most one (its match is the "
                    "token), as in scikit-learn. Make the others non-capturing: "
                    "(?:...)."
                )
            split = pattern.findall
        if self.lowercase:
            return lambda doc: split(doc.lower())
        return split

    def _documents(self, X):
        """Each document of ``X`` as a list of tokens."""
        if isinstance(X, str | bytes):
            raise TypeError(
                "Iterable over documents expected, a single string received. "
                "Pass a list of strings, or a list of token lists."
            )
        if not hasattr(X, "__iter__") or isinstance(X, dict | set):
            raise TypeError(
                "X must be a list of documents (strings or lists of tokens), "
                f"got {type(X).__name__}."
            )
        analyze = self.build_analyzer()
        documents = []
        for i, doc in enumerate(X):
            if isinstance(doc, str):
                tokens = analyze(doc)
                bad = [t for t in tokens if not isinstance(t, str)]
                if bad:
                    raise TypeError(
                        f"The analyzer turned document {i} into tokens that are "
                        f"not strings, e.g. {bad[0]!r}: it must return a list of "
                        "strings."
                    )
            elif isinstance(doc, list | tuple | np.ndarray):
                bad = [(j, t) for j, t in enumerate(doc) if not isinstance(t, str)]
                if bad:
                    j, token = bad[0]
                    raise TypeError(
                        f"Document {i} holds {token!r} at position {j}: a "
                        "document given as a list holds string tokens."
                    )
                tokens = list(doc)
            else:
                raise TypeError(
                    f"Document {i} is a {type(doc).__name__}; each document must "
                    "be a string or a list of string tokens."
                )
            documents.append(tokens)
        if not documents:
            raise ValueError("X is empty: it holds no documents.")
        if not any(documents):
            raise ValueError(
                f"Every one of the {len(documents)} documents is empty (no token "
                "was found in any): there is no vocabulary to learn."
            )
        return documents

    @atomic_fit
    def fit(self, X, y=None):
        """Learn the vocabulary of the documents.

        Parameters
        ----------
        X : iterable of str or of list of str
            Raw documents, or documents already split into tokens.
        y : None
            Ignored.

        Returns
        -------
        self : SequenceVectorizer
        """
        self._validate_params()
        documents = self._documents(X)
        columns = self._columns()
        self.vocabulary_ = self._vocabulary(documents, "tokens")
        self.column_vocabularies_ = {
            name: self._vocabulary(
                [[feature(t) for t in doc] for doc in documents], name
            )
            for name, feature in columns[1:]
        }
        self.column_names_ = [name for name, _ in columns]
        if self.characters is not None:
            counts = Counter(c for doc in documents for t in doc for c in t)
            ordered = sorted(counts, key=lambda c: (-counts[c], c))
            self.character_vocabulary_ = {
                c: i for i, c in enumerate(ordered, start=UNKNOWN_ID + 1)
            }
            self.column_names_ += [f"char{k}" for k in range(self.characters)]
        elif hasattr(self, "character_vocabulary_"):
            del self.character_vocabulary_
        self.n_documents_ = len(documents)
        return self

    def _columns(self):
        """``(name, token -> string)`` of each column of a step."""
        columns = [("word", None)]
        if self.lower:
            columns.append(("lower", str.lower))
        if self.prefix is not None:
            columns.append((f"prefix{self.prefix}", lambda t, n=self.prefix: t[:n]))
        if self.suffix is not None:
            columns.append((f"suffix{self.suffix}", lambda t, n=self.suffix: t[-n:]))
        if self.shape:
            columns.append(("shape", word_shape))
        return columns

    def _vocabulary(self, documents, what):
        """Ids from 2 of the strings of ``documents`` kept by the pruning."""
        n_docs = len(documents)
        counts = Counter(t for doc in documents for t in doc)
        df = Counter(t for doc in documents for t in set(doc))
        min_df = (
            self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_docs
        )
        max_df = (
            self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_docs
        )
        reserved = {self.padding_token, self.unknown_token}
        kept = [t for t in counts if min_df <= df[t] <= max_df and t not in reserved]
        if not kept:
            raise ValueError(
                f"After pruning, no {what} remain. Try a lower min_df or a "
                "higher max_df."
            )
        kept.sort(key=lambda t: (-counts[t], t))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        return {t: i for i, t in enumerate(kept, start=UNKNOWN_ID + 1)}

    def transform(self, X):
        """Token ids of each document, in order.

        Parameters
        ----------
        X : iterable of str or of list of str

        Returns
        -------
        sequences : list of ndarray of shape (n_tokens_i,) or \
                (n_tokens_i, n_columns), int64
            Tokens outside the vocabulary get id 1. 2D, one column per entry
            of ``column_names_``, when columns were added; the list is then a
            :class:`~sklearn_rnn.inputs.TokenSequences` that carries those
            names, so an estimator whose character encoder reads another
            number of character columns refuses it.
        """
        check_is_fitted(self, "vocabulary_")
        documents = self._documents(X)
        get = self.vocabulary_.get
        words = [
            np.array([get(t, UNKNOWN_ID) for t in doc] or [UNKNOWN_ID], dtype=np.int64)
            for doc in documents
        ]
        added = self._columns()[1:]
        if not added and self.characters is None:
            return words
        columns = [words]
        for name, feature in added:
            get = self.column_vocabularies_[name].get
            columns.append(
                [
                    np.array(
                        [get(feature(t), UNKNOWN_ID) for t in doc] or [UNKNOWN_ID],
                        dtype=np.int64,
                    )
                    for doc in documents
                ]
            )
        if self.characters is not None:
            columns.append([self._character_ids(doc) for doc in documents])
        return TokenSequences(
            (np.column_stack(steps) for steps in zip(*columns, strict=True)),
            self.column_names_,
            n_chars=self.characters or 0,
        )

    def _character_ids(self, tokens):
        """``(n_tokens, characters)``: each token's first characters' ids,
        then 0 (one row of unknown characters for a document of no token)."""
        get = self.character_vocabulary_.get
        ids = np.zeros((max(len(tokens), 1), self.characters), dtype=np.int64)
        if not tokens:
            ids[0, 0] = UNKNOWN_ID
        for t, token in enumerate(tokens):
            chars = [get(c, UNKNOWN_ID) for c in token[: self.characters]]
            ids[t, : len(chars)] = chars or [UNKNOWN_ID]
        return ids

    def inverse_transform(self, X):
        """Tokens of sequences of ids; padding is dropped.

        Parameters
        ----------
        X : list of array-like of int, or array-like of shape (n, n_steps)
            Sequences of ids, padded with 0 or not.

        Returns
        -------
        documents : list of ndarray of str, dtype object
        """
        check_is_fitted(self, "vocabulary_")
        n_chars = 0
        if self.characters is not None and _n_columns(X) == len(self.column_names_):
            n_chars = self.characters  # 0 may end a word's characters
        sequences = check_token_sequences(X, n_chars=n_chars)
        if sequences.data.ndim == 3:  # the word column of several
            sequences.data = np.ascontiguousarray(sequences.data[:, :, 0])
        names = self.get_feature_names_out()
        too_large = sequences.data >= len(names)
        if too_large.any():
            i, t = np.argwhere(too_large)[0]
            raise ValueError(
                f"Sequence {i} holds the id {sequences.data[i, t]} at step {t}, "
                f"but the vocabulary's ids end at {len(names) - 1}."
            )
        return [
            names[row[:length]]
            for row, length in zip(sequences.data, sequences.lengths)
        ]

    def get_feature_names_out(self, input_features=None):
        """The token of each id: ``names[i]`` is the token with id ``i``.

        Returns
        -------
        names : ndarray of str, dtype object
            ``padding_token``, ``unknown_token``, then the vocabulary.
        """
        check_is_fitted(self, "vocabulary_")
        names = np.empty(len(self.vocabulary_) + 2, dtype=object)
        names[PADDING_ID] = self.padding_token
        names[UNKNOWN_ID] = self.unknown_token
        for token, i in self.vocabulary_.items():
            names[i] = token
        return names

    def embedding_matrix(self, vectors, *, lowercase=None):
        """Pretrained vectors lined up with the token ids.

        Give the result as ``embedding_init`` to an estimator with
        ``embedding_dim`` equal to the vectors' width.

        Parameters
        ----------
        vectors : mapping of str to array-like of shape (n_dims,)
            E.g. :func:`load_word_vectors` of a GloVe or word2vec file.
        lowercase : bool, default=None
            Also look a token up in lower case when it has no vector as it
            is; None does so when the vectorizer does not lowercase itself.

        Returns
        -------
        matrix : ndarray of shape (n_ids, n_dims), float32
            Row ``i`` is the vector of the token with id ``i``; zeros for the
            padding and unknown ids and for tokens without a vector.
        """
        check_is_fitted(self, "vocabulary_")
        if not vectors:
            raise ValueError("vectors is empty: it holds no word vectors.")
        n_dims = len(next(iter(vectors.values())))
        fold = (not self.lowercase) if lowercase is None else lowercase
        matrix = np.zeros((len(self.vocabulary_) + 2, n_dims), dtype=np.float32)
        for token, i in self.vocabulary_.items():
            vector = vectors.get(token)
            if vector is None and fold:
                vector = vectors.get(token.lower())
            if vector is not None:
                if len(vector) != n_dims:
                    raise ValueError(
                        f"The vector of {token!r} has {len(vector)} values, "
                        f"the first one {n_dims}."
                    )
                matrix[i] = vector
        return matrix

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _n_columns(X):
    """Ids per step of sequences of token ids (1 for 1D sequences)."""
    first = X[0] if isinstance(X, list | tuple) and len(X) else X
    shape = np.shape(first)
    if isinstance(X, list | tuple):
        return shape[1] if len(shape) == 2 else 1
    return shape[2] if len(shape) == 3 else 1


def word_shape(token):
    """The shape of a token, as ``SequenceVectorizer(shape=True)`` reads it.

    Upper-case letters become ``X``, lower-case ``x``, digits ``d``; other
    characters stay; runs of one kind longer than two are cut to two.

    Parameters
    ----------
    token : str

    Returns
    -------
    shape : str

    Examples
    --------
    >>> from sklearn_rnn.text import word_shape
    >>> [word_shape(w) for w in ["Paris", "1984", "U.S.", "e-mail"]]
    ['Xxx', 'dd', 'X.X.', 'x-xx']
    """
    kinds = [
        "X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
        for c in token
    ]
    shape = []
    for kind in kinds:
        if len(shape) < 2 or not (shape[-1] == shape[-2] == kind):
            shape.append(kind)
    return "".join(shape)
