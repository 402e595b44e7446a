"""The wheel says what it is, and runs the quickstart from another folder."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def run(*command, cwd):
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_wheel_carries_its_license_and_runs_the_quickstart(tmp_path):
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-w",
        tmp_path,
        ROOT,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("sklearn_rnn-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: BSD-3-Clause" in metadata
    assert "Project-URL: Documentation" in metadata
    assert "Classifier: Programming Language :: Python :: 3" in metadata
    assert not any(n.startswith(("tests/", "examples/")) for n in names)

    # a fresh environment that sees this one's dependencies, not its source
    env_dir = tmp_path / "env"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--force-reinstall",
        wheel,
        cwd=tmp_path,
    )
    out = run(python, ROOT / "examples" / "quickstart.py", cwd=tmp_path)
    assert "RNNClassifier" in out and "RNNSequenceTagger" in out
    where = run(
        python, "-c", "import sklearn_rnn; print(sklearn_rnn.__file__)", cwd=tmp_path
    )
    assert Path(where.strip()).is_relative_to(env_dir)
