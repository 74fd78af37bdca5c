r"""Eigenvalue paths: the spectrum as a regularizer's strength goes from 0 to a maximum.

Each eigenvalue of :math:`J(\gamma)` at the equilibrium traces a curve in the complex plane. Where
two of them meet the block is a Jordan block and the convergence rate is best: for R1 on the
Dirac-GAN, :math:`\lambda = -\gamma/2 \pm \sqrt{\gamma^2 - 4 f'(0)^2}/2` meet at
:math:`\gamma = 2|f'(0)| = 1` (Mescheder, Geiger & Nowozin 2018, section 3). The critical strengths
are located by :func:`jacobian_lab.continuation` (with their closed forms where they exist).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis import resolve_scheme, split_params
from ..errors import JacobianLabError, check_int, check_positive
from ..schemes import update_matrix
from ..strengths import StrengthFamily
from .style import CMAP, PALETTE, ROLES, new_axes, styled


@dataclass(frozen=True)
class PathData:
    """Eigenvalues along a strength sweep.

    Attributes
    ----------
    strengths : ndarray (n,)
    eigenvalues : ndarray of complex (n, k)
    marks : ndarray (m,)
        Strengths to mark (chosen values and critical strengths).
    mark_eigenvalues : ndarray of complex (m, k)
    critical : ndarray
        Strengths where eigenvalues meet.
    reg, model : str
    kind : {"continuous", "discrete"}
    """

    strengths: np.ndarray
    eigenvalues: np.ndarray
    marks: np.ndarray
    mark_eigenvalues: np.ndarray
    critical: np.ndarray
    reg: str
    model: str
    kind: str = "continuous"
    scheme: str | None = None
    step: float | None = None


#: Most strengths on an eigenvalue path (one Jacobian spectrum each).
MAX_PATH_POINTS = 100_000


def _marks(marks, gamma_max) -> np.ndarray:
    try:
        marks = np.atleast_1d(np.asarray(marks, dtype=float))
    except (TypeError, ValueError):
        raise JacobianLabError(f"marks must be strengths (numbers), got {marks!r}") from None
    if marks.ndim != 1 or marks.size > MAX_PATH_POINTS or not np.all((marks >= 0) & (marks <= gamma_max)):
        raise JacobianLabError(f"marks must be strengths in [0, gamma_max={gamma_max:g}], got {marks.tolist()!r}")
    return marks


def eigenvalue_path_data(model, reg, gamma_max=3.0, n=301, marks=(), critical=True, scheme=None,
                         **params) -> PathData:
    """Eigenvalues for ``n`` strengths in ``[0, gamma_max]``, with chosen and critical marks.

    Parameters
    ----------
    model : str or Game
    reg : str
        One regularizer name.
    gamma_max : float
    marks : sequence of float
        Strengths to mark on the path.
    critical : bool
        Also mark the strengths where eigenvalues of :math:`J` meet, located by
        :func:`jacobian_lab.continuation` (their closed forms where they exist).
    scheme : str, optional
        Eigenvalues of this scheme's update map instead of :math:`J` (scheme parameters in
        ``params``); a continuous-time scheme (``flow``) keeps :math:`J`.
    **params
        Model (and scheme) parameters.
    """
    gamma_max = check_positive("gamma_max", gamma_max)
    n = check_int("n", n, 2)
    if n > MAX_PATH_POINTS:
        raise JacobianLabError(f"n must be at most {MAX_PATH_POINTS} strengths, got {n}")
    marks = _marks(marks, gamma_max)
    model_params, scheme_params = split_params(params)
    family = StrengthFamily(model, reg, **model_params)
    game = family.game.game
    method = resolve_scheme(scheme, len(game.theta), game.dim, scheme_params)
    discrete = method is not None and not method.capabilities.continuous
    crit = _meeting_strengths(model, reg, gamma_max, model_params) if critical else np.array([])
    marked = np.unique(np.r_[np.asarray(marks, dtype=float), crit])
    strengths = np.unique(np.r_[np.linspace(0, gamma_max, n), marked])
    eig = _eigenvalues(family, strengths, method if discrete else None)
    at = np.searchsorted(strengths, marked)
    step = float(method.lr[0]) if discrete else None
    return PathData(strengths, eig, marked, eig[at], crit, reg, game.name,
                    "discrete" if discrete else "continuous", method.name if discrete else None, step)


def _meeting_strengths(model, reg, gamma_max, model_params) -> np.ndarray:
    """Strengths in ``[0, gamma_max]`` where two eigenvalues of :math:`J` meet (exact where derived)."""
    from ..bifurcation import continuation

    points = continuation(model, reg, param="gamma", values=(0, gamma_max), **model_params).of_kind("meet")
    return np.array([float(p.exact) if p.exact is not None else p.value for p in points])


def _eigenvalues(family, strengths, method):
    jac = family.jacobians(strengths)
    if method is not None:
        jac = update_matrix(method, jac)
    eig = np.linalg.eigvals(jac)
    order = np.lexsort((-eig.imag, -eig.real), axis=-1)
    return np.take_along_axis(eig, order, axis=-1)


@styled
def eigenvalue_path(data: PathData, ax=None, colorbar=True, title=None):
    """Draw an eigenvalue path: points coloured by strength, marks annotated.

    Returns
    -------
    dict
        ``{"path": PathCollection, "marks": [...], "critical": [...], "annotations": [...],
        "colorbar": Colorbar or None}``.
    """
    ax = new_axes(ax, figsize=(5.0, 3.8))
    k = data.eigenvalues.shape[1]
    g = np.repeat(data.strengths, k)
    z = data.eigenvalues.ravel()
    path = ax.scatter(z.real, z.imag, c=g, cmap=CMAP, s=6, linewidths=0, zorder=2)
    out = {"path": path, "marks": [], "critical": [], "annotations": [], "colorbar": None}
    for gamma, eig in zip(data.marks, data.mark_eigenvalues):
        meet = _meeting(eig) if np.any(np.isclose(gamma, data.critical)) else np.zeros(eig.size, bool)
        if meet.any():
            out["critical"].append(_mark(ax, eig[meet], True))
            out["annotations"].append(_annotate(ax, eig[meet], gamma, True))
        if (~meet).any():
            label = None if out["marks"] else ("other eigenvalues at a critical $\\gamma$" if meet.any()
                                               else "eigenvalues at a marked $\\gamma$")
            out["marks"].append(_mark(ax, eig[~meet], False, label))
            if not meet.any():
                out["annotations"].append(_annotate(ax, eig, gamma, False))
    ax.axhline(0, color=PALETTE["grey"], lw=0.6, zorder=0)
    ax.axvline(0, color=PALETTE["grey"], lw=0.6, zorder=0)
    symbol = r"\mu" if data.kind == "discrete" else r"\lambda"
    out["unit_circle"] = _unit_circle(ax) if data.kind == "discrete" else None
    ax.set_xlabel(f"Re ${symbol}$")
    ax.set_ylabel(f"Im ${symbol}$")
    ax.margins(0.12)
    ax.set_title(title or path_title(data))
    if colorbar:
        out["colorbar"] = ax.figure.colorbar(path, ax=ax, label=f"strength $\\gamma$ ({data.reg})")
    if out["critical"] or out["marks"] or out["unit_circle"]:
        ax.legend(loc="best", fontsize=7)
    return out


def path_title(data: PathData) -> str:
    """``dirac: eigenvalues as the r1 strength grows`` (+ ``, update map of simgd, h = 0.5``)."""
    what = "update-map eigenvalues" if data.kind == "discrete" else "eigenvalues of J"
    scheme = f"\n{data.scheme}, h = {data.step:g}" if data.scheme else ""
    return f"{data.model}: {what} as the {data.reg} strength grows{scheme}"


def _unit_circle(ax):
    t = np.linspace(0, 2 * np.pi, 721)
    (line,) = ax.plot(np.cos(t), np.sin(t), color=ROLES["stable_edge"], lw=1.0, zorder=1,
                      label="unit circle $|\\mu| = 1$ (stable inside)")
    ax.set_aspect("equal", adjustable="datalim")
    return line


def _meeting(eig, rtol=1e-5):
    """Eigenvalues that coincide with another one (numerically split Jordan blocks)."""
    gap = np.abs(eig[:, None] - eig[None, :])
    np.fill_diagonal(gap, np.inf)
    return np.any(gap <= rtol * np.maximum(1.0, np.abs(eig))[:, None], axis=1)


def _mark(ax, eig, is_critical, label=None):
    if is_critical:
        return ax.scatter(eig.real, eig.imag, marker="*", s=150, color=ROLES["critical"],
                          edgecolor="black", linewidths=0.6, zorder=4, label="eigenvalues meet")
    return ax.scatter(eig.real, eig.imag, marker="o", s=30, facecolor="white",
                      edgecolor=ROLES["marked"], linewidths=1.0, zorder=3, label=label)


def _annotate(ax, eig, gamma, is_critical):
    top = eig[np.argmax(eig.imag)]
    text = f"$\\gamma$ = {gamma:.3g}" + (" (critical)" if is_critical else "")
    offset = (0, -16) if is_critical else (6, 6)
    return ax.annotate(text, (top.real, top.imag), xytext=offset, textcoords="offset points",
                       fontsize=8, ha="center" if is_critical else "left",
                       va="top" if is_critical else "bottom",
                       bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
