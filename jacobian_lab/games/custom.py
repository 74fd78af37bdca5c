"""User games: two sympy losses over named generator and discriminator parameters."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..errors import JacobianLabError
from ..exact import exact
from ..symbolic.parse import parse_formula
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
    loss_g : sympy expression, str or callable
        The generator's loss :math:`l_G(\\theta, \\psi)`, minimised over :math:`\\theta`. A string
        is read by the allow-list parser :func:`jacobian_lab.symbolic.parse.parse_formula`
        (numbers, the parameters' names, arithmetic and a named set of functions; never ``eval``);
        a callable is called with the parameters' symbols, generator first.
    loss_d : sympy expression, str or callable, optional
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
        self.weight_matrices = tuple(self._matrix(w, names) for w in weight_matrices)

    def _parse(self, loss, names):
        if isinstance(loss, str):
            expr = parse_formula(loss, names)
        elif callable(loss) and not isinstance(loss, sp.Basic):
            expr = loss(*self._theta, *self._psi)
        else:
            expr = loss
        if isinstance(expr, int | float) and not isinstance(expr, bool):
            expr = exact(expr)
        if not isinstance(expr, sp.Expr):
            raise JacobianLabError(
                f"a loss must be a sympy expression, a formula string or a function of the parameters "
                f"returning one, got {type(expr).__name__}")
        unknown = expr.free_symbols - set(names.values())
        if unknown:
            raise JacobianLabError(
                f"loss uses unknown symbols {sorted(map(str, unknown))}; "
                f"parameters: {', '.join(names)}"
            )
        return expr

    def _matrix(self, w, names) -> sp.Matrix:
        """A weight matrix whose string entries go through the allow-list parser (no sympify)."""
        rows = w.tolist() if hasattr(w, "tolist") else list(w)
        rows = [row if isinstance(row, list | tuple) else [row] for row in rows]
        return sp.Matrix([[parse_formula(e, names) if isinstance(e, str) else self._parse(e, names) for e in row]
                          for row in rows])

    def _players(self):
        return self._theta, self._psi

    def _losses(self, noise_std):
        return self._loss_g, self._loss_d

    def _equilibrium(self):
        return self._eq
