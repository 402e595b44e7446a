"""Parameters shared by the RNN estimators and their stochastic training loop.

The loop follows scikit-learn's MLP (``_fit_stochastic``) in its names and
meanings, cut into small steps:

1. :meth:`BaseRNN._fit_unchecked` checks the structure, then builds the new
   fitted state as a value, a :class:`~sklearn_rnn.estimators._state.FitState`:
   reading X records its features, vocabularies and categories there, each
   estimator encodes the targets into an
   :class:`~sklearn_rnn.estimators._targets.EncodedTargets` record whose
   classes or scaling join it; then come the network's spec and fresh
   parameters, the checks that need them (memory, embedding, penalty) and
   the validation set, read against the new state. Only when all of it has
   passed is the state written onto the estimator, in one place
   (:meth:`FitState.assign`); then the monitor of what training watches is
   built (:mod:`sklearn_rnn.estimators._monitor`);
2. :meth:`BaseRNN._source` says where training reads the sequences from
   (:mod:`sklearn_rnn.estimators._sources`): memory, or the blocks of a Dask
   collection, read one at a time;
3. :meth:`BaseRNN._train` runs epochs, :meth:`BaseRNN._run_epoch` the
   mini-batches of each part of the source and :meth:`BaseRNN._train_step`
   one update.

A failed check thus changes nothing. Training itself updates arrays copied
at the start of the call, so the all-or-nothing wrapper of
:mod:`sklearn_rnn._atomic`, the safety net, restores a fit that fails or is
interrupted while training by putting the previous attributes back.
"""

import dataclasses
import functools
import os
import time
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._atomic import atomic_fit
from sklearn_rnn._param_validation import Count
from sklearn_rnn._warnings import warn
from sklearn_rnn.estimators._char_encoder import CharEncoder
from sklearn_rnn.estimators._monitor import LossMonitor, ValidationMonitor
from sklearn_rnn.estimators._progress import ProgressBar
from sklearn_rnn.estimators._sources import BlockSource, MemorySource
from sklearn_rnn.estimators._state import FitState
from sklearn_rnn.estimators._stream import (
    StreamState,
    check_stream_state,
    match_stream_state,
    model_key,
)
from sklearn_rnn.estimators._targets import take_labels
from sklearn_rnn.exceptions import DivergenceError
from sklearn_rnn.inputs import (
    SequenceFrame,
    Sequences,
    aligned_targets,
    block_categories,
    check_features,
    check_weights,
    count_columns,
    dask_blocks,
    encode_categories,
    is_dask_collection,
    length_blocks,
    record_vocabularies,
    resolve_columns,
    token_vocabulary,
    validate_sequences,
    validate_token_sequences,
)
from sklearn_rnn.kernels import BlasSingleThread, reusing_memory
from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._heads import get_head
from sklearn_rnn.network._network import (
    NetworkSpec,
    final_states,
    forward,
    init_params,
    is_weight,
    loss_and_gradient,
)
from sklearn_rnn.optimizers import (
    AdamOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
    clip_by_norm,
    clip_by_value,
)

#: Prediction runs in chunks of about this many padded time steps, so that the
#: hidden states kept in memory stay bounded whatever the number of sequences.
#: Chunks this small also stay in cache: predicting 10,000 sequences of 50
#: steps with a 64-unit LSTM took half the time with 2**15 steps per chunk
#: as with 2**18.
PREDICT_CHUNK_STEPS = 2**15
#: Fewest sequences per prediction chunk, however long they are, so that
#: the recurrence has blocks of sequences for every core.
PREDICT_CHUNK_MIN_SEQUENCES = 16

#: ``fit`` warns when a feature's root mean square over the real steps exceeds
#: this: cells saturate on such inputs. Through sktime's ``make_reduction`` on
#: monthly values near 400, an unscaled LSTM forecast was 1.6 to 2.0 times
#: worse than the seasonal naive forecast, and 0.7 to 0.9 times with
#: ``SequenceScaler`` first.
INPUT_SCALE_WARNING = 10.0

#: Default batch size for ``batch_size="auto"``: ``min(AUTO_BATCH_SIZE, n)``.
AUTO_BATCH_SIZE = 32

#: How each ``solver`` builds its optimizer from the estimator's parameters.
SOLVERS = {
    "sgd": lambda est, params: SGDOptimizer(
        params,
        est.learning_rate_init,
        est.learning_rate,
        est.momentum,
        est.nesterovs_momentum,
        est.power_t,
    ),
    "adam": lambda est, params: AdamOptimizer(
        params,
        est.learning_rate_init,
        est.beta_1,
        est.beta_2,
        est.epsilon,
        est.learning_rate,
        est.power_t,
    ),
    "rmsprop": lambda est, params: RMSpropOptimizer(
        params,
        est.learning_rate_init,
        est.rho,
        est.epsilon,
        est.learning_rate,
        est.power_t,
    ),
}

#: Parameters that fix the network's structure: training can only continue
#: (``warm_start``, ``partial_fit``) while they keep their fitted values.
STRUCTURE = (
    "cell",
    "hidden_layer_sizes",
    "bidirectional",
    "embedding_dim",
    "id_columns",
    "char_encoder",
)


class FitData(NamedTuple):
    """Sequences with their encoded targets, row weights and user-form labels.

    ``targets`` and ``weights`` have one item per read-out row (per step for
    the tagger); ``labels`` one per sequence, as scorers take them.
    """

    sequences: Sequences
    targets: np.ndarray
    weights: np.ndarray | None
    labels: object


def user_validation_set(X_val, y_val, sample_weight_val):
    """The validation set given to ``fit``, as ``_fit`` takes it, or None."""
    if X_val is None and y_val is None:
        if sample_weight_val is not None:
            raise ValueError("sample_weight_val is given without X_val and y_val.")
        return None
    return X_val, y_val, sample_weight_val


def _embedding_widths(embedding_dim):
    """``embedding_dim`` as the network takes it: an int, a tuple of positive
    ints (one per id column), or None."""
    if embedding_dim is None or isinstance(embedding_dim, Integral):
        return embedding_dim
    widths = np.atleast_1d(np.asarray(embedding_dim))
    if widths.ndim != 1 or widths.dtype.kind not in "iu" or (widths < 1).any():
        raise ValueError(
            "embedding_dim must be a positive integer or a list of them (one "
            f"per id column), got {embedding_dim!r}."
        )
    return tuple(int(w) for w in widths)


def _check_memory(spec, n_inputs, n_outputs, dtype, n_char_rows=None):
    """Refuse a network whose training state cannot fit in this machine's
    memory: its parameters, their gradient and two optimizer moments."""
    n_parameters = spec.n_parameters(n_inputs, n_outputs, n_char_rows or 0)
    needed = 4 * n_parameters * dtype.itemsize
    try:
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not on every platform
        return
    if needed > available:
        raise ValueError(
            f"hidden_layer_sizes={spec.hidden_layer_sizes}"
            + (
                f" with embedding_dim={spec.embedding_dim}"
                if spec.embedding_dim
                else ""
            )
            + f" needs about {needed / 2**30:.3g} GiB for the parameters, their "
            "gradient and the optimizer's state; this machine has "
            f"{available / 2**30:.3g} GiB. Use smaller layers."
        )


def _check_penalty(params, alpha):
    """Refuse an ``alpha`` whose L2 penalty overflows at the start."""
    with np.errstate(over="ignore", invalid="ignore"):
        penalty = (
            0.5
            * alpha
            * sum(
                float(np.sum(np.square(p, dtype=np.float64)))
                for name, p in params.items()
                if is_weight(name)
            )
        )
    if not np.isfinite(penalty):
        raise ValueError(
            f"alpha={alpha!r} makes the L2 penalty overflow (it is not finite "
            "for the network's weights); use a smaller alpha, such as 1e-4."
        )


def _unscaled_message(estimator, fitted, sequences):
    """The warning for a numeric feature of ``sequences`` far from unit scale
    (see :data:`INPUT_SCALE_WARNING`), or None. Token ids and category codes
    are rows of a table, not values: X of token ids is not checked, and the
    leading columns of categorical codes (those of ``fitted``) are left out."""
    if estimator.embedding_dim is not None and estimator.categorical_features is None:
        return None
    n_ids = (
        0 if estimator.categorical_features is None else len(fitted.category_values_)
    )
    steps = sequences.steps()[:, n_ids:]
    if steps.shape[1] == 0:
        return None
    with np.errstate(over="ignore"):
        rms = np.sqrt(
            np.einsum("ij,ij->j", steps, steps, dtype=np.float64) / len(steps)
        )
    if rms.max() <= INPUT_SCALE_WARNING:
        return None
    feature = int(np.argmax(rms)) + n_ids
    return (
        f"Feature {feature} of X has a root mean square of {rms[feature]:.3g}: "
        "recurrent cells saturate on inputs far from unit scale, and train "
        "poorly. Scale X first, e.g. make_pipeline(SequenceScaler(), "
        "estimator) with sklearn_rnn.preprocessing.SequenceScaler."
    )


class BlockReader:
    """Reads the computed blocks of a Dask collection for training: each is
    validated, and paired with its targets and weights.

    It runs on the thread that prefetches the next block, so it gives no
    warning itself: the scale warning of a new fit, checked on the first
    block it reads, waits in :attr:`warnings` until the training thread
    takes it (:meth:`take_warnings`), and then points at the user's line.

    Parameters
    ----------
    estimator : BaseRNN
        Validates the blocks (``_validate_X``) and maps sequences to rows.
    fitted : FitState
        What the blocks are checked against: the state of the fit.
    blocks : Blocks
    targets : EncodedTargets
        Of the whole collection.
    weights : ndarray or None
        One per read-out row of the whole collection.
    label_counts : ndarray of int
        Labels of each sequence (steps for the tagger, else 1).
    dtype : numpy dtype
    check_scale : bool
        Whether the first block read is checked for unscaled features.
    """

    def __init__(
        self,
        estimator,
        fitted,
        blocks,
        targets,
        weights,
        label_counts,
        dtype,
        *,
        check_scale,
    ):
        self.estimator = estimator
        self.fitted = fitted
        self.blocks = blocks
        self.targets = targets
        self.weights = weights
        self.label_counts = label_counts
        self.dtype = dtype
        self.check_scale = check_scale
        self.warnings = []

    def __call__(self, block, value):
        """``FitData`` of block number ``block``, computed as ``value``."""
        est = self.estimator
        start, size = int(self.blocks.offsets[block]), int(self.blocks.sizes[block])
        tokens = est.embedding_dim is not None
        categorical = est.categorical_features
        sequences = est._validate_X(
            value,
            fitted=self.fitted,
            reset=False,
            tokens=tokens,
            dtype=self.dtype,
            categorical=categorical,
            chars=est._n_chars(),
            first_index=start,
        )
        if self.check_scale:
            self.check_scale = False
            message = _unscaled_message(est, self.fitted, sequences)
            if message is not None:
                self.warnings.append(message)
        if sequences.n_sequences != size:
            raise ValueError(
                f"Block {block} of X holds {sequences.n_sequences} sequences, "
                f"but its metadata says {size}."
            )
        if est._per_step:
            _check_label_counts(
                sequences.lengths, self.label_counts, start, self.blocks, block
            )
        idx = np.arange(start, start + size)
        rows = est._row_index(idx, self.label_counts)
        return FitData(
            sequences,
            self.targets.values[rows],
            None if self.weights is None else self.weights[rows],
            take_labels(self.targets.labels, idx),
        )

    def take_warnings(self):
        """The warnings waiting to be given, removed from the reader."""
        waiting, self.warnings = self.warnings, []
        return waiting


def _check_label_counts(block_lengths, label_counts, start, blocks, block):
    """Refuse a sequence of a block whose steps and labels differ in number;
    it is named by its id, or by its place in the whole collection."""
    expected = label_counts[start : start + len(block_lengths)]
    wrong = np.flatnonzero(block_lengths != expected)
    if wrong.size:
        k = int(wrong[0])
        name = (
            f"Sequence {start + k}"
            if blocks.ids is None
            else f"Sequence id {blocks.ids[block][k]!r}"
        )
        raise ValueError(
            f"{name} has {block_lengths[k]} steps but {expected[k]} labels; there "
            "must be one label per step."
        )


