"""0-GP: the discriminator's gradient field on 8 and 25 Gaussians, without penalty, with 1-GP and 0-GP.

Thanh-Tung, Tran & Venkatesh (2019), "Improving generalization and stability of GANs", show that
without a penalty, or with the one-centred penalty of WGAN-GP (1-GP), the gradient of an MLP
discriminator points towards a few real samples and fails to guide the generated ones across the
gaps between modes, while the zero-centred penalty on interpolates (0-GP) gives a smoother field
that spreads the generated samples over the modes. Here an MLP GAN (GAN loss, discriminator logit)
is trained with simultaneous Adam on a fixed batch of each mixture, with ``reg`` none, ``wgan-gp``
and ``zero-gp`` (``gamma`` = 10, both in the toolkit's ``gamma/2`` form, on fixed interpolates).
Arrows show :math:`\\nabla_x D(x)`, the direction in which the generator moves its samples
(minus the gradient of its per-sample loss, i.e. ``-grad_x`` of the loss-side critic); dots are the
real batch (grey) and the generated samples (orange). The penalty is on the logit, not on the
sigmoid output (htt210's code penalises the latter, ``METHODS.md`` section 6).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure
from torch.func import grad

from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.style import style_context
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.training import train

REGS = ("none", "wgan-gp", "zero-gp")
MIXTURES = ("mog8", "mog25")
GAMMA = 10.0


def gradient_field(game, points: np.ndarray) -> np.ndarray:
    """:math:`\\nabla_x D(x)` at each row of ``points`` (shape (n, 2)), at the modules' parameters."""
    _, psi = game.split(game.parameters())
    x = torch.as_tensor(points, dtype=game.dtype, device=game.device)
    return grad(lambda s: game.discriminate(psi, s).sum())(x).cpu().numpy()


def compute(fast=False) -> dict:
    """``{(mixture, reg): {"grid", "field", "real", "fake"}}`` after training."""
    size = {"width": 8, "depth": 1, "batch": 32} if fast else {"width": 64, "depth": 2, "batch": 512}
    steps = 3 if fast else 1500
    out = {}
    for mixture in MIXTURES:
        lim = 3.0 if mixture == "mog8" else 5.5
        axis = np.linspace(-lim, lim, 9 if fast else 21)
        grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
        for reg in REGS:
            game = mog_game(mixture, seed=1, **size)
            train(game, steps, method="adam", lr=1e-3, beta1=0.5, beta2=0.9, reg=None if reg == "none" else reg,
                  gamma=None if reg == "none" else GAMMA, record_every=max(steps, 1), k=0,
                  progress=not fast)
            with torch.no_grad():
                fake = game.generate(game.split(game.parameters())[0]).cpu().numpy()
            out[mixture, reg] = {"grid": grid, "field": gradient_field(game, grid),
                                 "real": game.real.cpu().numpy(), "fake": fake}
    return out


def draw(data, axes) -> None:
    """One panel per (mixture, regularizer): normalised arrows, real and generated samples."""
    for (mixture, reg), ax in zip(data, axes.ravel()):
        d = data[mixture, reg]
        g = d["field"] / (np.linalg.norm(d["field"], axis=1, keepdims=True) + 1e-12)
        ax.quiver(d["grid"][:, 0], d["grid"][:, 1], g[:, 0], g[:, 1], color="#999999", width=0.004)
        ax.scatter(*d["real"].T, s=4, color="#000000", alpha=0.5)
        ax.scatter(*d["fake"].T, s=4, color="#E69F00", alpha=0.7)
        ax.set_title(f"{mixture}, {reg}", fontsize=9)
        ax.set_aspect("equal")
        ax.set_xticks([]), ax.set_yticks([])


def main(out_dir, fast=False):
    """Write ``torch_zero_gp_field.png`` to ``out_dir``; returns the written paths."""
    data = compute(fast)
    with style_context():
        fig = Figure(figsize=(9.0, 6.2), layout="constrained")
        draw(data, fig.subplots(len(MIXTURES), len(REGS)))
        fig.suptitle("direction of $\\nabla_x D$ (arrows, normalised), real (black) and generated (orange) samples")
    return [save_figure(fig, Path(out_dir) / "torch_zero_gp_field.png", dpi=110, compact=True)]


if __name__ == "__main__":
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
