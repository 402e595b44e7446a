"""The kernel and network tests again with Numba's JIT disabled.

Run in a subprocess because ``NUMBA_DISABLE_JIT`` is read at import. The
kernels must mean the same as plain Python (no reliance on Numba-only
behaviour), and this run makes their lines visible to coverage tools.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_kernels_pass_without_jit():
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_kernels.py",
            "tests/test_network.py",
            # the kernels are covered above; the network's many head and
            # activation combinations add nothing without the JIT but time
            "-k",
            "test_kernels or not test_gradient_matches_finite_differences",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
