"""Saving figures: the format from the file's suffix, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from .._io import atomic_write
from ..errors import JacobianLabError

#: Accepted suffixes and the matplotlib format each one means.
FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}


def figure_format(path) -> str:
    """The format for ``path``'s suffix, or a :class:`~jacobian_lab.JacobianLabError`."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise JacobianLabError(f"cannot write {path}: unknown figure suffix {suffix or '(none)'!r}; "
                               f"accepted: {', '.join(FORMATS)}")
    return FORMATS[suffix]


def save_figure(fig, path, dpi=120, compact=False) -> Path:
    """Write ``fig`` to ``path`` (PNG, PDF or SVG by suffix); nothing is left behind on failure.

    ``compact=True`` stores a PNG with a 256-colour palette (about a third of the size).
    """
    fmt = figure_format(path)
    write = _compact_png if compact and fmt == "png" else _plain
    return atomic_write(path, lambda tmp: write(fig, tmp, fmt, dpi))


def _plain(fig, tmp, fmt, dpi):
    fig.savefig(tmp, format=fmt, dpi=dpi)


def _compact_png(fig, tmp, fmt, dpi):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(tmp, format="PNG",
                                                                               optimize=True)


def gallery_fast() -> bool:
    """Whether ``JACOBIAN_LAB_FAST`` asks the gallery scripts for coarse grids and short runs.

    ``make docs FAST=1`` runs the documentation's gallery with ``JACOBIAN_LAB_FAST=1``.
    """
    return os.environ.get("JACOBIAN_LAB_FAST", "0").strip().lower() not in ("", "0", "false", "no")


def save_figures(figures: dict, out_dir, dpi=110) -> list[Path]:
    """Write ``{file name: figure}`` to ``out_dir`` as compact PNGs; returns the written paths."""
    return [save_figure(fig, Path(out_dir) / name, dpi=dpi, compact=True) for name, fig in figures.items()]
