"""Simultaneous gradient descent, and TTUR when the players' step sizes differ."""

from __future__ import annotations

from ..base import LR, Scheme, moved


def simgd_update(field, state, p, mask):
    r""":math:`x + h\,v(x)` (per-coordinate :math:`h`)."""
    (x,) = state
    return (moved(x, mask, p.lr * field.v(x)),)


class SimGD(Scheme):
    r"""Simultaneous gradient descent :math:`x \leftarrow x + h\,v(x)`; TTUR with ``lr_g != lr_d``.

    Its update-map eigenvalues are :math:`1 + h\lambda` for the eigenvalues :math:`\lambda` of
    :math:`J` (one step size).
    """

    name = "simgd"
    description = "simultaneous gradient descent x <- x + h v(x) (TTUR with lr_g, lr_d)"
    source = "Mescheder et al. 2017; Heusel et al. 2017 (TTUR)"
    parameters = (LR,)

    update = staticmethod(simgd_update)

    def stability_disc(self):
        r""":math:`|1 + h\lambda| < 1`: the disc of radius :math:`1/h` about :math:`-1/h` (one step size)."""
        if not self.treats_players_alike:
            return None
        h = float(self.players["lr"][0])
        return -1 / h, 1 / h, r"|1 + h\lambda| < 1"
