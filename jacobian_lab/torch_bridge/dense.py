r"""The dense Jacobian :math:`J = \partial v/\partial x` of a torch game, all at once.

:math:`J` is computed column by column as forward-over-reverse products (:func:`torch.func.jvp` of
the field, itself a :func:`torch.func.grad`), vectorised with ``vmap`` over the basis vectors in
chunks of :data:`CHUNK` columns (no Python loop over rows; small chunks stay in cache and bound
memory). The generator's and the discriminator's columns are taken separately, so that the other
player is a constant. For the zero-sum losses one gradient of :math:`L` gives the whole field.
Float64 by default; on the game's device.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.func import jvp, vmap

from ..errors import JacobianLabError
from ..regularizers import FieldTransform, parse_reg
from .field import make_field

#: Largest dense Jacobian built (bytes of the ``n x n`` matrix); raise it on big machines.
MAX_DENSE_BYTES = 2 * 1024**3
#: Columns per vectorised batch of Jacobian-vector products.
CHUNK = 64


def check_dense_size(n: int, itemsize: int = 8, max_bytes: float | None = None) -> None:
    """Refuse an ``n x n`` matrix beyond :data:`MAX_DENSE_BYTES`, suggesting the matrix-free path."""
    limit = MAX_DENSE_BYTES if max_bytes is None else max_bytes
    size = n * n * itemsize
    if size > limit:
        raise JacobianLabError(
            f"the dense Jacobian of {n} parameters needs {size / 1024**3:.1f} GiB (limit "
            f"{limit / 1024**3:.1f} GiB); ask for the top eigenvalues instead, e.g. k=20 (--k 20)"
        )


def columns(field, x: torch.Tensor, chunk: int = CHUNK) -> torch.Tensor:
    """:math:`(\\partial f/\\partial x)^\\top`: one vectorised Jacobian-vector product per coordinate of ``x``."""
    n = x.numel()
    eye = torch.eye(n, dtype=x.dtype, device=x.device)

    def column(tangent):
        return jvp(field, (x,), (tangent,))[1]

    return torch.cat([vmap(column)(eye[start:start + chunk]) for start in range(0, n, chunk)])


def jacobian_tensor(field, x: torch.Tensor, chunk: int = CHUNK) -> torch.Tensor:
    """:math:`J_{ij} = \\partial v_i/\\partial x_j` by vectorised forward-over-reverse products."""
    return columns(field, x, chunk).T.contiguous()


def split_jacobian_tensor(field2, theta, psi, chunk: int = CHUNK) -> torch.Tensor:
    """:math:`J` from ``v(theta, psi)``, one player's columns at a time.

    The other player's parameters are then constants: no zero tangents are pushed through its
    network (for the discriminator's columns the generator's forward pass is shared by all).
    """
    cols_theta = columns(lambda t: field2(t, psi), theta, chunk)
    cols_psi = columns(lambda p: field2(theta, p), psi, chunk)
    return torch.cat([cols_theta, cols_psi]).T.contiguous()


def jacobian(game, reg=None, gamma=None, at=None, device=None, max_bytes=None, **params) -> np.ndarray:
    """Dense :math:`J` of the regularized field at ``at`` (default: the modules' parameters).

    Parameters
    ----------
    game : TorchGame
    reg, gamma
        Regularizers, as :func:`jacobian_lab.regularizers.parse_reg`.
    at : array_like, optional
        Flat parameter vector, generator first.
    device : str, optional
        Where to compute (default the game's device).
    max_bytes : float, optional
        Override :data:`MAX_DENSE_BYTES`.

    Returns
    -------
    ndarray, shape (d, d)
    """
    if params:
        raise JacobianLabError(f"unknown keyword(s) {sorted(params)} for a torch game's jacobian; "
                               "accepted: reg, gamma, at, device, max_bytes")
    return jacobian_torch(game, reg, gamma, at, device, max_bytes).cpu().numpy()


def jacobian_torch(game, reg=None, gamma=None, at=None, device=None, max_bytes=None) -> torch.Tensor:
    """As :func:`jacobian`, as a tensor on the computing device."""
    game = game.to(device) if device is not None else game
    check_dense_size(game.n_params, torch.finfo(game.dtype).bits // 8, max_bytes)
    x = game.point(at)
    if any(isinstance(r, FieldTransform) for r, _ in parse_reg(reg, gamma)):
        return jacobian_tensor(make_field(game, reg, gamma), x).detach()
    return split_jacobian_tensor(make_field(game, reg, gamma, split=True), *game.split(x)).detach()


def block_norms(game, reg=None, gamma=None, at=None) -> dict:
    """Frobenius norms of the four blocks of :math:`J`.

    .. math:: J = \\begin{pmatrix} J_{\\theta\\theta} & J_{\\theta\\psi} \\\\
              J_{\\psi\\theta} & J_{\\psi\\psi} \\end{pmatrix}

    Returns ``{"theta_theta", "theta_psi", "psi_theta", "psi_psi"}``; the off-diagonal blocks carry
    the interaction, the diagonal ones each player's own curvature (Nie & Patel 2019, section 3).
    """
    jac = jacobian(game, reg, gamma, at)
    n = game.n_theta
    blocks = {"theta_theta": jac[:n, :n], "theta_psi": jac[:n, n:], "psi_theta": jac[n:, :n], "psi_psi": jac[n:, n:]}
    return {name: float(np.linalg.norm(block)) for name, block in blocks.items()}
