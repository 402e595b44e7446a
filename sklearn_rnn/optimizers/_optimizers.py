"""Stochastic gradient optimizers updating a list of arrays in place.

The update equations follow scikit-learn's MLP for ``sgd`` and ``adam``; for
``rmsprop`` they follow Tieleman & Hinton (2012) as PyTorch and Keras do,
with ``epsilon`` added outside the square root.

A gradient may be a :class:`~sklearn_rnn.optimizers.RowGradient` (an
embedding table's): the parameter and the optimizer's running state are then
updated in the gradient's rows only, the others kept as they are (the
"lazy" updates of PyTorch's ``SparseAdam``).
"""

import numpy as np

from sklearn_rnn.optimizers._row_gradient import RowGradient


class BaseOptimizer:
    """Apply per-parameter updates computed by a subclass.

    Parameters
    ----------
    params : list of ndarray
        Arrays updated in place by :meth:`update_params`.
    learning_rate_init : float
        The initial step size.
    """

    def __init__(self, params, learning_rate_init=0.001):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)

    def update_params(self, params, grads):
        """Update ``params`` in place with the step for ``grads``.

        Parameters
        ----------
        params : list of ndarray
        grads : list of ndarray or RowGradient
            One per parameter, in the same order.
        """
        self._start_step()
        for i, (param, grad) in enumerate(zip(params, grads)):
            if isinstance(grad, RowGradient):
                param[grad.rows] += self._step(i, grad.values, grad.rows)
            else:
                param += self._step(i, grad, slice(None))

    def _start_step(self):
        """Hook called once per update, before the per-parameter steps."""

    def _step(self, i, grad, rows):
        """Step of the rows ``rows`` of parameter ``i``; updates its state."""
        raise NotImplementedError

    def iteration_ends(self, time_step):
        """Hook called after each epoch with the number of samples seen."""

    def trigger_stopping(self, msg, verbose):
        """Decide whether to stop when the loss or score stops improving.

        Returns
        -------
        stop : bool
        """
        if verbose:
            print(msg + " Stopping.")
        return True


class SGDOptimizer(BaseOptimizer):
    """Stochastic gradient descent with momentum.

    Parameters
    ----------
    params : list of ndarray
    learning_rate_init : float
    lr_schedule : {"constant", "invscaling", "adaptive"}
        ``invscaling`` sets ``lr = learning_rate_init / (t + 1) ** power_t``
        after each epoch, ``t`` the number of samples seen; ``adaptive``
        divides the rate by 5 whenever training stops improving, and stops
        once it falls below 1e-6.
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
        super().__init__(params, learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False

    def _step(self, i, grad, rows):
        lr, mu = self.learning_rate, self.momentum
        velocity = mu * self.velocities[i][rows] - lr * grad
        self.velocities[i][rows] = velocity
        return mu * velocity - lr * grad if self.nesterov else velocity


class AdamOptimizer(BaseOptimizer):
    """Adam (Kingma & Ba, 2014).

    Parameters
    ----------
    params : list of ndarray
    learning_rate_init : float
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float

    Notes
    -----
    At step ``t`` (starting at 1)::

        m <- beta_1 m + (1 - beta_1) g
        v <- beta_2 v + (1 - beta_2) g**2
        lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        p <- p - lr_t * m / (sqrt(v) + epsilon)
    """

    def __init__(
        self, params, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        super().__init__(params, learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    def _start_step(self):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.learning_rate = float(
            self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        )

    def _step(self, i, grad, rows):
        b1, b2 = self.beta_1, self.beta_2
        m = b1 * self.ms[i][rows] + (1 - b1) * grad
        v = b2 * self.vs[i][rows] + (1 - b2) * grad * grad
        self.ms[i][rows] = m
        self.vs[i][rows] = v
        return -self.learning_rate * m / (np.sqrt(v) + self.epsilon)


class RMSpropOptimizer(BaseOptimizer):
    """RMSprop: steps scaled by a running root mean square of the gradient.

    Parameters
    ----------
    params : list of ndarray
    learning_rate_init : float
    rho : float
        Decay rate of the running mean of squared gradients, in [0, 1).
    epsilon : float

    Notes
    -----
    ::

        v <- rho v + (1 - rho) g**2
        p <- p - lr * g / (sqrt(v) + epsilon)
    """

    def __init__(self, params, learning_rate_init=0.001, rho=0.9, epsilon=1e-8):
        super().__init__(params, learning_rate_init)
        self.rho = rho
        self.epsilon = epsilon
        self.vs = [np.zeros_like(p) for p in params]

    def _step(self, i, grad, rows):
        v = self.rho * self.vs[i][rows] + (1 - self.rho) * grad * grad
        self.vs[i][rows] = v
        return -self.learning_rate * grad / (np.sqrt(v) + self.epsilon)
