r"""Eigenvalues in the complex plane with the stability region of a scheme.

For a step :math:`h`, simultaneous GD is stable at eigenvalue :math:`\lambda` of :math:`J` iff
:math:`|1 + h\lambda| < 1`, the disc of radius :math:`1/h` about :math:`-1/h` (Mescheder, Nowozin &
Geiger 2017, "The Numerics of GANs"). For another scheme the region is
:math:`\{\lambda : \rho(F'_\lambda) < 1\}` with :math:`F'_\lambda` the update map's Jacobian for the
linear field whose Jacobian is the normal block :math:`\begin{pmatrix}a & -b\\ b & a\end{pmatrix}`,
:math:`\lambda = a + ib`, computed on a grid (:func:`jacobian_lab.schemes.linearize.normal_block_radii`).
For schemes that treat every coordinate alike (``Scheme.treats_players_alike``: simgd,
extragradient, optimistic, simultaneous momentum) this is exact; for schemes that distinguish the
players (altgd, cgd, alternating updates, TTUR) the update map depends on more than :math:`\lambda`
and the region is that of normal blocks only (the plot says so).
A discrete spectrum is drawn against the unit circle, which is exact for every scheme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle, Patch, Polygon, Rectangle

from ..analysis import resolve_scheme
from ..schemes import Scheme, make_scheme
from ..schemes.linearize import normal_block_radii
from ..spectra.spectrum import Spectrum
from .style import CYCLE, PALETTE, ROLES, new_axes, styled

MARKERS = ("o", "s", "^", "D", "v", "P", "X")


@dataclass(frozen=True)
class StabilityMap:
    """Spectral radius of a scheme's update map over a grid of :math:`\\lambda = a + ib`."""

    real: np.ndarray
    imag: np.ndarray
    radius: np.ndarray  # (len(imag), len(real))
    scheme: str
    lr: float
    exact: bool


def stability_map(scheme="simgd", lr=0.1, extent=(-3.0, 1.0, -2.0, 2.0), n=201, **params) -> StabilityMap:
    """:math:`\\rho` of the update map on an ``n x n`` grid of eigenvalues in ``extent``.

    Parameters
    ----------
    scheme : str or Scheme
    lr : float
        Step size :math:`h`.
    extent : (re_min, re_max, im_min, im_max)
    n : int
        Grid points per axis.
    **params
        Other scheme parameters (``beta``, ``n_g`` ...).
    """
    if isinstance(scheme, Scheme):  # rebuilt on one 2x2 block
        params = {**{k: v for k, v in scheme.values.items() if v is not None}, **params}
        lr, scheme = params.pop("lr", lr), scheme.name
    method = make_scheme(scheme, 1, 2, lr=lr, **params)
    real = np.linspace(extent[0], extent[1], n)
    imag = np.linspace(extent[2], extent[3], n)
    radius = normal_block_radii(method, real[None, :] + 1j * imag[:, None])
    return StabilityMap(real, imag, radius, method.name, float(method.lr[0]), method.treats_players_alike)


def _as_list(spectra):
    return [spectra] if isinstance(spectra, Spectrum) else list(spectra)


def _extent(points, scheme_region):
    pts = np.concatenate([np.atleast_1d(p) for p in points]) if points else np.zeros(1)
    re = np.r_[pts.real, scheme_region[:2]]
    im = np.r_[pts.imag, scheme_region[2:]]
    span = max(np.ptp(re), np.ptp(im), 1e-3)
    pad = 0.15 * span
    return (re.min() - pad, re.max() + pad, im.min() - pad, im.max() + pad)


