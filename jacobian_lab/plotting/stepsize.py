r"""Spectral radius over a grid of regularizer strength and step size.

For each strength :math:`\gamma` and step :math:`h`, :math:`\rho(\gamma, h)` is the spectral radius
of the scheme's update-map Jacobian at the equilibrium; the scheme converges locally iff
:math:`\rho < 1`. For simultaneous GD the edge is :math:`h = \min_i 2\alpha_i/|\lambda_i|^2`
(Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs", Lemma 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dynamics.sweep import sweep
from ..errors import check_positive
from .style import CMAP, ROLES, new_axes, styled


@dataclass(frozen=True)
class StepSizeMap:
    """``radius[j, i]``: spectral radius at step ``steps[j]`` and strength ``strengths[i]``;
    ``best``: the fastest cell ``{"gamma", "lr", "spectral_radius", ...}``."""

    strengths: np.ndarray
    steps: np.ndarray
    radius: np.ndarray
    reg: str
    scheme: str
    model: str
    best: dict


def step_size_map(model, reg, gamma_max=3.0, lr_max=2.0, scheme="simgd", n_gamma=121, n_lr=120,
                  **params) -> StepSizeMap:
    """:math:`\\rho(\\gamma, h)` on ``n_gamma`` strengths in ``[0, gamma_max]`` and ``n_lr`` steps
    ``lr_max * k / n_lr``, ``k = 1..n_lr`` (:func:`jacobian_lab.sweep`).

    ``params`` holds model parameters and scheme parameters other than ``lr``.
    """
    gamma_max, lr_max = check_positive("gamma_max", gamma_max), check_positive("lr_max", lr_max)
    result = sweep(model, reg, np.linspace(0, gamma_max, n_gamma), np.linspace(0, lr_max, n_lr + 1)[1:],
                   scheme, progress=False, **params)
    return StepSizeMap(result.gammas, result.lrs, result.spectral_radius.T, reg, result.info["scheme"],
                       result.info["model"], result.best())


@styled
def step_size_plot(data: StepSizeMap, ax=None, vmax=1.5, colorbar=True, title=None):
    """Draw :math:`\\rho(\\gamma, h)` with the stable region :math:`\\rho < 1` outlined.

    The fastest point (smallest :math:`\\rho`) is marked.

    Returns
    -------
    dict
        ``{"mesh": QuadMesh, "edge": ContourSet, "best": PathCollection, "colorbar": ...}``.
    """
    ax = new_axes(ax, figsize=(4.6, 3.6))
    mesh = ax.pcolormesh(data.strengths, data.steps, data.radius, cmap=CMAP, vmin=0, vmax=vmax,
                         shading="nearest", rasterized=True)
    edge = ax.contour(data.strengths, data.steps, data.radius, levels=[1.0],
                      colors=[ROLES["stable_edge"]], linewidths=1.6)
    fast = data.best
    best = ax.scatter([fast["gamma"]], [fast["lr"]], marker="*", s=140, color="white",
                      edgecolor="black", zorder=4,
                      label=f"fastest: $\\rho$ = {fast['spectral_radius']:.3f}\n"
                            f"($\\gamma$ = {fast['gamma']:.2g}, h = {fast['lr']:.2g})")
    ax.set_xlabel(f"strength $\\gamma$ ({data.reg})")
    ax.set_ylabel(f"step size h ({data.scheme})")
    ax.set_title(title or f"{data.model}, {data.reg}, {data.scheme}: spectral radius")
    ax.legend(loc="upper right")
    out = {"mesh": mesh, "edge": edge, "best": best, "colorbar": None}
    if colorbar:
        out["colorbar"] = ax.figure.colorbar(mesh, ax=ax, extend="max",
                                             label=r"spectral radius $\rho$ (outline: $\rho = 1$)")
    return out
