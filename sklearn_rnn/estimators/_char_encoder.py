"""The settings of the character-level word encoder an estimator can use."""

from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions

from sklearn_rnn._param_validation import Count
from sklearn_rnn.network._cells import CELLS


class CharEncoder(BaseEstimator):
    """A character-level word encoder, for ``char_encoder=`` of an estimator
    with ``embedding_dim``.

    Each distinct word of a batch runs, character by character, through a
    small recurrent layer; its final states (both directions') join the
    word's other embeddings in the first layer's input, and train with the
    rest of the network. Words never seen in fit then get a vector from their
    spelling: their prefixes, suffixes, capitals and digits. X holds, at
    each step, the word's ids and then ``max_word_length`` character ids, as
    :class:`~sklearn_rnn.text.SequenceVectorizer` gives them with
    ``characters=max_word_length``.

    Parameters
    ----------
    max_word_length : int, default=20
        How many character columns end each step of X; words longer than
        this were cut to their first ``max_word_length`` characters.
    embedding_dim : int, default=16
        Width of each character's vector.
    hidden_size : int, default=25
        Units of the character layer, per direction.
    cell : {"elman", "lstm", "gru"} or None, default=None
        The character layer's cell; None uses the estimator's ``cell``.
    bidirectional : bool, default=True
        Also read each word from its last character to its first.

    See Also
    --------
    sklearn_rnn.text.SequenceVectorizer : Words and their characters as ids.

    Notes
    -----
    The encoder follows Lample et al. (2016) and Ma and Hovy (2016). The
    character table holds one row per character seen in fit, one shared by
    the characters never seen, and one for the padding after a word's end;
    ``char_ids_`` of the fitted estimator lists the characters seen.

    Examples
    --------
    >>> from sklearn_rnn import CharEncoder, RNNSequenceTagger
    >>> tagger = RNNSequenceTagger(embedding_dim=32, char_encoder=CharEncoder())
    """

    _parameter_constraints = {
        "max_word_length": [Count(1)],
        "embedding_dim": [Count(1)],
        "hidden_size": [Count(1)],
        "cell": [StrOptions(set(CELLS)), None],
        "bidirectional": ["boolean"],
    }

    def __init__(
        self,
        max_word_length=20,
        embedding_dim=16,
        hidden_size=25,
        cell=None,
        bidirectional=True,
    ):
        self.max_word_length = max_word_length
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.cell = cell
        self.bidirectional = bidirectional

    def structure(self, cell):
        """The encoder as the network takes it (``NetworkSpec.char_encoder``):
        ``(cell, width, n_hidden, bidirectional, max_word_length)``, with
        ``cell`` the estimator's, used when ``self.cell`` is None."""
        self._validate_params()
        return (
            self.cell or cell,
            int(self.embedding_dim),
            int(self.hidden_size),
            bool(self.bidirectional),
            int(self.max_word_length),
        )
