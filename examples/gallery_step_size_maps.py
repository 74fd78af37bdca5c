r"""
Step-size maps for R1 and consensus on the Dirac-GAN
====================================================

Spectral radius of simultaneous GD's update map at the Dirac-GAN's equilibrium over the strength
:math:`\gamma` and the step :math:`h`; the red line is :math:`\rho = 1` (stable below it), the star
the fastest grid point. For R1 the stable steps reach furthest and the contraction is fastest at the
critical strength: at :math:`\gamma = 1, h = 2` the update map is nilpotent (:math:`\rho = 0`). For
consensus (eigenvalues :math:`-\gamma/4 \pm i/2`) the largest stable step :math:`2\alpha/|\lambda|^2
= 8\gamma/(\gamma^2 + 4)` peaks at :math:`\gamma = 2`. Illustrates Lemma 4 of Mescheder, Nowozin &
Geiger (2017), "The Numerics of GANs" (:math:`h < 2\alpha/|\lambda|^2`), and the critical R1
strength of Mescheder et al. (2018).
"""

from __future__ import annotations

from jacobian_lab.plotting import gallery_fast, save_figures, step_size_map, step_size_plot
from jacobian_lab.plotting.style import new_grid


def draw(fast=False) -> dict:
    """``{"step_size_maps.png": figure}``."""
    n = 30 if fast else 150
    fig, axes = new_grid(1, 2, panel=(4.6, 3.7))
    for ax, reg, gamma_max in zip(axes[0], ("r1", "consensus"), (3.0, 6.0)):
        data = step_size_map("dirac", reg, gamma_max=gamma_max, lr_max=3.0, n_gamma=n + 1, n_lr=n)
        step_size_plot(data, ax=ax, title=f"Dirac-GAN + {reg}: simgd spectral radius")
    return {"step_size_maps.png": fig}


def main(out_dir, fast=False):
    """Write ``step_size_maps.png`` to ``out_dir``; returns the written paths."""
    return save_figures(draw(fast), out_dir)


# %%
# Run as a script (as the documentation's gallery does) the figure is drawn here;
# ``JACOBIAN_LAB_FAST=1`` uses a coarse grid.
if __name__ == "__main__":
    figures = draw(fast=gallery_fast())
