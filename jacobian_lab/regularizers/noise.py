r"""Instance noise: the data distribution changed before the losses are built.

Both backends add :math:`\sigma` times standard normal noise to real and generated samples: the
symbolic core takes the expectation over it exactly, the torch bridge uses one fixed sample.
"""

from __future__ import annotations

from .base import DataNoise

INSTANCE_NOISE = DataNoise(
    "instance-noise",
    "real and generated samples plus N(0, sigma^2 I), expectation taken exactly",
    "sigma",
    "Sønderby et al. 2017; Mescheder et al. 2018 (and GAN_stability issue #15): near the equilibrium "
    "of the standard GAN, noise std sigma acts like R1 with gamma = sigma^2 / 2 (sigma^2 = 2 gamma).",
)

#: Every data-noise regularizer.
NOISES = (INSTANCE_NOISE,)
