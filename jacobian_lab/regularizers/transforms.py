r"""Transforms of the vector field, composed in order."""

from __future__ import annotations

from .base import DataNoise, FieldTransform


def _sga(field, jacobian, lam):
    antisymmetric = (jacobian - jacobian.T) / 2
    return field - lam * antisymmetric.T * field


SGA = FieldTransform(
    "sga",
    "symplectic gradient adjustment: xi + lambda A^T xi, A = (H - H^T)/2",
    "lambda",
    "Balduzzi et al. 2018, 'The mechanics of n-player differentiable games'. With v = -xi and "
    "J = -H this is v - lambda A_J^T v, A_J = (J - J^T)/2; at a fixed point H becomes H + lambda A^T H. "
    "The sign alignment of the paper is not differentiable and is left out of the field.",
    _sga,
)

INSTANCE_NOISE = DataNoise(
    "instance-noise",
    "real and generated samples plus N(0, sigma^2 I), expectation taken exactly",
    "sigma",
    "Sønderby et al. 2017; Mescheder et al. 2018 (and GAN_stability issue #15): near the equilibrium "
    "of the standard GAN, noise std sigma acts like R1 with gamma = sigma^2 / 2 (sigma^2 = 2 gamma).",
)