def _slices(n, size):
    """Consecutive slices of ``size`` items covering ``range(n)``.

    As :func:`sklearn.utils.gen_batches`, without its parameter validation,
    which cost more than predicting one short sequence.
    """
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


@functools.lru_cache(maxsize=64)
def _spec_of(fields):
    """The :class:`NetworkSpec` of the ``(name, value)`` pairs ``fields``,
    built once per structure (a prediction reads it three times)."""
    return NetworkSpec(**dict(fields))


class BaseRNN(BaseEstimator):
    """Base class of the RNN estimators; not for direct use.

    Subclasses set ``_per_step`` and implement ``_encode_targets`` (which
    returns :class:`~sklearn_rnn.estimators._targets.EncodedTargets`) and
    ``_batch_targets``.
    """

    _per_step = False

    _parameter_constraints = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_layer_sizes": [
            "array-like",
            Count(1),
        ],
        "activation": [StrOptions(set(ACTIVATION_CODES))],
        "embedding_dim": [
            Count(1),
            "array-like",
            None,
        ],
        "embedding_init": ["array-like", None],
        "freeze_embedding": ["boolean"],
        "categorical_features": ["array-like", None],
        "char_encoder": [CharEncoder, None],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
        "bptt_truncate": [Count(1), None],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Count(1),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Count(1)],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "rho": [Interval(Real, 0, 1, closed="left")],
        "n_iter_no_change": [
            Count(1),
            Options(Real, {np.inf}),
        ],
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
        "clip_value": [Interval(Real, 0, None, closed="neither"), None],
        "dtype": [StrOptions({"float32", "float64"})],
        "scoring": [str, callable, None],
    }

    def __init__(
        self,
        cell="lstm",
        hidden_layer_sizes=(64,),
        activation="tanh",
        *,
        embedding_dim=None,
        embedding_init=None,
        freeze_embedding=False,
        categorical_features=None,
        char_encoder=None,
        bidirectional=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        bptt_truncate=None,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.003,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        rho=0.9,
        n_iter_no_change=10,
        clip_norm=5.0,
        clip_value=None,
        dtype="float32",
        scoring=None,
    ):
        self.cell = cell
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.embedding_dim = embedding_dim
        self.embedding_init = embedding_init
        self.freeze_embedding = freeze_embedding
        self.categorical_features = categorical_features
        self.char_encoder = char_encoder
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.bptt_truncate = bptt_truncate
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.n_iter_no_change = n_iter_no_change
        self.clip_norm = clip_norm
        self.clip_value = clip_value
        self.dtype = dtype
        self.scoring = scoring

    # ------------------------------------------------------------------ input

    def _validate_X(
        self,
        X,
        *,
        fitted,
        reset,
        tokens,
        dtype,
        categorical=None,
        chars=0,
        first_index=0,
    ):
        """Validate X against ``fitted`` (the estimator, or the
        :class:`~sklearn_rnn.estimators._state.FitState` a fit builds); on
        ``reset`` record there its feature count and names, or with
        ``tokens`` (an embedding), its token ids and the ids of the
        ``chars`` character columns of a character encoder, or with
        ``categorical`` columns, their categories. ``first_index`` numbers
        X's first sequence in messages (a block of a Dask collection)."""
        if tokens and categorical is None:
            return validate_token_sequences(
                fitted, X, reset=reset, first_index=first_index, n_chars=chars
            )
        if categorical is None:
            return validate_sequences(
                fitted, X, reset=reset, dtype=dtype, first_index=first_index
            )
        # codes are read in float64, exact for integers up to 2**53, and cast
        # to the network's dtype only once they are rows of a table
        sequences = validate_sequences(
            fitted, X, reset=reset, dtype=np.float64, first_index=first_index
        )
        return encode_categories(
            fitted,
            sequences,
            reset=reset,
            columns=categorical,
            dtype=dtype,
            first_index=first_index,
        )

    def _read(self, X):
        """The sequences of ``X`` as the fitted network reads them.

        Sequences already validated (those a scorer receives during fit)
        pass as they are.
        """
        self._check_fitted()
        if isinstance(X, Sequences):
            return X
        spec = self._spec
        return self._validate_X(
            X,
            fitted=self,
            reset=False,
            tokens=spec.embedding_dim is not None,
            dtype=self.params_["out.W"].dtype,
            categorical=self.categorical_features_ if spec.id_columns else None,
            chars=0 if spec.chars is None else spec.chars.max_word_length,
        )

    def _n_chars(self):
        """Character columns ending each step of X (``char_encoder``'s
        ``max_word_length``), 0 without a character encoder."""
        return 0 if self.char_encoder is None else self.char_encoder.max_word_length

    # ------------------------------------------------------------- structure

    def _structure(self):
        """The structural parameters as the network takes them; the one place
        where their rules are checked."""
        sizes = np.atleast_1d(np.asarray(self.hidden_layer_sizes))
        if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu":
            raise ValueError(
                "hidden_layer_sizes must be a positive integer or a non-empty "
                f"sequence of them, got {self.hidden_layer_sizes!r}."
            )
        if np.any(sizes <= 0):
            raise ValueError(
                f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}."
            )
        if self.categorical_features is not None and self.embedding_dim is None:
            raise ValueError(
                "categorical_features embeds categories, so it needs "
                "embedding_dim (the width of each category's vector)."
            )
        if self.embedding_init is not None and self.categorical_features is not None:
            raise ValueError(
                "embedding_init gives token vectors; it cannot be combined with "
                "categorical_features."
            )
        if self.freeze_embedding and self.embedding_dim is None:
            raise ValueError(
                "freeze_embedding keeps the embedding's vectors as they are, so "
                "it needs embedding_dim (and X of token ids or "
                "categorical_features)."
            )
        if self.char_encoder is not None and (
            self.embedding_dim is None or self.categorical_features is not None
        ):
            raise ValueError(
                "char_encoder reads the characters of each word, so it needs "
                "embedding_dim and X of token ids (not categorical_features)."
            )
        if self.embedding_init is not None and self.embedding_dim is None:
            raise ValueError(
                "embedding_init gives initial token vectors, so it needs "
                "embedding_dim (their width) and X of token ids."
            )
        if self.bidirectional and self.bptt_truncate is not None:
            raise ValueError(
                "bptt_truncate cannot be combined with bidirectional=True: "
                "truncated backpropagation through time runs over the past "
                "only, while a bidirectional layer reads the whole sequence."
            )
        return {
            "cell": self.cell,
            "activation": self.activation,
            "hidden_layer_sizes": tuple(int(s) for s in sizes),
            "per_step": self._per_step,
            "bidirectional": bool(self.bidirectional),
            "dropout": float(self.dropout),
            "recurrent_dropout": float(self.recurrent_dropout),
            "bptt_truncate": self.bptt_truncate,
            "embedding_dim": _embedding_widths(self.embedding_dim),
            "id_columns": count_columns(self.categorical_features),
            "char_encoder": (
                None
                if self.char_encoder is None
                else self.char_encoder.structure(self.cell)
            ),
        }

    def _check_continuation(self, structure):
        """Refuse to continue training a network of another structure."""
        if any(getattr(self._spec, k) != structure[k] for k in STRUCTURE):
            fitted = ", ".join(f"{k}={getattr(self._spec, k)!r}" for k in STRUCTURE)
            raise ValueError(
                "warm_start and partial_fit continue training the same "
                f"network: {fitted} cannot change between calls."
            )

    # ---------------------------------------------------------------- fitting

    @atomic_fit
    def _fit(
        self, X, y, *, incremental, classes=None, sample_weight=None, validation=None
    ):
        """Fit, or continue fitting; on any error the estimator is unchanged.

        ``validation`` is the user's ``(X_val, y_val, sample_weight_val)``.
        """
        self._validate_params()
        # One BLAS thread for the whole fit: BLAS threads woken by a product
        # (the initialisation's QR, the network's own matrix products) spin
        # for about 0.1 s and take the cores from the kernels' threads.
        with BlasSingleThread():
            self._fit_unchecked(
                X,
                y,
                sample_weight,
                incremental=incremental,
                classes=classes,
                validation=validation,
            )
        return self

    def _fit_unchecked(self, X, y, sample_weight, *, incremental, classes, validation):
        continuing = hasattr(self, "params_") and (incremental or self.warm_start)
        structure = self._structure()
        if continuing:
            self._check_continuation(structure)
        early_stopping = self._early_stopping(incremental, validation)
        scorer = self._scorer() if early_stopping else None
        dtype = np.dtype(self.dtype)
        # the new fitted state is built as a value and checked whole; nothing
        # is written on the estimator before every check below has passed
        state = FitState.of(self) if continuing else FitState(type(self).__name__)
        source, targets = self._source(
            X,
            y,
            sample_weight,
            fitted=state,
            reset=not continuing,
            classes=classes,
            incremental=incremental,
            dtype=dtype,
        )
        rng = check_random_state(self.random_state)
        spec = NetworkSpec(head=targets.head, **structure)
        # the arrays training updates in place are fresh copies, so that an
        # error or an interrupt leaves those of the last fit as they were
        if continuing:
            params = {k: v.astype(dtype, order="C") for k, v in self.params_.items()}
            state.loss_curve_ = list(self.loss_curve_)
        else:
            n_inputs = self._n_inputs(state, source.n_features)
            n_chars = len(state.char_ids_) + 2 if spec.chars is not None else None
            _check_memory(spec, n_inputs, targets.n_outputs, dtype, n_chars)
            params = init_params(
                spec, n_inputs, targets.n_outputs, rng, dtype, n_char_rows=n_chars
            )
            if self.embedding_init is not None:
                params["embed.table"] = self._initial_embedding(state.token_ids_, dtype)
            state.update({"n_iter_": 0, "t_": 0, "loss_curve_": []})
        _check_penalty(params, self.alpha)
        optimizer = SOLVERS[self.solver](self, params)
        if incremental and continuing:
            optimizer.load_state_dict(self._optimizer_state)
        if early_stopping and validation is not None:
            held_out = self._validation_set(*validation, fitted=state, dtype=dtype)
        elif early_stopping:
            source, held_out = source.split(self, targets.codes, rng)

        # every check has passed: the new state is written in one place
        state.update(
            {
                "params_": params,
                "_spec_fields": dataclasses.asdict(spec),
                "_random_state": rng,
            }
        )
        state.assign(self)
        if not early_stopping:
            monitor = (
                LossMonitor.resume(self, self.tol)
                if continuing
                else LossMonitor(self.tol)
            )
        else:

            def evaluate():
                return self._evaluate(held_out, scorer)

            monitor = (
                ValidationMonitor.resume(self, self.tol, evaluate)
                if continuing
                else ValidationMonitor(self.tol, evaluate)
            )
        # BLAS on one thread throughout (each kernel would set it, twice a
        # batch); the layers' arrays keep their memory from batch to batch
        with BlasSingleThread(), reusing_memory():
            self._train(source, monitor, optimizer, incremental=incremental)
        self._optimizer_state = optimizer.state_dict()
        if not continuing:
            # a new model: the streams of the previous one are refused
            self._stream_key = model_key(self.params_)

    def _targets(self, y, sequences, *, fitted, reset, classes):
        """``y`` encoded for the loss (``_encode_targets``) and checked
        against ``fitted``; on ``reset`` the attributes the encoding learns
        (classes, target scaling) are recorded on ``fitted``."""
        targets = self._encode_targets(
            y, sequences, fitted=fitted, reset=reset, classes=classes
        )
        fitted.update(targets.fitted)
        return targets

    def _n_inputs(self, fitted, n_features):
        """What the first layer reads, as :func:`init_params` takes it: the
        number of features, the rows of each embedding table, or both (row
        0 of each table is the row of unseen tokens or categories)."""
        if self.categorical_features is not None:
            tables = tuple(len(v) + 1 for v in fitted.category_values_)
            return tables, n_features - len(tables)
        if self.embedding_dim is None:
            return n_features
        vocabularies = fitted.token_ids_
        if isinstance(vocabularies, np.ndarray):
            return len(vocabularies) + 1
        return tuple(len(ids) + 1 for ids in vocabularies)

    def _source(
        self, X, y, sample_weight, *, fitted, reset, classes, incremental, dtype
    ):
        """``(source, targets)``: where training reads ``X`` from, with the
        encoded targets and weights; a Dask collection is read block by
        block (:meth:`_block_source`).

        ``fitted`` (a :class:`~sklearn_rnn.estimators._state.FitState`)
        receives what X and y teach on ``reset``; otherwise X and y are
        checked against it.
        """
        if is_dask_collection(X):
            return self._block_source(
                X,
                y,
                sample_weight,
                fitted=fitted,
                reset=reset,
                classes=classes,
                incremental=incremental,
                dtype=dtype,
            )
        tokens = self.embedding_dim is not None
        categorical = self.categorical_features
        sequences = self._validate_X(
            X,
            fitted=fitted,
            reset=reset,
            tokens=tokens,
            dtype=dtype,
            categorical=categorical,
            chars=self._n_chars(),
        )
        message = _unscaled_message(self, fitted, sequences) if reset else None
        if message is not None:
            warn(message, UserWarning)
        targets = self._targets(
            y, sequences, fitted=fitted, reset=reset, classes=classes
        )
        weights = self._training_weights(
            sample_weight, sequences, targets, fitted, incremental
        )
        data = FitData(sequences, targets.values, weights, targets.labels)
        return MemorySource(data), targets

    def _block_source(
        self, X, y, sample_weight, *, fitted, reset, classes, incremental, dtype
    ):
        """``(source, targets)`` for a Dask collection ``X``.

        X's blocks are read as training takes them, each validated then, its
        errors naming sequences by their place in the whole collection. What
        is read before (:meth:`_block_inputs`) is kept small: the targets and
        weights whole (one value per sequence, or per step), the features
        from X's metadata, a vocabulary of token ids.
        """
        blocks = self._block_inputs(X, fitted=fitted, reset=reset)
        y = aligned_targets(blocks, y, per_step=self._per_step)
        if sample_weight is not None:
            sample_weight = aligned_targets(
                blocks, sample_weight, per_step=False, name="sample_weight"
            )
        if self._per_step:
            if not hasattr(y, "__len__") or len(y) != blocks.n_sequences:
                raise ValueError(
                    f"X holds {blocks.n_sequences} sequences but y has "
                    f"{len(y) if hasattr(y, '__len__') else 'no'} label "
                    "sequences; there must be one label sequence per sequence."
                )
            lengths = np.array([len(labels) for labels in y], dtype=np.int64)
        else:
            lengths = np.ones(blocks.n_sequences, dtype=np.int64)
        # what the targets and weights are checked against before any block
        # is read: the sequences' count, and each one's number of labels
        expected = Sequences(None, lengths)
        targets = self._targets(
            y, expected, fitted=fitted, reset=reset, classes=classes
        )
        weights = self._training_weights(
            sample_weight, expected, targets, fitted, incremental
        )
        # a new fit warns of unscaled features from the first block it reads
        read = BlockReader(
            self, fitted, blocks, targets, weights, lengths, dtype, check_scale=reset
        )
        return BlockSource(blocks, read, targets.labels), targets

    def _block_inputs(self, X, *, fitted, reset):
        """The :class:`~sklearn_rnn.inputs.Blocks` of ``X``; on ``reset``
        record on ``fitted`` what X's metadata says of its features, and learn the
        vocabulary of token ids or the categories of ``categorical_features``
        in one pass over the blocks, each reduced to its distinct values."""
        ids_only = self.embedding_dim is not None and self.categorical_features is None
        if ids_only and isinstance(X, SequenceFrame):
            raise TypeError(
                "Token ids from Dask come as a Dask array (n_sequences, n_steps) "
                "padded with 0, or (n_sequences, n_steps, n_columns) for several "
                "ids per step; a SequenceFrame holds numeric features."
            )
        blocks = dask_blocks(X)
        if ids_only:
            if reset:
                n_chars = self._n_chars()
                parts = blocks.map(functools.partial(token_vocabulary, n_chars=n_chars))
                columns = zip(*parts, strict=True)
                record_vocabularies(
                    fitted, [np.unique(np.concatenate(c)) for c in columns], n_chars
                )
            return blocks
        check_features(fitted, blocks.n_features, blocks.feature_names, reset=reset)
        if self.categorical_features is not None and reset:
            fitted.categorical_features_ = resolve_columns(
                self.categorical_features, blocks.n_features, blocks.feature_names
            )
            parts = blocks.map(
                functools.partial(
                    block_categories, columns=fitted.categorical_features_
                )
            )
            fitted.category_values_ = [
                np.unique(np.concatenate(c)) for c in zip(*parts, strict=True)
            ]
        return blocks

    def _initial_embedding(self, token_ids, dtype):
        """The embedding table from ``embedding_init``: row ``k + 1`` is the
        vector of token id ``token_ids[k]``, row 0 (unseen tokens) zero;
        ``token_ids`` is the vocabulary (a list of them: the first)."""
        vectors = np.asarray(self.embedding_init, dtype=np.float64)
        width = np.atleast_1d(self.embedding_dim)[0]
        if vectors.ndim != 2 or vectors.shape[1] != width:
            raise ValueError(
                f"embedding_init must have shape (n_ids, embedding_dim="
                f"{width}), got {vectors.shape}."
            )
        if not np.isfinite(vectors).all():
            raise ValueError("embedding_init holds NaN or infinite values.")
        words = token_ids
        if not isinstance(words, np.ndarray):  # several id columns: the first
            words = words[0]
        beyond = words[words >= len(vectors)]
        if beyond.size:
            raise ValueError(
                f"embedding_init has {len(vectors)} rows, but X holds token id "
                f"{int(beyond[0])}: give a row for every id (row i is id i)."
            )
        table = np.zeros((len(words) + 1, width), dtype=dtype)
        table[1:] = vectors[words]
        return table

    def _early_stopping(self, incremental, validation):
        """Whether this call holds sequences out to stop on their score."""
        if validation is not None and not self.early_stopping:
            raise ValueError(
                "X_val and y_val are used for early stopping only: set "
                "early_stopping=True, or leave them out."
            )
        if self.early_stopping and incremental:
            warn(
                "early_stopping is not supported by partial_fit: each call runs "
                "one epoch on all of X, with no validation split.",
                UserWarning,
            )
            return False
        return bool(self.early_stopping)

    def _scorer(self):
        """What early stopping scores: None for the estimator's ``score``,
        ``"loss"`` for the negated validation loss, or a scorer callable
        ``scorer(estimator, X, y)``."""
        if self.scoring is None or self.scoring == "loss" or callable(self.scoring):
            return self.scoring
        return get_scorer(self.scoring)

    def _training_weights(self, sample_weight, sequences, targets, fitted, incremental):
        """Weight of each read-out row: ``sample_weight`` times the weights
        of the classes of ``fitted``, or None when neither is given."""
        weights = None
        if sample_weight is not None:
            weights = self._row_weights(sample_weight, sequences)
            get_head(targets.head).check_weights(weights, sequences.lengths)
        class_weights = self._class_weights(
            targets, getattr(fitted, "classes_", None), incremental=incremental
        )
        if class_weights is None:
            return weights
        weights = class_weights if weights is None else weights * class_weights
        if not weights.sum() > 0:
            raise ValueError(
                "sample_weight times class_weight sums to zero: no sequence "
                "would count in the loss."
            )
        return weights

    def _class_weights(self, targets, classes, *, incremental):
        """Weight of each row from the classes (None: regression)."""
        return None

    def _validation_split(self, data, codes, rng):
        """``(train_idx, held_out)``: a ``validation_fraction`` of the
        sequences held out (drawn with ``rng``), stratified by class for one
        label per sequence."""
        n = data.sequences.n_sequences
        stratify = None if self._per_step else codes
        try:
            train_idx, val_idx = train_test_split(
                np.arange(n),
                random_state=rng,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
        except ValueError as error:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} cannot hold out "
                f"a validation set from {n} sequences: {error} Use a larger "
                "validation_fraction, more data, or pass X_val and y_val."
            ) from None
        rows = self._row_index(val_idx, data.sequences.lengths)
        held_out = FitData(
            data.sequences.subset(val_idx),
            data.targets[rows],
            None if data.weights is None else data.weights[rows],
            take_labels(data.labels, val_idx),
        )
        return train_idx, held_out

    def _validation_set(self, X_val, y_val, sample_weight_val, *, fitted, dtype):
        """The user's validation sequences, checked against the state
        ``fitted`` learned from the training data, as a source
        (:mod:`sklearn_rnn.estimators._sources`)."""
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        try:
            source, _ = self._source(
                X_val,
                y_val,
                sample_weight_val,
                fitted=fitted,
                reset=False,
                classes=None,
                incremental=False,
                dtype=dtype,
            )
        except ValueError as error:
            raise ValueError(f"In the validation set (X_val, y_val): {error}") from None
        return source

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(AUTO_BATCH_SIZE, n_samples)
        if self.batch_size > n_samples:
            warn(
                "Got `batch_size` larger than sample size. It is going to be clipped.",
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _train(self, source, monitor, optimizer, *, incremental):
        """Run epochs over ``source`` until ``max_iter``, or until ``monitor``
        sees no progress and the optimizer's schedule gives up (one epoch for
        ``partial_fit``)."""
        batch_size = self._batch_size(source.n_sequences)
        progress = ProgressBar.for_verbosity(self.verbose, self.max_iter)
        for _ in range(self.max_iter):
            start = time.perf_counter()
            self.loss_ = self._run_epoch(source, batch_size, optimizer, progress)
            self.n_iter_ += 1
            self.t_ += source.n_sequences
            self.loss_curve_.append(self.loss_)
            monitor.epoch_ends(self.params_, self.loss_)
            optimizer.iteration_ends(self.t_)
            if self.verbose:
                seconds = time.perf_counter() - start
                line = f"Epoch {self.n_iter_}, loss = {self.loss_:.8f}"
                line += f"{monitor.describe()}, {seconds:.2f} s"
                progress.write_line(line) if progress is not None else print(line)

            if monitor.no_improvement > self.n_iter_no_change:
                msg = (
                    f"{monitor.watched} did not improve more than tol={self.tol:f} "
                    f"for {self.n_iter_no_change} consecutive epochs."
                )
                if optimizer.trigger_stopping(msg, self.verbose):
                    break
                monitor.no_improvement = 0
            if incremental:
                break
        else:
            warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        self.params_ = monitor.best_params(self.params_)
        vars(self).update(monitor.fitted())

    def _run_epoch(self, source, batch_size, optimizer, progress):
        """One pass over the training sequences, part after part of
        ``source``, each cut into mini-batches; returns the mean loss (each
        batch's weighted by its total weight)."""
        total_loss, total_rows = 0.0, 0
        n_batches = sum(-(-int(n) // batch_size) for n in source.part_sizes())
        batch = 0
        for data, order in source.parts(self._random_state, self.shuffle):
            for batch_slice in _slices(len(order), batch_size):
                loss, weight = self._train_step(
                    data, order[batch_slice], batch, optimizer
                )
                total_loss += loss * weight
                total_rows += weight
                batch += 1
                if progress is not None:
                    progress.update(
                        self.n_iter_ + 1, batch, n_batches, total_loss / total_rows
                    )
        for name, p in self.params_.items():
            if not np.isfinite(p).all():
                raise DivergenceError(
                    f"Training diverged in epoch {self.n_iter_ + 1}: parameter "
                    f"{name} is no longer finite. " + _DIVERGENCE_ADVICE
                )
        return total_loss / total_rows

    def _train_step(self, data, idx, batch, optimizer):
        """One gradient update on the sequences ``idx``; returns the loss and
        the batch's total weight (its number of rows without weights)."""
        X, lengths = data.sequences.take(idx)
        Y = self._batch_targets(data.targets, idx, data.sequences.lengths)
        w = self._batch_weights(data.weights, idx, data.sequences.lengths)
        total = Y.shape[0] if w is None else float(w.sum())
        if total == 0:
            return 0.0, 0.0  # only weightless rows: nothing to learn from
        # Overflow is reported below as a DivergenceError, not as warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = loss_and_gradient(
                self.params_,
                self._spec,
                X,
                lengths,
                Y,
                self.alpha,
                self._random_state,
                weights=w,
            )
            if self.freeze_embedding:
                grads.pop("embed.table", None)
            max_norm = np.inf if self.clip_norm is None else self.clip_norm
            norm = clip_by_norm(grads.values(), max_norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            raise DivergenceError(
                f"Training diverged in epoch {self.n_iter_ + 1}, batch {batch}: "
                f"the {'loss' if not np.isfinite(loss) else 'gradient'} is not "
                "finite. " + _DIVERGENCE_ADVICE
            )
        if self.clip_value is not None:
            clip_by_value(grads.values(), self.clip_value)
        optimizer.update_params(self.params_, grads)
        return loss, total

    def _evaluate(self, held_out, scorer):
        """Weighted mean loss (without penalty) and score on the source
        ``held_out``, read part by part."""
        Z, Y, w, lengths = [], [], [], []
        for data, idx in held_out.parts():
            sequences = data.sequences
            Z.append(self._logits(sequences))
            Y.append(self._batch_targets(data.targets, idx, sequences.lengths))
            w.append(data.weights)
            lengths.append(sequences.lengths)
        Z, Y = np.concatenate(Z), np.concatenate(Y)
        w = None if w[0] is None else np.concatenate(w)
        sequences = Sequences(None, np.concatenate(lengths))  # lengths only
        loss = self._held_out_loss(Z, Y, w, sequences)
        n = held_out.n_sequences
        where = (
            f"early stopping's scoring={self.scoring!r} on the validation set "
            f"({n} sequence{'' if n == 1 else 's'})"
        )
        if scorer is None:
            score = self._held_out_score(Z, Y, w, sequences)
        elif scorer == "loss":
            score = -loss
        else:
            kwargs = {}
            if w is not None and not self._per_step:
                kwargs["sample_weight"] = w
            X, labels = held_out.scorer_input()
            try:
                score = float(scorer(self, X, labels, **kwargs))
            except Exception as error:
                kind = TypeError if isinstance(error, TypeError) else ValueError
                raise kind(f"In {where}: {error}") from error
        if not np.isfinite(score):
            raise ValueError(
                f"The score of {where} is {score} in epoch {self.n_iter_}: it "
                "cannot be measured there (R^2 needs two sequences with different "
                "targets, a log-loss or ROC AUC two classes), so early stopping "
                "cannot tell the better epoch. Hold out more sequences "
                "(validation_fraction, or X_val and y_val), or choose another "
                "scoring."
            )
        return loss, score

    def _held_out_loss(self, Z, Y, weights, sequences):
        """Weighted mean loss of the rows with logits ``Z`` and targets ``Y``."""
        if weights is None:
            weights = np.ones(len(Z))
        loss = self._output_head().loss_and_gradient(
            Z, Y, weights, sequences.lengths, self.params_
        )[0]
        return loss / float(weights.sum())

    def _held_out_score(self, Z, Y, weights, sequences):
        """The estimator's ``score``, from logits and encoded targets."""
        return self._output_head().score(
            Z, Y, weights, sequences.lengths, self.params_, self._decoding_constraints()
        )

    def _decoding_constraints(self):
        """What decoding may not return (see the CRF's ``allowed``): None."""
        return None

    def _row_index(self, idx, lengths):
        """Rows of the targets (and weights) of the sequences ``idx``."""
        return idx

    def _batch_weights(self, weights, idx, lengths):
        """Weights of the rows of the sequences ``idx``, or None."""
        return None if weights is None else weights[self._row_index(idx, lengths)]

    def _row_weights(self, sample_weight, sequences):
        """One non-negative weight per sequence, as float64, with a positive
        sum; the tagger also takes one per step."""
        return check_weights(sample_weight, sequences.n_sequences)

    # ------------------------------------------------------------- prediction
    #
    # The library's helpers (text generation, inspection) use only this
    # surface of a fitted estimator: ``_read``, ``_network``,
    # ``_output_head``, ``_output_slope`` and ``_continue``. Each estimator
    # turns logits into its predictions with ``_predictions``.

    @property
    def _spec(self):
        """The fitted network's structure, rebuilt from the plain fields the
        estimator keeps (so that a fitted model holds only plain data)."""
        fields = self._spec_fields
        try:
            return _spec_of(tuple(fields.items()))
        except TypeError:  # a field loaded as a list (unhashable)
            return NetworkSpec(**fields)

    def _check_fitted(self):
        """``check_is_fitted``, without its cost (a tenth of predicting one
        sequence) when the model is fitted."""
        if "params_" not in vars(self):
            check_is_fitted(self, "params_")

    def _network(self):
        """``(params, spec)``: the fitted network's parameters and structure."""
        self._check_fitted()
        return self.params_, self._spec

    def _output_head(self):
        """The fitted output head (:class:`sklearn_rnn.network._heads.Head`,
        or the CRF's :class:`sklearn_rnn.network._crf.CRFHead`)."""
        return get_head(self._spec.head)

    def _output_slope(self, Z):
        """Derivative of each prediction with respect to its logit ``Z``:
        one, but for the regressor's scaled (and exponential) outputs."""
        return np.ones_like(Z)

    def _logits(self, sequences):
        """Logits of every read-out row, in float64, computed chunk by chunk.

        Chunks hold sequences of similar lengths, up to
        ``max(PREDICT_CHUNK_STEPS, PREDICT_CHUNK_MIN_SEQUENCES * L)`` padded
        steps (:func:`~sklearn_rnn.inputs.length_blocks`), so one long
        sequence among short ones does not pad them all. At most
        ``PREDICT_CHUNK_MIN_SEQUENCES`` padded sequences run as they come:
        for one sequence, chunking took a fifth of the call.
        """
        # Overflow is reported below as a ValueError, not as warnings; BLAS
        # runs on one thread throughout, as in fit.
        with np.errstate(over="ignore", invalid="ignore"), BlasSingleThread():
            if (
                sequences.rows is None
                and sequences.n_sequences <= PREDICT_CHUNK_MIN_SEQUENCES
            ):
                # a few padded sequences (one, for a live prediction): one
                # chunk as they come, without the chunking's own cost
                Z, _ = forward(
                    self.params_, self._spec, sequences.data, sequences.lengths
                )
                Z = Z.astype(np.float64)
            else:
                with reusing_memory():  # from chunk to chunk
                    Z = self._chunked_logits(sequences)
        if not np.isfinite(Z).all():
            raise ValueError(
                f"{type(self).__name__} produced non-finite outputs for these "
                "inputs; their values are probably far outside the range seen "
                "in fit. Scale the inputs or use dtype='float64'."
            )
        return Z

    def _chunked_logits(self, sequences):
        """The logits of :meth:`_logits`, chunk by chunk."""
        parts, rows = [], []
        chunks = length_blocks(
            sequences.lengths, PREDICT_CHUNK_STEPS, PREDICT_CHUNK_MIN_SEQUENCES
        )
        for indices in chunks:
            X, lengths = sequences.take(indices)
            Z, _ = forward(self.params_, self._spec, X, lengths)
            parts.append(Z.astype(np.float64))
            rows.append(self._row_index(indices, sequences.lengths))
        Z = np.empty((sum(len(r) for r in rows), parts[0].shape[1]))
        Z[np.concatenate(rows)] = np.concatenate(parts)
        return Z

    def _continue(self, X, states=None, *, last_step=True):
        """Logits at the last step of each sequence (or, with
        ``last_step=False``, at every row the model reads out: every step
        for the tagger), and the states after each sequence's last step.

        Runs the network from ``states`` (those returned by a previous call,
        or zeros), so that a sequence can be fed a part at a time, as text
        generation and streaming do. Unidirectional networks only.

        Returns
        -------
        Z : ndarray of shape (n_rows, n_outputs), float64
        sequences : Sequences
        states : dict
        """
        sequences = self._read(X)
        lengths = sequences.lengths
        readout = (np.arange(len(lengths)), lengths - 1) if last_step else None
        with np.errstate(over="ignore", invalid="ignore"), BlasSingleThread():
            Z, trace = forward(
                self.params_,
                self._spec,
                sequences.data,
                lengths,
                state0=states,
                readout=readout,
            )
        return Z.astype(np.float64), sequences, final_states(self._spec, trace)

    def _stream(self, X, state):
        """``(Z, sequences, state)``: the logits of the new steps of X's
        sequences, continuing from ``state``, and the state after them."""
        self._check_fitted()
        spec = self._spec
        if spec.bidirectional:
            raise ValueError(
                "Streaming needs a unidirectional model: a bidirectional layer "
                "reads each sequence from its end too, so its outputs change "
                "with every new step. Predict the whole history instead."
            )
        if not self._output_head().row_wise:
            raise ValueError(
                "Streaming needs outputs step by step: the CRF (crf=True) "
                "decodes whole tag sequences, so its tags change with the "
                "steps that follow. Predict the whole history instead."
            )
        sequences = self._read(X)
        own, positions = match_stream_state(state, sequences)
        key = getattr(self, "_stream_key", None)
        layers, seen = check_stream_state(
            own, sequences.n_sequences, spec, self.params_["out.W"].dtype, key
        )
        Z, sequences, states = self._continue(sequences, layers, last_step=False)
        new = StreamState(states, seen + sequences.lengths, sequences.ids, key)
        return Z, sequences, new if positions is None else state.updated(positions, new)

    def predict_stream(self, X, state=None):
        """Predict on sequences fed a part at a time, such as a live stream.

        Each call reads the next steps of the same sequences and continues
        from the ``state`` the previous call returned, so a new step costs
        the same whatever the length of the history. The outputs equal
        those of :meth:`predict` on the whole history (up to floating-point
        rounding): for the tagger, the labels of the new steps; for the
        classifier and the regressor, the prediction after the new steps.
        The estimator keeps nothing between calls.

        Only unidirectional models stream: a bidirectional layer, or the
        tagger's CRF, reads the steps that follow.

        Parameters
        ----------
        X : sequences
            The new steps of each sequence, in any accepted format (not a
            Dask collection).
        state : StreamState or None, default=None
            What the previous call of this model returned; None starts the
            sequences (a state of another model is refused).
            Sequences are matched to it by position, or by id when X is a
            long DataFrame (any of its sequences, in any order; the
            returned state keeps the others).

        Returns
        -------
        y : ndarray or list of ndarray
            As :meth:`predict` returns for X's new steps.
        state : StreamState
            Pass it to the next call.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnn import RNNRegressor
        >>> X = np.random.RandomState(0).normal(size=(20, 6, 1))
        >>> model = RNNRegressor(hidden_layer_sizes=(4,), max_iter=2,
        ...                      random_state=0).fit(X, X[:, -1, 0])
        >>> y, state = model.predict_stream(X[:, :4])
        >>> y, state = model.predict_stream(X[:, 4:], state)
        >>> bool(np.allclose(y, model.predict(X), atol=1e-5))
        True
        """
        Z, sequences, state = self._stream(X, state)
        return self._predictions(Z, sequences), state

    def _predict_logits(self, X):
        sequences = self._read(X)
        return self._logits(sequences), sequences

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


_DIVERGENCE_ADVICE = (
    "Try a smaller learning_rate_init, gradient clipping (clip_norm), scaled "
    "inputs and targets, or dtype='float64'. The estimator was left as it was "
    "before this call."
)
