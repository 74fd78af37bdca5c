"""JARE on real networks: top-k spectra and both factors along training on 8 Gaussians.

Nie & Patel (2019), "Towards a better understanding and regularization of GAN training dynamics",
track the phase factor and the conditioning factor of the game Jacobian while training an MLP GAN on
the mixture of 8 Gaussians: simultaneous GD keeps large phase factors, consensus lowers the phase
factor but squares the conditioning, JARE lowers the phase factor and keeps the conditioning bounded.
Here the same three methods train a small tanh MLP GAN full-batch (simultaneous GD, same step);
every ``every`` steps the top-k eigenvalues of the (regularized) Jacobian are found by ARPACK and both
factors are computed from them by the tolerance rule (top-k: the factors refer to those eigenvalues).
Computing and drawing are separate: :func:`compute` returns the records, :func:`draw` the figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.style import style_context
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.train import train

METHODS = {"simgd": (None, None), "consensus": ("consensus", 1.0), "JARE": ("jare", 1.0)}


def compute(fast=False) -> dict:
    """``{method: TrainingRecord}`` for simultaneous GD, consensus and JARE from the same initialisation."""
    size = dict(width=8, batch=64, steps=40, every=20, k=6) if fast else dict(width=32, batch=256, steps=2000,
                                                                              every=200, k=20)
    steps, every, k = size.pop("steps"), size.pop("every"), size.pop("k")
    records = {}
    for name, (reg, gamma) in METHODS.items():
        game = mog_game("mog8", seed=0, **size)
        records[name] = train(game, "simgd", lr=0.05, steps=steps, every=every, k=k, reg=reg, gamma=gamma,
                              progress=not fast)
    return records


def draw(records) -> Figure:
    """Phase factor, conditioning factor and the last top-k eigenvalues, one line per method."""
    with style_context():
        fig = Figure(figsize=(12, 3.6), layout="constrained")
        ax_phase, ax_cond, ax_eig = fig.subplots(1, 3)
        for name, rec in records.items():
            ax_phase.plot(rec.steps, rec.phase_factor, marker="o", label=name)
            ax_cond.plot(rec.steps, rec.condition_factor, marker="o", label=name)
            lam = np.asarray(rec.eigenvalues[-1])
            ax_eig.scatter(lam.real, lam.imag, s=14, label=name)
        ax_phase.set(xlabel="step", ylabel="phase factor (top-k)", yscale="log")
        ax_cond.set(xlabel="step", ylabel="conditioning factor (top-k)", yscale="log")
        ax_eig.axvline(0, color="black", lw=0.6)
        ax_eig.set(xlabel="Re $\\lambda$", ylabel="Im $\\lambda$", title="top-k eigenvalues of J, end")
        ax_phase.legend()
    return fig


def main(out_dir, fast=False):
    """Write ``torch_spectra.png`` to ``out_dir``; returns the written paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = save_figure(draw(compute(fast)), out / "torch_spectra.png")
    return [path]


if __name__ == "__main__":
    import sys

    print(*main(sys.argv[1] if len(sys.argv) > 1 else ".", fast="--fast" in sys.argv), sep="\n")
