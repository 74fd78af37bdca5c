"""Gallery 2: the R1 eigenvalue path on the Dirac-GAN, through the critical strength.

With R1 of strength :math:`\\gamma` the Dirac-GAN's Jacobian at the equilibrium has eigenvalues
:math:`\\lambda = -\\gamma/2 \\pm \\sqrt{\\gamma^2 - 1}/2` (Mescheder, Geiger & Nowozin 2018,
section 3, with :math:`f'(0) = 1/2`): a complex pair that moves left and meets on the real axis at
:math:`\\gamma = 1`, then splits into a fast and a slow real eigenvalue. The slowest mode (largest
real part) is fastest at the critical strength.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jacobian_lab.plotting import eigenvalue_path, eigenvalue_path_data, save_figure
from jacobian_lab.plotting.style import PALETTE, ROLES, new_grid, style_context


def main(out_dir, fast=False):
    """Write ``r1_path.png`` to ``out_dir``; returns the written paths."""
    data = eigenvalue_path_data("dirac", "r1", gamma_max=3.0, n=61 if fast else 301, marks=[0.3, 3.0])
    fig, axes = new_grid(1, 2, panel=(4.6, 3.7))
    eigenvalue_path(data, ax=axes[0, 0], title="Dirac-GAN + R1: eigenvalues of J as $\\gamma$ grows")
    with style_context():
        _real_parts(axes[0, 1], data)
    return [save_figure(fig, Path(out_dir) / "r1_path.png", dpi=110, compact=True)]


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


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
