"""Sphinx configuration of the sklearn_rnn documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` after
``pip install ".[docs]"``. The API reference is generated from the numpydoc
docstrings, the Markdown pages are read by MyST, and the scripts in
``examples/`` are run by sphinx-gallery, which renders their output and plots.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# document the source tree next to this file, not another installed copy
sys.path.insert(0, str(ROOT))

import sklearn_rnn  # noqa: E402

project = "sklearn_rnn"
author = "the sklearn_rnn developers"
copyright = "2026, the sklearn_rnn developers"
release = sklearn_rnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

# API reference: one page per public name, built from the docstrings
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Markdown pages: headings get anchors for links within the site
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # every script is an example to run, not only files named plot_*
    "filename_pattern": r".*\.py$",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    # a failing example fails the build
    "abort_on_example_error": True,
    "plot_gallery": "True",
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_rnn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
html_show_sourcelink = False


def skip_scikit_learn_members(app, what, name, obj, skip, options):
    """Leave out the methods inherited from scikit-learn's base classes.

    ``get_params``, ``set_params``, ``score`` of the classifier and the
    regressor, ``fit_transform``, ``set_output`` and the metadata-routing
    methods are scikit-learn's and documented there (the API page says so);
    their docstrings refer to scikit-learn's own pages.
    """
    if (getattr(obj, "__module__", None) or "").startswith("sklearn."):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", skip_scikit_learn_members)
