"""Orthogonal WGAN: singular values of the critic's weight matrices, and the game spectrum.

Mueller, Klein & Weinmann, "Orthogonal Wasserstein GANs" (arXiv 1911.13060), keep the critic's weight
matrices orthogonal so that the critic stays 1-Lipschitz without a gradient penalty. Here an MLP WGAN
on 8 Gaussians is trained with simultaneous Adam three ways: no constraint, WGAN-GP (``wgan-gp``,
``gamma`` = 10, toolkit's ``gamma/2`` form on fixed interpolates) and the SVD projection
:math:`W \\mapsto UV^\\top` after every step (``constraint="svd"``; ``"bjorck"`` is the iterative
alternative, and the soft penalty is the ``orthogonal`` regularizer). Left: the singular values of
every weight matrix of the critic at the end (all 1 under the constraint); right: every eigenvalue of
the game Jacobian at the end (dense), with both factors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure

import jacobian_lab as jl
from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.style import style_context
from jacobian_lab.torch_bridge.constraints import weight_singular_values
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.training import train

SETTINGS = {"no constraint": {}, "WGAN-GP": {"reg": "wgan-gp", "gamma": 10.0},
            "orthogonal (SVD)": {"constraint": "svd"}}
COLORS = {"no constraint": "#D55E00", "WGAN-GP": "#009E73", "orthogonal (SVD)": "#0072B2"}


def compute(fast=False) -> dict:
    """``{setting: {"singular": {name: values}, "spectrum": Spectrum}}`` after training."""
    size = {"width": 4, "depth": 1, "batch": 32} if fast else {"width": 16, "depth": 2, "batch": 256}
    steps = 3 if fast else 2000
    out = {}
    for label, options in SETTINGS.items():
        game = mog_game("mog8", loss="wgan", seed=2, **size)
        train(game, steps, method="adam", lr=1e-3, beta1=0.5, beta2=0.9, record_every=max(steps, 1), k=0,
              progress=not fast, **options)
        reg = {k: v for k, v in options.items() if k != "constraint"}
        out[label] = {"singular": weight_singular_values(game, game.parameters()), "spectrum": jl.spectrum(game, **reg)}
    return out


def draw(data, axes) -> None:
    """Singular values per weight matrix (one column of dots each); eigenvalues in the complex plane."""
    for i, (label, d) in enumerate(data.items()):
        for j, values in enumerate(d["singular"].values()):
            axes[0].scatter(np.full(values.size, j + 0.25 * (i - 1)), values, s=10, color=COLORS[label],
                            label=label if j == 0 else None)
        lam = d["spectrum"].eigenvalues
        axes[1].scatter(lam.real, lam.imag, s=8, alpha=0.7, color=COLORS[label],
                        label=f"{label}: phase {d['spectrum'].phase_factor:.3g}, "
                              f"cond. {d['spectrum'].condition_factor:.3g}")
    names = list(next(iter(data.values()))["singular"])
    axes[0].set_xticks(range(len(names)), names, fontsize=8)
    axes[0].set(ylabel="singular value", title="critic weight matrices")
    axes[0].legend(fontsize=7)
    axes[1].set_xscale("symlog", linthresh=1e-3)
    axes[1].set_yscale("symlog", linthresh=1e-3)
    axes[1].axvline(0, color="black", lw=0.6)
    axes[1].set(xlabel="Re $\\lambda$", ylabel="Im $\\lambda$", title="game Jacobian at the end")
    axes[1].legend(fontsize=7)


def main(out_dir, fast=False):
    """Write ``torch_orthogonal_wgan.png`` to ``out_dir``; returns the written paths."""
    torch.manual_seed(0)
    data = compute(fast)
    with style_context():
        fig = Figure(figsize=(10.0, 3.8), layout="constrained")
        draw(data, fig.subplots(1, 2))
        fig.suptitle("MLP WGAN on 8 Gaussians, Adam: no constraint, WGAN-GP, orthogonal critic")
    return [save_figure(fig, Path(out_dir) / "torch_orthogonal_wgan.png", dpi=110, compact=True)]


if __name__ == "__main__":
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