@styled
def eigenvalue_plot(spectra, ax=None, scheme=None, lr=None, labels=None, extent=None, n=201,
                    title=None, legend=True, **scheme_params):
    """Eigenvalues in the complex plane with the stability region.

    Parameters
    ----------
    spectra : Spectrum or sequence of Spectrum
        Continuous spectra (eigenvalues of :math:`J`) or discrete ones (of an update map).
    ax : matplotlib Axes, optional
    scheme : str, optional
        For continuous spectra: draw this scheme's region in the :math:`\\lambda` plane
        (``simgd``: the disc :math:`|1 + h\\lambda| < 1`). ``None``: the half-plane
        :math:`\\operatorname{Re}\\lambda < 0` of the flow. Discrete spectra always get the unit
        disc :math:`|\\mu| < 1`.
    lr : float, optional
        Step size :math:`h` of ``scheme`` (default the scheme's default).
    labels : sequence of str, optional
        Legend entries, one per spectrum.
    extent : (re_min, re_max, im_min, im_max), optional
        Default: the eigenvalues (and, for ``simgd``, the disc) with a margin.

    Returns
    -------
    dict
        ``{"eigenvalues": [PathCollection ...], "region": [artists], "annotations": [Text ...]}``.
    """
    ax = new_axes(ax)
    spectra = _as_list(spectra)
    discrete = bool(spectra) and spectra[0].kind == "discrete"
    artists = {"eigenvalues": [], "region": [], "annotations": []}
    if discrete:
        extent = extent or _extent([s.eigenvalues for s in spectra], (-1.05, 1.05, -1.05, 1.05))
        artists["region"] += _unit_disc(ax)
        xlabel, ylabel = r"Re $\mu$", r"Im $\mu$"
        default_title = "update-map eigenvalues $\\mu$ (stable: $|\\mu| < 1$)"
    else:
        xlabel, ylabel = r"Re $\lambda$", r"Im $\lambda$"
        extent, region, default_title = _continuous_region(ax, spectra, scheme, lr, extent, n, scheme_params)
        artists["region"] += region
    for i, s in enumerate(spectra):
        label = labels[i] if labels else None
        artists["eigenvalues"].append(_scatter(ax, s.eigenvalues, i, label))
        artists["annotations"] += _multiplicities(ax, s.eigenvalues)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.axhline(0, color=PALETTE["grey"], lw=0.6, zorder=0)
    ax.axvline(0, color=PALETTE["grey"], lw=0.6, zorder=0)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(default_title if title is None else title)
    if legend:
        ax.legend(handles=_legend_handles(ax, artists["region"]), loc="upper left", fontsize=7)
    artists["inset"] = _circle_inset(ax, spectra) if discrete else None
    return artists


#: Eigenvalues this close to the unit circle (relative) make a panel need a zoomed inset.
ON_CIRCLE = 0.02


def _circle_inset(ax, spectra):
    """A zoom on the eigenvalue of largest modulus when every eigenvalue sits on the unit circle.

    At page scale ``|mu| = 0.999`` and ``1.001`` look the same; the inset spans a few times the
    distance to the circle, so inside and outside can be told apart. Returns the inset Axes or None.
    """
    lam = np.concatenate([s.eigenvalues for s in spectra])
    if lam.size == 0 or np.any(np.abs(np.abs(lam) - 1) > ON_CIRCLE):
        return None
    top = lam[np.argmax(np.abs(lam) + 1e-12 * lam.imag)]
    half = max(4 * float(np.max(np.abs(np.abs(lam) - 1))), 2e-3)
    inset = ax.inset_axes([0.12, 0.05, 0.34, 0.34])  # lower left: the eigenvalues sit on the right
    t = np.linspace(0, 2 * np.pi, 4001)
    inset.plot(np.cos(t), np.sin(t), color=ROLES["stable_edge"], lw=1.0)
    for i, s in enumerate(spectra):
        _scatter(inset, s.eigenvalues, i, None)
    inset.set_xlim(top.real - half, top.real + half)
    inset.set_ylim(top.imag - half, top.imag + half)
    inset.set_aspect("equal", adjustable="box")
    inset.tick_params(labelsize=5)
    inset.text(0.5, 0.96, f"zoom: $|\\mu|$ = {abs(top):.6g}", transform=inset.transAxes, ha="center", va="top",
               fontsize=6, bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 0.5})
    ax.indicate_inset_zoom(inset, edgecolor="0.3")
    return inset


