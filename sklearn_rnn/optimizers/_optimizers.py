"""Stochastic gradient optimizers updating named parameters in place.

The update equations follow scikit-learn's MLP for ``sgd`` and ``adam``; for
``rmsprop`` they follow Tieleman & Hinton (2012) as PyTorch and Keras do,
with ``epsilon`` added outside the square root.

Parameters and gradients are dicts keyed by parameter name (the network's
``params_``), and so is every optimizer's running state. A gradient may be a
:class:`~sklearn_rnn.optimizers.RowGradient` (an embedding table's): the
parameter and the optimizer's running state are then updated in the
gradient's rows only, the others kept as they are (the "lazy" updates of
PyTorch's ``SparseAdam``).

Every optimizer follows one step-size schedule (``learning_rate``):

- ``"constant"``: the rate stays ``learning_rate_init``;
- ``"invscaling"``: after each epoch the rate becomes
  ``learning_rate_init / (t + 1) ** power_t``, ``t`` the samples seen;
- ``"adaptive"``: the rate is divided by 5 each time training stops
  improving (``n_iter_no_change`` epochs without progress), and training
  stops once it falls to 1e-6 or below.

For Adam the scheduled rate is the one its bias correction multiplies.
"""

import copy

import numpy as np

from sklearn_rnn.kernels.updates import adam_update, rmsprop_update, sgd_update
from sklearn_rnn.optimizers._row_gradient import RowGradient

#: Learning rates the ``adaptive`` schedule does not go below.
MIN_ADAPTIVE_RATE = 1e-6

#: The rows of a dense gradient: the whole parameter as one row.
_ONE_ROW = np.zeros(1, dtype=np.int64)


def _as_rows(array, rows):
    """``array`` (a parameter or a running state) as the update rules take
    it, a view: an embedding table (updated by ``rows``) as it is, any other
    parameter as one row."""
    if not array.flags.c_contiguous:  # a reshaped copy would lose the update
        raise ValueError("Parameters and optimizer states must be C-contiguous.")
    return array if rows is not _ONE_ROW else array.reshape(1, -1)


class BaseOptimizer:
    """Apply per-parameter updates computed by a subclass.

    Parameters
    ----------
    params : dict of str to ndarray
        The parameters :meth:`update_params` will update; the optimizer keeps
        a running state of the same shapes under the same names.
    learning_rate_init : float
        The initial step size.
    lr_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How the step size changes between epochs (see the module notes).
    power_t : float, default=0.5
        Exponent of the ``invscaling`` schedule.

    Attributes
    ----------
    scheduled_rate : float
        The step size the schedule sets.
    learning_rate : float
        The step size of the next update (for Adam, the scheduled rate with
        its bias correction).
    """

    def __init__(
        self, params, learning_rate_init=0.001, lr_schedule="constant", power_t=0.5
    ):
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule
        self.power_t = power_t
        self.scheduled_rate = float(learning_rate_init)
        self.learning_rate = self.scheduled_rate

    def state_dict(self):
        """The optimizer's settings and running state as plain data (numbers,
        strings and dicts of arrays), copied."""
        return copy.deepcopy(vars(self))

    def load_state_dict(self, state):
        """Continue from a :meth:`state_dict`; returns the optimizer."""
        self.__dict__.update(copy.deepcopy(state))
        return self

    def update_params(self, params, grads):
        """Update ``params`` in place with the step for ``grads``.

        Parameters
        ----------
        params : dict of str to ndarray
        grads : dict of str to (ndarray or RowGradient)
            The gradient of each parameter, under its name.
        """
        self._start_step()
        for name, grad in grads.items():
            param = params[name]
            if isinstance(grad, RowGradient):
                rows, values = grad.rows, grad.values
            else:  # the whole parameter as one row
                rows, values = _ONE_ROW, grad.reshape(1, -1)
            self._update(
                name,
                _as_rows(param, rows),
                np.ascontiguousarray(values, dtype=param.dtype),
                rows,
            )

    def _start_step(self):
        """Hook called once per update, before the per-parameter steps."""
        self.learning_rate = self.scheduled_rate

    def _update(self, name, param, grad, rows):
        """Update the rows ``rows`` of parameter ``name`` and its state in
        place, by a rule of :mod:`sklearn_rnn.kernels.updates` (``param`` and
        ``grad`` as rows, as the rules take them; :func:`_as_rows` gives the
        state arrays the same way)."""
        raise NotImplementedError

    def iteration_ends(self, time_step):
        """Called after each epoch with the number of samples seen."""
        if self.lr_schedule == "invscaling":
            self.scheduled_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        """Decide whether to stop when the loss or score stops improving.

        The ``adaptive`` schedule lowers the rate and goes on instead, until
        the rate is too small.

        Returns
        -------
        stop : bool
        """
        if self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.scheduled_rate <= MIN_ADAPTIVE_RATE:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.scheduled_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.scheduled_rate:f}")
        return False


