"""Many-to-one regression: one value (or vector) per sequence."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions

from sklearn_rnn.estimators import _docs
from sklearn_rnn.estimators._base import BaseRNN, user_validation_set
from sklearn_rnn.estimators._lazy import lazy_over_blocks, predictions_to_score
from sklearn_rnn.estimators._targets import EncodedTargets
from sklearn_rnn.inputs import check_targets
from sklearn_rnn.preprocessing._scaler import column_statistics

#: The output head of each ``loss`` (see :mod:`sklearn_rnn.network._heads`).
LOSS_HEADS = {
    "squared_error": "identity",
    "absolute_error": "absolute_error",
    "huber": "huber",
    "poisson": "poisson",
    "quantile": "quantile",
}


class RNNRegressor(RegressorMixin, BaseRNN):
    """Recurrent network regressor: one target per sequence (many-to-one).

    The network reads each sequence step by step and predicts its target from
    the hidden state of the last layer at the sequence's last real step,
    through a linear output layer trained on the chosen ``loss``. For
    forecasting, each sequence is a window of the past and the target the
    next value (or the next ``horizon`` values, as several outputs).

    Unlike MLPRegressor, the targets are standardised inside by default
    (``scale_targets``), so raw counts, prices or sensor readings train as
    well as targets near unit scale.

    {input_formats}
    Parameters
    ----------
    {parameters}
    loss : {"squared_error", "absolute_error", "huber", "poisson", \
            "quantile"}, default="squared_error"
        The loss the network is trained on, named as in
        HistGradientBoostingRegressor. ``"absolute_error"`` predicts the
        median, ``"quantile"`` the quantile ``quantile`` (pinball loss),
        ``"huber"`` is the squared error within one standard deviation of the
        (standardised) target and the absolute error beyond. ``"poisson"``
        (targets >= 0, such as counts) predicts ``exp`` of the network's
        output, so predictions are positive; with ``scale_targets`` its
        targets are divided by their mean, not centred.

    quantile : float or None, default=None
        The quantile to predict with ``loss="quantile"``, in (0, 1).

    scale_targets : bool, default=True
        Standardise each target column inside: the network learns
        ``(y - target_mean_) / target_scale_``, with the mean and standard
        deviation of the ``y`` of the first call to ``fit`` (or
        ``partial_fit``), and ``predict`` maps its outputs back. Predictions
        and ``score`` are in the units of ``y``; ``loss_``, ``loss_curve_``,
        ``best_loss_``, ``validation_loss_curve_`` and ``tol`` are in the
        standardised units, so that the same ``tol`` suits every scale. A
        column of constant targets gets scale 1. ``False`` trains on ``y``
        as given, as MLPRegressor does.

    Attributes
    ----------
    {attributes}
    target_mean_ : ndarray of shape (n_outputs,)
        Mean of each target column in the first fit (zeros when
        ``scale_targets=False``).

    target_scale_ : ndarray of shape (n_outputs,)
        Standard deviation of each target column in the first fit (ones
        when ``scale_targets=False``, or for a constant column).

    See Also
    --------
    RNNClassifier : Many-to-one classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 6))  # 40 univariate sequences of 6 steps
    >>> y = X.sum(axis=1)
    >>> reg = RNNRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    __doc__ = _docs.fill(__doc__)

    _parameter_constraints = {
        **BaseRNN._parameter_constraints,
        "loss": [StrOptions(set(LOSS_HEADS))],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
        "scale_targets": ["boolean"],
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
        loss="squared_error",
        quantile=None,
        scale_targets=True,
    ):
        super().__init__(
            cell=cell,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            embedding_dim=embedding_dim,
            embedding_init=embedding_init,
            freeze_embedding=freeze_embedding,
            categorical_features=categorical_features,
            char_encoder=char_encoder,
            bidirectional=bidirectional,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            bptt_truncate=bptt_truncate,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            rho=rho,
            n_iter_no_change=n_iter_no_change,
            clip_norm=clip_norm,
            clip_value=clip_value,
            dtype=dtype,
            scoring=scoring,
        )
        self.loss = loss
        self.quantile = quantile
        self.scale_targets = scale_targets

    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the regressor.

        Parameters
        ----------
        X : sequences
            ``n_sequences`` sequences in any accepted format.
        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss (and in the validation loss
            and score); None weighs them equally.

        X_val : sequences, default=None
            Validation sequences for ``early_stopping``, used instead of
            holding out ``validation_fraction`` of ``X`` (as
            ``HistGradientBoosting*``). In a :class:`~sklearn.pipeline.Pipeline`
            they reach the estimator untransformed unless the pipeline is
            told to transform them (``transform_input=["X_val"]``).

        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.

        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of ``X_val``.

        Returns
        -------
        self : RNNRegressor
        """
        return self._fit(
            X,
            y,
            incremental=False,
            sample_weight=sample_weight,
            validation=user_validation_set(X_val, y_val, sample_weight_val),
        )

    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over ``X``, continuing from the current parameters.

        Parameters
        ----------
        X : sequences
        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)

        sample_weight : array-like of shape (n_sequences,), default=None
            Weight of each sequence in the loss; None weighs them equally.

        Returns
        -------
        self : RNNRegressor
        """
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def _encode_targets(self, y, sequences, *, fitted, reset, classes=None):
        y = check_targets(y, sequences.n_sequences, type(self).__name__, ensure_2d=True)
        y = y.reshape(len(y), -1).astype(np.float64)
        labels = y.ravel() if y.shape[1] == 1 else y
        if self.loss == "poisson" and ((y < 0).any() or (y.sum(axis=0) <= 0).any()):
            raise ValueError(
                "loss='poisson' needs targets >= 0 with a positive sum in each "
                "column (counts, rates)."
            )
        if reset:
            mean, scale = target_standardisation(
                y, self.scale_targets, centre=self.loss != "poisson"
            )
            learned = {
                "n_outputs_": y.shape[1],
                "out_activation_": "exp" if self.loss == "poisson" else "identity",
                "target_mean_": mean,
                "target_scale_": scale,
            }
        else:
            learned = {}
            mean, scale = fitted.target_mean_, fitted.target_scale_
            if y.shape[1] != fitted.n_outputs_:
                raise ValueError(
                    f"y has {y.shape[1]} outputs, but {type(self).__name__} was "
                    f"fitted with {fitted.n_outputs_}."
                )
        values = (y - mean) / scale
        return EncodedTargets(values, self._head_name(), y.shape[1], labels, learned)

    def _head_name(self):
        """The output head ``loss`` (and ``quantile``) ask for."""
        head = LOSS_HEADS[self.loss]
        return f"quantile:{self.quantile!r}" if head == "quantile" else head

    def _structure(self):
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError(
                "loss='quantile' needs the quantile to predict: set quantile."
            )
        return super()._structure()

    def _check_continuation(self, structure):
        super()._check_continuation(structure)
        # the loss fixes the output activation and the target scaling of the
        # first fit: another loss would train on them as if they were its own
        if self._spec.head != self._head_name():
            raise ValueError(
                "warm_start and partial_fit continue training the same network: "
                f"loss={self.loss!r}"
                + (f", quantile={self.quantile!r}" if self.loss == "quantile" else "")
                + f" cannot replace the fitted loss (output head {self._spec.head!r}); "
                "fit a new model for another loss."
            )

    def _batch_targets(self, targets, idx, lengths):
        return targets[idx]

    @lazy_over_blocks
    def predict(self, X):
        """Predict the target of each sequence.

        Parameters
        ----------
        X : sequences

        Returns
        -------
        y : ndarray of shape (n_sequences,) or (n_sequences, n_outputs)
            1D when the model has a single output.
        """
        return self._predictions(*self._predict_logits(X))

    def _predictions(self, Z, sequences):
        y = self._output_head().activation(Z) * self.target_scale_
        y += self.target_mean_
        return y.ravel() if self.n_outputs_ == 1 else y

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² of the predictions (averaged over
        outputs), as scikit-learn's regressors.

        Parameters
        ----------
        X : sequences
            In any accepted format, a Dask collection included (predicted
            block by block).
        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)
        sample_weight : array-like of shape (n_sequences,), default=None

        Returns
        -------
        score : float
        """
        y, y_pred, sample_weight = predictions_to_score(self, X, y, sample_weight)
        return float(r2_score(y, y_pred, sample_weight=sample_weight))

    def _output_slope(self, Z):
        # predictions are act(z) * target_scale_ + target_mean_, act the
        # identity or (loss="poisson") exp
        slope = np.broadcast_to(self.target_scale_, Z.shape).copy()
        if self.out_activation_ == "exp":
            slope *= np.exp(Z)
        return slope

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def target_standardisation(y, scale, centre=True):
    """``(mean, scale)`` of each column of ``y`` (n, n_outputs), or zeros and
    ones when ``scale`` is False; a constant column gets scale 1. Without
    ``centre`` the mean is zero and the scale is the column's mean (for
    non-negative targets, which must stay non-negative)."""
    if not scale:
        return np.zeros(y.shape[1]), np.ones(y.shape[1])
    # as SequenceScaler: sums of values near the float range do not overflow
    _, _, mean, std = column_statistics(y)
    if not centre:
        return np.zeros(y.shape[1]), mean
    # as StandardScaler: no scaling where the spread is zero up to rounding
    std[std < 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1)] = 1.0
    return mean, std
