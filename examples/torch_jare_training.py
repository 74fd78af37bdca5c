"""JARE: spectra and both factors along training on 8 Gaussians, for simgd, consensus and JARE.

Nie & Patel (2019), "Towards a better understanding and regularization of GAN training dynamics",
argue that a GAN trains well when both the phase factor (max |Im| / |Re| of the eigenvalues of J) and
the conditioning factor (max |lambda| / min |lambda|) stay small; consensus lowers the first and
raises the second, JARE lowers both. Here an MLP GAN (two tanh layers of 16 units) is trained with
simultaneous gradient descent, without regularizer, with consensus and with JARE (``gamma`` = 1,
their synthetic setting uses the same form ``gamma/2 |.|^2``), on a fixed batch; every recorded point
has the full dense spectrum of the training field's Jacobian, so the factors are exact (tolerance rule
of ``jacobian_lab.spectra.factors`` with ``rtol`` = 1e-6: at the default 1e-10 the conditioning factor
of these numerically singular Jacobians sits near its ceiling 1/rtol; an infinite phase factor, from an
eigenvalue on the imaginary axis, leaves a gap in the curve), and the right panel shows the top 20
eigenvalues (by magnitude) at the end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.style import reg_color, style_context
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.training import train

REGS = ("none", "consensus", "jare")
GAMMA = 1.0
TOP = 20
#: Tolerance of the factors: eigenvalues below RTOL * max|lambda| are left out, so kappa <= 1 / RTOL.
RTOL = 1e-6


def compute(fast=False) -> dict:
    """``{reg: History}`` of simultaneous gradient descent on the same initial networks."""
    size = {"width": 4, "depth": 1, "batch": 32} if fast else {"width": 16, "depth": 2, "batch": 256}
    steps, every = (4, 2) if fast else (2000, 200)
    out = {}
    for reg in REGS:
        game = mog_game("mog8", seed=0, **size)
        out[reg] = train(game, steps, method="simgd", lr=0.05, reg=None if reg == "none" else reg,
                         gamma=None if reg == "none" else GAMMA, record_every=every, rtol=RTOL,
                         progress=not fast)
    return out


def draw(histories, axes) -> None:
    """Phase factor, conditioning factor (log scale) against the step; final top eigenvalues."""
    for i, (reg, h) in enumerate(histories.items()):
        color = reg_color(reg, i)
        axes[0].plot(h.steps, h.phase_factor, color=color, label=reg)
        axes[1].plot(h.steps, h.condition_factor, color=color, label=reg)
        lam = h.eigenvalues[-1]
        top = lam[np.argsort(-np.abs(lam))[:TOP]]
        axes[2].scatter(top.real, top.imag, s=14, color=color, label=reg, alpha=0.8)
    axes[0].set(yscale="log", xlabel="step", title="phase factor")
    axes[1].set(yscale="log", xlabel="step", title=f"conditioning factor (rtol {RTOL:g})")
    axes[2].axvline(0, color="black", lw=0.6)
    axes[2].set(xlabel="Re $\\lambda$", ylabel="Im $\\lambda$", title=f"top {TOP} |$\\lambda$| at the end")
    axes[0].legend(fontsize=8)


def main(out_dir, fast=False):
    """Write ``torch_jare_training.png`` to ``out_dir``; returns the written paths."""
    histories = compute(fast)
    with style_context():
        fig = Figure(figsize=(11.0, 3.4), layout="constrained")
        draw(histories, fig.subplots(1, 3))
        fig.suptitle(f"MLP GAN on 8 Gaussians, simultaneous GD: factors along training ($\\gamma$ = {GAMMA:g})")
    return [save_figure(fig, Path(out_dir) / "torch_jare_training.png", dpi=110, compact=True)]


if __name__ == "__main__":
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
