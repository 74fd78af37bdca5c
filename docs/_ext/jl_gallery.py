"""sphinx-gallery helpers: an image scraper for pyplot figures and bare ``Figure`` objects.

The gallery scripts of ``examples/`` build their figures with :mod:`matplotlib.pyplot` or as
``matplotlib.figure.Figure`` objects kept in a variable (``figures = draw()``), which sphinx-gallery's
own matplotlib scraper does not see. Each figure is saved once, at its width, and shown at page
width; Sphinx links a scaled image to its full-size file, so a click opens it.
"""

from __future__ import annotations

import re
from pathlib import Path

TITLE = re.compile(r'^r?"""\s*\n(.+)\n(=+)\s*\n', re.MULTILINE)


def has_title(path) -> bool:
    """Whether a script's docstring starts with an underlined title (sphinx-gallery's format)."""
    return bool(TITLE.match(Path(path).read_text()))


def _figures(namespace):
    from matplotlib.figure import Figure

    found = []
    for value in namespace.values():
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else [value]
        found += [v for v in values if isinstance(v, Figure)]
    return found


def scraper(block, block_vars, gallery_conf):
    """Save the figures made by this block (pyplot's and ``Figure`` objects); return their reST."""
    import matplotlib.pyplot as plt

    seen = block_vars.setdefault("jl_seen_figures", set())
    figures = [plt.figure(n) for n in plt.get_fignums()] + _figures(block_vars["example_globals"])
    paths = []
    for fig in figures:
        if id(fig) in seen:
            continue
        seen.add(id(fig))
        path = next(block_vars["image_path_iterator"])
        fig.savefig(path, dpi=110)
        paths.append(path)
    plt.close("all")
    return "".join(_image_rst(path, gallery_conf["src_dir"]) for path in paths)


def _image_rst(path, src_dir) -> str:
    """One image per row at page width; the width makes Sphinx link it to its full-size file."""
    rel = Path(path).resolve().relative_to(Path(src_dir).resolve()).as_posix()
    return (f"\n.. image:: /{rel}\n   :alt: {Path(path).stem}\n   :width: 100%\n"
            f"   :class: sphx-glr-single-img\n\n")


def _get_sg_image_scraper():
    return scraper
