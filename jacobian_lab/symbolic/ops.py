r"""The symbolic backend of the regularizer operations (:mod:`jacobian_lab.regularizers.ops`).

Values are sympy expressions in the game's parameters; expectations over the data are exact
(:func:`~jacobian_lab.symbolic.functions.expect_polynomial` over the standard normal and uniform
variables of the samples, :meth:`jacobian_lab.games.base.GANGame.sample_points`).
"""

from __future__ import annotations

import sympy as sp

from ..errors import NotApplicableError
from ..regularizers.ops import Ops
from .functions import expect_polynomial

_WITH_DATA = "(models with one: dirac, gaussian, lq)"


class SympyOps(Ops):
    """The operations on a :class:`~jacobian_lab.games.Game` and its losses ``(l_G, l_D)``."""

    backend = "the symbolic core"

    def __init__(self, game, losses, method="this regularizer"):
        super().__init__(method)
        self.game, self.losses = game, dict(zip(("G", "D"), losses))
        self.parameters = {"G": game.theta, "D": game.psi}

    def loss(self, player):
        return self.losses[player]

    def grad(self, player, wrt):
        return sp.Matrix([sp.diff(self.losses[player], x) for x in self.parameters[wrt]])

    def sq_norm(self, x):
        if isinstance(x, sp.MatrixBase) and x.cols == 1:
            return (x.T * x)[0]
        return sum((e**2 for e in x), sp.Integer(0))

    def sqrt(self, x):
        return sp.sqrt(x)

    def _discriminator_game(self):
        if not self.game.has_discriminator:
            raise NotApplicableError(
                f"{self.method} needs a discriminator of the data; {self.game.name!r} has none {_WITH_DATA}"
            )
        return self.game

    def expect(self, where, fn):
        points, normals, uniforms = self._discriminator_game().sample_points(where)
        value = fn(points)
        try:
            return expect_polynomial(value, normals, uniforms)
        except sp.PolynomialError:
            raise NotApplicableError(
                f"{self.method} has no exact expectation on {self.game.name!r}: its integrand is not a "
                "polynomial in the data (e.g. a norm of a discriminator that is not linear in the data)"
            ) from None

    def input_grad(self, x):
        game = self._discriminator_game()
        inputs = sp.symbols(f"x0:{game.data_dim}")
        output = game.discriminator(inputs)
        at = dict(zip(inputs, x))
        return sp.Matrix([sp.diff(output, xi).subs(at) for xi in inputs])

    def weight_matrices(self):
        if not self.game.weight_matrices:
            raise NotApplicableError(
                f"{self.method} needs discriminator weight matrices; {self.game.name!r} has none "
                "(give weight_matrices to a CustomGame, or use the torch bridge)"
            )
        return list(self.game.weight_matrices)

    def eye(self, n):
        return sp.eye(n)


class MatrixProducts:
    """``jv(u) = J u`` and ``jtv(u) = J^T u`` for a sympy Jacobian (field transforms)."""

    def __init__(self, jacobian: sp.Matrix):
        self.jacobian = jacobian

    def jv(self, u):
        return self.jacobian * u

    def jtv(self, u):
        return self.jacobian.T * u
