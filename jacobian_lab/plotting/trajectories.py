"""Trajectories for the figures, taken from the dynamics engine (:func:`jacobian_lab.simulate`)."""

from __future__ import annotations


def simulate_states(model, reg, gamma, scheme, lr, steps, x0, record_every, model_params, scheme_params):
    """``(states (N, T, d), diverged (N,))`` of ``scheme`` from the full states ``x0`` ``(N, d)``."""
    from ..dynamics import simulate

    params = {**model_params, **scheme_params, **({"lr": lr} if lr is not None else {})}
    traj = simulate(model, reg=reg, gamma=gamma, scheme=scheme, steps=steps, x0=x0,
                    record_every=record_every, progress=False, **params)
    return traj.states, traj.diverged
