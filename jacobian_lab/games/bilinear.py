r"""Bilinear games :math:`\min_\theta \max_\psi \theta^T A \psi`, optionally with quadratic terms.

.. math:: l_G = \tfrac{a}{2}\|\theta\|^2 + \theta^T A \psi, \qquad
          l_D = \tfrac{b}{2}\|\psi\|^2 - \theta^T A \psi,

general-sum as soon as ``a`` or ``b`` is non-zero. ``sga-example`` is the game of Balduzzi et al.
(2018), "The mechanics of n-player differentiable games", section 4.1:
:math:`l_1 = x^2/2 + 10xy`, :math:`l_2 = y^2/2 - 10xy`.
"""

from __future__ import annotations

import sympy as sp

from .base import Game
from .parameters import MAX_SYMBOLIC_DIM, Parameter


class BilinearGame(Game):
    """The bilinear game ``theta^T A psi`` with optional quadratic self-terms."""

    name = "bilinear"
    description = "bilinear game: l_G = a/2|theta|^2 + theta.A psi, l_D = b/2|psi|^2 - theta.A psi"
    parameters = {
        "A": Parameter("A", ((1.0,),), "matrix", "coupling matrix, rows 'a,b;c,d'", maximum=MAX_SYMBOLIC_DIM),
        "a": Parameter("a", 0.0, "real", "generator's quadratic coefficient"),
        "b": Parameter("b", 0.0, "real", "discriminator's quadratic coefficient"),
    }

    def _players(self):
        rows, cols = len(self.values["A"]), len(self.values["A"][0])
        if rows == 1 and cols == 1:
            return (sp.Symbol("theta", real=True),), (sp.Symbol("psi", real=True),)
        return sp.symbols(f"theta1:{rows + 1}", real=True), sp.symbols(f"psi1:{cols + 1}", real=True)

    def _coupling(self):
        A = self.values["A"]
        if len(A) == 1 and len(A[0]) == 1:
            return sp.Matrix([[self.symbol("A", A[0][0])]])
        return sp.Matrix(
            [[self.symbol(f"A{i + 1}{j + 1}", v) for j, v in enumerate(row)] for i, row in enumerate(A)]
        )

    def _losses(self, noise_std):
        theta, psi = sp.Matrix(self.theta), sp.Matrix(self.psi)
        coupling = (theta.T * self._coupling() * psi)[0]
        a, b = self.symbol("a", self.values["a"]), self.symbol("b", self.values["b"])
        return a / 2 * (theta.T * theta)[0] + coupling, b / 2 * (psi.T * psi)[0] - coupling

    def _equilibrium(self):
        return (0,) * self.dim


class SGAExample(BilinearGame):
    """The SGA paper's example: ``l1 = x^2/2 + 10xy``, ``l2 = y^2/2 - 10xy``."""

    name = "sga-example"
    description = "Balduzzi et al. 2018 example: l1 = x^2/2 + 10xy, l2 = y^2/2 - 10xy"
    parameters = {
        "A": Parameter("A", ((10.0,),), "matrix", "coupling matrix", maximum=MAX_SYMBOLIC_DIM),
        "a": Parameter("a", 1.0, "real", "generator's quadratic coefficient"),
        "b": Parameter("b", 1.0, "real", "discriminator's quadratic coefficient"),
    }
