"""The documentation site builds with warnings as errors, and runs every example.

The site is built from a copy of ``docs/`` and ``examples/`` in a temporary
folder, so every build runs every example script (sphinx-gallery skips the
scripts it ran before in the same folder) and leaves the source tree alone.
The gallery is the examples' smoke run: an example that fails fails the build.
"""

import html as html_module
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("sphinx_gallery")
pytest.importorskip("numpydoc")
pytest.importorskip("myst_parser")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
# the sub-packages whose __all__ is the public API
PUBLIC_MODULES = [
    "sklearn_rnn",
    "sklearn_rnn.text",
    "sklearn_rnn.metrics",
    "sklearn_rnn.preprocessing",
    "sklearn_rnn.forecasting",
    "sklearn_rnn.datasets",
    "sklearn_rnn.inspection",
]
# exception and warning classes document themselves in prose
EXCEPTIONS = {"DivergenceError", "StepColumnsWarning"}
BUILD_OUTPUTS = ("_build", "generated", "auto_examples", "sg_execution_times.rst")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site once; return (html folder, examples copy, build log)."""
    tmp = tmp_path_factory.mktemp("site")
    shutil.copytree(
        ROOT / "docs", tmp / "docs", ignore=shutil.ignore_patterns(*BUILD_OUTPUTS)
    )
    shutil.copytree(
        ROOT / "examples", tmp / "examples", ignore=shutil.ignore_patterns("output")
    )
    html = tmp / "html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-d",
            str(tmp / "doctrees"),
            str(tmp / "docs"),
            str(html),
        ],
        cwd=tmp,
        # the package as the tests import it: from this source tree
        env={
            **os.environ,
            "MPLBACKEND": "Agg",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
            ),
        },
        capture_output=True,
        text=True,
        timeout=1200,
    )
    log = result.stdout[-3000:] + result.stderr[-5000:]
    assert result.returncode == 0, log
    return html, tmp / "examples", log


def test_site_has_every_page(site):
    html, _, _ = site
    for page in [
        "index",
        "user_guide",
        "api",
        "kernels",
        "benchmark",
        "development",
        "auto_examples/index",
    ]:
        assert (html / f"{page}.html").is_file(), page


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_is_rendered_with_its_output_and_plots(site, script):
    html, examples, _ = site
    page = (html / "auto_examples" / f"{script.stem}.html").read_text()
    # what the script printed, shown under its code
    assert "sphx-glr-script-out" in page
    if "savefig" in script.read_text():
        # the figure is on the page, and the script saved it to a file
        image = html / "_images" / f"sphx_glr_{script.stem}_001.png"
        assert image.stat().st_size > 10_000
        assert f"sphx_glr_{script.stem}_001.png" in page
        saved = examples / "output" / f"{script.stem}.png"
        assert saved.stat().st_size > 10_000


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_has_an_api_page(site, module_name):
    html, _, _ = site
    module = importlib.import_module(module_name)
    for name in module.__all__:
        if not callable(getattr(module, name)):
            continue  # constants are described where they are used
        page = html / "generated" / f"{module_name}.{name}.html"
        assert page.is_file(), f"{module_name}.{name} is missing from docs/api.rst"
        text = page.read_text()
        assert "Parameters" in text or "Examples" in text or name in EXCEPTIONS


def test_estimator_pages_list_the_methods_and_parameters(site):
    html, _, _ = site
    page = (html / "generated" / "sklearn_rnn.RNNClassifier.html").read_text()
    for method in ["fit", "partial_fit", "predict", "predict_proba"]:
        assert f'id="sklearn_rnn.RNNClassifier.{method}"' in page
    # numpydoc renders the shared parameter section as a field list
    for parameter in ["hidden_layer_sizes", "bptt_truncate", "clip_norm"]:
        assert f"<strong>{parameter}</strong>" in page


def test_kernel_page_shows_the_cell_equations(site):
    html, _, _ = site
    page = (html / "kernels.html").read_text()
    for cell in ["elman", "lstm", "gru"]:
        assert f'id="module-sklearn_rnn.kernels.{cell}"' in page
    text = html_module.unescape(re.sub(r"<[^>]+>", "", page))
    # one equation of each cell, from its module docstring
    for equation in [
        "h_t = g(z_t)",
        "c_t = f_t * c_{t-1} + i_t * g_t",
        "n_t = act(x_t W_xn + b_n + r_t * u_t)",
    ]:
        assert equation in text


def test_readme_links_the_documentation():
    readme = (ROOT / "README.md").read_text()
    assert "python -m sphinx -W" in readme
    assert "](docs/index.rst)" in readme


def test_user_guide_covers_its_topics():
    headings = [
        line.lstrip("#").strip()
        for line in (ROOT / "docs" / "user_guide.md").read_text().splitlines()
        if line.startswith("#")
    ]
    for topic in [
        "Input formats",
        "Forward propagation and backpropagation through time",
        "Choosing a cell",
        "Gradient clipping",
        "Truncated backpropagation through time",
        "The three estimators",
        "Text",
        "Time series and forecasting",
        "Performance",
        "Tuning with GridSearchCV",
        "Limits and differences from PyTorch and Keras",
    ]:
        assert topic in headings, topic


@pytest.mark.parametrize("name", ["RNNClassifier", "RNNRegressor", "RNNSequenceTagger"])
def test_every_parameter_is_documented(name):
    import inspect

    import sklearn_rnn

    estimator = getattr(sklearn_rnn, name)
    documented = set(re.findall(r"^ *(\w+)(?:, (\w+))? :", estimator.__doc__, re.M))
    documented = {n for pair in documented for n in pair if n}
    parameters = set(inspect.signature(estimator.__init__).parameters) - {"self"}
    assert parameters - documented == set()
