"""Sphinx configuration: autodoc + numpydoc + mathjax (the scientific Python standard)."""

project = "jacobian_lab"
author = "jacobian_lab developers"
release = "0.1.0"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]
numpydoc_show_class_members = False
autodoc_member_order = "bysource"
exclude_patterns = ["_build"]
html_theme = "alabaster"
