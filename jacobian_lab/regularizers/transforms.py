r"""Transforms of the vector field, composed in order; written once against ``products``.

``products.jv(u)`` and ``products.jtv(u)`` are :math:`Ju` and :math:`J^\top u` for the Jacobian of the
field being transformed (:class:`.base.FieldTransform`).
"""

from __future__ import annotations

from .base import FieldTransform


def _sga(field, products, lam):
    r""":math:`v - \lambda A^\top v` with :math:`A^\top v = \tfrac12 (J^\top v - J v)`."""
    return field - lam * (products.jtv(field) - products.jv(field)) / 2


SGA = FieldTransform(
    "sga",
    "symplectic gradient adjustment: xi + lambda A^T xi, A = (H - H^T)/2",
    "lambda",
    "Balduzzi et al. 2018, 'The mechanics of n-player differentiable games'. With v = -xi and "
    "J = -H this is v - lambda A_J^T v, A_J = (J - J^T)/2; at a fixed point H becomes H + lambda A^T H. "
    "The sign alignment of the paper is not differentiable and is left out of the field.",
    _sga,
)

#: Every field transform.
TRANSFORMS = (SGA,)
