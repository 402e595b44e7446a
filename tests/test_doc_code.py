"""Every Python code block of the README and the user guide runs as written.

A page is cut into sections at its headings (``##`` and ``###``); the blocks
of one section run one after the other in a fresh namespace, so a block may
build on an earlier block of its own section but never on another section.
Each section shows its own imports and data. The runs share this process (the
kernels are compiled once) but not its settings: scikit-learn's configuration
and the warning filters are restored after each section.
"""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import sklearn

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "docs" / "user_guide.md"]
# run in CI's environment of the forecasting clients (.ci/run), which pin
# their own pandas; skipped where they are not installed
CLIENTS = {"sktime", "skforecast"}
HEADING = re.compile(r"^#{2,3} (.+)$")
FENCE = re.compile(r"^```(\w*)\s*$")


def code_sections(path):
    """``{section title: [code of each Python block]}`` of a Markdown page, in
    page order; sections without Python blocks are left out."""
    sections, title, block, language = {}, path.name, None, None
    for line in path.read_text().splitlines():
        fence = FENCE.match(line)
        if block is None and fence:
            block, language = [], fence.group(1)
        elif block is not None and line.startswith("```"):
            if language == "python":
                sections.setdefault(title, []).append("\n".join(block))
            block = None
        elif block is not None:
            block.append(line)
        elif HEADING.match(line):
            title = HEADING.match(line).group(1)
    return sections


CASES = [
    pytest.param(path, title, id=f"{path.name}: {title}")
    for path in PAGES
    for title in code_sections(path)
]


def test_every_page_has_code_to_run():
    assert {path for path, _ in (case.values for case in CASES)} == set(PAGES)


@pytest.mark.parametrize("path, title", CASES)
def test_section_runs_as_written(path, title, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files a block writes land here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": "__main__"}
    with sklearn.config_context(), warnings.catch_warnings():
        for number, code in enumerate(code_sections(path)[title], 1):
            compiled = compile(code, f"{path.name}, {title!r}, block {number}", "exec")
            try:
                exec(compiled, namespace)
            except ModuleNotFoundError as error:
                if error.name not in CLIENTS:
                    raise
                pytest.skip(f"{error.name} is not installed")


def test_quickstart_prints_only_its_results():
    """The README's first command: three result lines on standard output,
    and on standard error at most the line announcing a compile."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3, result.stdout
    noise = [
        line
        for line in result.stderr.splitlines()
        if not line.startswith("sklearn_rnn: compiling")
    ]
    assert noise == []
