"""The result of a simulation: states, distances, divergence and convergence per trajectory."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A batch of simulated trajectories.

    Attributes
    ----------
    final : ndarray, shape (N, d)
        Final states; for a diverged trajectory, its last finite state (see ``diverged_at``).
    states : ndarray, shape (N, T, d)
        States every ``record_every`` steps (``T = steps // record_every + 1``, step 0 first);
        without ``record_every`` only the initial and final states (``T = 2``). After a trajectory
        diverges its later entries are NaN, and ``diverged`` says so.
    distance : ndarray, shape (N, T)
        Euclidean distance of ``states`` to the equilibrium.
    diverged : ndarray of bool, shape (N,)
        The state became non-finite or its norm exceeded ``bound``.
    diverged_at : ndarray of int, shape (N,)
        Step at which it diverged, ``-1`` if it did not.
    converged : ndarray of bool, shape (N,)
        Final distance to the equilibrium below ``tol``.
    converged_at : ndarray of int, shape (N,)
        First step with distance below ``tol`` (``-1`` if never).
    rate : ndarray, shape (N,)
        Empirical contraction per step over the last ``window`` steps,
        :math:`(d_{end}/d_{end-w})^{1/w}`, to compare with the update map's spectral radius
        (``nan`` where undefined: diverged, or already at the equilibrium to machine precision).
    steps_taken : ndarray of int, shape (N,)
    equilibrium : ndarray, shape (d,)
    info : dict
        Game, regularizer, scheme, parameters, backend, tolerances.
    predicted_rate : float or None
        (Property, computed on first use.) The rate linearisation predicts.
    """

    final: np.ndarray
    states: np.ndarray
    distance: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    converged: np.ndarray
    converged_at: np.ndarray
    rate: np.ndarray
    steps_taken: np.ndarray
    equilibrium: np.ndarray
    info: dict = field(default_factory=dict)
    predict: object = field(default=None, repr=False)

    @property
    def predicted_rate(self) -> float | None:
        """The spectral radius of the update map at the equilibrium (``exp(h * abscissa)`` for
        ``flow``), to compare with :attr:`rate`; see :func:`~jacobian_lab.dynamics.simulate.predicted_rate`."""
        if "predicted_rate" not in self.info:
            self.info["predicted_rate"] = self.predict() if self.predict is not None else None
        return self.info["predicted_rate"]

    @property
    def n_trajectories(self) -> int:
        return self.final.shape[0]

    def summary(self) -> dict:
        """Counts and medians, JSON-ready."""
        finite = self.rate[np.isfinite(self.rate)]
        return {
            "trajectories": int(self.n_trajectories),
            "diverged": int(self.diverged.sum()),
            "converged": int(self.converged.sum()),
            "median_final_distance": float(np.median(self.distance[:, -1][~self.diverged]))
            if (~self.diverged).any() else None,
            "median_rate": float(np.median(finite)) if finite.size else None,
        }

    def _repr_html_(self) -> str:
        from .._display import trajectory_html

        return trajectory_html(self)

    def __repr__(self):
        s = self.summary()
        return (f"Trajectory({s['trajectories']} trajectories, {s['converged']} converged, "
                f"{s['diverged']} diverged, median rate {s['median_rate']})")
