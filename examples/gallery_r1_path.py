r"""
The R1 eigenvalue path through the critical strength
====================================================

Left: the eigenvalues of the Dirac-GAN's Jacobian at the equilibrium under R1, coloured by the
strength :math:`\gamma \in [0, 3]`; they are :math:`-\gamma/2 \pm \sqrt{\gamma^2 - 1}/2`
(Mescheder, Geiger & Nowozin 2018, section 3, with :math:`f'(0) = 1/2`), a complex pair starting
at :math:`\pm i/2` that meets on the real axis at the critical strength :math:`\gamma = 2|f'(0)| =
1` (star; a Jordan block) and then splits into a fast and a slow real eigenvalue; circles mark
:math:`\gamma = 0.3` and :math:`3`. Right: the real parts; the slowest mode is fastest exactly at
the critical strength. This reproduces the analysis of section 3 of that paper (the eigenvalues of
the regularized Dirac-GAN and the claim that R1 makes it locally convergent for every
:math:`\gamma > 0`); the critical strength comes from :func:`jacobian_lab.derive`.
"""

from __future__ import annotations

import numpy as np

from jacobian_lab.plotting import eigenvalue_path, eigenvalue_path_data, gallery_fast, save_figures
from jacobian_lab.plotting.style import PALETTE, ROLES, new_grid, style_context


def draw(fast=False) -> dict:
    """``{"r1_path.png": figure}``: the path in the complex plane and its real parts."""
    data = eigenvalue_path_data("dirac", "r1", gamma_max=3.0, n=61 if fast else 301, marks=[0.3, 3.0])
    fig, axes = new_grid(1, 2, panel=(4.6, 3.7))
    eigenvalue_path(data, ax=axes[0, 0], title="Dirac-GAN + R1: eigenvalues of J as $\\gamma$ grows")
    with style_context():
        _real_parts(axes[0, 1], data)
    return {"r1_path.png": fig}


def main(out_dir, fast=False):
    """Write ``r1_path.png`` to ``out_dir``; returns the written paths."""
    return save_figures(draw(fast), out_dir)


def _real_parts(ax, data):
    real = data.eigenvalues.real
    ax.plot(data.strengths, real.max(axis=1), color=PALETTE["vermillion"],
            label="slowest mode: max Re $\\lambda$")
    ax.plot(data.strengths, real.min(axis=1), color=PALETTE["blue"], ls="--",
            label="fastest mode: min Re $\\lambda$")
    for c in data.critical:
        ax.axvline(c, color=ROLES["critical"], lw=1.0, ls=":", label=f"critical $\\gamma$ = {c:g}")
    ax.axhline(0, color=PALETTE["grey"], lw=0.6)
    ax.set_xlabel("R1 strength $\\gamma$")
    ax.set_ylabel("Re $\\lambda$ (more negative: faster)")
    ax.set_title("real parts: slowest mode fastest at $\\gamma$ = 1")
    ax.set_ylim(np.min(real) * 1.05, 0.1)
    ax.legend(loc="lower left")


# %%
# Run as a script (as the documentation's gallery does) the figure is drawn here;
# ``JACOBIAN_LAB_FAST=1`` uses a coarse path.
if __name__ == "__main__":
    figures = draw(fast=gallery_fast())
