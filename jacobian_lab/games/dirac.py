r"""The Dirac-GAN of Mescheder, Geiger & Nowozin (2018), "Which training methods for GANs do
actually converge?", section 2.2.

Data at :math:`0`, generator :math:`G_\theta = \theta`, discriminator :math:`D_\psi(x) = \psi^T x`,

.. math:: L(\theta, \psi) = f(\psi^T\theta) + f(0),

equilibrium :math:`(0, 0)`, :math:`f(t) = -\log(1+e^{-t})` (``gan``) or :math:`f(t) = t` (``wgan``).
Mescheder's :math:`D_\psi` is the logit of *fake*; in this toolkit's logit-of-real convention the
discriminator is :math:`-\psi^T x`, which gives exactly the paper's :math:`L`.
"""

from __future__ import annotations

import sympy as sp

from ..losses import LOSSES
from .base import GANGame
from .parameters import MAX_SYMBOLIC_DIM, Parameter


class DiracGAN(GANGame):
    """Dirac-GAN: data at the origin, generator a point, linear discriminator."""

    name = "dirac"
    description = "Dirac-GAN (Mescheder et al. 2018): data at 0, G = theta, D(x) = psi x"
    parameters = {
        "loss": Parameter("loss", "gan", "choice", f"GAN loss: {', '.join(LOSSES)}", tuple(LOSSES)),
        "dim": Parameter("dim", 1, "int", "dimension of the data (theta and psi each have dim)",
                         maximum=MAX_SYMBOLIC_DIM),
    }

    @property
    def data_dim(self):
        return self.values["dim"]

    def _players(self):
        n = self.values["dim"]
        if n == 1:
            return (sp.Symbol("theta", real=True),), (sp.Symbol("psi", real=True),)
        return (
            sp.symbols(f"theta1:{n + 1}", real=True),
            sp.symbols(f"psi1:{n + 1}", real=True),
        )

    def discriminator(self, x):
        return -sum((p * xi for p, xi in zip(self.psi, x)), sp.Integer(0))

    def real_sample(self, noise):
        return [sp.Integer(0)] * self.data_dim

    def fake_sample(self, noise):
        return list(self.theta)

    def _equilibrium(self):
        return (0,) * (2 * self.data_dim)
