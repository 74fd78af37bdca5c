r"""Pseudospectra drawn as contours of :math:`\log_{10}\varepsilon` over the eigenvalues.

The level :math:`\varepsilon` curve bounds :math:`\Lambda_\varepsilon = \{z : \sigma_{\min}(zI - A)
\le \varepsilon\}` (Trefethen & Embree, *Spectra and Pseudospectra*, 2005; EigTool's display). The
stability region is drawn too: the left half-plane for a Jacobian (the flow), the unit disc for
an update map. Where a level curve of small :math:`\varepsilon` crosses into the unstable region,
perturbations of size :math:`\varepsilon` destabilise, and powers or exponentials grow
transiently by at least :math:`(\rho_\varepsilon - 1)/\varepsilon` or :math:`\alpha_\varepsilon/\varepsilon`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle

from ..spectra.pseudospectra import Pseudospectrum
from .style import CMAP, PALETTE, ROLES, new_axes, styled


@styled
def pseudospectrum_plot(ps: Pseudospectrum, ax=None, levels=None, title=None, colorbar=True):
    """Contours of :math:`\\log_{10}\\sigma_{\\min}(zI - A)` with the eigenvalues and stability region.

    Parameters
    ----------
    ps : Pseudospectrum
        From :func:`jacobian_lab.pseudospectrum`.
    ax : matplotlib Axes, optional
    levels : sequence of float, optional
        Values of :math:`\\log_{10}\\varepsilon` (default :meth:`Pseudospectrum.levels`).
    title : str, optional
    colorbar : bool

    Returns
    -------
    dict
        ``{"contours": QuadContourSet, "eigenvalues": PathCollection, "region": [artists],
        "colorbar": Colorbar or None}``.
    """
    ax = new_axes(ax)
    levels = ps.levels() if levels is None else np.sort(np.asarray(levels, dtype=float))
    with np.errstate(divide="ignore"):
        logs = np.log10(ps.sigma)
    contours = ax.contour(ps.real, ps.imag, logs, levels=levels, cmap=CMAP, linewidths=1.1)
    region = _region(ax, ps)
    eig = ax.scatter(ps.eigenvalues.real, ps.eigenvalues.imag, s=22, color=ROLES["eigenvalue"],
                     edgecolor="black", linewidths=0.5, zorder=3, label="eigenvalues")
    bar = ax.figure.colorbar(contours, ax=ax, label=r"$\log_{10}\varepsilon$") if colorbar else None
    ax.set_xlim(ps.real[0], ps.real[-1])
    ax.set_ylim(ps.imag[0], ps.imag[-1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("Re z")
    ax.set_ylabel("Im z")
    what = "update map" if ps.kind == "discrete" else "J"
    note = " (Krylov projection)" if ps.projected else ""
    ax.set_title(title if title is not None else f"$\\varepsilon$-pseudospectra of {what}{note}")
    ax.legend(loc="upper left", fontsize=7)
    return {"contours": contours, "eigenvalues": eig, "region": region, "colorbar": bar}


def _region(ax, ps):
    if ps.kind == "discrete":
        disc = Circle((0, 0), 1, facecolor=to_rgba(ROLES["region"], 0.18), edgecolor=ROLES["stable_edge"],
                      lw=1.2, label=r"stable: $|z| < 1$")
        ax.add_patch(disc)
        return [disc]
    span = ax.axvspan(min(ps.real[0], 0), 0, color=ROLES["region"], alpha=0.18, lw=0,
                      label="stable: Re z < 0")
    edge = ax.axvline(0, color=ROLES["stable_edge"], lw=1.2)
    ax.axhline(0, color=PALETTE["grey"], lw=0.5, zorder=0)
    return [span, edge]
