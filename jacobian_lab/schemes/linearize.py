"""Discrete-time Jacobians of update schemes at a fixed point.

Every scheme is built from field evaluations and affine operations, so by the chain rule its
Jacobian at a fixed point :math:`x^*` is the scheme applied to the linearised field
:math:`v(x) = J(x - x^*)` (for CGD the terms with derivatives of :math:`J` multiply
:math:`v(x^*) = 0`). The matrix of that linear map is read off by stepping the basis vectors.
"""

from __future__ import annotations

import copy

import numpy as np
import sympy as sp

from ..errors import NotApplicableError
from .base import Scheme


class LinearField:
    """The field :math:`v(x) = J x` (coordinates relative to the fixed point), on batches."""

    def __init__(self, jacobian):
        self.matrix = jacobian

    def v(self, x):
        return x @ self.matrix.T

    def jac(self, x):
        return np.broadcast_to(self.matrix, x.shape[:-1] + self.matrix.shape)


def update_matrix(scheme: Scheme, jacobian) -> np.ndarray:
    """The Jacobian of ``scheme``'s update map for the field Jacobian ``jacobian``.

    Returns a ``(d, d)`` matrix, or the ``(2d, 2d)`` companion matrix on ``(x_k, x_{k-1})`` for
    two-step schemes. ``jacobian`` may be a float array or an object array of sympy expressions.
    """
    d = jacobian.shape[0]
    size = scheme.memory * d
    basis = np.eye(size, dtype=jacobian.dtype) if jacobian.dtype != object else _object_eye(size)
    states = tuple(basis[:, i * d:(i + 1) * d] for i in range(scheme.memory))
    images = scheme.step(LinearField(jacobian), states)
    return np.concatenate(images, axis=-1).T


def _object_eye(n):
    eye = np.empty((n, n), dtype=object)
    eye[...] = sp.Integer(0)
    for i in range(n):
        eye[i, i] = sp.Integer(1)
    return eye


def symbolic_update_matrix(scheme: Scheme, jacobian: sp.Matrix, step_symbols: bool = False):
    """Exact update matrix as a sympy Matrix.

    With ``step_symbols`` the step sizes become the symbols ``h`` (or ``h_g``, ``h_d`` under TTUR)
    so that closed forms are functions of the step; otherwise they are exact rationals.
    """
    if scheme.name == "cgd":
        raise NotApplicableError("cgd's update involves a linear solve; its exact matrix is not formed")
    exact = copy.copy(scheme)
    exact.lr = _exact_rates(scheme, step_symbols)
    exact.generator_mask = np.array([sp.Integer(int(m)) for m in scheme.generator_mask], dtype=object)
    packed = [scheme.exact(value) for value in scheme.packed()]
    exact.packed = lambda: np.array(packed, dtype=object)
    matrix = update_matrix(exact, np.array(jacobian.tolist(), dtype=object))
    return sp.Matrix(matrix.tolist()).applyfunc(sp.expand)


def step_symbols_for(scheme: Scheme) -> dict:
    """The step-size symbols :func:`symbolic_update_matrix` uses, with their values."""
    g, d = scheme.lr[0], scheme.lr[-1]
    if g == d:
        return {sp.Symbol("h", positive=True): scheme.exact(g)}
    return {sp.Symbol("h_g", positive=True): scheme.exact(g),
            sp.Symbol("h_d", positive=True): scheme.exact(d)}


def _exact_rates(scheme, step_symbols):
    symbols = list(step_symbols_for(scheme).items())
    h_g, h_d = (symbols[0], symbols[-1])
    pick = (lambda pair: pair[0]) if step_symbols else (lambda pair: pair[1])
    n = scheme.n_theta
    return np.array([pick(h_g)] * n + [pick(h_d)] * (scheme.dim - n), dtype=object)