class SGDOptimizer(BaseOptimizer):
    """Stochastic gradient descent with momentum.

    Parameters
    ----------
    params : dict of str to ndarray
    learning_rate_init : float
    lr_schedule : {"constant", "invscaling", "adaptive"}
    momentum : float
    nesterov : bool
    power_t : float

    Notes
    -----
    With velocity ``v`` (zero at start) and gradient ``g``::

        v <- momentum * v - lr * g
        p <- p + v                              (classical)
        p <- p + momentum * v - lr * g          (Nesterov, using the new v)
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
    ):
        super().__init__(params, learning_rate_init, lr_schedule, power_t)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = {k: np.zeros_like(p) for k, p in params.items()}

    def _update(self, name, param, grad, rows):
        sgd_update(
            param,
            grad,
            rows,
            _as_rows(self.velocities[name], rows),
            self.learning_rate,
            self.momentum,
            self.nesterov,
        )


class AdamOptimizer(BaseOptimizer):
    """Adam (Kingma & Ba, 2014).

    Parameters
    ----------
    params : dict of str to ndarray
    learning_rate_init : float
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
    lr_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
    power_t : float, default=0.5

    Notes
    -----
    At step ``t`` (starting at 1), with ``lr`` the scheduled rate::

        m <- beta_1 m + (1 - beta_1) g
        v <- beta_2 v + (1 - beta_2) g**2
        lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        p <- p - lr_t * m / (sqrt(v) + epsilon)
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        lr_schedule="constant",
        power_t=0.5,
    ):
        super().__init__(params, learning_rate_init, lr_schedule, power_t)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = {k: np.zeros_like(p) for k, p in params.items()}
        self.vs = {k: np.zeros_like(p) for k, p in params.items()}

    def _start_step(self):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.learning_rate = float(
            self.scheduled_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        )

    def _update(self, name, param, grad, rows):
        adam_update(
            param,
            grad,
            rows,
            _as_rows(self.ms[name], rows),
            _as_rows(self.vs[name], rows),
            self.learning_rate,
            self.beta_1,
            self.beta_2,
            self.epsilon,
        )


class RMSpropOptimizer(BaseOptimizer):
    """RMSprop: steps scaled by a running root mean square of the gradient.

    Parameters
    ----------
    params : dict of str to ndarray
    learning_rate_init : float
    rho : float
        Decay rate of the running mean of squared gradients, in [0, 1).
    epsilon : float
    lr_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
    power_t : float, default=0.5

    Notes
    -----
    ::

        v <- rho v + (1 - rho) g**2
        p <- p - lr * g / (sqrt(v) + epsilon)
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.001,
        rho=0.9,
        epsilon=1e-8,
        lr_schedule="constant",
        power_t=0.5,
    ):
        super().__init__(params, learning_rate_init, lr_schedule, power_t)
        self.rho = rho
        self.epsilon = epsilon
        self.vs = {k: np.zeros_like(p) for k, p in params.items()}

    def _update(self, name, param, grad, rows):
        rmsprop_update(
            param,
            grad,
            rows,
            _as_rows(self.vs[name], rows),
            self.learning_rate,
            self.rho,
            self.epsilon,
        )
