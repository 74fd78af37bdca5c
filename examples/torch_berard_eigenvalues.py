"""Berard et al.: game eigenvalues in the complex plane at initialisation and at the end of training.

Berard, Gidel, Almahairi, Vincent & Lacoste-Julien (2020), "A closer look at the optimization
landscapes of generative adversarial networks", compute the top-k eigenvalues of the game Jacobian
(ARPACK ``eigs`` on a matrix-free operator, k = 20) and of each player's Hessian (``eigsh``) on
full-batch gradients, and show that at the end of training the game has eigenvalues with large
imaginary parts (rotation) while the generator's Hessian has negative eigenvalues: a locally stable
stationary point that is not a local Nash equilibrium. Here an NSGAN MLP on 8 Gaussians is trained
with simultaneous Adam; the figure shows the top-20 eigenvalues by magnitude of
:math:`J = \\partial v/\\partial x` (field convention; Berard et al. plot those of :math:`H = -J`)
at the start and the end, and the top eigenvalues (largest and smallest) of each player's Hessian.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import jacobian_lab as jl
from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.style import style_context
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.training import train

K = 20


def snapshot(game, k) -> dict:
    """Top-``k`` game eigenvalues (ARPACK) and each player's extreme Hessian eigenvalues (eigsh)."""
    hessians = {player: np.r_[game.hessian_eigenvalues(player, k=k // 2, which="LA"),
                              game.hessian_eigenvalues(player, k=k // 2, which="SA")]
                for player in ("generator", "discriminator")}
    return {"game": jl.spectrum(game, k=k, which="LM"), "hessians": hessians}


def compute(fast=False) -> dict:
    """``{"initialisation": snapshot, "end of training": snapshot}``."""
    size = {"width": 6, "depth": 1, "batch": 32} if fast else {"width": 64, "depth": 2, "batch": 512}
    steps, k = (3, 4) if fast else (3000, K)
    game = mog_game("mog8", loss="nsgan", seed=3, **size)
    start = snapshot(game, k)
    train(game, steps, method="adam", lr=1e-3, beta1=0.5, beta2=0.999, record_every=max(steps, 1), k=0,
          progress=not fast)
    return {"initialisation": start, "end of training": snapshot(game, k)}


def draw(data, axes) -> None:
    """Game eigenvalues (complex plane); Hessian eigenvalues (one row of dots per player and time)."""
    colors = {"initialisation": "#56B4E9", "end of training": "#D55E00"}
    for when, d in data.items():
        lam = d["game"].eigenvalues
        axes[0].scatter(lam.real, lam.imag, s=14, color=colors[when], label=when)
        for row, values in enumerate(d["hessians"].values()):
            y = row + (0.15 if when == "end of training" else -0.15)
            axes[1].scatter(values, np.full(values.size, y), s=10, color=colors[when])
    axes[0].axvline(0, color="black", lw=0.6)
    axes[0].set(xlabel="Re $\\lambda$", ylabel="Im $\\lambda$", title="top-k |$\\lambda$| of the game Jacobian J")
    axes[0].legend(fontsize=8)
    axes[1].axvline(0, color="black", lw=0.6)
    axes[1].set_xscale("symlog", linthresh=1e-3)
    axes[1].set_yticks([0, 1], ["generator", "discriminator"])
    axes[1].set(xlabel="eigenvalue of the player's loss Hessian", title="extreme Hessian eigenvalues")


def main(out_dir, fast=False):
    """Write ``torch_berard_eigenvalues.png`` to ``out_dir``; returns the written paths."""
    data = compute(fast)
    with style_context():
        fig = Figure(figsize=(10.0, 3.8), layout="constrained")
        draw(data, fig.subplots(1, 2))
        fig.suptitle("NSGAN MLP on 8 Gaussians, Adam: eigenvalues at initialisation and at the end")
    return [save_figure(fig, Path(out_dir) / "torch_berard_eigenvalues.png", dpi=110, compact=True)]


if __name__ == "__main__":
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
