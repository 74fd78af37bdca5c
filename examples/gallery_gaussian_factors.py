"""Gallery 3: phase and conditioning factors on Nie & Patel's Gaussian example.

Reproduces the argument of Nie & Patel (2019), "Towards a better understanding and regularization
of GAN training dynamics" (JARE), section 4: on their simple GAN (data :math:`N((0, 2), 0.7^2 I)`)
consensus optimization lowers the phase factor but its conditioning factor grows with
:math:`\\gamma` (it adds :math:`\\gamma J^T J`), the one-sided variants (grad-g, grad-d) lower the
phase factor more slowly and also worsen conditioning, while JARE lowers the phase factor and
keeps the conditioning small. The right panel shows the eigenvalues at their code's default
:math:`\\gamma = 10`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import jacobian_lab as jl
from jacobian_lab.plotting import factors_data, factors_plot, save_figure
from jacobian_lab.plotting.style import new_grid, reg_color, style_context

REGS = ("consensus", "jare", "grad-g", "grad-d")
GAMMA = 10.0


def main(out_dir, fast=False):
    """Write ``gaussian_factors.png`` to ``out_dir``; returns the written paths."""
    data = factors_data("gaussian", REGS, gamma_max=100.0, n=40 if fast else 200)
    fig, axes = new_grid(1, 3, panel=(3.7, 3.3))
    factors_plot(data, ax=axes[0, :2], marks=[GAMMA])
    with style_context():
        _eigenvalues_at(axes[0, 2], GAMMA)
        fig.suptitle("Nie & Patel's Gaussian example (mean (0, 2), $\\sigma$ = 0.7): "
                     "JARE keeps both factors small")
    return [save_figure(fig, Path(out_dir) / "gaussian_factors.png", dpi=110, compact=True)]


def _eigenvalues_at(ax, gamma):
    """All eigenvalues are real at gamma = 10: show -lambda on a log axis, one row per method."""
    names = []
    for row, reg in enumerate(REGS):
        s = jl.spectrum("gaussian", reg=reg, gamma=gamma)
        ax.scatter(-s.eigenvalues.real, np.full(s.eigenvalues.size, row), color=reg_color(reg, row),
                   edgecolor="black", linewidths=0.5, s=40, zorder=3)
        names.append(f"{reg}\n$\\kappa$ = {s.condition_factor:.3g}")
    ax.set_yticks(range(len(REGS)), names)
    ax.set_ylim(-0.6, len(REGS) - 0.4)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("$-\\lambda_i$ (all eigenvalues real at $\\gamma$ = 10)")
    ax.set_title(f"eigenvalues of J at $\\gamma$ = {gamma:g}")
    ax.grid(axis="x", lw=0.4, alpha=0.5)


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
