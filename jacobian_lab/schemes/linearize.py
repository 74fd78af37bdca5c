"""Discrete-time Jacobians of update schemes at a fixed point.

Every scheme is built from field evaluations and affine operations, so by the chain rule its
Jacobian at a fixed point :math:`x^*` is the scheme applied to the linearised field
:math:`v(x) = J(x - x^*)` (for CGD the terms with derivatives of :math:`J` multiply
:math:`v(x^*) = 0`). The matrix of that linear map is read off by stepping the basis vectors of the
stacked state :math:`(x, \\dots)` the scheme carries (a companion matrix for two-step schemes).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .base import Scheme


class LinearField:
    """The field :math:`v(x) = J x` (coordinates relative to the fixed point), on batches.

    ``jacobian`` is ``(d, d)`` (states ``(n, d)``) or a stack ``(M, d, d)`` (states ``(M, n, d)``).
    """

    def __init__(self, jacobian):
        self.matrix = jacobian

    def v(self, x):
        return x @ np.swapaxes(self.matrix, -1, -2)

    def jac(self, x):
        return np.broadcast_to(np.expand_dims(self.matrix, -3), x.shape[:-1] + self.matrix.shape[-2:])


def update_matrix(scheme: Scheme, jacobian) -> np.ndarray:
    """The Jacobian of ``scheme``'s update map for the field Jacobian ``jacobian``.

    ``jacobian`` is ``(d, d)`` or a stack ``(M, d, d)``, floats or sympy expressions (object
    array). Returns ``(k d, k d)`` (or ``(M, k d, k d)``) on the stacked state of the ``k`` arrays
    the scheme carries: ``(x_k, x_{k-1})`` gives the companion matrix.
    """
    scheme.check("has_update_matrix", "update-map Jacobian")
    return _matrix(scheme, jacobian, lambda field, states: scheme.step(field, states))


def _matrix(scheme, jacobian, step):
    jacobian = np.asarray(jacobian)
    d = jacobian.shape[-1]
    size = scheme.memory * d
    basis = _object_eye(size) if jacobian.dtype == object else np.eye(size)
    basis = np.broadcast_to(basis, jacobian.shape[:-2] + (size, size))
    states = tuple(basis[..., i * d:(i + 1) * d] for i in range(scheme.memory))
    images = step(LinearField(jacobian), states)
    return np.swapaxes(np.concatenate(images, axis=-1), -1, -2)


def _object_eye(n):
    eye = np.empty((n, n), dtype=object)
    eye[...] = sp.Integer(0)
    for i in range(n):
        eye[i, i] = sp.Integer(1)
    return eye


def symbolic_update_matrix(scheme: Scheme, jacobian: sp.Matrix, step_symbols: bool = False):
    """Exact update matrix as a sympy Matrix.

    Numbers become exact rationals. With ``step_symbols`` the step sizes become symbols instead
    (each declared with one: ``h`` for ``lr``, or ``h_g``, ``h_d`` when the players' values differ),
    so that closed forms are functions of the step.
    """
    scheme.check("exact", "exact update matrix")
    gmask = np.array([sp.Integer(int(m)) for m in scheme.generator_mask], dtype=object)
    p = scheme.namespace(exact_numbers(scheme, step_symbols), gmask=gmask)
    matrix = _matrix(scheme, np.array(jacobian.tolist(), dtype=object),
                     lambda field, states: scheme.advance(field, tuple(states), p))
    return sp.Matrix(matrix.tolist()).applyfunc(sp.expand)


def exact_numbers(scheme: Scheme, step_symbols: bool = False) -> list:
    """:meth:`Scheme.numbers` as rationals, or as step symbols where declared (see above)."""
    declared = {p.name: p for p in scheme.declarations()}
    out = []
    for (name, player), value in zip(scheme.numeric_keys(), scheme.exact_numbers()):
        symbol = _step_symbol(scheme, declared, name, player) if step_symbols else None
        out.append(symbol if symbol is not None else value)  # exact as given, never snapped
    return out


def _step_symbol(scheme, declared, name, player):
    if player is None:
        return sp.Symbol(declared[name].symbol, positive=True) if declared[name].symbol else None
    source = scheme.players[name][2][player]
    symbol = declared[source].symbol
    if not symbol:
        return None
    g, d, _ = scheme.players[source]
    return sp.Symbol(symbol if g == d else f"{symbol}_{'gd'[player]}", positive=True)


def spectral_radii(matrices) -> np.ndarray:
    """:math:`\\max_i |\\mu_i|` of each matrix of a stack (``nan`` where not finite)."""
    matrices = np.asarray(matrices)
    finite = np.all(np.isfinite(matrices), axis=(-1, -2))
    out = np.full(matrices.shape[:-2], np.nan)
    if finite.any():
        out[finite] = np.abs(np.linalg.eigvals(matrices[finite])).max(axis=-1)
    return out


def normal_block_radii(scheme: Scheme, eigenvalues) -> np.ndarray:
    r"""Spectral radius of ``scheme``'s update map for the normal blocks
    :math:`\begin{pmatrix}a & -b\\ b & a\end{pmatrix}` of the eigenvalues :math:`a + ib`.

    ``scheme`` acts on one generator and one discriminator coordinate. Where the scheme
    :attr:`~jacobian_lab.schemes.Scheme.treats_players_alike`, this is the radius for any
    :math:`J` with that eigenvalue, so ``< 1`` is its stability region in the :math:`\lambda` plane.
    """
    z = np.asarray(eigenvalues, dtype=complex)
    a, b = z.real.ravel(), z.imag.ravel()
    blocks = np.stack([np.stack([a, -b], -1), np.stack([b, a], -1)], -2)
    return spectral_radii(update_matrix(scheme, blocks)).reshape(z.shape)
