"""The gradient flow, stepped by classical Runge-Kutta."""

from __future__ import annotations

from ..base import LR_SHARED, Capabilities, Scheme


def rk4_update(field, state, p, mask):
    """One classical Runge-Kutta step of size ``p.lr``."""
    (x,) = state
    h, v = p.lr, field.v
    k1 = v(x)
    k2 = v(x + h / 2 * k1)
    k3 = v(x + h / 2 * k2)
    k4 = v(x + h * k3)
    return (x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4),)


class Flow(Scheme):
    """The gradient flow :math:`\\dot x = v(x)`; one step is classical RK4 with step ``lr``.

    Its spectrum is the continuous-time one (:math:`J`'s); simulations step RK4.
    """

    name = "flow"
    description = "continuous-time flow x' = v(x) (RK4 steps of size lr; spectrum is J's)"
    source = "the ODE itself; RK4"
    parameters = (LR_SHARED,)
    capabilities = Capabilities(continuous=True)

    update = staticmethod(rk4_update)
