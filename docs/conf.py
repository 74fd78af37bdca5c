"""Sphinx configuration: pydata theme, numpydoc, MathJax served from the build, sphinx-gallery, myst-nb.

The build needs no network: MathJax comes from the ``sphinx-mathjax-offline`` package (copied into
``_static/mathjax``), the theme's fonts and icons ship with pydata-sphinx-theme, and
``tests/test_docs_offline.py`` checks that the built HTML names no external host for a script,
stylesheet, image or font. ``make docs`` runs the gallery in full (about two minutes
on two cores); ``make docs FAST=1`` sets ``JACOBIAN_LAB_FAST=1``: coarse grids and short runs.
"""

import sys
from pathlib import Path

import jacobian_lab

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

from jl_gallery import has_title  # noqa: E402

project = "jacobian_lab"
author = "jacobian_lab developers"
copyright = "jacobian_lab developers"
release = version = jacobian_lab.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
]
numpydoc_show_class_members = False
autodoc_member_order = "bysource"
exclude_patterns = ["_build", "gallery", "auto_examples/*.ipynb", "**.ipynb_checkpoints", "jupyter_execute"]

# -- theme ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"jacobian_lab {release}"
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_scaled_image_link = True  # an image shown smaller than its file links to the full-size file

# -- gallery ----------------------------------------------------------------------------------
EXAMPLES = HERE.parent / "examples"
#: Scripts in sphinx-gallery's format (a titled docstring); others are left out of the gallery.
UNTITLED = sorted(p.name for p in EXAMPLES.glob("*.py") if not has_title(p))
sphinx_gallery_conf = {
    "examples_dirs": str(EXAMPLES),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/(gallery|torch)_",
    "ignore_pattern": "|".join(["__init__"] + [rf"{name.replace('.', '[.]')}$" for name in UNTITLED]),
    "image_scrapers": ("jl_gallery",),
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 0,
    "show_memory": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "reset_modules": ("matplotlib",),
    "capture_repr": (),
    "matplotlib_animations": False,
    "show_api_usage": False,
    "write_computation_times": False,  # its summary page loads tables from a CDN
}

# -- notebooks (myst-nb) ----------------------------------------------------------------------
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
