r"""
Stable, yet growing eleven-fold first: pseudospectra and transient growth
=========================================================================

The Dirac-GAN with R1 (:math:`\gamma = 3`) trained by simultaneous GD with two time scales
(generator step :math:`h_G = 2`, discriminator step :math:`h_D = 0.01`): the update map
:math:`M` has spectral radius :math:`\rho = 0.987 < 1`, so the iterates converge, yet
:math:`\|M^k\|` first rises to about 11 at :math:`k = 20`. Left: the
:math:`\varepsilon`-pseudospectra of :math:`M` (contours of :math:`\log_{10}\varepsilon`) against the
unit disc; level curves of small :math:`\varepsilon` bulge well outside it, and the Kreiss constant
:math:`\sup_{|z|>1}(|z|-1)\|(zI-M)^{-1}\|` bounds the growth from below (Trefethen & Embree,
*Spectra and Pseudospectra*, 2005, Theorem 16.4). Right: :math:`\|M^k\|` (the transient bound),
:math:`\rho^k` (what the eigenvalues alone say), :math:`\kappa(V)\rho^k` (the eigenvector bound), the
Kreiss lower bound, and the distance to the equilibrium of a simulation of the (nonlinear)
training from a start along the direction that grows most, :math:`x_0 = x^* + 10^{-3} v`, on top.
"""

from __future__ import annotations

import numpy as np

import jacobian_lab as jl
from jacobian_lab.plotting import gallery_fast, save_figures
from jacobian_lab.plotting.pseudospectra import pseudospectrum_plot
from jacobian_lab.plotting.style import PALETTE, new_grid, style_context

SETTING = {"reg": "r1", "gamma": 3.0, "scheme": "simgd", "lr_g": 2.0, "lr_d": 0.01}


def draw(fast=False) -> dict:
    """``{"transient_growth.png": figure}``."""
    spectrum = jl.spectrum("dirac", **SETTING)
    growth = spectrum.transient
    ps = jl.pseudospectrum(spectrum, bounds=(0.5, 1.6, -0.55, 0.55), points=31 if fast else 201)
    fig, axes = new_grid(1, 2, panel=(4.6, 3.8))
    pseudospectrum_plot(ps, ax=axes[0, 0], levels=[-3, -2.5, -2, -1.5, -1],
                        title=f"pseudospectra of M ($\\rho$ = {spectrum.spectral_radius:.3f})")
    with style_context():
        _growth(axes[0, 1], spectrum, growth, steps=100 if fast else 400)
    return {"transient_growth.png": fig}


def main(out_dir, fast=False):
    """Write ``transient_growth.png`` to ``out_dir``; returns the written paths."""
    return save_figures(draw(fast), out_dir)


def _growth(ax, spectrum, growth, steps):
    M, rho = spectrum.jacobian, spectrum.spectral_radius
    k = np.arange(steps + 1)
    norms = [np.linalg.norm(np.linalg.matrix_power(M, int(i)), 2) for i in k]
    direction = np.linalg.svd(np.linalg.matrix_power(M, int(growth.at)))[2][0]  # grows most by k = at
    x0 = spectrum.point + 1e-3 * direction
    tr = jl.simulate("dirac", steps=steps, x0=x0, record_every=1, progress=False, **SETTING)
    ax.semilogy(k, norms, color=PALETTE["black"], label=r"$\|M^k\|$ (bound)")
    ax.semilogy(k, tr.distance[0] / tr.distance[0, 0], color=PALETTE["vermillion"], ls="--",
                label="simulation: $|x_k - x^*| / |x_0 - x^*|$")
    ax.semilogy(k, rho**k, color=PALETTE["blue"], ls=":", label=r"$\rho^k$ (eigenvalues)")
    ax.semilogy(k, growth.kappa * rho**k, color=PALETTE["green"], ls="-.", label=r"$\kappa(V)\rho^k$")
    ax.axhline(growth.kreiss, color=PALETTE["purple"], lw=1.0, label=f"Kreiss lower bound {growth.kreiss:.2f}")
    ax.annotate(f"peak {growth.peak:.1f} at k = {growth.at}", (growth.at, growth.peak), xytext=(12, 4),
                textcoords="offset points", fontsize=8)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("growth factor")
    ax.set_title("transient growth before convergence")
    ax.legend(loc="lower left", fontsize=7)


# %%
# Run as a script (as the documentation's gallery does) the figure is drawn here;
# ``JACOBIAN_LAB_FAST=1`` uses coarse grids.
if __name__ == "__main__":
    figures = draw(fast=gallery_fast())
