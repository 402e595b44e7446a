"""Text generation (one-to-many): learn the next token, then sample."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._atomic import atomic_fit
from sklearn_rnn._param_validation import Count
from sklearn_rnn.estimators import RNNSequenceTagger
from sklearn_rnn.text._vectorizer import UNKNOWN_ID, SequenceVectorizer

#: Probability given to a next token the model never saw as a target, so that
#: :meth:`TextGenerator.score` stays finite (its log is about -23).
UNSEEN_TOKEN_PROBABILITY = 1e-10


class TextGenerator(BaseEstimator):
    """Learn to continue text in a corpus's style, then write more of it.

    Training is next-token prediction: the corpus is turned into token ids
    by ``vectorizer``, cut into windows of ``window + 1`` tokens, and
    ``model`` (a sequence tagger) learns to tag every token of a window with
    the token that follows it. :meth:`generate` then feeds a seed through
    the network and samples one token at a time, each fed back as the next
    input, carrying the network's state along.

    Parameters
    ----------
    vectorizer : SequenceVectorizer or None, default=None
        Turns documents into token ids. None uses
        ``SequenceVectorizer(analyzer="char", lowercase=False)``: characters,
        case kept.

    model : RNNSequenceTagger or None, default=None
        The network, with ``embedding_dim`` set and ``bidirectional=False``
        (generation can only read the past). None uses
        ``RNNSequenceTagger(embedding_dim=32, hidden_layer_sizes=(128,),
        learning_rate_init=0.01, max_iter=30)``: next-token prediction on a
        corpus learns faster with a larger step than the estimators'
        default. Its parameters are tunable as ``model__<name>``.

    window : int, default=64
        Tokens per training sequence; gradients reach back this far.

    stride : int or None, default=None
        Tokens between the starts of consecutive windows; None is
        ``window`` (windows do not overlap). A smaller stride gives more,
        overlapping, training sequences.

    Attributes
    ----------
    vectorizer_ : SequenceVectorizer
        The fitted clone of ``vectorizer``.

    model_ : RNNSequenceTagger
        The fitted clone of ``model``.

    n_windows_ : int
        Training sequences cut from the corpus.

    Examples
    --------
    >>> from sklearn_rnn import RNNSequenceTagger
    >>> from sklearn_rnn.text import TextGenerator
    >>> corpus = "abcabcabcabcabcabcabcabc" * 4
    >>> model = RNNSequenceTagger(embedding_dim=4, hidden_layer_sizes=(16,),
    ...                           max_iter=60, random_state=0)
    >>> generator = TextGenerator(model=model, window=8).fit([corpus])
    >>> generator.generate("ab", n_tokens=7, temperature=0.1, random_state=0)
    'abcabcabc'
    """

    _parameter_constraints = {
        "vectorizer": [HasMethods(["fit", "transform"]), None],
        "model": [HasMethods(["fit", "predict_log_proba"]), None],
        "window": [Count(1)],
        "stride": [Count(1), None],
    }

    def __init__(self, vectorizer=None, model=None, *, window=64, stride=None):
        self.vectorizer = vectorizer
        self.model = model
        self.window = window
        self.stride = stride

    @atomic_fit
    def fit(self, X, y=None):
        """Learn the vocabulary and the next token of the documents of ``X``.

        Parameters
        ----------
        X : iterable of str, or of list of str
            The corpus, as documents (raw strings, or token lists). Windows
            never cross from one document into the next.
        y : None
            Ignored.

        Returns
        -------
        self : TextGenerator
        """
        self._validate_params()
        vectorizer = self.vectorizer
        if vectorizer is None:
            vectorizer = SequenceVectorizer(analyzer="char", lowercase=False)
        model = self.model
        if model is None:
            model = RNNSequenceTagger(
                embedding_dim=32,
                hidden_layer_sizes=(128,),
                learning_rate_init=0.01,
                max_iter=30,
            )
        if getattr(model, "embedding_dim", None) is None:
            raise ValueError(
                "TextGenerator needs a model that reads token ids: set its "
                "embedding_dim, e.g. RNNSequenceTagger(embedding_dim=32)."
            )
        if getattr(model, "crf", False):
            raise ValueError(
                "TextGenerator needs crf=False: it samples each next token from "
                "the network's own probabilities."
            )
        if getattr(model, "bidirectional", False):
            raise ValueError(
                "TextGenerator needs bidirectional=False: a generated token "
                "can only depend on the tokens before it."
            )
        self.vectorizer_ = clone(vectorizer).fit(X)
        inputs, targets = self._windows(self.vectorizer_.transform(X))
        if not inputs:
            raise ValueError(
                "The corpus is too short: no document has two tokens, so there "
                "is no next token to learn."
            )
        self.model_ = clone(model).fit(inputs, targets)
        self.n_windows_ = len(inputs)
        return self

    def _windows(self, documents):
        """``(inputs, next tokens)`` of each window of each document."""
        stride = self.stride or self.window
        inputs, targets = [], []
        for ids in documents:
            for start in range(0, max(len(ids) - 1, 0), stride):
                chunk = ids[start : start + self.window + 1]
                if len(chunk) >= 2:
                    inputs.append(chunk[:-1])
                    targets.append(chunk[1:])
        return inputs, targets

    def generate(self, seed, n_tokens=100, *, temperature=1.0, random_state=None):
        """Continue ``seed`` with ``n_tokens`` sampled tokens.

        Parameters
        ----------
        seed : str or list of str
            The start of the text, read through the fitted vectorizer; at
            least one token.
        n_tokens : int, default=100
            Tokens to add.
        temperature : float, default=1.0
            Divides the logits before sampling: below 1 the text keeps to
            the likeliest tokens, above 1 it takes more chances. Near 0 it
            always takes the likeliest token.
        random_state : int, RandomState instance or None, default=None
            Seeds the sampling; a fixed value gives the same text each time.

        Returns
        -------
        text : str
            ``seed`` followed by the new tokens, joined with nothing for
            characters and with spaces for words.
        """
        check_is_fitted(self, "model_")
        if not isinstance(n_tokens, Integral) or n_tokens < 0:
            raise ValueError(f"n_tokens must be an integer >= 0, got {n_tokens!r}.")
        if not isinstance(temperature, Real) or not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature!r}.")
        rng = check_random_state(random_state)
        if isinstance(seed, str):
            seed_tokens = self.vectorizer_.build_analyzer()(seed)
        elif isinstance(seed, list | tuple) and all(isinstance(t, str) for t in seed):
            seed_tokens = list(seed)
        else:
            raise TypeError(
                "seed must be a string or a list of string tokens, got "
                f"{type(seed).__name__}"
                + (f" holding {seed[0]!r}" if isinstance(seed, list | tuple) else "")
                + "."
            )
        if not seed_tokens:
            raise ValueError("The seed holds no token; give at least one.")
        ids = self.vectorizer_.transform([seed_tokens])[0]
        classes = self.model_.classes_
        allowed = classes != UNKNOWN_ID
        names = self.vectorizer_.get_feature_names_out()
        new = []
        head = self.model_._output_head()
        Z, _, states = self.model_._continue([ids])
        for _ in range(n_tokens):
            log_p = head.log_proba(Z / temperature)[0]
            p = np.where(allowed, np.exp(log_p - log_p[allowed].max()), 0.0)
            token = classes[rng.choice(len(classes), p=p / p.sum())]
            new.append(token)
            Z, _, states = self.model_._continue([[token]], states)
        separator = "" if self._is_char() else " "
        text = seed if isinstance(seed, str) else separator.join(seed)
        tokens = separator.join(names[new])
        return text + (separator if tokens and not self._is_char() else "") + tokens

    def _is_char(self):
        return getattr(self.vectorizer_, "analyzer", None) == "char"

    def score(self, X, y=None):
        """Mean log-probability of each next token of the documents of ``X``.

        Higher is better; ``exp(-score)`` is the perplexity. A next token
        the model never saw as a target counts with probability
        :data:`UNSEEN_TOKEN_PROBABILITY`.

        Parameters
        ----------
        X : iterable of str, or of list of str
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "model_")
        documents = [ids for ids in self.vectorizer_.transform(X) if len(ids) >= 2]
        if not documents:
            raise ValueError("No document of X has two tokens to score.")
        log_proba = self.model_.predict_log_proba([ids[:-1] for ids in documents])
        classes = self.model_.classes_
        total, count = 0.0, 0
        for ids, lp in zip(documents, log_proba):
            targets = ids[1:]
            position = np.minimum(np.searchsorted(classes, targets), len(classes) - 1)
            seen = classes[position] == targets
            picked = lp[np.arange(len(targets)), position]
            total += np.where(seen, picked, np.log(UNSEEN_TOKEN_PROBABILITY)).sum()
            count += len(targets)
        return float(total / count)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
