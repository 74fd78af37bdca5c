r"""Penalties on the players' losses, written once against :mod:`jacobian_lab.regularizers.ops`.

Every gradient norm uses the :math:`\gamma/2` form.

Notation: :math:`l_G, l_D` are the game's losses (each minimised by its player),
:math:`v = (-\nabla_\theta l_G, -\nabla_\psi l_D)` its field. A term here is multiplied by the
strength; the symbolic core and the torch bridge both evaluate these same functions.
"""

from __future__ import annotations

from .base import Penalty


def _half_sq_grad(player):
    """:math:`\\tfrac12\\|\\nabla_p l_p\\|^2` for player ``p``."""
    return lambda ops: ops.sq_norm(ops.grad(player, player)) / 2


def _consensus(ops):
    return (ops.sq_norm(ops.grad("G", "G")) + ops.sq_norm(ops.grad("D", "D"))) / 2


def _gradient_penalty(where: str, target: float = 0):
    r""":math:`\tfrac12\mathbb E(\|\nabla_x D(x)\| - t)^2` on ``where`` samples."""

    def deviation(ops, x):
        norm_sq = ops.sq_norm(ops.input_grad(x))
        return norm_sq if not target else (ops.sqrt(norm_sq) - target) ** 2

    return lambda ops: ops.expect(where, lambda x: deviation(ops, x)) / 2


def _orthogonal(ops):
    r""":math:`\sum_W \|G_W - I\|_F^2`, :math:`G_W` the smaller of :math:`W^\top W` and :math:`WW^\top`."""
    total = 0
    for w in ops.weight_matrices():
        rows, cols = w.shape
        gram = w.T @ w if rows >= cols else w @ w.T
        total = total + ops.sq_norm(gram - ops.eye(min(rows, cols)))
    return total


CONSENSUS = Penalty(
    "consensus",
    "ConOpt: both players add gamma/2 |v|^2, so w = v - gamma J^T v",
    "gamma",
    "Mescheder, Nowozin & Geiger 2017, 'The Numerics of GANs'; TheNumericsOfGANs "
    "consensus_gan/optimizer.py uses the same gamma (its L = 1/2 |v|^2).",
    _consensus, _consensus,
)
JARE = Penalty(
    "jare",
    "JARE: G adds gamma/2 |grad_psi l_D|^2, D adds gamma/2 |grad_theta l_G|^2",
    "gamma",
    "Nie & Patel 2019; weilinie/JARE real/optimizer.py (JAREOptimizer) and synthetic/ops.py use "
    "gamma * 1/2 |.|^2, the same constant.",
    _half_sq_grad("D"), _half_sq_grad("G"),
)
GRAD_G = Penalty(
    "grad-g",
    "generator-only half of JARE: G adds gamma/2 |grad_psi l_D|^2",
    "gamma",
    "Nagarajan & Kolter 2017; locuslab/gradient_regularized_gan uses eta |.|^2 without the 1/2, "
    "so eta = gamma/2.",
    generator=_half_sq_grad("D"),
)
GRAD_D = Penalty(
    "grad-d",
    "discriminator-only half of JARE ('smoothing'): D adds gamma/2 |grad_theta l_G|^2",
    "gamma",
    "TheNumericsOfGANs SmoothingOptimizer (same 1/2 |.|^2 form).",
    discriminator=_half_sq_grad("G"),
)
R1 = Penalty(
    "r1",
    "D's objective loses gamma/2 E|grad_x D(x)|^2 on real data",
    "gamma",
    "Mescheder, Geiger & Nowozin 2018; GAN_stability gan_training/train.py omits the 1/2, so its "
    "reg_param = gamma/2.",
    discriminator=_gradient_penalty("real"),
)
R2 = Penalty(
    "r2",
    "D's objective loses gamma/2 E|grad_x D(x)|^2 on generated data",
    "gamma",
    "Mescheder, Geiger & Nowozin 2018 (as r1, on generated samples; code reg_param = gamma/2).",
    discriminator=_gradient_penalty("fake"),
)
ZERO_GP = Penalty(
    "zero-gp",
    "0-GP: gamma/2 E|grad_x D(x~)|^2 on interpolates x~ = a x + (1-a) y, a ~ U[0,1]",
    "gamma",
    "Thanh-Tung, Tran & Venkatesh 2019 write lambda |.|^2 without the 1/2: lambda = gamma/2; "
    "htt210/GeneralizationAndStabilityInGANs penalises the sigmoid output, not the logit (not copied).",
    discriminator=_gradient_penalty("interp"),
)
WGAN_GP = Penalty(
    "wgan-gp",
    "1-GP: gamma/2 E(|grad_x D(x~)| - 1)^2 on interpolates",
    "gamma",
    "Gulrajani et al. 2017 write lambda (|.| - 1)^2: lambda = gamma/2.",
    discriminator=_gradient_penalty("interp", target=1),
)
R1R2 = Penalty(
    "r1r2",
    "R1 and R2 together: D's objective loses gamma/2 (E|grad_x D(x)|^2 + E|grad_x D(G(z))|^2)",
    "gamma",
    "Huang, Gokaslan, Kuleshov & Tompkin 2024, 'The GAN is dead; long live the GAN! A modern GAN "
    "baseline' (R3GAN), which penalises D's input gradient on real and on generated data with one "
    "gamma, each in Mescheder et al.'s gamma/2 form.",
    discriminator=lambda ops: _gradient_penalty("real")(ops) + _gradient_penalty("fake")(ops),
)
ORTHOGONAL = Penalty(
    "orthogonal",
    "soft orthogonality: D adds beta |W^T W - I|_F^2 (smaller Gram matrix) for each weight matrix W",
    "beta",
    "Mueller, Klein & Weinmann, 'Orthogonal Wasserstein GANs' (arXiv 1911.13060), soft penalty "
    "beta |W^T W - I|_F^2 with the same beta; for a wide W the smaller Gram matrix W W^T is used, which "
    "differs by the constant (columns - rows) and has the same gradient. Hard constraints (Stiefel "
    "retraction, Bjorck) belong to training, not to the field.",
    discriminator=_orthogonal,
)

#: Every penalty, in the order ``jacobian-lab list`` shows them.
PENALTIES = (CONSENSUS, JARE, GRAD_G, GRAD_D, R1, R2, R1R2, ZERO_GP, WGAN_GP, ORTHOGONAL)
