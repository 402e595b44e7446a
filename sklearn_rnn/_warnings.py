"""Warnings that point at the user's line.

A fixed ``stacklevel`` is right for one call path only: the same check is
reached from ``fit``, from ``partial_fit``, through ``Pipeline`` or
``GridSearchCV``. :func:`warn` walks up the stack past the library's own
frames, and scikit-learn's and joblib's that call into it, to the first frame
of the user's code.
"""

import sys
import warnings
from pathlib import Path

import joblib
import sklearn

_INTERNAL = (str(Path(__file__).parent),) + tuple(
    str(Path(module.__file__).parent) for module in (sklearn, joblib)
)


def _is_internal(frame):
    filename = frame.f_code.co_filename
    return filename.startswith(_INTERNAL) or _is_import_machinery(frame)


def _is_import_machinery(frame):
    # frames that warnings.warn itself leaves out when it counts stacklevel
    filename = frame.f_code.co_filename
    return "importlib" in filename and "_bootstrap" in filename


def warn(message, category=UserWarning):
    """``warnings.warn`` at the first frame outside the library.

    Parameters
    ----------
    message : str
    category : type of Warning, default=UserWarning
    """
    frame, level = sys._getframe(1), 2
    # on a thread of the library's own (prefetching blocks) every frame is
    # internal: the warning then points at the outermost one
    while _is_internal(frame) and frame.f_back is not None:
        frame = frame.f_back
        level += not _is_import_machinery(frame)
    warnings.warn(message, category, stacklevel=level)
