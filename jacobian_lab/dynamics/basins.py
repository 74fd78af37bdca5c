"""Convergence maps: steps to converge or to diverge over a grid of initial states (basins)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np

from ..analysis import regularized_game, split_params
from ..errors import JacobianLabError, check_int
from ..schemes import make_scheme
from .simulate import MAX_MEMORY, check_size, choose_backend, simulate


@dataclass(frozen=True, eq=False)
class ConvergenceMap:
    """Outcome of every start on a 2-D grid.

    Attributes
    ----------
    x, y : ndarray, shape (nx,), (ny,)
        Grid values of the two coordinates ``axes`` (the others sit at the equilibrium).
    converged_at : ndarray of int, shape (ny, nx)
        First step within ``tol`` of the equilibrium, ``-1`` if never within ``steps``.
    diverged_at : ndarray of int, shape (ny, nx)
        Step of divergence, ``-1`` if none.
    final_distance : ndarray, shape (ny, nx)
        Distance to the equilibrium after ``steps`` (``inf`` where diverged).
    axes : tuple of int
    info : dict
    """

    x: np.ndarray
    y: np.ndarray
    converged_at: np.ndarray
    diverged_at: np.ndarray
    final_distance: np.ndarray
    axes: tuple
    info: dict

    def summary(self) -> dict:
        """Counts and the median number of steps to converge, JSON-ready."""
        converged, diverged = self.converged_at >= 0, self.diverged_at >= 0
        return {"grid": list(self.converged_at.T.shape), "converged": int(converged.sum()),
                "diverged": int(diverged.sum()), "neither": int((~converged & ~diverged).sum()),
                "median_steps_to_converge": float(np.median(self.converged_at[converged])) if converged.any()
                else None}


def parse_box(box, name="box") -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` from a sequence or ``"a,b,c,d"``, finite and ordered."""
    values = box.split(",") if isinstance(box, str) else box
    try:
        numbers = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise JacobianLabError(f"{name} must be four numbers xmin,xmax,ymin,ymax, got {box!r}") from None
    if len(numbers) != 4 or not all(np.isfinite(numbers)) or numbers[0] >= numbers[1] or numbers[2] >= numbers[3]:
        raise JacobianLabError(f"{name} must be four finite numbers xmin < xmax, ymin < ymax, got {box!r}")
    return numbers


def convergence_map(model, reg=None, gamma=None, scheme="simgd", *, grid=(100, 100), box=(-2, 2, -2, 2),
                    axes=(0, 1), steps=500, tol=1e-6, **kwargs) -> ConvergenceMap:
    """Simulate every start of an ``nx x ny`` grid over ``box`` and report when each converged or diverged.

    ``axes`` picks the two coordinates that vary (default the first two: for 2-D games
    :math:`(\\theta, \\psi)`); the other coordinates start at the equilibrium. Other keywords are
    passed to :func:`~jacobian_lab.dynamics.simulate` (``lr``, model and scheme parameters, ...).
    """
    nx, ny = _grid(grid)
    xmin, xmax, ymin, ymax = parse_box(box)
    if "x0" in kwargs:
        raise JacobianLabError("a convergence map starts from its grid; x0 cannot be given as well")
    probe = simulate(model, reg, gamma, scheme, steps=1, tol=tol, **kwargs)
    x_star = probe.equilibrium
    _check_grid(model, reg, gamma, scheme, nx * ny, steps, kwargs)
    x, y = np.linspace(xmin, xmax, nx), np.linspace(ymin, ymax, ny)
    i, j = _axes(axes, x_star.size)
    starts = np.tile(x_star, (nx * ny, 1))
    grid_x, grid_y = np.meshgrid(x, y)
    starts[:, i], starts[:, j] = grid_x.ravel(), grid_y.ravel()
    tr = simulate(model, reg, gamma, scheme, steps=steps, x0=starts, tol=tol, **kwargs)
    final = np.where(tr.diverged, np.inf, np.sqrt(((tr.final - x_star) ** 2).sum(axis=1)))
    shape = (ny, nx)
    return ConvergenceMap(x, y, tr.converged_at.reshape(shape), tr.diverged_at.reshape(shape),
                          final.reshape(shape), (i, j), {**tr.info, "steps": steps, "tol": tol})


def _grid(grid) -> tuple[int, int]:
    if isinstance(grid, str) or not hasattr(grid, "__len__") or len(grid) != 2:
        raise JacobianLabError(f"grid must be two sizes (nx, ny), got {grid!r}")
    return check_int("grid width", grid[0]), check_int("grid height", grid[1])


def grid_memory(rg, n) -> int:
    """Bytes of a convergence map's own arrays for ``n`` starts: starts, mesh, distances, outcomes."""
    return 8 * n * (rg.game.dim + 6)


def _check_grid(model, reg, gamma, scheme, n, steps, kwargs):
    """The simulation's bound (:func:`~.simulate.check_size`) plus the grid's own arrays, before allocating."""
    names = set(inspect.signature(simulate).parameters)
    model_params, scheme_params = split_params({k: v for k, v in kwargs.items() if k not in names})
    rg = regularized_game(model, reg, gamma, **model_params)
    method = make_scheme(scheme, len(rg.game.theta), rg.game.dim, **scheme_params)
    backend = choose_backend(kwargs.get("backend", "auto"), n * steps, method, kwargs.get("noise", 0.0))
    max_memory = kwargs.get("max_memory", MAX_MEMORY)
    check_size(rg, n, steps, kwargs.get("record_every"), max_memory - grid_memory(rg, n), method.memory, backend)


def _axes(axes, dim):
    try:
        i, j = (int(a) for a in axes)
    except (TypeError, ValueError):
        raise JacobianLabError(f"axes must be two coordinate indices, got {axes!r}") from None
    if not (0 <= i < dim and 0 <= j < dim and i != j):
        raise JacobianLabError(f"axes must be two different indices in 0..{dim - 1}, got {axes!r}")
    return i, j
