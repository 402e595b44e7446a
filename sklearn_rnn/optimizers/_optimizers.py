"""Stochastic gradient optimizers updating a list of arrays in place.

The update equations follow scikit-learn's MLP for ``sgd`` and ``adam``; for
``rmsprop`` they follow Tieleman & Hinton (2012) as PyTorch and Keras do,
with ``epsilon`` added outside the square root.
"""

import numpy as np


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
        """Update ``params`` in place with the step for ``grads``."""
        for param, update in zip(params, self._get_updates(grads)):
            param += update

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

    def _get_updates(self, grads):
        lr, mu = self.learning_rate, self.momentum
        self.velocities = [mu * v - lr * g for v, g in zip(self.velocities, grads)]
        if self.nesterov:
            return [mu * v - lr * g for v, g in zip(self.velocities, grads)]
        return self.velocities


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

    def _get_updates(self, grads):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.ms = [b1 * m + (1 - b1) * g for m, g in zip(self.ms, grads)]
        self.vs = [b2 * v + (1 - b2) * g * g for v, g in zip(self.vs, grads)]
        self.learning_rate = float(
            self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        )
        return [
            -self.learning_rate * m / (np.sqrt(v) + self.epsilon)
            for m, v in zip(self.ms, self.vs)
        ]


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

    def _get_updates(self, grads):
        rho = self.rho
        self.vs = [rho * v + (1 - rho) * g * g for v, g in zip(self.vs, grads)]
        return [
            -self.learning_rate * g / (np.sqrt(v) + self.epsilon)
            for g, v in zip(grads, self.vs)
        ]
