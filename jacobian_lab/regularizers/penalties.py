r"""Penalties on the players' losses; every gradient norm uses the :math:`\gamma/2` form.

Notation: :math:`l_G, l_D` are the game's losses (each minimised by its player),
:math:`v = (-\nabla_\theta l_G, -\nabla_\psi l_D)` its field.
"""

from __future__ import annotations

import sympy as sp

from ..errors import NotApplicableError
from .base import Penalty


def _grad(expr, variables):
    return sp.Matrix([sp.diff(expr, x) for x in variables])


def _half_norm_sq(vector: sp.Matrix):
    return (vector.T * vector)[0] / 2


def _consensus(game, losses, gamma):
    l_g, l_d = losses
    v = sp.Matrix.vstack(-_grad(l_g, game.theta), -_grad(l_d, game.psi))
    term = gamma * _half_norm_sq(v)
    return term, term


def _grad_g(game, losses, gamma):
    return gamma * _half_norm_sq(_grad(losses[1], game.psi)), sp.Integer(0)


def _grad_d(game, losses, gamma):
    return sp.Integer(0), gamma * _half_norm_sq(_grad(losses[0], game.theta))


def _jare(game, losses, gamma):
    return _grad_g(game, losses, gamma)[0], _grad_d(game, losses, gamma)[1]


def _data_penalty(where: str, target: float = 0):
    def terms(game, losses, gamma):
        return sp.Integer(0), gamma / 2 * game.gradient_penalty(where, target)

    return terms


def _orthogonal(game, losses, beta):
    if not game.weight_matrices:
        raise NotApplicableError(
            f"orthogonal needs discriminator weight matrices; {game.name!r} has none "
            "(give weight_matrices to a CustomGame, or use the torch bridge)"
        )
    total = sp.Integer(0)
    for w in game.weight_matrices:
        gram = w.T * w - sp.eye(w.shape[1])
        total += sum(e**2 for e in gram)
    return sp.Integer(0), beta * total


CONSENSUS = Penalty(
    "consensus",
    "ConOpt: both players add gamma/2 |v|^2, so w = v - gamma J^T v",
    "gamma",
    "Mescheder, Nowozin & Geiger 2017, 'The Numerics of GANs'; TheNumericsOfGANs "
    "consensus_gan/optimizer.py uses the same gamma (its L = 1/2 |v|^2).",
    _consensus,
)
JARE = Penalty(
    "jare",
    "JARE: G adds gamma/2 |grad_psi l_D|^2, D adds gamma/2 |grad_theta l_G|^2",
    "gamma",
    "Nie & Patel 2019; weilinie/JARE real/optimizer.py (JAREOptimizer) and synthetic/ops.py use "
    "gamma * 1/2 |.|^2, the same constant.",
    _jare,
)
GRAD_G = Penalty(
    "grad-g",
    "generator-only half of JARE: G adds gamma/2 |grad_psi l_D|^2",
    "gamma",
    "Nagarajan & Kolter 2017; locuslab/gradient_regularized_gan uses eta |.|^2 without the 1/2, "
    "so eta = gamma/2.",
    _grad_g,
)
GRAD_D = Penalty(
    "grad-d",
    "discriminator-only half of JARE ('smoothing'): D adds gamma/2 |grad_theta l_G|^2",
    "gamma",
    "TheNumericsOfGANs SmoothingOptimizer (same 1/2 |.|^2 form).",
    _grad_d,
)
R1 = Penalty(
    "r1",
    "D's objective loses gamma/2 E|grad_x D(x)|^2 on real data",
    "gamma",
    "Mescheder, Geiger & Nowozin 2018; GAN_stability gan_training/train.py omits the 1/2, so its "
    "reg_param = gamma/2.",
    _data_penalty("real"),
)
R2 = Penalty(
    "r2",
    "D's objective loses gamma/2 E|grad_x D(x)|^2 on generated data",
    "gamma",
    "Mescheder, Geiger & Nowozin 2018 (as r1, on generated samples; code reg_param = gamma/2).",
    _data_penalty("fake"),
)
ZERO_GP = Penalty(
    "zero-gp",
    "0-GP: gamma/2 E|grad_x D(x~)|^2 on interpolates x~ = a x + (1-a) y, a ~ U[0,1]",
    "gamma",
    "Thanh-Tung, Tran & Venkatesh 2019 write lambda |.|^2 without the 1/2: lambda = gamma/2; "
    "htt210/GeneralizationAndStabilityInGANs penalises the sigmoid output, not the logit (not copied).",
    _data_penalty("interp"),
)
WGAN_GP = Penalty(
    "wgan-gp",
    "1-GP: gamma/2 E(|grad_x D(x~)| - 1)^2 on interpolates",
    "gamma",
    "Gulrajani et al. 2017 write lambda (|.| - 1)^2: lambda = gamma/2.",
    _data_penalty("interp", target=1),
)
ORTHOGONAL = Penalty(
    "orthogonal",
    "soft orthogonality: D adds beta |W^T W - I|_F^2 for each weight matrix W",
    "beta",
    "Mueller, Klein & Weinmann, 'Orthogonal Wasserstein GANs' (arXiv 1911.13060), soft penalty with "
    "the same beta; hard constraints (Stiefel retraction, Bjorck) belong to training, not to the field.",
    _orthogonal,
)
