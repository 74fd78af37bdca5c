r"""
Critical points by continuation: a Hopf point and a traced stability boundary
=============================================================================

Left: the bilinear game with self-terms, :math:`l_G = \tfrac a2\theta^2 + \theta\psi`,
:math:`l_D = \tfrac b2\psi^2 - \theta\psi` with :math:`b = 1/2`, continued in :math:`a` from
:math:`-2` to :math:`1` (``jl.continuation("bilinear", param="a", values=(-2, 1), b=0.5)``). The
Jacobian :math:`J = \begin{pmatrix}-a & -1\\ 1 & -b\end{pmatrix}` has two real eigenvalues that
meet at :math:`a = b - 2 = -3/2` (a Jordan point) and become a complex pair, which crosses the
imaginary axis at :math:`a = -b = -1/2`: the flow loses stability through a Hopf point as
:math:`a` decreases. Both values are root-found and matched to their closed forms (from the
discriminant and the Hurwitz determinant of the characteristic polynomial).
Right: the Dirac-GAN with consensus optimization under simultaneous GD, stability over the strength
:math:`\gamma` and the step :math:`h` (``jl.stability_chart``): the spectral radius shaded, the
boundary :math:`\rho = 1` root-found in :math:`h` at every :math:`\gamma` (dots) on the closed form
:math:`h = 8\gamma/(\gamma^2 + 4)` (line), where :math:`|1 + h\lambda| = 1` for
:math:`\lambda = -\gamma/4 \pm i/2`.
"""

from __future__ import annotations

import numpy as np

import jacobian_lab as jl
from jacobian_lab.plotting import gallery_fast, save_figures
from jacobian_lab.plotting.continuation import continuation_plot, stability_chart_plot
from jacobian_lab.plotting.style import PALETTE, new_grid


def draw(fast=False) -> dict:
    """``{"continuation.png": figure}``."""
    path = jl.continuation("bilinear", param="a", values=(-2, 1), num=31 if fast else 301, b=0.5)
    chart = jl.stability_chart("dirac", "consensus", scheme="simgd", x=("gamma", (0.05, 6)),
                               y=("lr", (0.01, 2.5)), num=(10, 12) if fast else (80, 100))
    fig, axes = new_grid(1, 2, panel=(4.8, 3.8))
    continuation_plot(path, ax=axes[0, 0], title="bilinear game, b = 1/2: continuation in a")
    stability_chart_plot(chart, ax=axes[0, 1], title="Dirac-GAN + consensus, simgd: stable below the boundary")
    g = np.linspace(chart.x[0], chart.x[-1], 400)
    axes[0, 1].plot(g, 8 * g / (g**2 + 4), color=PALETTE["black"], lw=0.9, label=r"$8\gamma/(\gamma^2+4)$")
    axes[0, 1].legend(loc="upper right", fontsize=7)
    return {"continuation.png": fig}


def main(out_dir, fast=False):
    """Write ``continuation.png`` to ``out_dir``; returns the written paths."""
    return save_figures(draw(fast), out_dir)


# %%
# Run as a script (as the documentation's gallery does) the figure is drawn here;
# ``JACOBIAN_LAB_FAST=1`` uses coarse grids.
if __name__ == "__main__":
    figures = draw(fast=gallery_fast())
