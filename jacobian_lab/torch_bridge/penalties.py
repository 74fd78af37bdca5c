r"""The core's penalties on real networks: terms added to each player's loss.

Every term is a function ``term(game, losses, theta, psi, s) -> scalar`` of the parameters, added to one
player's loss (:data:`TERMS` says whose),
where ``losses(theta, psi) -> (l_G, l_D)`` are the unregularized losses. Gradients inside a penalty
are taken with :func:`torch.func.grad`, so the field differentiates through them (double backprop).
Definitions and constants are those of :mod:`jacobian_lab.regularizers.penalties`:

* consensus: both add :math:`\tfrac\gamma2\|v\|^2` (Mescheder et al. 2017);
* jare: G adds :math:`\tfrac\gamma2\|\nabla_\psi l_D\|^2`, D adds :math:`\tfrac\gamma2\|\nabla_\theta l_G\|^2`
  (Nie & Patel 2019); grad-g and grad-d are its halves;
* r1 / r2 / zero-gp: D adds :math:`\tfrac\gamma2\mathbb E\|\nabla_x D(x)\|^2` on real, generated, or
  interpolated samples :math:`a x + (1-a) G(z)` with fixed :math:`a \sim U[0,1]` (Mescheder et al. 2018;
  Thanh-Tung et al. 2019); wgan-gp adds :math:`\tfrac\gamma2\mathbb E(\|\nabla_x D\| - 1)^2` (Gulrajani et al. 2017);
* orthogonal: D adds :math:`\beta\sum_W \|W^\top W - I\|_F^2` over its 2-D weight matrices, with the
  smaller Gram matrix when :math:`W` is wide (Mueller et al. 2019).
"""

from __future__ import annotations

import torch
from torch.func import grad

ZERO = 0.0


def half_norm_sq(vector):
    return 0.5 * (vector * vector).sum()


def grad_theta_lg(losses, theta, psi):
    """:math:`\\nabla_\\theta l_G`."""
    return grad(lambda t: losses(t, psi)[0])(theta)


def grad_psi_ld(losses, theta, psi):
    """:math:`\\nabla_\\psi l_D`."""
    return grad(lambda p: losses(theta, p)[1])(psi)


def consensus(game, losses, theta, psi, gamma):
    """Both players: :math:`\\tfrac\\gamma2 \\|v\\|^2`."""
    return gamma * (half_norm_sq(grad_theta_lg(losses, theta, psi)) + half_norm_sq(grad_psi_ld(losses, theta, psi)))


def grad_g(game, losses, theta, psi, gamma):
    """Generator: :math:`\\tfrac\\gamma2 \\|\\nabla_\\psi l_D\\|^2`."""
    return gamma * half_norm_sq(grad_psi_ld(losses, theta, psi))


def grad_d(game, losses, theta, psi, gamma):
    """Discriminator: :math:`\\tfrac\\gamma2 \\|\\nabla_\\theta l_G\\|^2`."""
    return gamma * half_norm_sq(grad_theta_lg(losses, theta, psi))


def input_gradients(game, psi, samples):
    """Per-sample :math:`\\nabla_x D(x)` (samples are independent in eval mode)."""
    return grad(lambda s: game.discriminate(psi, s).sum())(samples)


def penalty_samples(game, theta, where):
    """Real, generated, or interpolated samples (equal batches cut to the smaller size)."""
    if where == "real":
        return game.real
    fake = game.generate(theta)
    if where == "fake":
        return fake
    n = min(game.real.shape[0], fake.shape[0])
    a = game.fixed_noise("interp")
    return a * game.real[:n] + (1 - a) * fake[:n]


def gradient_penalty(where, target=0.0):
    """D's term :math:`\\tfrac\\gamma2\\mathbb E(\\|\\nabla_x D\\| - t)^2` on ``where`` samples."""

    def term(game, losses, theta, psi, gamma):
        g = input_gradients(game, psi, penalty_samples(game, theta, where)).flatten(1)
        sq = (g * g).sum(dim=1)
        value = sq if not target else (torch.sqrt(sq) - target) ** 2
        return 0.5 * gamma * value.mean()

    return term


def orthogonal(game, losses, theta, psi, beta):
    total = ZERO
    for w in game.d_layout.unflatten(psi).values():
        if w.ndim != 2:
            continue
        gram = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
        eye = torch.eye(gram.shape[0], dtype=gram.dtype, device=gram.device)
        total = total + ((gram - eye) ** 2).sum()
    return beta * total


#: ``name -> (generator's term, discriminator's term)``; ``None`` where a player adds nothing.
TERMS = {
    "consensus": (consensus, consensus), "jare": (grad_g, grad_d), "grad-g": (grad_g, None),
    "grad-d": (None, grad_d), "r1": (None, gradient_penalty("real")), "r2": (None, gradient_penalty("fake")),
    "zero-gp": (None, gradient_penalty("interp")), "wgan-gp": (None, gradient_penalty("interp", 1.0)),
    "orthogonal": (None, orthogonal),
}
#: Penalties with no generator term and a discriminator term free of :math:`\theta` (R1 is taken on
#: real samples only, the orthogonality penalty on D's weights only). They leave
#: :math:`\partial_\theta\nabla_\psi(\tilde l_G + \tilde l_D) = 0`, so a zero-sum game keeps
#: :math:`J_{\psi\theta} = -J_{\theta\psi}^\top` (:class:`.field.PlayerFields`).
DECOUPLED = frozenset({"r1", "orthogonal"})
