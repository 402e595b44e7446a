"""``python -m sklearn_rnn.compile``: kernels compiled ahead of time."""

import os
import subprocess
import sys

import pytest

from sklearn_rnn.compile import compile_kernels
from sklearn_rnn.kernels import crf as crf_kernels
from sklearn_rnn.kernels import elman


def test_compile_kernels_compiles_forward_and_backward():
    seconds = compile_kernels(cells=["elman"], dtypes=["float64"])
    assert list(seconds) == [("elman", "float64")]
    for kernel in (elman._recurrence, elman._backward_recurrence):
        assert any("float64" in str(sig) for sig in kernel.signatures)
    for kernel in (crf_kernels.crf_nll, crf_kernels.crf_viterbi):
        assert kernel.signatures  # the CRF's, reached through the tagger


#: In a fresh process with an empty cache: compile one cell and dtype, then
#: fit and predict other data with every kind of model, counting the
#: library's kernels Numba compiles.
NOTHING_LEFT_TO_COMPILE = """
import numpy as np
from numba.core import event
from sklearn_rnn.compile import _fits, compile_kernels

compile_kernels(cells=["gru"], dtypes=["float32"])
compiled = []

class Count(event.Listener):
    def on_start(self, e):
        module = getattr(e.data["dispatcher"].py_func, "__module__", "")
        if module.startswith("sklearn_rnn."):
            compiled.append(e.data["dispatcher"].py_func.__qualname__)
    def on_end(self, e):
        pass

event.register("numba:compile", Count())
rng = np.random.RandomState(1)
for n in (3, 17, 450):
    _fits("gru", "float32", rng, n)
print("compiled after:", sorted(set(compiled)))
"""


@pytest.mark.slow
def test_nothing_compiles_after_compile_kernels(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", NOTHING_LEFT_TO_COMPILE],
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("compiled after: []"), result.stdout


@pytest.mark.slow
def test_command_line_names_its_options():
    out = subprocess.run(
        [sys.executable, "-m", "sklearn_rnn.compile", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--cells" in out.stdout and "--dtypes" in out.stdout
