"""Competitive gradient descent with exact linear solves."""

from __future__ import annotations

import numpy as np

from ..base import LR_SHARED, Capabilities, Scheme


def cgd_update(field, state, p, mask):
    """One CGD step (see :class:`CGD`); ``p.lr`` is :math:`\\eta`, ``p.n_theta`` splits the players."""
    (x,) = state
    n, eta = p.n_theta, p.lr
    v, jac = field.v(x), field.jac(x)
    v_t, v_p = v[..., :n], v[..., n:]
    j_tp, j_pt = jac[..., :n, n:], jac[..., n:, :n]
    d_theta = _solve(np.eye(n) - eta**2 * j_tp @ j_pt, v_t + eta * _matvec(j_tp, v_p))
    d_psi = _solve(np.eye(x.shape[-1] - n) - eta**2 * j_pt @ j_tp, v_p + eta * _matvec(j_pt, v_t))
    return (x + eta * np.concatenate([d_theta, d_psi], axis=-1),)


def _matvec(matrix, vector):
    return np.einsum("...ij,...j->...i", matrix, vector)


def _solve(matrix, vector):
    return np.linalg.solve(matrix, vector[..., None])[..., 0]


class CGD(Scheme):
    """Competitive gradient descent (Schaefer & Anandkumar 2019), exact linear solves.

    In field notation (:math:`v = (v_\\theta, v_\\psi)`, blocks :math:`J_{\\theta\\psi}, J_{\\psi\\theta}`
    of the Jacobian), with one step size :math:`\\eta`:

    .. math::

        \\Delta\\theta = \\eta (I - \\eta^2 J_{\\theta\\psi} J_{\\psi\\theta})^{-1}
                         (v_\\theta + \\eta J_{\\theta\\psi} v_\\psi), \\qquad
        \\Delta\\psi = \\eta (I - \\eta^2 J_{\\psi\\theta} J_{\\theta\\psi})^{-1}
                       (v_\\psi + \\eta J_{\\psi\\theta} v_\\theta).

    This is the paper's update for losses :math:`f, g` with :math:`D_{xy}f = -J_{\\theta\\psi}`,
    :math:`D_{yx}g = -J_{\\psi\\theta}`. The solve makes it numpy-only: no compiled kernel, no exact
    update matrix (its numeric one is exact up to rounding), no torch training.
    """

    name = "cgd"
    description = "competitive gradient descent (Schaefer & Anandkumar 2019), exact solve"
    source = "Schaefer & Anandkumar 2019, eq. (4)"
    parameters = (LR_SHARED,)
    capabilities = Capabilities(players="coupled", linear_solve=True)

    update = staticmethod(cgd_update)
