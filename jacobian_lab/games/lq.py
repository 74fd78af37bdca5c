r"""The LQ-GAN of Nagarajan & Kolter (2017), "Gradient descent GAN optimization is locally
stable", section 5: Gaussian data, linear generator, quadratic discriminator, WGAN value.

:math:`x \sim \mathcal N(\mu, \sigma^2)`, :math:`G(z) = a z + b` with :math:`z \sim \mathcal N(0, 1)`,
:math:`D(x) = w_2 x^2 + w_1 x`,

.. math:: L = \mathbb E\, D(x) - \mathbb E\, D(G(z))
            = w_2(\mu^2 + \sigma^2 - a^2 - b^2) + w_1(\mu - b),

equilibrium :math:`a = \sigma, b = \mu, w = 0`. Unregularized, the Jacobian there has purely
imaginary eigenvalues; the generator-side gradient penalty (``grad-g``) stabilises it.
"""

from __future__ import annotations

import sympy as sp

from .base import GANGame
from .parameters import Parameter


class LQGAN(GANGame):
    """Linear generator, quadratic discriminator, 1-D Gaussian data (WGAN value)."""

    name = "lq"
    description = "Nagarajan & Kolter 2017 LQ-GAN: x ~ N(mu, sigma^2), G = a z + b, D = w2 x^2 + w1 x"
    parameters = {
        "mu": Parameter("mu", 0.0, "real", "mean of the data"),
        "sigma": Parameter("sigma", 1.0, "positive", "standard deviation of the data"),
        "loss": Parameter("loss", "wgan", "choice", "wgan (exact expectation)", ("wgan",)),
    }
    data_dim = 1

    def _players(self):
        return sp.symbols("a b", real=True), sp.symbols("w2 w1", real=True)

    def discriminator(self, x):
        w2, w1 = self.psi
        return w2 * x[0] ** 2 + w1 * x[0]

    def real_sample(self, noise):
        mu, sigma = self.symbol("mu", self.values["mu"]), self.symbol(
            "sigma", self.values["sigma"], positive=True
        )
        return [mu + sigma * noise[0]]

    def fake_sample(self, noise):
        a, b = self.theta
        return [a * noise[0] + b]

    def _equilibrium(self):
        sigma = self.symbol("sigma", self.values["sigma"], positive=True)
        return (sigma, self.symbol("mu", self.values["mu"]), 0, 0)
