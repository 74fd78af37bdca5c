"""Numerics of GANs: eigenvalues of J and of the consensus Jacobian for an MLP GAN on 8 Gaussians.

Mescheder, Nowozin & Geiger (2017), "The Numerics of GANs", show (their notebook
``notebooks/mog-eigval-dist.ipynb``) the eigenvalues of the game Jacobian of an MLP GAN on the
mixture of 8 Gaussians at initialisation, before and after consensus regularization
(:math:`w = v - \\gamma J^\\top v`): :math:`J` has eigenvalues with large imaginary parts and real
parts near 0; consensus moves them left. Setting of the notebook: generator and discriminator of 4
ReLU layers of 16 units each. Every eigenvalue here comes from the full dense Jacobian; the notebook
keeps only the last row of each tensor's Jacobian block (``METHODS.md`` section 6), which we do not copy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure

import jacobian_lab as jl
from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.style import style_context
from jacobian_lab.torch_bridge.examples import mog_game

GAMMA = 10.0


def compute(fast=False) -> dict:
    """``{reg: Spectrum}`` of the field and of the consensus field at initialisation."""
    size = {"width": 6, "depth": 2, "batch": 32} if fast else {"width": 16, "depth": 4, "batch": 256}
    game = mog_game("mog8", activation=torch.nn.ReLU, latent_dim=2, seed=0, **size)
    return {"none": jl.spectrum(game), "consensus": jl.spectrum(game, reg="consensus", gamma=GAMMA)}


def draw(spectra, axes) -> None:
    """One complex-plane panel per spectrum (symmetric-log axes: the eigenvalues span decades)."""
    for ax, (reg, s) in zip(axes, spectra.items()):
        lam = s.eigenvalues
        ax.scatter(lam.real, lam.imag, s=8, alpha=0.7, color="#D55E00" if reg == "none" else "#0072B2")
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xscale("symlog", linthresh=1e-3)
        ax.set_yscale("symlog", linthresh=1e-3)
        label = "J" if reg == "none" else f"consensus, $\\gamma$ = {GAMMA:g}"
        ax.set_title(f"{label}: {lam.size} eigenvalues\nphase {s.phase_factor:.3g}, "
                     f"conditioning {s.condition_factor:.3g}", fontsize=9)
        ax.set_xlabel("Re $\\lambda$")
    axes[0].set_ylabel("Im $\\lambda$")


def main(out_dir, fast=False):
    """Write ``torch_numerics_eigenvalues.png`` to ``out_dir``; returns the written paths."""
    spectra = compute(fast)
    with style_context():
        fig = Figure(figsize=(8.0, 3.6), layout="constrained")
        draw(spectra, fig.subplots(1, 2))
        fig.suptitle("MLP GAN on 8 Gaussians at initialisation (4 ReLU layers of 16 units)")
    return [save_figure(fig, Path(out_dir) / "torch_numerics_eigenvalues.png", dpi=110, compact=True)]


def summary(spectra) -> str:
    return "\n".join(f"{reg:10s} max Re {np.max(s.eigenvalues.real):+.3g}  phase {s.phase_factor:.3g}  "
                     f"conditioning {s.condition_factor:.3g}  left out {s.n_excluded}" for reg, s in spectra.items())


if __name__ == "__main__":
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
