"""The documentation loads nothing from another host (the checker run by ``make docs``), and the
gallery scripts follow sphinx-gallery's format."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "docs" / "_build" / "html"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_offline = _load("check_offline", ROOT / "docs" / "_ext" / "check_offline.py")
jl_gallery = _load("jl_gallery", ROOT / "docs" / "_ext" / "jl_gallery.py")


def test_checker_finds_external_fetches_and_allows_links():
    page = """<html><head>
    <script src="https://cdn.example.org/mathjax/tex-chtml.js"></script>
    <script src="_static/mathjax/tex-chtml.js"></script>
    <link rel="stylesheet" href="//fonts.example.com/css?family=Lato">
    <link rel="canonical" href="https://project.example.org/docs/">
    <img srcset="_images/a.png, https://img.example.net/b.png 2x">
    </head><body><a href="https://arxiv.org/abs/1801.04406">paper</a></body></html>"""
    assert check_offline.external_references(page) == [
        "https://cdn.example.org/mathjax/tex-chtml.js", "//fonts.example.com/css?family=Lato",
        "https://img.example.net/b.png"]
    assert check_offline.external_references("a{background:url('https://x.example/y.png')}", css=True)
    assert check_offline.external_references("a{background:url(../fonts/x.woff2)}", css=True) == []


@pytest.mark.skipif(not (BUILT / "index.html").exists(), reason="documentation not built (make docs)")
def test_built_documentation_is_offline_with_bundled_mathjax():
    assert check_offline.check(BUILT) == []
    conventions = (BUILT / "conventions.html").read_text()
    assert "_static/mathjax/tex-chtml.js" in conventions
    assert (BUILT / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_gallery_scripts_have_titles_and_a_main_block():
    scripts = sorted((ROOT / "examples").glob("gallery_*.py"))
    assert scripts
    for path in scripts:
        assert jl_gallery.has_title(path), path.name
        assert "figures = draw(fast=gallery_fast())" in path.read_text(), path.name


def test_scraper_links_each_figure_at_page_width(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    images = (tmp_path / "auto_examples" / "images" / f"sphx_glr_x_{i:03d}.png" for i in range(1, 9))
    (tmp_path / "auto_examples" / "images").mkdir(parents=True)
    figs = {"a.png": Figure(), "b.png": Figure()}
    block_vars = {"example_globals": {"figures": figs}, "image_path_iterator": images}
    rst = jl_gallery.scraper(None, block_vars, {"src_dir": str(tmp_path)})
    assert rst.count(".. image:: /auto_examples/images/sphx_glr_x_") == 2 and rst.count(":width: 100%") == 2
    assert jl_gallery.scraper(None, block_vars, {"src_dir": str(tmp_path)}) == ""  # each figure once