def _legend_handles(ax, region):
    handles = list(ax.get_legend_handles_labels()[0])
    if region and not any(isinstance(h, Circle | Rectangle | Polygon) for h in handles):
        handles.insert(0, Patch(facecolor=to_rgba(ROLES["region"], 0.35), edgecolor=ROLES["stable_edge"],
                                label=r"stable: $\rho < 1$"))
    return handles


def _continuous_region(ax, spectra, scheme, lr, extent, n, scheme_params):
    method = resolve_scheme(scheme, 1, 2, {**({"lr": lr} if lr is not None else {}), **scheme_params})
    if method is None or method.capabilities.continuous:
        extent = extent or _extent([s.eigenvalues for s in spectra], (0, 0, 0, 0))
        patch = ax.axvspan(extent[0] - abs(extent[0]), 0, color=ROLES["region"], alpha=0.25, lw=0,
                           label=r"stable: Re $\lambda < 0$")
        return extent, [patch], "eigenvalues $\\lambda$ of $J$ (stable: Re $\\lambda < 0$)"
    h = float(method.lr[0])
    disc = method.stability_disc()
    if disc is not None:
        center, radius, formula = disc
        box = (center - radius, center + radius, -radius, radius)
        extent = extent or _extent([s.eigenvalues for s in spectra], box)
        patch = Circle((center, 0), radius, facecolor=to_rgba(ROLES["region"], 0.3),
                       edgecolor=ROLES["stable_edge"], lw=1.2, label=f"stable: ${formula}$")
        ax.add_patch(patch)
        return extent, [patch], f"eigenvalues $\\lambda$ of $J$, {method.name} region (h = {h:g})"
    extent = extent or _extent([s.eigenvalues for s in spectra], (-0.2, 0.05, -0.1, 0.1))
    grid = stability_map(method, h, extent=extent, n=n)
    region = _draw_region(ax, grid)
    note = "" if grid.exact else " (normal blocks)"
    return extent, region, f"eigenvalues $\\lambda$ of $J$, {method.name} region{note} (h = {h:g})"


def _draw_region(ax, grid: StabilityMap):
    inside = np.where(np.isfinite(grid.radius), grid.radius, np.inf)
    fill = ax.contourf(grid.real, grid.imag, inside, levels=[0, 1], colors=[ROLES["region"]], alpha=0.35)
    edge = ax.contour(grid.real, grid.imag, inside, levels=[1], colors=[ROLES["stable_edge"]],
                      linewidths=1.2)
    return [fill, edge]


def _unit_disc(ax):
    disc = Circle((0, 0), 1, facecolor=to_rgba(ROLES["region"], 0.3), edgecolor=ROLES["stable_edge"],
                  lw=1.2, label=r"stable: $|\mu| < 1$")
    ax.add_patch(disc)
    return [disc]


#: Colours of the first, second, ... spectrum in one plot: no two alike (the cycle without the first).
SPECTRUM_COLORS = [ROLES["eigenvalue"]] + [c for c in CYCLE if c != ROLES["eigenvalue"]]


def _scatter(ax, eigenvalues, index, label):
    color = SPECTRUM_COLORS[index % len(SPECTRUM_COLORS)]
    return ax.scatter(eigenvalues.real, eigenvalues.imag, s=36, marker=MARKERS[index % len(MARKERS)],
                      color=color, edgecolor="black", linewidths=0.5, zorder=3, label=label)


def _multiplicities(ax, eigenvalues, tol=1e-9):
    texts = []
    values, counts = _group(eigenvalues, tol)
    for z, count in zip(values, counts):
        if count > 1:
            texts.append(ax.annotate(f"×{count}", (z.real, z.imag), xytext=(6, 6),
                                     textcoords="offset points", fontsize=8))
    return texts


def _group(eigenvalues, tol):
    values, counts = [], []
    for z in eigenvalues:
        for i, v in enumerate(values):
            if abs(z - v) <= tol * max(1.0, abs(v)):
                counts[i] += 1
                break
        else:
            values.append(z)
            counts.append(1)
    return values, counts
