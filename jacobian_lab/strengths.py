r"""Jacobians at the equilibrium as functions of a regularizer's strength.

Sweeping a strength with :func:`jacobian_lab.spectrum` rebuilds the regularized game for every
value. The Jacobian at the equilibrium is a closed-form function :math:`J(\gamma)` of the strength
(the game's equilibrium does not depend on it), so it is substituted once and generated as numeric
code; every value then costs one small eigenvalue problem. Update maps of a stack of Jacobians come
from :func:`jacobian_lab.schemes.update_matrix`.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from .analysis import derive, regularized_game
from .errors import JacobianLabError
from .exact import exact
from .field import check_smooth
from .spectra.factors import DEFAULT_RTOL
from .spectra.spectrum import Spectrum
from .symbolic.functions import NUMPY_MODULES


class StrengthFamily:
    """:math:`J(\\gamma)` at the equilibrium of ``model`` under one named regularizer.

    Parameters
    ----------
    model : str or Game
    reg : str
        One regularizer name (its strength is the swept variable).
    **params
        Model parameters.
    """

    def __init__(self, model, reg: str, **params):
        if not isinstance(reg, str) or reg == "none":
            raise JacobianLabError(f"a strength sweep needs one regularizer name, got {reg!r}")
        self.reg = reg
        self.game = regularized_game(model, reg, 1.0, **params)
        if self.game.game.equilibrium is None:
            raise JacobianLabError(f"{self.game.game.name!r} has no closed-form equilibrium to sweep at")

    @property
    def symbol(self) -> sp.Symbol:
        return self.game.strength_symbols[0]

    @property
    def equilibrium(self) -> np.ndarray:
        return np.array([float(sp.N(e)) for e in self.game.equilibrium])

    @cached_property
    def symbolic(self) -> sp.Matrix:
        """:math:`J` at the equilibrium with every model parameter substituted; the strength free."""
        rg = self.game
        subs = rg.game.substitutions()
        subs.update({x: exact(e) for x, e in zip(rg.variables, rg.equilibrium)})
        jac = rg.jacobian.subs(subs)
        check_smooth(jac, rg)
        return jac

    @cached_property
    def _numeric(self):
        return sp.lambdify([self.symbol], list(self.symbolic), modules=NUMPY_MODULES)

    def jacobians(self, strengths) -> np.ndarray:
        """``(M, d, d)`` Jacobians for ``M`` strengths."""
        g = np.atleast_1d(np.asarray(strengths, dtype=float))
        entries = np.broadcast_arrays(*self._numeric(g), g)[:-1]
        d = self.game.game.dim
        return np.stack(entries, axis=-1).reshape(g.shape + (d, d)).astype(float)

    def spectra(self, strengths, rtol=DEFAULT_RTOL) -> list[Spectrum]:
        """One continuous-time :class:`~jacobian_lab.Spectrum` per strength."""
        info = {"model": self.game.game.name, "reg": self.reg}
        return [Spectrum(np.linalg.eigvals(j), j, "continuous", rtol=rtol,
                         point=self.equilibrium, info={**info, "gamma": float(g)})
                for g, j in zip(np.atleast_1d(strengths), self.jacobians(strengths))]

    def critical_strengths(self) -> list[float]:
        """Strengths where two eigenvalues meet (from :func:`jacobian_lab.derive`), ascending."""
        derivation = derive(self.game.game, self.reg)
        subs = self.game.game.substitutions()
        found = set()
        for block in derivation.blocks:
            for values in block.critical.values():
                for value in values:
                    number = complex(sp.N(sp.sympify(value).subs(subs)))
                    if abs(number.imag) < 1e-12 and number.real >= 0:
                        found.add(round(number.real, 12))
        return sorted(found)
