r"""
Update schemes on the bilinear game
===================================

The bilinear game :math:`\min_\theta \max_\psi \theta\psi` (a pure rotation, eigenvalues
:math:`\pm i`), step :math:`h = 0.2`, 250 steps from :math:`(1, 1)`. Top: trajectories. Bottom:
the eigenvalues of each scheme's update map with the unit circle (spectral radius in the title).
Simultaneous GD has :math:`\rho = \sqrt{1 + h^2} > 1` and spirals out; alternating GD has
:math:`\rho = 1` and cycles; extragradient (Korpelevich 1976; Gidel et al. 2019), optimistic GD
(Daskalakis et al. 2018, "Training GANs with optimism", whose claim on bilinear games this
reproduces) and competitive gradient descent (Schaefer & Anandkumar 2019) have :math:`\rho < 1` and
converge.
"""

from __future__ import annotations

import jacobian_lab as jl
from jacobian_lab.plotting import eigenvalue_plot, gallery_fast, phase_portrait, portrait_data, save_figures
from jacobian_lab.plotting.portrait import legend_handles
from jacobian_lab.plotting.style import new_grid

SCHEMES = ("simgd", "altgd", "extragradient", "optimistic", "cgd")
LR = 0.2


def draw(fast=False) -> dict:
    """``{"bilinear_schemes.png": figure}``."""
    fig, axes = new_grid(len(SCHEMES), 2, panel=(3.8, 3.4))  # one row per scheme, readable at page width
    for row, scheme in enumerate(SCHEMES):
        data = portrait_data("bilinear", scheme=scheme, lr=LR, steps=60 if fast else 250,
                             x0=[[1.0, 1.0]], n=11 if fast else 21)
        phase_portrait(data, ax=axes[row, 0], legend=False, nullclines=False,
                       title=f"{scheme}, h = {LR:g}: trajectory")
        s = jl.spectrum("bilinear", scheme=scheme, lr=LR)
        eigenvalue_plot(s, ax=axes[row, 1], legend=row == 0, extent=(-1.3, 1.3, -1.3, 1.3),
                        title=f"{scheme}: eigenvalues $\\mu$, $\\rho$ = {s.spectral_radius:.4f}")
    fig.legend(handles=legend_handles(nullclines=False), loc="outside lower center", ncols=3)
    fig.suptitle("bilinear game $\\theta\\psi$: simgd spirals out, altgd cycles,\n"
                 "extragradient / optimistic / CGD converge")
    return {"bilinear_schemes.png": fig}


def main(out_dir, fast=False):
    """Write ``bilinear_schemes.png`` to ``out_dir``; returns the written paths."""
    return save_figures(draw(fast), out_dir)


# %%
# Run as a script (as the documentation's gallery does) the figure is drawn here;
# ``JACOBIAN_LAB_FAST=1`` uses shorter runs.
if __name__ == "__main__":
    figures = draw(fast=gallery_fast())
