r"""Phase portraits: the regularized field, trajectories of a scheme, equilibrium, nullclines.

The field is :math:`v(x) = (-\nabla_\theta l_G, -\nabla_\psi l_D)` of the regularized game
(:attr:`jacobian_lab.field.RegularizedGame.numeric_field`); for games of more than two coordinates
a 2-D slice through the equilibrium is drawn (the other coordinates held at their equilibrium
values; the field is projected onto the slice). Nullclines are the zero sets of the two shown
components. Trajectories come from the dynamics engine (:func:`jacobian_lab.simulate`) and are
projected onto the same slice. As in Mescheder, Geiger & Nowozin (2018), Figure 1 and 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from matplotlib.lines import Line2D

from ..analysis import regularized_game, split_params
from ..dynamics.basins import parse_box
from ..errors import JacobianLabError, check_int
from ..schemes import make_scheme
from .style import CMAP, ROLES, new_axes, reg_title, styled
from .trajectories import simulate_states


@dataclass(frozen=True)
class FieldMap:
    """The field on a grid of a 2-D slice.

    ``u[j, i], w[j, i]``: the two shown components at ``(x[i], y[j])``.
    """

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    w: np.ndarray
    equilibrium: np.ndarray  # (2,) in the slice
    axes: tuple  # indices of the shown coordinates
    names: tuple  # axis labels
    title: str
    center: np.ndarray  # (d,) full equilibrium; the slice passes through it
    nullclines: tuple = ()  # (x, y, u, w) on a finer grid, for smooth zero sets
    component_names: tuple = ()  # LaTeX names of the two shown field components
    held: str = ""  # the coordinates held at the equilibrium, "" for a 2-D game


@dataclass(frozen=True)
class PortraitData:
    """Everything a phase portrait draws (``trajectories``: ``(N, T, 2)`` in the slice)."""

    field: FieldMap
    trajectories: np.ndarray | None = None
    diverged: np.ndarray | None = None
    background: np.ndarray | None = None  # (len(y), len(x)) values, or None
    background_label: str = ""
    scheme: str | None = None


def _axis_name(rg, i) -> str:
    var = rg.variables[i]
    player = "generator" if i < len(rg.game.theta) else "discriminator"
    return f"${sp.latex(var)}$ ({player})"


#: Most points per side of a field grid.
MAX_GRID = 2000


def _slice(rg, axes):
    d = rg.game.dim
    axes = (len(rg.game.theta) - 1, len(rg.game.theta)) if axes is None else tuple(axes)
    if (len(axes) != 2 or not all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in axes)
            or axes[0] == axes[1] or not all(0 <= a < d for a in axes)):
        raise JacobianLabError(f"slice must be two different coordinate indices in 0..{d - 1}, got {axes!r}")
    return axes


#: Points per side of the grid the nullclines are traced on (the streamlines use ``n``).
NULLCLINE_N = 201
#: Largest default window, in multiples of the default half-width 2 around the equilibrium.
MAX_ZOOM_OUT = 10.0


def field_map(model, reg=None, gamma=None, extent=None, n=31, axes=None, **params) -> FieldMap:
    """The regularized field on an ``n x n`` grid of a 2-D slice through the equilibrium.

    Parameters
    ----------
    model, reg, gamma, **params
        As for :func:`jacobian_lab.regularized_game`.
    extent : (x_min, x_max, y_min, y_max), optional
        Default: the equilibrium :math:`\\pm 2` in each shown coordinate.
    axes : (int, int), optional
        Indices of the shown coordinates; default the last generator and the first discriminator
        coordinate (``(0, 1)`` for a 2-D game).
    """
    n = check_int("n", n, 3)
    if n > MAX_GRID:
        raise JacobianLabError(f"n must be at most {MAX_GRID} (an n x n grid of field values), got {n}")
    rg = regularized_game(model, reg, gamma, **params)
    axes = _slice(rg, axes)
    eq = np.array([float(sp.N(e)) for e in rg.equilibrium])
    ex = (eq[axes[0]] - 2, eq[axes[0]] + 2, eq[axes[1]] - 2, eq[axes[1]] + 2) if extent is None else \
        parse_box(extent, "extent")
    x, y, u, w = _grid_values(rg, eq, axes, ex, n)
    fine = _grid_values(rg, eq, axes, ex, NULLCLINE_N)
    held = [sp.latex(v) for i, v in enumerate(rg.variables) if i not in axes]
    title = f"{rg.game.name}, {reg_title(rg)}"
    return FieldMap(x, y, u, w, eq[list(axes)], axes, (_axis_name(rg, axes[0]), _axis_name(rg, axes[1])),
                    title, eq, fine, tuple(sp.latex(rg.variables[a]) for a in axes),
                    ", ".join(f"${h}$" for h in held))


def _grid_values(rg, eq, axes, ex, n):
    """``(x, y, u, w)``: the two shown components on an ``n x n`` grid of the slice."""
    x, y = np.linspace(ex[0], ex[1], n), np.linspace(ex[2], ex[3], n)
    points = np.broadcast_to(eq, (n, n, eq.size)).copy()
    points[..., axes[0]], points[..., axes[1]] = np.meshgrid(x, y)
    values = rg.numeric_field(points)
    return x, y, values[..., axes[0]], values[..., axes[1]]


def portrait_data(model, reg=None, gamma=None, scheme="simgd", lr=None, steps=300, x0=None,
                  extent=None, n=31, axes=None, background=None, background_n=41, record_every=1,
                  **params) -> PortraitData:
    """The field, trajectories and (optionally) a convergence-map background for a portrait.

    Parameters
    ----------
    scheme : str or None
        Update scheme of the trajectories (``None``: field only).
    lr, steps, record_every
        Step size, iterations, and recording interval of the simulation.
    x0 : array_like (N, 2), optional
        Starting points in the slice (default: one at the equilibrium ``+ (1, 1)``).
    background : None or "distance"
        ``"distance"``: :math:`\\log_{10}` distance to the equilibrium after ``steps`` iterations,
        from every point of a ``background_n`` grid (:func:`jacobian_lab.convergence_map`).
    **params
        Model parameters and other scheme parameters.
    """
    model_params, scheme_params = _split(params)
    fmap = field_map(model, reg, gamma, extent, n, axes, **model_params)
    if scheme is None:
        return PortraitData(fmap)
    start = (fmap.equilibrium + 1.0)[None] if x0 is None else _points(x0)
    if start.shape[-1] != 2 or start.ndim != 2:
        raise JacobianLabError(f"x0 must be points in the 2-D slice, shape (N, 2); got {start.shape}")
    full = _embed(fmap, start)
    states, diverged = simulate_states(model, reg, gamma, scheme, lr, steps, full, record_every,
                                       model_params, scheme_params)
    states = states[..., list(fmap.axes)]
    if extent is None:
        wider = window_for(fmap.equilibrium, states)
        if wider is not None:
            fmap = field_map(model, reg, gamma, wider, n, axes, **model_params)
    bg = None
    if background is not None:
        bg = _background(model, reg, gamma, scheme, lr, steps, fmap, background, background_n,
                         model_params, scheme_params)
    label = f"log$_{{10}}$ distance after {steps} steps" if bg is not None else ""
    h = lr if lr is not None else make_scheme(scheme, 1, 2, **scheme_params).values.get("lr")
    return PortraitData(fmap, states, diverged, bg, label, f"{scheme}, h = {h:g}")


def window_for(center, states, half=2.0, margin=1.1):
    """A square window around ``center`` that holds the trajectories, or ``None`` if the default does.

    The default half-width ``half`` grows to the trajectories' reach (times ``margin``), at most
    :data:`MAX_ZOOM_OUT` times, so an outward spiral is not clipped and a divergence to infinity
    does not shrink everything to a dot.
    """
    finite = states[np.all(np.isfinite(states), axis=-1)]
    reach = float(np.abs(finite - center).max()) * margin if finite.size else 0.0
    if reach <= half:
        return None
    h = min(reach, MAX_ZOOM_OUT * half)
    return (center[0] - h, center[0] + h, center[1] - h, center[1] + h)


def _points(x0) -> np.ndarray:
    try:
        start = np.atleast_2d(np.asarray(x0, dtype=float))
    except (TypeError, ValueError):
        raise JacobianLabError(f"x0 must be points in the 2-D slice, shape (N, 2); got {x0!r}") from None
    if not np.all(np.isfinite(start)):
        raise JacobianLabError(f"x0 must be finite, got {x0!r}")
    return start


def _split(params):
    """Model and scheme keywords (``lr`` is an explicit argument here), by the scheme registry."""
    return split_params(params)


def _embed(fmap: FieldMap, points2d):
    """Points of the slice as full states (other coordinates at the equilibrium)."""
    full = np.broadcast_to(fmap.center, (len(points2d), fmap.center.size)).copy()
    full[:, fmap.axes[0]], full[:, fmap.axes[1]] = points2d[:, 0], points2d[:, 1]
    return full


def _background(model, reg, gamma, scheme, lr, steps, fmap, kind, n, model_params, scheme_params):
    from ..dynamics import convergence_map

    if kind != "distance":
        raise JacobianLabError(f"unknown background {kind!r}; accepted: distance")
    params = {**model_params, **scheme_params, **({"lr": lr} if lr is not None else {})}
    box = (fmap.x[0], fmap.x[-1], fmap.y[0], fmap.y[-1])
    result = convergence_map(model, reg, gamma, scheme, grid=(n, n), box=box, axes=fmap.axes, steps=steps,
                             progress=False, **params)
    return np.log10(np.clip(result.final_distance, 1e-12, 1e12))


@styled
def phase_portrait(data: PortraitData, ax=None, density=1.0, nullclines=True, legend=True, title=None):
    """Draw a phase portrait.

    Returns
    -------
    dict
        ``{"streamlines": StreamplotSet, "nullclines": [ContourSet ...], "trajectories":
        [Line2D ...], "starts": [...], "equilibrium": Line2D, "background": QuadMesh or None}``.
    """
    ax = new_axes(ax, figsize=(4.2, 3.8))
    f = data.field
    out = {"background": None, "nullclines": [], "trajectories": [], "starts": []}
    if data.background is not None:
        out["background"] = _draw_background(ax, data)
    speed = np.hypot(f.u, f.w)
    out["streamlines"] = ax.streamplot(f.x, f.y, f.u, f.w, density=density, color=ROLES["field"],
                                       linewidth=0.7, arrowsize=0.8, zorder=1)
    if nullclines and np.all(np.isfinite(speed)):
        out["nullclines"] = _draw_nullclines(ax, f)
    if data.trajectories is not None:
        out["trajectories"], out["starts"] = _draw_trajectories(ax, data)
    (out["equilibrium"],) = ax.plot(*f.equilibrium, marker="*", ms=11, color=ROLES["equilibrium"],
                                    mec="white", mew=0.6, ls="none", zorder=5)
    ax.set_xlim(f.x[0], f.x[-1])
    ax.set_ylim(f.y[0], f.y[-1])
    ax.set_xlabel(f.names[0])
    ax.set_ylabel(f.names[1])
    ax.set_title(title if title is not None else _title(data))
    if legend:
        ax.legend(handles=legend_handles(nullclines, data.trajectories is not None, f.component_names),
                  loc="lower left", fontsize=7)
    if f.held:
        out["held_note"] = ax.text(0.99, 0.01, f"slice through the equilibrium; {f.held} held there",
                                   transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
                                   color="0.25", bbox={"fc": "white", "ec": "none", "alpha": 0.8})
    return out


def _title(data):
    if data.scheme is None:
        return data.field.title
    return f"{data.field.title}\n{data.scheme}"


def _draw_background(ax, data):
    f = data.field
    n = data.background.shape[0]
    x = np.linspace(f.x[0], f.x[-1], n)
    y = np.linspace(f.y[0], f.y[-1], n)
    mesh = ax.pcolormesh(x, y, data.background, cmap=CMAP, shading="nearest", alpha=0.8, zorder=0,
                         rasterized=True)
    ax.figure.colorbar(mesh, ax=ax, label=data.background_label)
    return mesh


def _draw_nullclines(ax, f: FieldMap):
    """Zero sets of the two shown components, traced on the finer grid ``f.nullclines``."""
    x, y, u, w = f.nullclines or (f.x, f.y, f.u, f.w)
    out = []
    for values, role in ((u, "nullcline_generator"), (w, "nullcline_discriminator")):
        if np.ptp(values) > 0 and values.min() < 0 < values.max():
            out.append(ax.contour(x, y, values, levels=[0], colors=[ROLES[role]],
                                  linewidths=1.2, linestyles="--", zorder=2))
    return out


def _draw_trajectories(ax, data):
    lines, starts = [], []
    for path in data.trajectories:
        ok = np.all(np.isfinite(path), axis=-1)
        path = path[: np.argmin(ok) if not ok.all() else len(path)]
        lines += ax.plot(path[:, 0], path[:, 1], color=ROLES["trajectory"], lw=1.3, zorder=3)
        starts += ax.plot(path[:1, 0], path[:1, 1], "o", ms=4, color=ROLES["trajectory"], zorder=4)
    return lines, starts


def legend_handles(nullclines=True, trajectories=True, components=("\\theta", "\\psi")):
    """Proxy artists explaining a portrait's marks (for a legend shared by several panels).

    ``components``: LaTeX names of the shown coordinates; each nullcline is labelled with the field
    component it is the zero set of (:math:`v_{\\theta_2} = 0` in a slice).
    """
    gen, dis = components or ("\\theta", "\\psi")
    handles = [Line2D([], [], color=ROLES["field"], lw=0.8, label="field $v(x)$")]
    if nullclines:
        handles += [Line2D([], [], color=ROLES["nullcline_generator"], ls="--",
                           label=f"$v_{{{gen}}} = 0$"),
                    Line2D([], [], color=ROLES["nullcline_discriminator"], ls="--",
                           label=f"$v_{{{dis}}} = 0$")]
    if trajectories:
        handles.append(Line2D([], [], color=ROLES["trajectory"], marker="o", ms=3, label="trajectory"))
    handles.append(Line2D([], [], color=ROLES["equilibrium"], marker="*", ls="none", ms=9,
                          label="equilibrium"))
    return handles
