"""Extragradient with its own extrapolation step, simultaneous or alternating."""

from __future__ import annotations

from ..base import ALTERNATING, LR, Capabilities, Scheme, moved
from ..parameters import SchemeParameter

LR_EXTRA = SchemeParameter("lr_extra", None, "positive", "extrapolation step g (default: lr)",
                           per_player=True, fallback="lr", symbol="g")


def extragradient_update(field, state, p, mask):
    r""":math:`x' = x + g\,v(x)`, then :math:`x + a\,v(x')` (``p.lr_extra`` is :math:`g`, ``p.lr`` :math:`a`)."""
    (x,) = state
    look = moved(x, mask, p.lr_extra * field.v(x))
    return (moved(x, mask, p.lr * field.v(look)),)


class Extragradient(Scheme):
    r"""Extragradient: :math:`x' = x + g\,v(x)`, :math:`x \leftarrow x + a\,v(x')`.

    Korpelevich (1976); in GANs Gidel et al. (2019), "A variational inequality perspective on GANs".
    ``lr`` is the update step :math:`a`, ``lr_extra`` the extrapolation step :math:`g` (default
    :math:`a`). For one step size the update-map eigenvalues are
    :math:`1 + a\lambda + a g\lambda^2` (``jl.derive`` writes :math:`a` as ``h`` and, when
    ``lr_extra`` is given, :math:`g` as ``g``). With ``alternating=True`` the generator extrapolates and
    updates first, then the discriminator does at the generator's new point (Gauss-Seidel).
    """

    name = "extragradient"
    description = "extragradient: x' = x + g v(x), x <- x + a v(x') (g = lr_extra, a = lr; alternating)"
    source = "Korpelevich 1976; Gidel et al. 2019"
    parameters = (LR, LR_EXTRA, ALTERNATING)
    capabilities = Capabilities(players="optional")

    update = staticmethod(extragradient_update)
