"""Trajectories for the figures, taken from the dynamics engine (:func:`jacobian_lab.simulate`)."""

from __future__ import annotations

import numpy as np


def simulate_states(model, reg, gamma, scheme, lr, steps, x0, record_every, model_params, scheme_params):
    """``(states (N, T, d), diverged (N,))`` of ``scheme`` from the full states ``x0`` ``(N, d)``."""
    params = {**model_params, **scheme_params}
    if lr is not None:
        params["lr"] = lr
    try:
        from ..dynamics import simulate
    except ModuleNotFoundError as error:
        if error.name != "jacobian_lab.dynamics":
            raise
        return _step_loop(model, reg, gamma, scheme, steps, x0, record_every, params)
    traj = simulate(model, reg=reg, gamma=gamma, scheme=scheme, steps=steps, x0=x0,
                    record_every=record_every, **params)
    return np.asarray(traj.states), np.asarray(traj.diverged)


def _step_loop(model, reg, gamma, scheme, steps, x0, record_every, params):
    """Stand-in while the dynamics engine is missing: step the scheme on the numeric field."""
    from ..analysis import _split_params, regularized_game
    from ..schemes import make_scheme

    model_params, scheme_params = _split_params(params, scheme)
    rg = regularized_game(model, reg, gamma, **model_params)
    field = _NumericField(rg)
    stepper = make_scheme(scheme, len(rg.game.theta), rg.game.dim, **scheme_params)
    states = stepper.initial_states(np.asarray(x0, dtype=float))
    record = [states[0]]
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            states = stepper.step(field, states)
            if k % record_every == 0:
                record.append(states[0])
    out = np.stack(record, axis=1)
    diverged = ~np.all(np.isfinite(out) & (np.abs(out) < 1e6), axis=(1, 2))
    return out, diverged


class _NumericField:
    def __init__(self, rg):
        self.v, self.jac = rg.numeric_field, rg.numeric_jacobian
