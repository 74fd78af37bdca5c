r"""Sweeps over strength and step size: analytic spectral radii, optionally simulated rates.

For each strength the continuous Jacobian at the equilibrium is computed once; each step size then
costs one small update matrix (:func:`~jacobian_lab.schemes.update_matrix`) and its eigenvalues.
Rows of strengths run in parallel over the cores (processes) when the grid is large, with a progress
bar.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ..analysis import regularized_game, split_params
from ..errors import JacobianLabError, check_int, check_positive
from ..schemes import make_scheme, update_matrix

#: Below this many grid cells a sweep runs in one process.
PARALLEL_THRESHOLD = 4000
#: Most strengths (one Jacobian each) and most cells (one update-map spectrum each) of a sweep.
MAX_GAMMAS = 10_000
MAX_CELLS = 10**7


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


def _values(name, values):
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise JacobianLabError(f"{name} must be a non-empty list of finite numbers, got {values!r}") from None
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise JacobianLabError(f"{name} must be a non-empty list of finite numbers")
    return array


def sweep(model, reg, gammas, lrs, scheme="simgd", *, simulate=False, steps=300, x0=None, n_jobs=None,
          progress=None, **params) -> SweepResult:
    """Spectral radius of ``scheme``'s update map over a grid of strengths and step sizes.

    Parameters
    ----------
    model, reg : as for :func:`jacobian_lab.spectrum` (``reg`` names one regularizer).
    gammas, lrs : sequences of float
        Strengths (>= 0) and step sizes (> 0).
    scheme : str
        Any discrete scheme; ``lr`` sets its step size.
    simulate : bool
        Also simulate ``steps`` iterations from ``x0`` at every cell and report the empirical rate.
    n_jobs : int, optional
        Processes (default: the number of cores when the grid is large, else 1).
    """
    gammas, lrs = _values("gammas", gammas), _values("lrs", lrs)
    if np.any(gammas < 0):
        raise JacobianLabError("gammas must be >= 0")
    if gammas.size > MAX_GAMMAS or gammas.size * lrs.size > MAX_CELLS:
        raise JacobianLabError(f"a sweep has at most {MAX_GAMMAS} strengths and {MAX_CELLS:.0e} cells, got "
                               f"{gammas.size} x {lrs.size}")
    if "lr" in params:
        raise JacobianLabError("a sweep varies the step size over lrs; do not pass lr as well")
    n_jobs = None if n_jobs is None else min(check_int("n_jobs", n_jobs, 1), gammas.size, os.cpu_count() or 1)
    for lr in lrs:
        check_positive("lr", lr)
    model_params, scheme_params = split_params(params, scheme)
    make_scheme(scheme, 1, 2, **scheme_params)  # validate the scheme and its parameters early
    task = (model, reg, scheme, lrs, model_params, scheme_params, simulate, steps, x0)
    workers = n_jobs or (os.cpu_count() or 1 if gammas.size * lrs.size >= PARALLEL_THRESHOLD else 1)
    rows = _run_rows(task, gammas, workers, progress)
    radius = np.array([r[0] for r in rows])
    rates = np.array([r[1] for r in rows]) if simulate else None
    return SweepResult(gammas, lrs, radius, rates, {"model": str(model), "reg": reg, "scheme": scheme,
                                                    "parameters": {**model_params, **scheme_params}})


def _run_rows(task, gammas, workers, progress):
    bar = dict(total=gammas.size, desc="sweep", unit="strength", delay=1.0, disable=progress is False)
    if workers <= 1:
        return [_row(task, g) for g in tqdm(gammas, **bar)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(tqdm(pool.map(_row, [task] * gammas.size, gammas), **bar))


def _row(task, gamma):
    model, reg, scheme, lrs, model_params, scheme_params, simulate, steps, x0 = task
    rg = regularized_game(model, reg, gamma if reg not in (None, "none") else None, **model_params)
    x_star = np.array([float(e) for e in rg.equilibrium])
    jac = rg.numeric_jacobian(x_star)
    radius, rates = [], []
    for lr in lrs:
        stepper = make_scheme(scheme, len(rg.game.theta), rg.game.dim, **{**scheme_params, "lr": lr})
        radius.append(float(np.abs(np.linalg.eigvals(update_matrix(stepper, jac))).max()))
        if simulate:
            rates.append(_simulated_rate(model, reg, gamma, scheme, lr, steps, x0, model_params, scheme_params))
    return radius, rates


def _simulated_rate(model, reg, gamma, scheme, lr, steps, x0, model_params, scheme_params):
    from .simulate import simulate as run

    tr = run(model, reg, gamma if reg not in (None, "none") else None, scheme, steps=steps, x0=x0,
             progress=False, **model_params, **{**scheme_params, "lr": lr})
    finite = tr.rate[np.isfinite(tr.rate)]
    return float(np.median(finite)) if finite.size else float("nan")
