r"""Jacobians at the equilibrium as functions of a strength, and batched update maps.

Sweeping a strength with :func:`jacobian_lab.spectrum` rebuilds the regularized game for every
value. The Jacobian at the equilibrium is a closed-form function :math:`J(\gamma)` of the strength
(the game's equilibrium does not depend on it), so it is substituted once and generated as numeric
code; every value then costs one small eigenvalue problem. The update maps come from the schemes
themselves (:meth:`Scheme.step` applied to the linearised field), here for a stack of Jacobians.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from ..analysis import regularized_game
from ..errors import JacobianLabError
from ..exact import exact
from ..field import check_smooth
from ..schemes import Scheme
from ..spectra.factors import DEFAULT_RTOL
from ..spectra.spectrum import Spectrum
from ..symbolic.functions import NUMPY_MODULES


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
        from ..symbolic.derive import derive

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


class _StackedLinearField:
    """The field :math:`v(x) = J_m x` for a stack of Jacobians; states are ``(M, n, d)``."""

    def __init__(self, jacobians):
        self.matrix = jacobians

    def v(self, x):
        return np.einsum("mij,mnj->mni", self.matrix, x)

    def jac(self, x):
        return np.broadcast_to(self.matrix[:, None], x.shape[:-1] + self.matrix.shape[-2:])


def update_matrices(scheme: Scheme, jacobians) -> np.ndarray:
    """The update-map Jacobians of ``scheme`` for a stack ``(M, d, d)`` of field Jacobians.

    The batched form of :func:`jacobian_lab.schemes.update_matrix`: each basis vector of the
    (stacked, for two-step schemes) state is stepped through the linearised field. Returns
    ``(M, k d, k d)`` with ``k = scheme.memory``.
    """
    jacobians = np.asarray(jacobians, dtype=float)
    m, d = jacobians.shape[0], jacobians.shape[-1]
    size = scheme.memory * d
    basis = np.broadcast_to(np.eye(size), (m, size, size))
    states = tuple(basis[..., i * d:(i + 1) * d] for i in range(scheme.memory))
    images = scheme.step(_StackedLinearField(jacobians), states)
    return np.swapaxes(np.concatenate(images, axis=-1), -1, -2)


def spectral_radii(matrices) -> np.ndarray:
    """:math:`\\max_i |\\lambda_i|` of each matrix of a stack (``nan`` where not finite)."""
    matrices = np.asarray(matrices)
    finite = np.all(np.isfinite(matrices), axis=(-1, -2))
    out = np.full(matrices.shape[:-2], np.nan)
    if finite.any():
        out[finite] = np.abs(np.linalg.eigvals(matrices[finite])).max(axis=-1)
    return out
