r"""Sweeps over strength and step size: spectral radii of the update map, optionally simulated rates.

The Jacobian at the equilibrium is generated once as a function of the strength
(:class:`~jacobian_lab.strengths.StrengthFamily`); each step size then costs one batch of update
matrices over every strength (:func:`~jacobian_lab.schemes.update_matrix`) and their eigenvalues.
Simulated rates (``simulate=True``) run row by row, in parallel over the cores (processes) when the
grid is large, with a progress bar.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ..analysis import jacobian, regularized_game, split_params
from ..errors import JacobianLabError, check_positive
from ..schemes import make_scheme, update_matrix
from ..schemes.linearize import spectral_radii
from ..strengths import StrengthFamily

#: Below this many simulated grid cells a sweep runs in one process.
PARALLEL_THRESHOLD = 4000


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Spectral radii (and simulated rates) over ``gammas x lrs``.

    Attributes
    ----------
    gammas, lrs : ndarray
    spectral_radius : ndarray, shape (len(gammas), len(lrs))
        Of the update map at the equilibrium; ``< 1`` is locally stable.
    simulated_rate : ndarray or None
        Median empirical rate of :func:`~jacobian_lab.dynamics.simulate` from ``x0`` (``nan`` where
        every start diverged).
    info : dict
    """

    gammas: np.ndarray
    lrs: np.ndarray
    spectral_radius: np.ndarray
    simulated_rate: np.ndarray | None
    info: dict

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
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise JacobianLabError(f"{name} must be a non-empty list of finite numbers")
    return array


def sweep(model, reg, gammas, lrs, scheme="simgd", *, simulate=False, steps=300, x0=None, n_jobs=None,
          progress=None, **params) -> SweepResult:
    """Spectral radius of ``scheme``'s update map over a grid of strengths and step sizes.

    Parameters
    ----------
    model, reg : as for :func:`jacobian_lab.spectrum` (``reg`` names one regularizer, or ``None``).
    gammas, lrs : sequences of float
        Strengths (>= 0) and step sizes (> 0).
    scheme : str
        Any scheme with an update-map Jacobian; ``lr`` sets its step size.
    simulate : bool
        Also simulate ``steps`` iterations from ``x0`` at every cell and report the empirical rate.
    n_jobs : int, optional
        Processes for the simulations (default: the number of cores when the grid is large, else 1).
    **params
        Model parameters and the scheme's other parameters.
    """
    gammas, lrs = _values("gammas", gammas), _values("lrs", lrs)
    if np.any(gammas < 0):
        raise JacobianLabError("gammas must be >= 0")
    for lr in lrs:
        check_positive("lr", lr)
    model_params, scheme_params = split_params(params)
    game = regularized_game(model, **model_params).game
    methods = [make_scheme(scheme, len(game.theta), game.dim, **{**scheme_params, "lr": lr}) for lr in lrs]
    jacobians = strength_jacobians(model, reg, gammas, **model_params)
    radius = np.stack([spectral_radii(update_matrix(m, jacobians)) for m in methods], axis=1)
    rates = None
    if simulate:
        task = (model, reg, scheme, lrs, model_params, scheme_params, steps, x0)
        workers = n_jobs or (os.cpu_count() or 1 if gammas.size * lrs.size >= PARALLEL_THRESHOLD else 1)
        rates = np.array(_run_rows(task, gammas, workers, progress))
    return SweepResult(gammas, lrs, radius, rates, {"model": str(model), "reg": reg, "scheme": methods[0].name,
                                                    "parameters": {**model_params, **scheme_params}})


def strength_jacobians(model, reg, gammas, **model_params) -> np.ndarray:
    """``(len(gammas), d, d)``: :math:`J(\\gamma)` at the equilibrium (``reg`` ``None``: :math:`J` repeated)."""
    if reg in (None, "none"):
        jac = jacobian(model, **model_params)
        return np.broadcast_to(jac, (len(gammas),) + jac.shape)
    return StrengthFamily(model, reg, **model_params).jacobians(gammas)


def _run_rows(task, gammas, workers, progress):
    bar = dict(total=gammas.size, desc="sweep", unit="strength", delay=1.0, disable=progress is False)
    if workers <= 1:
        return [_row(task, g) for g in tqdm(gammas, **bar)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(tqdm(pool.map(_row, [task] * gammas.size, gammas), **bar))


def _row(task, gamma):
    model, reg, scheme, lrs, model_params, scheme_params, steps, x0 = task
    return [_simulated_rate(model, reg, gamma, scheme, lr, steps, x0, model_params, scheme_params) for lr in lrs]


def _simulated_rate(model, reg, gamma, scheme, lr, steps, x0, model_params, scheme_params):
    from .simulate import simulate as run

    tr = run(model, reg, gamma if reg not in (None, "none") else None, scheme, steps=steps, x0=x0,
             progress=False, **model_params, **{**scheme_params, "lr": lr})
    finite = tr.rate[np.isfinite(tr.rate)]
    return float(np.median(finite)) if finite.size else float("nan")
