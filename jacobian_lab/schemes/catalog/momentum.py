"""Heavy-ball momentum with a coefficient per player, simultaneous or alternating."""

from __future__ import annotations

from ..base import ALTERNATING, LR, Capabilities, Scheme, kept, moved
from ..parameters import SchemeParameter

BETA = SchemeParameter("beta", 0.5, "real", "momentum coefficient (may be negative)", per_player=True)


def momentum_update(field, state, p, mask):
    r""":math:`x_k + h\,v(x_k) + \beta (x_k - x_{k-1})` on the state :math:`(x_k, x_{k-1})`."""
    x, x_prev = state
    new = moved(x, mask, p.lr * field.v(x), p.beta * (x - x_prev))
    return new, kept(mask, x_prev, x)


class Momentum(Scheme):
    r"""Heavy ball: :math:`x_{k+1} = x_k + h\,v(x_k) + \beta (x_k - x_{k-1})` (Polyak 1964).

    ``beta`` may differ per player (``beta_g``, ``beta_d``). With ``alternating=True`` the
    discriminator's step sees the generator's new parameters; negative ``beta`` with alternating
    updates is Gidel et al. 2019, "Negative momentum for improved game dynamics". With one step size
    and one coefficient the update-map eigenvalues solve
    :math:`\mu^2 - (1 + \beta + h\lambda)\mu + \beta = 0`.
    """

    name = "momentum"
    description = "heavy-ball momentum beta (per player: beta_g, beta_d), simultaneous or alternating"
    source = "Polyak 1964; Gidel et al. 2019"
    parameters = (LR, BETA, ALTERNATING)
    capabilities = Capabilities(players="optional", state=("x", "x_prev"))

    update = staticmethod(momentum_update)
