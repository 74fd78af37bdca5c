"""Eigenvalue trajectories over training, from a :class:`~jacobian_lab.torch_bridge.recorder.SpectrumRecorder` file.

Three panels against the training step: the real parts of the rightmost eigenvalues of :math:`J`
(the stability question: positive means locally unstable flow), the magnitudes of the top ones with
the phase factor of the top on a second axis, and the extreme eigenvalues of both players' loss
Hessians. Records cut short by their time budget show as gaps (NaN), never as zeros.
"""

from __future__ import annotations

import numpy as np

from .style import PALETTE, ROLES, new_grid, styled


@styled
def spectrum_record_plot(record, title=None):
    """Draw a spectrum record; returns the figure.

    Parameters
    ----------
    record : SpectrumRecord
        From :func:`jacobian_lab.torch_bridge.recorder.load` or a recorder's ``history``.
    title : str, optional
    """
    steps = record["steps"]
    fig, axes = new_grid(1, 3, panel=(3.4, 2.8))
    ax_right, ax_top, ax_hess = axes[0]
    right = record["rightmost"]
    for j in range(right.shape[1]):
        fade = 1.0 - 0.6 * j / max(1, right.shape[1])
        ax_right.plot(steps, right[:, j].real, marker=".", color=ROLES["eigenvalue"], alpha=fade)
    ax_right.axhline(0.0, color=PALETTE["grey"], lw=0.8)
    ax_right.set(xlabel="step", ylabel=r"Re $\lambda$ (rightmost)", title="stability")
    top = record["eigenvalues"]
    for j in range(top.shape[1]):
        ax_top.plot(steps, np.abs(top[:, j]), color=PALETTE["blue"], lw=0.8, alpha=0.7)
    ax_top.set(xlabel="step", ylabel=r"$|\lambda|$ (top $k$)", title="magnitude and rotation")
    ax_phase = ax_top.twinx()
    ax_phase.plot(steps, record["phase_factor"], color=PALETTE["orange"], marker="x", lw=1.0)
    ax_phase.set_ylabel("phase factor of the top", color=PALETTE["orange"])
    for key, color, label in (("hessian_g", PALETTE["blue"], "generator"),
                              ("hessian_d", PALETTE["green"], "discriminator")):
        ax_hess.plot(steps, record[f"{key}_max"], color=color, label=f"{label} max")
        ax_hess.plot(steps, record[f"{key}_min"], color=color, ls="--", label=f"{label} min")
    ax_hess.axhline(0.0, color=PALETTE["grey"], lw=0.8)
    ax_hess.set(xlabel="step", ylabel="loss Hessian eigenvalue", title="players' curvature")
    ax_hess.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig
