r"""Sweeps over strength, step size, scheme and seed: spectral radii of the update maps, and
optionally simulated rates, as one table.

The Jacobian at the equilibrium is generated once as a function of the strength
(:class:`~jacobian_lab.strengths.StrengthFamily`); each step size then costs one batch of update
matrices over every strength and their eigenvalues, in this process. Simulations
(``simulate=True``) are the expensive part: one task per (scheme, seed, strength) simulates every
step size, and the tasks run where :func:`jacobian_lab.parallel.executor` says (this process, a
local Dask cluster, or a remote scheduler), streaming back into the table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..analysis import jacobian, regularized_game, split_params
from ..errors import JacobianLabError, check_int, check_positive
from ..parallel import check_workers, executor, map_tasks, max_workers
from ..schemes import make_scheme, update_matrix
from ..schemes.linearize import spectral_radii
from ..strengths import StrengthFamily

#: From this many simulated cells on, a sweep given neither ``workers`` nor ``scheduler`` starts a
#: local Dask cluster with one worker per core.
PARALLEL_THRESHOLD = 4000
#: Most cells (strengths x step sizes x schemes x seeds) of one sweep.
MAX_CELLS = 2_000_000
#: Most simulated iterations (cells x steps) of one sweep.
MAX_SIMULATED_STEPS = 10**10


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Spectral radii (and simulated rates) of one scheme over ``gammas x lrs``.

    Attributes
    ----------
    gammas, lrs : ndarray
    spectral_radius : ndarray, shape (len(gammas), len(lrs))
        Of the update map at the equilibrium; ``< 1`` is locally stable.
    simulated_rate : ndarray or None
        Median empirical rate of :func:`~jacobian_lab.dynamics.simulate` from ``x0`` (``nan`` where
        every start diverged).
    info : dict
    table : pandas.DataFrame
        The same numbers, one row per cell, with the parameters as columns.
    """

    gammas: np.ndarray
    lrs: np.ndarray
    spectral_radius: np.ndarray
    simulated_rate: np.ndarray | None
    info: dict
    table: object = None

    @property
    def stable(self) -> np.ndarray:
        return self.spectral_radius < 1

    def best(self) -> dict:
        """The fastest cell: ``{"gamma", "lr", "spectral_radius", "simulated_rate"}`` (smallest radius)."""
        i, j = np.unravel_index(np.nanargmin(self.spectral_radius), self.spectral_radius.shape)
        rate = None if self.simulated_rate is None else float(self.simulated_rate[i, j])
        return {"gamma": float(self.gammas[i]), "lr": float(self.lrs[j]),
                "spectral_radius": float(self.spectral_radius[i, j]),
                "simulated_rate": rate if rate is not None and np.isfinite(rate) else None}

    def largest_stable_lr(self) -> np.ndarray:
        """Per strength, the largest swept step size with radius ``< 1`` (``nan`` if none)."""
        stable_lrs = np.where(self.stable, self.lrs[None, :], np.nan)
        out = np.full(self.gammas.size, np.nan)
        some = self.stable.any(axis=1)
        out[some] = np.nanmax(stable_lrs[some], axis=1)
        return out


def _values(name, values):
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise JacobianLabError(f"{name} must be a non-empty list of finite numbers, got {values!r}") from None
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise JacobianLabError(f"{name} must be a non-empty list of finite numbers")
    return array


def sweep(model, reg, gammas, lrs, scheme="simgd", *, simulate=False, steps=300, x0=None, scheduler=None,
          workers=None, progress=None, **params) -> SweepResult:
    """Spectral radius of one scheme's update map over a grid of strengths and step sizes.

    Parameters
    ----------
    model, reg, gammas, lrs, simulate, steps, x0, scheduler, workers, progress, **params
        As for :func:`sweep_table`.
    scheme : str
        Any scheme with an update-map Jacobian; ``lr`` sets its step size.

    Returns
    -------
    SweepResult
    """
    table = sweep_table(model, reg, gammas, lrs, scheme, simulate=simulate, steps=steps, x0=x0,
                        scheduler=scheduler, workers=workers, progress=progress, **params)
    model_params, scheme_params = split_params(params)
    (result,) = results(table, {"model": str(model), "reg": reg,
                                "parameters": {**model_params, **scheme_params}}).values()
    return result


def results(table, info=None) -> dict:
    """``{scheme: SweepResult}`` of a :func:`sweep_table` table (simulated rates: median over seeds)."""
    out = {}
    for scheme, part in table.groupby("scheme", sort=False):
        gammas, lrs = np.unique(part["gamma"].to_numpy()), np.unique(part["lr"].to_numpy())
        cells = part.groupby(["gamma", "lr"], sort=True)
        shape = (gammas.size, lrs.size)
        radius = cells["spectral_radius"].first().to_numpy().reshape(shape)
        rates = cells["simulated_rate"].median().to_numpy().reshape(shape) if "simulated_rate" in part else None
        out[scheme] = SweepResult(gammas, lrs, radius, rates, {**(info or {}), "scheme": str(scheme)}, part)
    return out


def sweep_table(model, reg, gammas, lrs, schemes="simgd", *, seeds=None, simulate=False, steps=300, x0=None,
                noise=0.0, scheduler=None, workers=None, progress=None, **params):
    """Spectral radii (and simulated rates) over strengths x step sizes x schemes x seeds.

    Parameters
    ----------
    model, reg : as for :func:`jacobian_lab.spectrum` (``reg`` names one regularizer, or ``None``).
    gammas, lrs : sequences of float
        Strengths (>= 0) and step sizes (> 0).
    schemes : str or sequence of str
        Schemes with an update-map Jacobian.
    seeds : sequence of int, optional
        With ``simulate``: one simulation per seed, from the equilibrium plus a standard normal
        offset drawn from that seed (unless ``x0`` is given), with gradient noise ``noise`` seeded
        by it. ``None``: one simulation from ``x0`` (default the equilibrium plus ones).
    simulate : bool
        Also simulate ``steps`` iterations at every cell and report the empirical rate
        (:attr:`~jacobian_lab.dynamics.Trajectory.rate`, median over the starts).
    scheduler : None, str or Executor
        Where the simulations run: ``"tcp://host:port"`` of a Dask scheduler, or an executor
        (:func:`jacobian_lab.parallel.executor`).
    workers : int, optional
        Local Dask worker processes (1 to the number of cores; 1 runs in this process). Default:
        one per core from :data:`PARALLEL_THRESHOLD` simulated cells on, else this process.
    **params
        Model parameters and the schemes' other parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``scheme``, [``seed``], ``gamma``, ``lr``, ``spectral_radius``,
        [``simulated_rate``]; one row per cell, in that order of nesting. The result does not
        depend on where the tasks ran.
    """
    import pandas as pd

    gammas, lrs = _values("gammas", gammas), _values("lrs", lrs)
    schemes = [schemes] if isinstance(schemes, str) else list(schemes)
    seed_list = [None] if seeds is None else [check_int("seed", s, minimum=0) for s in seeds]
    _check_sizes(gammas, lrs, schemes, seed_list, simulate, steps)
    if workers is not None:
        check_workers(workers)
    if "lr" in params:
        raise JacobianLabError("a sweep varies the step size over lrs; do not pass lr as well")
    model_params, scheme_params = split_params(params)
    radius = {s: _radii(model, reg, gammas, lrs, s, model_params, scheme_params) for s in schemes}
    cells = list(itertools.product(schemes, seed_list, range(gammas.size)))
    rows = {"scheme": [], "seed": [], "gamma": [], "lr": [], "spectral_radius": []}
    for s, seed, i in cells:
        rows["scheme"] += [s] * lrs.size
        rows["seed"] += [seed] * lrs.size
        rows["gamma"] += [gammas[i]] * lrs.size
        rows["lr"] += list(lrs)
        rows["spectral_radius"] += list(radius[s][i])
    if seeds is None:
        del rows["seed"]
    table = pd.DataFrame(rows)
    if simulate:
        tasks = [(model, reg, s, gammas[i], seed, lrs, model_params, scheme_params, steps, x0, noise)
                 for s, seed, i in cells]
        if scheduler is None and workers is None and len(table) >= PARALLEL_THRESHOLD:
            workers = max_workers()
        with executor(scheduler, workers) as pool:
            rates = map_tasks(simulated_row, tasks, pool, progress, desc="sweep")
        table["simulated_rate"] = np.concatenate(rates)
    return table


def _check_sizes(gammas, lrs, schemes, seeds, simulate, steps):
    if np.any(gammas < 0):
        raise JacobianLabError("gammas must be >= 0")
    for lr in lrs:
        check_positive("lr", lr)
    if not schemes:
        raise JacobianLabError("give at least one scheme")
    cells = gammas.size * lrs.size * len(schemes) * len(seeds)
    if cells > MAX_CELLS:
        raise JacobianLabError(f"the sweep has {cells} cells; at most {MAX_CELLS}")
    steps = check_int("steps", steps, minimum=1)
    if simulate and cells * steps > MAX_SIMULATED_STEPS:
        raise JacobianLabError(f"{cells} cells x {steps} steps is more than {MAX_SIMULATED_STEPS:.0e} iterations")


def _radii(model, reg, gammas, lrs, scheme, model_params, scheme_params):
    """``(len(gammas), len(lrs))`` spectral radii, one batch of update matrices per step size."""
    game = regularized_game(model, **model_params).game
    methods = [make_scheme(scheme, len(game.theta), game.dim, **{**scheme_params, "lr": lr}) for lr in lrs]
    jacobians = strength_jacobians(model, reg, gammas, **model_params)
    return np.stack([spectral_radii(update_matrix(m, jacobians)) for m in methods], axis=1)


def strength_jacobians(model, reg, gammas, **model_params) -> np.ndarray:
    """``(len(gammas), d, d)``: :math:`J(\\gamma)` at the equilibrium (``reg`` ``None``: :math:`J` repeated)."""
    if reg in (None, "none"):
        jac = jacobian(model, **model_params)
        return np.broadcast_to(jac, (len(gammas),) + jac.shape)
    return StrengthFamily(model, reg, **model_params).jacobians(gammas)


def simulated_row(task) -> np.ndarray:
    """The simulated rates of one (scheme, seed, strength) over every step size (a worker's task)."""
    from .simulate import simulate as run

    model, reg, scheme, gamma, seed, lrs, model_params, scheme_params, steps, x0, noise = task
    gamma = float(gamma) if reg not in (None, "none") else None
    if seed is not None and x0 is None:
        x_star = np.array([float(e) for e in regularized_game(model, reg, gamma, **model_params).equilibrium])
        x0 = x_star + np.random.default_rng(seed).standard_normal(x_star.size)
    rates = []
    for lr in lrs:
        tr = run(model, reg, gamma, scheme, steps=steps, x0=x0, noise=noise, seed=seed, progress=False,
                 **model_params, **{**scheme_params, "lr": float(lr)})
        finite = tr.rate[np.isfinite(tr.rate)]
        rates.append(float(np.median(finite)) if finite.size else float("nan"))
    return np.array(rates)
