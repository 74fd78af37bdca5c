"""The one plotting style of jacobian_lab, defined once.

Colours are the Okabe & Ito (2008) palette, which stays distinguishable under the common forms of
colour blindness; continuous quantities use ``cividis`` (perceptually uniform and colour-blind
safe). :func:`styled` applies :data:`RC` while a plot function creates its artists, so no global
matplotlib state is changed.
"""

from __future__ import annotations

import functools

import matplotlib as mpl

#: Okabe-Ito colours by name.
PALETTE = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
    "grey": "#999999",
}
#: The order in which series take colours.
CYCLE = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky", "black")]
#: Colour map for continuous values (spectral radius, convergence maps).
CMAP = "cividis"

#: What each kind of mark means, everywhere.
ROLES = {
    "field": PALETTE["grey"],
    "trajectory": PALETTE["vermillion"],
    "equilibrium": PALETTE["black"],
    "nullcline_generator": PALETTE["blue"],
    "nullcline_discriminator": PALETTE["green"],
    "region": PALETTE["sky"],
    "eigenvalue": PALETTE["vermillion"],
    "discrete": PALETTE["blue"],
    "marked": PALETTE["black"],
    "critical": PALETTE["purple"],
    "prediction": PALETTE["black"],
    "stable_edge": PALETTE["vermillion"],
}

#: Colours per regularizer, so that a method keeps its colour across figures.
REG_COLORS = {
    "none": PALETTE["black"], "consensus": PALETTE["vermillion"], "jare": PALETTE["blue"],
    "grad-g": PALETTE["green"], "grad-d": PALETTE["orange"], "r1": PALETTE["purple"],
    "r2": PALETTE["sky"], "instance-noise": PALETTE["yellow"], "sga": PALETTE["grey"],
}

#: Matplotlib settings applied while artists are created.
RC = {
    "axes.prop_cycle": mpl.cycler(color=CYCLE),
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.framealpha": 0.85,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "lines.linewidth": 1.6,
    "axes.grid": False,
    "image.cmap": CMAP,
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "figure.constrained_layout.use": True,
}


def reg_title(rg) -> str:
    """A regularized game's set-up for a title: ``jare ($\\gamma$ = 1)`` (spaced, symbol typeset)."""
    import sympy as sp

    if not rg.reg:
        return "unregularized"
    return ", ".join(f"{r.name} (${sp.latex(sym)}$ = {value:g})"
                     for (r, value), sym in zip(rg.reg, rg.strength_symbols))


def reg_color(name: str, index: int = 0) -> str:
    """The colour of a regularizer (or the ``index``-th cycle colour for others)."""
    return REG_COLORS.get(name, CYCLE[index % len(CYCLE)])


def style_context():
    """A context in which new artists take the jacobian_lab style (``with style_context(): ...``)."""
    return mpl.rc_context(RC)


def styled(function):
    """Run a plot function with :data:`RC` in effect (a context, not a global change)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def new_axes(ax=None, figsize=(4.2, 3.6)):
    """``ax`` itself, or the axes of a new figure (the only pyplot state plot functions touch)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    with mpl.rc_context(RC):
        _, ax = plt.subplots(figsize=figsize)
    return ax


def new_grid(nrows, ncols, panel=(2.6, 2.4), **kwargs):
    """A new figure with ``nrows x ncols`` axes (always a 2-D array)."""
    import matplotlib.pyplot as plt

    with mpl.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(panel[0] * ncols, panel[1] * nrows),
                                 squeeze=False, **kwargs)
    return fig, axes
