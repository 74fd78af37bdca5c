r"""Phase and conditioning factors against a regularizer's strength (Nie & Patel 2019).

For eigenvalues :math:`\lambda_i = -\alpha_i + i\beta_i` of :math:`J` at the equilibrium,

.. math:: \xi = \max_i |\beta_i|/\alpha_i, \qquad \kappa = \max_i|\lambda_i| / \min_i|\lambda_i|,

over eigenvalues above the tolerance of :mod:`jacobian_lab.spectra.factors`. Nie & Patel ("Towards a
better understanding and regularization of GAN training dynamics", 2019) argue that consensus
lowers :math:`\xi` but squares the conditioning (:math:`J + \gamma J^TJ`), while JARE lowers
:math:`\xi` and keeps :math:`\kappa` bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import check_positive
from ..strengths import StrengthFamily
from .style import new_grid, reg_color, styled


@dataclass(frozen=True)
class FactorsData:
    """``phase[r, i]`` and ``condition[r, i]`` for regularizer ``regs[r]`` at ``strengths[i]``."""

    strengths: np.ndarray
    phase: np.ndarray
    condition: np.ndarray
    regs: tuple
    model: str


def factors_data(model, regs=("consensus", "jare", "grad-g", "grad-d"), gamma_max=10.0, n=200,
                 log=True, **params) -> FactorsData:
    """Phase and conditioning factors for each regularizer over ``n`` strengths.

    ``log=True`` spaces the strengths geometrically in ``[gamma_max * 1e-3, gamma_max]``; otherwise
    linearly in ``[0, gamma_max]``.
    """
    gamma_max = check_positive("gamma_max", gamma_max)
    g = np.geomspace(gamma_max * 1e-3, gamma_max, n) if log else np.linspace(0, gamma_max, n)
    phase, cond = [], []
    name = model
    for reg in regs:
        family = StrengthFamily(model, reg, **params)
        name = family.game.game.name
        spectra = family.spectra(g)
        phase.append([s.phase_factor for s in spectra])
        cond.append([s.condition_factor for s in spectra])
    return FactorsData(g, np.array(phase), np.array(cond), tuple(regs), name)


@styled
def factors_plot(data: FactorsData, ax=None, marks=(), title=None):
    """Two panels: phase factor and conditioning factor against the strength.

    Parameters
    ----------
    data : FactorsData
    ax : pair of Axes, optional
        Default: a new 1 x 2 figure.
    marks : sequence of float
        Strengths to mark with a vertical line (e.g. the code's default ``gamma = 10``).

    Returns
    -------
    dict
        ``{"phase": [Line2D per regularizer], "condition": [...], "marks": [...]}``.
    """
    axes = new_grid(1, 2, panel=(3.6, 3.1))[1][0] if ax is None else ax
    out = {"phase": [], "condition": [], "marks": []}
    for i, reg in enumerate(data.regs):
        style = {"color": reg_color(reg, i), "label": reg, "ls": ("-", "--", "-.", ":")[i % 4]}
        out["phase"] += axes[0].plot(data.strengths, data.phase[i], **style)
        out["condition"] += axes[1].plot(data.strengths, data.condition[i], **style)
    axes[0].set_ylabel(r"phase factor $\max_i |\beta_i| / \alpha_i$")
    axes[1].set_ylabel(r"conditioning factor $\max|\lambda| / \min|\lambda|$")
    axes[1].set_yscale("log")
    for a in axes:
        a.set_xlabel(r"strength $\gamma$")
        if data.strengths[0] > 0:
            a.set_xscale("log")
        for m in marks:
            out["marks"].append(a.axvline(m, color="0.4", lw=0.8, ls=":"))
    axes[0].legend(loc="best")
    axes[0].set_title(title or f"{data.model}: phase factor")
    axes[1].set_title(f"{data.model}: conditioning factor")
    return out
