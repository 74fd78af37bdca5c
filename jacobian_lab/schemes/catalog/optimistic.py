"""Optimistic gradient descent in its general two-step form."""

from __future__ import annotations

from ..base import ALTERNATING, LR, Capabilities, Scheme, kept, moved
from ..parameters import SchemeParameter

OPTIMISM = SchemeParameter("optimism", 1.0, "real",
                           "r: x_{k+1} = x_k + (1 + r) h v(x_k) - r h v(x_{k-1}) (1: Daskalakis et al.)")


def optimistic_update(field, state, p, mask):
    r""":math:`x_k + h\bigl((1 + r)\,v(x_k) - r\,v(x_{k-1})\bigr)` on the state :math:`(x_k, x_{k-1})`."""
    x, x_prev = state
    new = moved(x, mask, p.lr * ((1 + p.optimism) * field.v(x) - p.optimism * field.v(x_prev)))
    return new, kept(mask, x_prev, x)


class Optimistic(Scheme):
    r"""Optimistic GD :math:`x_{k+1} = x_k + a\,v(x_k) - b\,v(x_{k-1})`, :math:`a = (1 + r)h`, :math:`b = rh`.

    ``lr`` is :math:`h`, ``optimism`` is :math:`r`. :math:`r = 1` is Daskalakis, Ilyas, Syrgkanis &
    Zeng (2018), :math:`x_{k+1} = x_k + 2h\,v(x_k) - h\,v(x_{k-1})`; :math:`h = \alpha`,
    :math:`rh = \beta` is the generalised OGDA of Mokhtari, Ozdaglar & Pattathil (2020). Any
    :math:`a > b` is :math:`h = a - b`, :math:`r = b / (a - b)`. The state is
    :math:`(x_k, x_{k-1})`; with one step size the update-map eigenvalues solve
    :math:`\mu^2 - (1 + a\lambda)\mu + b\lambda = 0`. ``alternating=True``: the generator moves first,
    then the discriminator at the generator's new point, its past gradient taken where it was
    evaluated one iteration before.
    """

    name = "optimistic"
    description = "optimistic GD: x_{k+1} = x_k + (1+r) h v(x_k) - r h v(x_{k-1}) (r = optimism; alternating)"
    source = "Daskalakis et al. 2018; Mokhtari, Ozdaglar & Pattathil 2020"
    parameters = (LR, OPTIMISM, ALTERNATING)
    capabilities = Capabilities(players="optional", state=("x", "x_prev"))

    update = staticmethod(optimistic_update)
