"""Fit methods that finish or change nothing.

Every ``fit`` and ``partial_fit`` of the library goes through
:func:`atomic_fit`: calls on the same object run one at a time, and a call
that raises, or is interrupted (Ctrl-C, ``MemoryError``, any
``BaseException``), leaves the object's fitted state exactly as it was: a
fitted object keeps its previous model, a fresh one stays unfitted.

The rule that makes this cheap: a fit replaces its fitted attributes, and
never changes in place an object an earlier fit left (the estimators train
copies of their parameters and optimizer state). Restoring the previous
attributes is then all a failed call has to undo.
"""

import functools
import threading
import weakref

_locks = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def _lock_of(estimator):
    with _locks_guard:
        lock = _locks.get(estimator)
        if lock is None:
            lock = _locks[estimator] = threading.RLock()
        return lock


def _plain_interrupt(error):
    """The ``KeyboardInterrupt`` behind ``error``, if Ctrl-C caused it.

    A signal that arrives while a compiled kernel is being called can surface
    as a ``SystemError`` whose context is the ``KeyboardInterrupt``.
    """
    seen = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def atomic_fit(method):
    """Make ``method`` (a fit of an estimator) all or nothing.

    The estimator's attributes other than its constructor parameters are
    noted before the call and put back if it raises anything; the call
    holds a per-object lock, so concurrent fits of one object run one after
    the other instead of mixing their results. A ``KeyboardInterrupt``
    reaches the caller as itself, whatever the kernel it interrupted.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with _lock_of(self):
            params = self.get_params(deep=False)
            state = {k: v for k, v in vars(self).items() if k not in params}
            try:
                return method(self, *args, **kwargs)
            except BaseException as error:
                for name in [k for k in vars(self) if k not in params]:
                    delattr(self, name)
                self.__dict__.update(state)
                interrupt = _plain_interrupt(error)
                if interrupt is not None and interrupt is not error:
                    raise KeyboardInterrupt from None
                raise

    return wrapper
