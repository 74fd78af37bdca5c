"""The one driver loop: steps a batch, records, and detects divergence and convergence.

A backend supplies ``step(states, rows) -> states`` on arrays of shape ``(n, d)`` (one per state the
scheme carries; ``rows`` are the indices of the starts still running); this loop owns everything else.
Divergence rule: a trajectory whose state is not finite or
whose norm exceeds ``bound`` (tested as ``not |x|^2 <= bound^2``, which NaN and inf fail) stops
there; its ``diverged_at`` is that step, its ``final`` state the last one before, and its later
recorded states are NaN (flagged, never silent). Convergence: the first step whose squared distance
to the equilibrium is below ``tol^2``. The numba kernels apply the same comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm


@dataclass
class LoopResult:
    final: np.ndarray
    states: np.ndarray
    diverged_at: np.ndarray
    converged_at: np.ndarray
    window_distance: np.ndarray
    steps_taken: np.ndarray


def run_loop(step, states: tuple, x_star, steps: int, record_every: int | None, bound: float,
             tol: float, window: int, progress: bool | None = None) -> LoopResult:
    """Iterate ``step`` ``steps`` times from ``states`` (see the module docstring)."""
    x = states[0]
    n, d = x.shape
    record = _Recorder(n, d, steps, record_every, x)
    diverged_at = np.full(n, -1)
    converged_at = np.where(_distance2(x, x_star) < tol * tol, 0, -1)
    window_distance = np.full(n, np.nan)
    final = x.copy()
    active = np.arange(n)
    unconverged = converged_at < 0  # for the active trajectories, in their order
    current = tuple(s.copy() for s in states)
    bar = tqdm(total=steps, desc="simulate", unit="step", delay=1.0, disable=progress is False, leave=False)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            before, current = current[0], step(current, active)
            x = current[0]
            bad = ~(_norm2(x) <= bound * bound)  # NaN and inf fail the comparison
            if bad.any():
                diverged_at[active[bad]], final[active[bad]] = k, before[bad]
                keep = ~bad
                active, unconverged, current = active[keep], unconverged[keep], tuple(s[keep] for s in current)
                x = current[0]
            dist2 = _norm2(x - x_star)
            newly = unconverged & (dist2 < tol * tol)
            if newly.any():
                converged_at[active[newly]] = k
                unconverged &= ~newly
            if k == steps - window:
                window_distance[active] = np.sqrt(dist2)
            record.maybe(k, active, x)
            bar.update(1)
            if active.size == 0:
                break
    final[active] = x
    bar.close()
    steps_taken = np.where(diverged_at >= 0, diverged_at, steps)
    if window == steps:
        window_distance = np.sqrt(_distance2(states[0], x_star))
    return LoopResult(final, record.states, diverged_at, converged_at, window_distance, steps_taken)


def _distance2(x, x_star):
    return _norm2(x - x_star)


def _norm2(x):
    """Squared norms of the rows (faster than a reduction over a short last axis)."""
    return np.einsum("ij,ij->i", x, x)


class _Recorder:
    """Preallocated ``(n, T, d)`` storage for every ``record_every``-th state (NaN where diverged)."""

    def __init__(self, n, d, steps, record_every, x0):
        self.every = record_every
        count = steps // record_every + 1 if record_every else 2
        self.states = np.full((n, count, d), np.nan)
        self.states[:, 0] = x0
        self.last = steps

    def maybe(self, k, active, x):
        if self.every and k % self.every == 0:
            self.states[active, k // self.every] = x
        elif not self.every and k == self.last:
            self.states[active, 1] = x
