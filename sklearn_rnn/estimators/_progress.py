"""A one-line progress bar for long fits, drawn on a terminal."""

import sys
import time

#: Seconds between redraws, so that drawing costs nothing next to training.
REDRAW_SECONDS = 0.1


class ProgressBar:
    """Epoch, batch and running loss on one terminal line, rewritten in place.

    Parameters
    ----------
    n_epochs : int
        The most epochs the fit may run (``max_iter``).
    stream : file-like
        Where to draw; a terminal.
    """

    width = 20

    def __init__(self, n_epochs, stream):
        self.n_epochs = n_epochs
        self.stream = stream
        self._last_draw = 0.0

    @classmethod
    def for_verbosity(cls, verbose, n_epochs, stream=None):
        """A bar when ``verbose >= 2`` and ``stream`` (stderr) is a terminal,
        else None."""
        stream = sys.stderr if stream is None else stream
        if verbose >= 2 and getattr(stream, "isatty", lambda: False)():
            return cls(n_epochs, stream)
        return None

    def update(self, epoch, batch, n_batches, loss):
        """Redraw after ``batch`` of ``n_batches`` in ``epoch`` (from 1)."""
        now = time.perf_counter()
        if batch < n_batches and now - self._last_draw < REDRAW_SECONDS:
            return
        self._last_draw = now
        done = int(self.width * batch / n_batches)
        bar = "#" * done + "-" * (self.width - done)
        self.stream.write(
            f"\rEpoch {epoch}/{self.n_epochs} [{bar}] batch {batch}/{n_batches}, "
            f"loss = {loss:.6f}"
        )
        self.stream.flush()

    def write_line(self, line):
        """Replace the bar by ``line`` and end it, keeping it on screen."""
        self.stream.write("\r\033[K" + line + "\n")
        self.stream.flush()
