r"""A continuation drawn: each followed eigenvalue's path, coloured by the parameter, with the
critical points marked and the stability boundary (the imaginary axis, or the unit circle)."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle

from ..bifurcation import Continuation
from .style import CMAP, PALETTE, ROLES, new_axes, styled

#: Marker per kind of critical point.
MARKERS = {"hopf": "*", "fold": "X", "fold-map": "X", "flip": "X", "neimark-sacker": "*", "meet": "D",
           "phase-zero": "o"}


@styled
def continuation_plot(c: Continuation, ax=None, colorbar=True, title=None, label_points=True):
    """Eigenvalue paths of a :class:`~jacobian_lab.bifurcation.Continuation` with its critical points.

    Returns
    -------
    dict
        ``{"paths": [Line2D ...], "colour": PathCollection, "points": {kind: PathCollection},
        "boundary": artist, "annotations": [Text ...], "colorbar": Colorbar or None}``.
    """
    ax = new_axes(ax, figsize=(5.0, 3.8))
    lam = c.eigenvalues
    paths = [ax.plot(col.real, col.imag, color=PALETTE["grey"], lw=0.8, zorder=1)[0] for col in lam.T]
    values = np.repeat(c.values, lam.shape[1])
    colour = ax.scatter(lam.real.ravel(), lam.imag.ravel(), c=values, cmap=CMAP, s=5, linewidths=0, zorder=2)
    out = {"paths": paths, "colour": colour, "points": {}, "annotations": [], "colorbar": None,
           "boundary": _boundary(ax, c.kind)}
    for kind in dict.fromkeys(p.kind for p in c.points):
        if kind == "phase-zero":
            continue  # the same value as its meeting point
        pts = c.of_kind(kind)
        z = np.concatenate([p.eigenvalues for p in pts])
        out["points"][kind] = ax.scatter(z.real, z.imag, marker=MARKERS[kind], s=110, color=ROLES["critical"],
                                         edgecolor="black", linewidths=0.6, zorder=4,
                                         label=f"{kind} ({', '.join(_fmt(p) for p in pts)})")
        if label_points:
            for p in pts:
                top = p.eigenvalues[np.argmax(p.eigenvalues.imag)]
                out["annotations"].append(ax.annotate(f"{c.param} = {_fmt(p)}", (top.real, top.imag),
                                                      xytext=(6, 6), textcoords="offset points", fontsize=7))
    symbol = r"\mu" if c.kind == "discrete" else r"\lambda"
    ax.set_xlabel(f"Re ${symbol}$")
    ax.set_ylabel(f"Im ${symbol}$")
    ax.margins(0.1)
    ax.set_title(title or f"{c.info.get('model')}: eigenvalues as {c.param} goes "
                 f"{c.values[0]:.3g} to {c.values[-1]:.3g}")
    if out["points"]:
        ax.legend(loc="best", fontsize=7)
    if colorbar:
        out["colorbar"] = ax.figure.colorbar(colour, ax=ax, label=c.param)
    return out


def _fmt(point) -> str:
    return str(point.exact) if point.exact is not None and len(str(point.exact)) <= 12 else f"{point.value:.6g}"


def _boundary(ax, kind):
    if kind == "discrete":
        circle = Circle((0, 0), 1, fill=False, edgecolor=ROLES["stable_edge"], lw=1.0, zorder=0)
        ax.add_patch(circle)
        return circle
    ax.axhline(0, color=PALETTE["grey"], lw=0.5, zorder=0)
    return ax.axvline(0, color=ROLES["stable_edge"], lw=1.0, zorder=0)


@styled
def stability_chart_plot(chart, ax=None, colorbar=True, title=None):
    """A :class:`~jacobian_lab.bifurcation.StabilityChart`: the margin shaded, the stable region
    hatched by its contour, and the root-found boundary drawn on top.

    Returns
    -------
    dict
        ``{"margin": QuadMesh, "boundary": PathCollection, "colorbar": Colorbar or None}``.
    """
    ax = new_axes(ax, figsize=(5.0, 3.8))
    t = chart.threshold
    span = np.nanpercentile(np.abs(chart.margin - t), 95) or 1.0
    mesh = ax.pcolormesh(chart.x, chart.y, chart.margin, cmap=CMAP, shading="nearest",
                         vmin=t - span, vmax=t + span)
    boundary = ax.scatter(chart.boundary[:, 0], chart.boundary[:, 1], s=9, color=ROLES["stable_edge"], zorder=3,
                          label=f"boundary ({'spectral radius = 1' if chart.kind == 'discrete' else 'Re = 0'})")
    ax.set_xlabel(chart.x_name)
    ax.set_ylabel(chart.y_name)
    what = "spectral radius" if chart.kind == "discrete" else "abscissa max Re $\\lambda$"
    ax.set_title(title or f"stability over {chart.x_name} x {chart.y_name}")
    ax.legend(loc="best", fontsize=7)
    bar = ax.figure.colorbar(mesh, ax=ax, label=what) if colorbar else None
    return {"margin": mesh, "boundary": boundary, "colorbar": bar}
