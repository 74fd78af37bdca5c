r"""Hard orthogonality constraints on the discriminator's weight matrices, applied after a step.

The soft form, :math:`\beta\|W^\top W - I\|_F^2`, is the core's ``orthogonal`` penalty
(:mod:`.penalties`). The two hard forms of Mueller, Klein & Weinmann, "Orthogonal Wasserstein
GANs" (arXiv 1911.13060), keep every 2-D weight matrix of the discriminator (semi-)orthogonal:

* ``svd``: the projection onto the Stiefel manifold, :math:`W = U\Sigma V^\top \mapsto UV^\top`
  (the closest semi-orthogonal matrix in Frobenius norm);
* ``bjorck``: the first-order Björck iteration (Björck & Bowie 1971; Anil et al. 2019, LNets)

  .. math:: W \leftarrow (1 + b)\,W - b\,W W^\top W, \qquad b = \tfrac12,

  which maps each singular value :math:`s \mapsto \tfrac32 s - \tfrac12 s^3` and converges to 1 for
  :math:`0 < s < \sqrt3`; the matrix is first divided by :math:`\max(1, \sigma_{\max}(W))` so that
  it converges.

Constraints act on parameter vectors (flat, discriminator part) and modify nothing else.
"""

from __future__ import annotations

import torch

from ..errors import unknown_name


def svd_projection(w: torch.Tensor) -> torch.Tensor:
    """:math:`UV^\\top` for :math:`W = U\\Sigma V^\\top` (thin SVD)."""
    u, _, vh = torch.linalg.svd(w, full_matrices=False)
    return u @ vh


def bjorck(w: torch.Tensor, iterations: int = 20, b: float = 0.5) -> torch.Tensor:
    """``iterations`` first-order Björck steps :math:`W \\leftarrow (1+b)W - bWW^\\top W` after scaling."""
    w = w / max(1.0, float(torch.linalg.matrix_norm(w, ord=2)))
    for _ in range(iterations):
        w = (1 + b) * w - b * w @ (w.T @ w)
    return w


CONSTRAINTS = {"svd": svd_projection, "bjorck": bjorck}


def check_constraint(name):
    """``None`` or a name in :data:`CONSTRAINTS`."""
    if name is not None and name not in CONSTRAINTS:
        raise unknown_name("constraint", name, CONSTRAINTS)
    return name


def constrain(game, x: torch.Tensor, name) -> torch.Tensor:
    """``x`` with every 2-D discriminator weight matrix replaced by its constrained version."""
    if name is None:
        return x
    project = CONSTRAINTS[name]
    theta, psi = game.split(x)
    parts = [project(w) if w.ndim == 2 else w for w in game.d_layout.unflatten(psi).values()]
    return torch.cat([theta, *(p.reshape(-1) for p in parts)])


def weight_singular_values(game, x: torch.Tensor) -> dict:
    """``{name: singular values}`` (numpy, decreasing) of the discriminator's 2-D weight matrices at ``x``."""
    _, psi = game.split(x)
    return {name: torch.linalg.svdvals(w.detach()).cpu().numpy()
            for name, w in game.d_layout.unflatten(psi).items() if w.ndim == 2}
