"""``python -m sklearn_rnn.compile``: kernels compiled ahead of time."""

import subprocess
import sys

import pytest

from sklearn_rnn.compile import compile_kernels
from sklearn_rnn.kernels import elman


def test_compile_kernels_compiles_forward_and_backward():
    seconds = compile_kernels(cells=["elman"], dtypes=["float64"])
    assert list(seconds) == [("elman", "float64")]
    for kernel in (elman._recurrence, elman._backward_recurrence):
        assert any("float64" in str(sig) for sig in kernel.signatures)


@pytest.mark.slow
def test_command_line_names_its_options():
    out = subprocess.run(
        [sys.executable, "-m", "sklearn_rnn.compile", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--cells" in out.stdout and "--dtypes" in out.stdout
