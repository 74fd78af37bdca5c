"""Alternating gradient descent: one player's sub-steps, then the other's."""

from __future__ import annotations

from ..base import LR, N_D, N_G, ORDER, Capabilities, Scheme
from .simgd import simgd_update


class AltGD(Scheme):
    """Alternating GD: ``n_g`` generator sub-steps, then ``n_d`` discriminator sub-steps.

    Each sub-step is :math:`x \\leftarrow x + h\\,v(x)` on one player's coordinates, re-evaluating
    the field. ``order="gd"`` (generator first) follows GAN_stability's
    ``notebooks/diracgan/simulate.py``; TheNumericsOfGANs goes discriminator first (``"dg"``).
    """

    name = "altgd"
    description = "alternating GD: n_g generator then n_d discriminator sub-steps (order gd or dg)"
    source = "GAN_stability notebooks/diracgan/simulate.py (generator first)"
    parameters = (LR, N_G, N_D, ORDER)
    capabilities = Capabilities(players="alternating")

    update = staticmethod(simgd_update)
