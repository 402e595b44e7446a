"""Parameters shared by the RNN estimators and their stochastic training loop.

The loop follows scikit-learn's MLP (``_fit_stochastic``) in its names and
meanings, cut into small steps: :meth:`BaseRNN._fit` prepares data and state,
:meth:`BaseRNN._fit_stochastic` runs epochs, :meth:`BaseRNN._run_epoch` runs
batches and :meth:`BaseRNN._train_step` does one update.
"""

import copy
import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import log_softmax
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._atomic import atomic_fit
from sklearn_rnn.estimators._progress import ProgressBar
from sklearn_rnn.exceptions import DivergenceError
from sklearn_rnn.inputs import (
    check_weights,
    validate_sequences,
    validate_token_sequences,
)
from sklearn_rnn.kernels import BlasSingleThread
from sklearn_rnn.kernels._activations import ACTIVATION_CODES
from sklearn_rnn.network._cells import CELLS
from sklearn_rnn.network._heads import get_head
from sklearn_rnn.network._network import (
    NetworkSpec,
    final_states,
    forward,
    init_params,
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
        params, est.learning_rate_init, est.beta_1, est.beta_2, est.epsilon
    ),
    "rmsprop": lambda est, params: RMSpropOptimizer(
        params, est.learning_rate_init, est.rho, est.epsilon
    ),
}


def class_index_from_logits(Z):
    """Index of the most probable class of each row of logits ``Z``.

    One logit column (binary) stands for class 1 against class 0.
    """
    return (Z[:, 0] > 0).astype(np.intp) if Z.shape[1] == 1 else Z.argmax(axis=1)


def proba_from_logits(Z, head):
    """Probabilities of every class; one logit column gives ``[1 - p, p]``."""
    P = get_head(head).activation(Z)
    return np.hstack([1 - P, P]) if P.shape[1] == 1 else P


def _accuracy_from_logits(Z, Y, weights=None):
    # 0/1 or one-hot targets, shifted by -0.5, read as logits of their class
    targets = class_index_from_logits(Y - 0.5)
    return float(np.average(class_index_from_logits(Z) == targets, weights=weights))


def validation_score(head, Z, Y, weights=None):
    """The score ``score`` computes, from logits: accuracy for the
    classification heads, R^2 of the predictions for the regression heads."""
    if head in ("logistic", "softmax"):
        return _accuracy_from_logits(Z, Y, weights)
    prediction = get_head(head).activation(Z)
    return float(r2_score(Y, prediction, sample_weight=weights))


def log_proba_from_logits(Z):
    """Log-probabilities of every class from logits, computed stably.

    One logit column (binary) gives two columns ``[log(1 - p), log(p)]``.
    """
    if Z.shape[1] == 1:
        return log_softmax(np.hstack([np.zeros_like(Z), Z]), axis=1)
    return log_softmax(Z, axis=1)


def _slices(n, size):
    """Consecutive slices of ``size`` items covering ``range(n)``.

    As :func:`sklearn.utils.gen_batches`, without its parameter validation,
    which cost more than predicting one short sequence.
    """
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


