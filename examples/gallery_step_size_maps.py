"""Gallery 5: spectral radius of simultaneous GD over strength and step size, Dirac-GAN.

For R1 the stable region is widest and the contraction fastest near the critical strength
:math:`\\gamma = 1`, where the eigenvalues meet (Mescheder, Geiger & Nowozin 2018); for consensus
(Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs") the eigenvalues
:math:`-\\gamma/4 \\pm i/2` move left with :math:`\\gamma` and the stable step
:math:`h < 2\\alpha/|\\lambda|^2` grows, then shrinks once :math:`|\\lambda|` grows faster.
"""

from __future__ import annotations

from pathlib import Path

from jacobian_lab.plotting import save_figure, step_size_map, step_size_plot
from jacobian_lab.plotting.style import new_grid


def main(out_dir, fast=False):
    """Write ``step_size_maps.png`` to ``out_dir``; returns the written paths."""
    n = 30 if fast else 150
    fig, axes = new_grid(1, 2, panel=(4.6, 3.7))
    for ax, reg, gamma_max in zip(axes[0], ("r1", "consensus"), (3.0, 6.0)):
        data = step_size_map("dirac", reg, gamma_max=gamma_max, lr_max=3.0, n_gamma=n + 1, n_lr=n)
        step_size_plot(data, ax=ax, title=f"Dirac-GAN + {reg}: simgd spectral radius")
    return [save_figure(fig, Path(out_dir) / "step_size_maps.png", dpi=110, compact=True)]


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
