r"""The "simple GAN example" of Nie & Patel (2019), "Towards a better understanding and
regularization of GAN training dynamics" (JARE), section 4.1 and ``synthetic/`` of weilinie/JARE.

Data :math:`x \sim \mathcal N(m, \sigma^2 I)`, generator :math:`G(z) = \theta + z` with
:math:`z \sim \mathcal N(0, \sigma^2 I)`, discriminator :math:`D(x) = \psi^T x`, value

.. math:: L = \mathbb E\, g_1(\psi^T x) + \mathbb E\, g_2(\psi^T G(z)),\quad
          g_1(t) = -\log(1+e^{-t}),\ g_2(t) = -\log(1+e^{t}),

equilibrium :math:`\theta = m, \psi = 0`. The paper writes :math:`\phi` for the generator and
:math:`\theta` for the discriminator; here they are :math:`\theta` and :math:`\psi`.
Near equilibrium the Jacobian depends on :math:`\sigma^2 I + m m^T`, so each of its eigen-directions
is an independent 2x2 mode (:meth:`GaussianGAN.mode_basis`).
"""

from __future__ import annotations

import sympy as sp

from ..exact import exact
from ..losses import LOSSES
from .base import GANGame
from .parameters import MAX_SYMBOLIC_DIM, Parameter


class GaussianGAN(GANGame):
    """Nie & Patel's Gaussian example: G shifts the latent noise, D is linear."""

    name = "gaussian"
    description = "Nie & Patel 2019 simple GAN: x ~ N(mean, sigma^2 I), G(z) = theta + z, D = psi.x"
    parameters = {
        "mean": Parameter("mean", (0.0, 2.0), "vector", "mean of the data (its length sets dim)",
                          maximum=MAX_SYMBOLIC_DIM),
        "sigma": Parameter("sigma", 0.7, "positive", "standard deviation of data and latent noise"),
        "loss": Parameter("loss", "gan", "choice", f"GAN loss: {', '.join(LOSSES)}", tuple(LOSSES)),
    }

    @property
    def data_dim(self):
        return len(self.values["mean"])

    def _players(self):
        n = self.data_dim
        return sp.symbols(f"theta1:{n + 1}", real=True), sp.symbols(f"psi1:{n + 1}", real=True)

    def _mean(self):
        return [self.symbol(f"m{i + 1}", v) for i, v in enumerate(self.values["mean"])]

    def _sigma(self):
        return self.symbol("sigma", self.values["sigma"], positive=True)

    def discriminator(self, x):
        return sum((p * xi for p, xi in zip(self.psi, x)), sp.Integer(0))

    def real_sample(self, noise):
        return [m + self._sigma() * n for m, n in zip(self._mean(), noise)]

    def fake_sample(self, noise):
        return [t + self._sigma() * n for t, n in zip(self.theta, noise)]

    def _equilibrium(self):
        return (*self._mean(), *([0] * self.data_dim))

    def mode_basis(self, symbolic: bool = False) -> sp.Matrix:
        """Orthogonal ``P`` whose columns pair (generator, discriminator) coordinates per mode.

        The directions are :math:`m/\\|m\\|` and an orthonormal completion (the eigenvectors of
        :math:`\\sigma^2 I + m m^T`); ``P.T @ J @ P`` is block diagonal with one 2x2 block per
        direction, generator coordinate first. With ``symbolic`` the directions are functions of the
        mean's symbols (for closed forms in 2-D); otherwise they use its exact values (fast).
        """
        n = self.data_dim
        values = [exact(v) for v in self.values["mean"]]
        mean = self._mean() if symbolic else values
        columns = []
        for u in _orthonormal_completion(mean, values):
            columns.append(sp.Matrix.vstack(u, sp.zeros(n, 1)))
            columns.append(sp.Matrix.vstack(sp.zeros(n, 1), u))
        return sp.Matrix.hstack(*columns)


def _orthonormal_completion(mean, values) -> list[sp.Matrix]:
    """``m/|m|`` (if ``m`` is not zero) completed to an orthonormal basis by Gram-Schmidt.

    Which candidate vectors are independent is decided on the numeric ``values`` of the mean, so
    that a basis vector never degenerates at the actual parameters.
    """
    n = len(mean)
    subs = {m: v for m, v in zip(mean, values) if isinstance(m, sp.Symbol)}
    candidates = [sp.Matrix(mean)] + [sp.eye(n)[:, i] for i in range(n)]
    basis: list[sp.Matrix] = []
    for v in candidates:
        for b in basis:
            v = v - (b.T * v)[0] * b
        norm_sq = _tidy((v.T * v)[0])
        if norm_sq.subs(subs) != 0:
            basis.append((v / sp.sqrt(norm_sq)).applyfunc(_tidy))
        if len(basis) == n:
            break
    return basis


def _tidy(expr):
    return sp.simplify(expr) if expr.free_symbols else sp.radsimp(sp.expand(expr))