class BaseRNN(BaseEstimator):
    """Base class of the RNN estimators; not for direct use.

    Subclasses set ``_per_step`` and implement ``_encode_targets``,
    ``_batch_targets`` and (optionally) ``_stratify_labels``.
    """

    _per_step = False

    _parameter_constraints = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATION_CODES))],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
        "bptt_truncate": [Interval(Integral, 1, None, closed="left"), None],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
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
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
        "clip_value": [Interval(Real, 0, None, closed="neither"), None],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    def __init__(
        self,
        cell="lstm",
        hidden_layer_sizes=(64,),
        activation="tanh",
        *,
        embedding_dim=None,
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
    ):
        self.cell = cell
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.embedding_dim = embedding_dim
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

    # ------------------------------------------------------------------ input

    def _check_X(self, X, *, reset):
        """Validate X; on ``reset`` record its feature count and names, or
        with an embedding, its token ids."""
        if not reset:
            check_is_fitted(self, "params_")
        embedding_dim = self.embedding_dim if reset else self._spec.embedding_dim
        if embedding_dim is not None:
            return validate_token_sequences(self, X, reset=reset)
        return validate_sequences(self, X, reset=reset, dtype=np.dtype(self.dtype))

    def _hidden_layer_sizes(self):
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
        return tuple(int(s) for s in sizes)

    # ---------------------------------------------------------------- fitting

    def _network_spec(self):
        if self.bidirectional and self.bptt_truncate is not None:
            raise ValueError(
                "bptt_truncate cannot be combined with bidirectional=True: "
                "truncated backpropagation through time runs over the past "
                "only, while a bidirectional layer reads the whole sequence."
            )
        return NetworkSpec(
            cell=self.cell,
            activation=self.activation,
            hidden_layer_sizes=self._hidden_layer_sizes(),
            head=self._head(),
            per_step=self._per_step,
            bidirectional=bool(self.bidirectional),
            dropout=float(self.dropout),
            recurrent_dropout=float(self.recurrent_dropout),
            bptt_truncate=self.bptt_truncate,
            embedding_dim=self.embedding_dim,
        )

    @atomic_fit
    def _fit(self, X, y, *, incremental, classes=None, sample_weight=None):
        """Fit, or continue fitting; on any error the estimator is unchanged."""
        self._validate_params()
        # One BLAS thread for the whole fit: BLAS threads woken by a product
        # (the initialisation's QR, the network's own matrix products) spin
        # for about 0.1 s and take the cores from the kernels' threads.
        with BlasSingleThread():
            self._fit_unchecked(
                X, y, sample_weight, incremental=incremental, classes=classes
            )
        return self

    def _fit_unchecked(self, X, y, sample_weight, *, incremental, classes):
        reset = not hasattr(self, "params_") or not (incremental or self.warm_start)
        spec_before = getattr(self, "_spec", None)
        sequences = self._check_X(X, reset=reset)
        targets = self._encode_targets(y, sequences, reset=reset, classes=classes)
        weights = None
        if sample_weight is not None:
            weights = self._row_weights(sample_weight, sequences)
        self._random_state = check_random_state(self.random_state)
        self._spec = self._network_spec()
        dtype = np.dtype(self.dtype)
        if reset:
            n_inputs = sequences.n_features
            if self.embedding_dim is not None:
                n_inputs = len(self.token_ids_) + 1  # row 0: unseen tokens
            self._initialize(n_inputs, dtype)
        else:
            structure = ("cell", "hidden_layer_sizes", "bidirectional", "embedding_dim")
            if spec_before is not None and any(
                getattr(spec_before, k) != getattr(self._spec, k) for k in structure
            ):
                fitted = ", ".join(
                    f"{k}={getattr(spec_before, k)!r}" for k in structure
                )
                raise ValueError(
                    "warm_start and partial_fit continue training the same "
                    f"network: {fitted} cannot change between calls."
                )
            self.params_ = {
                k: np.ascontiguousarray(v, dtype=dtype) for k, v in self.params_.items()
            }
        self._fit_stochastic(sequences, targets, weights, incremental=incremental)

    def _initialize(self, n_inputs, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.validation_loss_curve_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf
        self.params_ = init_params(
            self._spec, n_inputs, self.n_outputs_, self._random_state, dtype
        )

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(AUTO_BATCH_SIZE, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` larger than sample size. It is going to be clipped.",
                stacklevel=2,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _fit_stochastic(self, sequences, targets, weights, *, incremental):
        params = list(self.params_.values())
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = SOLVERS[self.solver](self, params)

        early_stopping = self.early_stopping and not incremental
        if self.early_stopping and incremental:
            warnings.warn(
                "early_stopping is not supported by partial_fit: each call runs "
                "one epoch on all of X, with no validation split.",
                UserWarning,
                stacklevel=3,
            )
        self._watch(early_stopping)
        self._best_params = None
        train_idx = np.arange(sequences.n_sequences)
        val_idx = None
        if early_stopping:
            train_idx, val_idx = train_test_split(
                train_idx,
                random_state=self._random_state,
                test_size=self.validation_fraction,
                stratify=self._stratify_labels(targets),
            )
        batch_size = self._batch_size(len(train_idx))
        self._progress = ProgressBar.for_verbosity(self.verbose, self.max_iter)

        for _ in range(self.max_iter):
            start = time.perf_counter()
            self.loss_ = self._run_epoch(
                params, sequences, targets, weights, train_idx, batch_size
            )
            self.n_iter_ += 1
            self.t_ += len(train_idx)
            self.loss_curve_.append(self.loss_)
            if early_stopping:
                val_loss, val_score = self._evaluate(
                    sequences, targets, weights, val_idx
                )
                self.validation_loss_curve_.append(val_loss)
                self.validation_scores_.append(val_score)
            self._update_no_improvement_count(early_stopping)
            self._optimizer.iteration_ends(self.t_)
            if self.verbose:
                self._print_epoch(time.perf_counter() - start, early_stopping)

            if self._no_improvement_count > self.n_iter_no_change:
                what = "Validation score" if early_stopping else "Training loss"
                msg = (
                    f"{what} did not improve more than tol={self.tol:f} for "
                    f"{self.n_iter_no_change} consecutive epochs."
                )
                if self._optimizer.trigger_stopping(msg, self.verbose):
                    break
                self._no_improvement_count = 0
            if incremental:
                break
        else:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=2,
            )

        if early_stopping and self._best_params is not None:
            self.params_ = self._best_params
        self._best_params = None
        self._progress = None

    def _run_epoch(self, params, sequences, targets, weights, train_idx, batch_size):
        """One pass over the training sequences; returns the mean loss (each
        batch's weighted by its total weight)."""
        order = (
            train_idx[self._random_state.permutation(len(train_idx))]
            if self.shuffle
            else train_idx
        )
        total_loss, total_rows = 0.0, 0
        batches = _slices(len(order), batch_size)
        for batch, batch_slice in enumerate(batches):
            loss, weight = self._train_step(
                params, sequences, targets, weights, order[batch_slice], batch
            )
            total_loss += loss * weight
            total_rows += weight
            if self._progress is not None:
                self._progress.update(
                    self.n_iter_ + 1, batch + 1, len(batches), total_loss / total_rows
                )
        for name, p in self.params_.items():
            if not np.isfinite(p).all():
                raise DivergenceError(
                    f"Training diverged in epoch {self.n_iter_ + 1}: parameter "
                    f"{name} is no longer finite. " + _DIVERGENCE_ADVICE
                )
        return total_loss / total_rows

    def _train_step(self, params, sequences, targets, weights, idx, batch):
        """One gradient update on the sequences ``idx``; returns the loss and
        the batch's total weight (its number of rows without weights)."""
        X, lengths = sequences.take(idx)
        Y = self._batch_targets(targets, idx, sequences.lengths)
        w = self._batch_weights(weights, idx, sequences.lengths)
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
            grads = list(grads.values())
            max_norm = np.inf if self.clip_norm is None else self.clip_norm
            norm = clip_by_norm(grads, max_norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            raise DivergenceError(
                f"Training diverged in epoch {self.n_iter_ + 1}, batch {batch}: "
                f"the {'loss' if not np.isfinite(loss) else 'gradient'} is not "
                "finite. " + _DIVERGENCE_ADVICE
            )
        if self.clip_value is not None:
            clip_by_value(grads, self.clip_value)
        self._optimizer.update_params(params, grads)
        return loss, total

    def _evaluate(self, sequences, targets, weights, idx):
        """Weighted mean loss (without penalty) and score on the sequences
        ``idx``."""
        Z = self._logits(sequences, idx)
        Y = self._batch_targets(targets, idx, sequences.lengths)
        w = self._batch_weights(weights, idx, sequences.lengths)
        loss = float(np.average(get_head(self._spec.head).loss(Z, Y), weights=w))
        return loss, validation_score(self._spec.head, Z, Y, w)

    def _head(self):
        """Name of the output head: the output activation with its loss."""
        return self.out_activation_

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

    def _watch(self, early_stopping):
        """Start the record of what this call watches when an earlier call
        (warm_start, partial_fit) watched the other quantity."""
        if early_stopping and self.validation_scores_ is None:
            self.validation_scores_ = []
            self.validation_loss_curve_ = []
            self.best_validation_score_ = -np.inf
            self._no_improvement_count = 0
        if not early_stopping and self.best_loss_ is None:
            self.best_loss_ = np.inf
            self._no_improvement_count = 0

    def _update_no_improvement_count(self, early_stopping):
        if early_stopping:
            score = self.validation_scores_[-1]
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = copy.deepcopy(self.params_)
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _print_epoch(self, seconds, early_stopping):
        line = f"Epoch {self.n_iter_}, loss = {self.loss_:.8f}"
        if early_stopping:
            line += (
                f", validation loss = {self.validation_loss_curve_[-1]:.8f}"
                f", validation score = {self.validation_scores_[-1]:.6f}"
            )
        line += f", {seconds:.2f} s"
        if self._progress is not None:
            self._progress.write_line(line)
        else:
            print(line)

    # ------------------------------------------------------------- prediction

    def _logits(self, sequences, indices=None):
        """Logits of every read-out row, in float64, computed chunk by chunk."""
        if indices is None:
            indices = np.arange(sequences.n_sequences)
        chunk = max(
            PREDICT_CHUNK_MIN_SEQUENCES, PREDICT_CHUNK_STEPS // sequences.data.shape[1]
        )
        parts = []
        # Overflow is reported below as a ValueError, not as warnings; BLAS
        # runs on one thread throughout, as in fit.
        with np.errstate(over="ignore", invalid="ignore"), BlasSingleThread():
            for chunk_slice in _slices(len(indices), chunk):
                X, lengths = sequences.take(indices[chunk_slice])
                Z, _ = forward(self.params_, self._spec, X, lengths)
                parts.append(Z.astype(np.float64))
        Z = np.concatenate(parts)
        if not np.isfinite(Z).all():
            raise ValueError(
                f"{type(self).__name__} produced non-finite outputs for these "
                "inputs; their values are probably far outside the range seen "
                "in fit. Scale the inputs or use dtype='float64'."
            )
        return Z

    def _continue(self, X, states=None):
        """Logits at the last step of each sequence, and the states after it.

        Runs the network from ``states`` (those returned by a previous call,
        or zeros), so that a sequence can be fed a step at a time, as text
        generation does. Unidirectional networks only.

        Returns
        -------
        Z : ndarray of shape (n_sequences, n_outputs), float64
        states : dict
        """
        sequences = self._check_X(X, reset=False)
        lengths = sequences.lengths
        readout = (np.arange(len(lengths)), lengths - 1)
        with np.errstate(over="ignore", invalid="ignore"):
            Z, trace = forward(
                self.params_,
                self._spec,
                sequences.data,
                lengths,
                state0=states,
                readout=readout,
            )
        return Z.astype(np.float64), final_states(self._spec, trace)

    def _predict_logits(self, X):
        sequences = self._check_X(X, reset=False)
        return self._logits(sequences), sequences

    def _stratify_labels(self, targets):
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


_DIVERGENCE_ADVICE = (
    "Try a smaller learning_rate_init, gradient clipping (clip_norm), scaled "
    "inputs and targets, or dtype='float64'. The estimator was left as it was "
    "before this call."
)
