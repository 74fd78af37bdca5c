r"""Distance to the equilibrium against iterations, with the rate the spectrum predicts.

Near the equilibrium :math:`\|x_k - x^*\| \approx C \rho^k` with :math:`\rho` the spectral radius of
the update map's Jacobian (METHODS.md section 1; with :math:`J = V\Lambda V^{-1}`,
:math:`\|z_k\| \le \kappa(V)\rho^k\|z_0\|`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis import spectrum
from ..errors import JacobianLabError
from .portrait import _split
from .style import ROLES, new_axes, styled
from .trajectories import simulate_states


@dataclass(frozen=True)
class ConvergenceData:
    """``distance[n, t]`` at ``iterations[t]`` for start ``n``; ``rate`` the predicted :math:`\\rho`."""

    iterations: np.ndarray
    distance: np.ndarray
    rate: float
    diverged: np.ndarray
    label: str


def convergence_data(model, reg=None, gamma=None, scheme="simgd", lr=None, steps=500, x0=None,
                     record_every=1, **params) -> ConvergenceData:
    """Simulate ``scheme`` from ``x0`` (default: equilibrium + 0.5) and predict its rate."""
    model_params, scheme_params = _split(params)
    given = {**scheme_params, **({"lr": lr} if lr is not None else {})}
    discrete = spectrum(model, reg, gamma, scheme, **model_params, **given)
    eq = np.asarray(discrete.point, dtype=float)
    start = (eq + 0.5)[None] if x0 is None else np.atleast_2d(np.asarray(x0, dtype=float))
    if start.shape[-1] != eq.size:
        raise JacobianLabError(f"x0 must have {eq.size} coordinates per row, got shape {start.shape}")
    states, diverged = simulate_states(model, reg, gamma, scheme, lr, steps, start, record_every,
                                       model_params, scheme_params)
    distance = np.linalg.norm(states - eq, axis=-1)
    iterations = np.arange(states.shape[1]) * record_every
    label = f"{discrete.info['model']}, {discrete.info['reg']}, {scheme}"
    return ConvergenceData(iterations, distance, discrete.spectral_radius, np.asarray(diverged), label)


@styled
def convergence_plot(data: ConvergenceData, ax=None, label=None, color=None, title=None):
    """Distance against iterations (log scale), with :math:`d_0\\rho^k` as a dashed line.

    Returns
    -------
    dict
        ``{"distance": [Line2D per start], "predicted": Line2D}``.
    """
    ax = new_axes(ax, figsize=(4.4, 3.4))
    color = color or ROLES["trajectory"]
    lines = []
    for i, d in enumerate(data.distance):
        shown = np.where(np.isfinite(d) & (d > 0), d, np.nan)
        lines += ax.plot(data.iterations, shown, color=color, lw=1.3,
                         label=(label or data.label) if i == 0 else None)
    d0 = np.nanmax(data.distance[:, 0])
    with np.errstate(over="ignore", under="ignore"):
        predicted = d0 * data.rate ** data.iterations.astype(float)
    (pred,) = ax.plot(data.iterations, predicted, ls="--", lw=1.0, color=ROLES["prediction"],
                      label=f"predicted $\\rho^k$, $\\rho$ = {data.rate:.4g}")
    ax.set_yscale("log")
    seen = data.distance[np.isfinite(data.distance) & (data.distance > 0)]
    if seen.size:
        ax.set_ylim(max(seen.min(), 1e-300) / 3, min(seen.max(), 1e300) * 3)
    ax.set_xlabel("iteration k")
    ax.set_ylabel(r"distance $\|x_k - x^*\|$")
    ax.set_title(title or data.label)
    ax.legend(loc="best")
    return {"distance": lines, "predicted": pred}
