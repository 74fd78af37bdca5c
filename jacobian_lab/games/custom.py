"""User games: two sympy losses over named generator and discriminator parameters."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..errors import JacobianLabError
from .base import Game


def _as_symbols(names, role: str) -> tuple[sp.Symbol, ...]:
    if isinstance(names, str | sp.Symbol):
        names = [names]
    symbols = tuple(sp.Symbol(n, real=True) if isinstance(n, str) else n for n in names)
    if not symbols or not all(isinstance(s, sp.Symbol) for s in symbols):
        raise JacobianLabError(f"{role} parameters must be a non-empty list of names or Symbols")
    return symbols


class CustomGame(Game):
    """A game given by its players' losses, each minimised by its player (general-sum allowed).

    Parameters
    ----------
    generator, discriminator : sequence of str or sympy.Symbol
        Names of each player's parameters.
    loss_g : sympy expression or str
        The generator's loss :math:`l_G(\\theta, \\psi)`, minimised over :math:`\\theta`.
    loss_d : sympy expression or str, optional
        The discriminator's loss, minimised over :math:`\\psi`; default ``-loss_g`` (zero-sum).
    equilibrium : sequence of numbers, optional
        A fixed point, generator first; found numerically (from the origin) if omitted.
    weight_matrices : sequence of sympy.Matrix, optional
        Discriminator weight matrices, for the ``orthogonal`` regularizer.

    Examples
    --------
    >>> game = CustomGame(["x"], ["y"], "x**2/2 + 10*x*y", "y**2/2 - 10*x*y", equilibrium=[0, 0])
    """

    name = "custom"
    description = "a user game: two sympy losses over named parameters"
    parameters = {}

    def __init__(self, generator, discriminator, loss_g, loss_d=None, equilibrium=None,
                 weight_matrices: Sequence = (), name: str = "custom"):
        super().__init__()
        self.name = name
        self._theta = _as_symbols(generator, "generator")
        self._psi = _as_symbols(discriminator, "discriminator")
        names = {str(s): s for s in self._theta + self._psi}
        self._loss_g = self._parse(loss_g, names)
        self._loss_d = -self._loss_g if loss_d is None else self._parse(loss_d, names)
        self._eq = None if equilibrium is None else tuple(equilibrium)
        if self._eq is not None and len(self._eq) != len(names):
            raise JacobianLabError(
                f"equilibrium has {len(self._eq)} entries; the game has {len(names)} parameters"
            )
        self.weight_matrices = tuple(sp.Matrix(w) for w in weight_matrices)

    @staticmethod
    def _parse(loss, names):
        try:
            expr = sp.sympify(loss, locals=names)
        except (sp.SympifyError, SyntaxError, TypeError) as error:
            raise JacobianLabError(f"cannot read loss {loss!r}: {error}") from None
        unknown = expr.free_symbols - set(names.values())
        if unknown:
            raise JacobianLabError(
                f"loss uses unknown symbols {sorted(map(str, unknown))}; "
                f"parameters: {', '.join(names)}"
            )
        return expr

    def _players(self):
        return self._theta, self._psi

    def _losses(self, noise_std):
        return self._loss_g, self._loss_d

    def _equilibrium(self):
        return self._eq
