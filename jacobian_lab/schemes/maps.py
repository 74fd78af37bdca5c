"""The update schemes of METHODS.md section 3."""

from __future__ import annotations

import numpy as np

from ..games.parameters import Parameter
from .base import LR, Scheme


class SimGD(Scheme):
    """Simultaneous gradient descent :math:`x \\leftarrow x + h\\,v(x)`; TTUR with ``lr_g != lr_d``."""

    name = "simgd"
    description = "simultaneous gradient descent x <- x + h v(x) (TTUR with lr_g, lr_d)"
    source = "Mescheder et al. 2017; Heusel et al. 2017 (TTUR)"

    def _step(self, field, x):
        return (x + self.lr * field.v(x),)


class AltGD(Scheme):
    """Alternating GD: ``n_g`` generator sub-steps, then ``n_d`` discriminator sub-steps.

    Each sub-step re-evaluates the field. ``order="gd"`` (generator first) follows GAN_stability's
    ``notebooks/diracgan/simulate.py``; TheNumericsOfGANs goes discriminator first (``"dg"``).
    """

    name = "altgd"
    description = "alternating GD: n_g generator then n_d discriminator sub-steps (order gd or dg)"
    source = "GAN_stability notebooks/diracgan/simulate.py (generator first)"
    parameters = {
        **Scheme.parameters,
        "n_g": Parameter("n_g", 1, "int", "generator sub-steps per iteration"),
        "n_d": Parameter("n_d", 1, "int", "discriminator sub-steps per iteration"),
        "order": Parameter("order", "gd", "choice", "gd: generator first; dg: discriminator first",
                           ("gd", "dg")),
    }

    def _player_steps(self, field, x, mask, count):
        for _ in range(count):
            x = x + mask * self.lr * field.v(x)
        return x

    def _step(self, field, x):
        g, d = self.generator_mask, 1 - self.generator_mask
        phases = [(g, self.values["n_g"]), (d, self.values["n_d"])]
        for mask, count in phases if self.values["order"] == "gd" else phases[::-1]:
            x = self._player_steps(field, x, mask, count)
        return (x,)


class Extragradient(Scheme):
    """Extragradient: :math:`x' = x + h v(x)`, :math:`x \\leftarrow x + h v(x')` (Korpelevich 1976)."""

    name = "extragradient"
    description = "extragradient: x' = x + h v(x), x <- x + h v(x')"
    source = "Korpelevich 1976; Gidel et al. 2019"

    def _step(self, field, x):
        look_ahead = x + self.lr * field.v(x)
        return (x + self.lr * field.v(look_ahead),)


class Optimistic(Scheme):
    """Optimistic GD: :math:`x_{k+1} = x_k + 2h v(x_k) - h v(x_{k-1})` (Daskalakis et al. 2018)."""

    name = "optimistic"
    description = "optimistic GD: x_{k+1} = x_k + 2h v(x_k) - h v(x_{k-1})"
    source = "Daskalakis, Ilyas, Syrgkanis & Zeng 2018"
    memory = 2

    def _step(self, field, x, x_prev):
        return x + self.lr * (2 * field.v(x) - field.v(x_prev)), x


class Momentum(Scheme):
    """Heavy ball: :math:`x_{k+1} = x_k + h v(x_k) + \\beta (x_k - x_{k-1})`.

    With ``alternating=True`` the discriminator's step sees the generator's new parameters;
    negative ``beta`` with alternating updates is Gidel et al. 2019, "Negative momentum".
    """

    name = "momentum"
    description = "heavy-ball momentum beta, simultaneous or alternating (negative beta: Gidel 2019)"
    source = "Polyak 1964; Gidel et al. 2019"
    memory = 2
    parameters = {
        **Scheme.parameters,
        "beta": Parameter("beta", 0.5, "real", "momentum coefficient (may be negative)"),
        "alternating": Parameter("alternating", False, "choice", "alternate the players' updates",
                                 (False, True)),
    }

    def __init__(self, n_theta, dim, **params):
        super().__init__(n_theta, dim, **params)
        self.beta = self.values["beta"]

    def _step(self, field, x, x_prev):
        beta, g = self.beta, self.generator_mask
        if not self.values["alternating"]:
            return x + self.lr * field.v(x) + beta * (x - x_prev), x
        with_generator = x + g * (self.lr * field.v(x) + beta * (x - x_prev))
        d = 1 - g
        new = with_generator + d * (self.lr * field.v(with_generator) + beta * (x - x_prev))
        return new, x


class CGD(Scheme):
    """Competitive gradient descent (Schaefer & Anandkumar 2019), exact linear solves.

    In field notation (:math:`v = (v_\\theta, v_\\psi)`, blocks :math:`J_{\\theta\\psi}, J_{\\psi\\theta}`
    of the Jacobian), with one step size :math:`\\eta`:

    .. math::

        \\Delta\\theta = \\eta (I - \\eta^2 J_{\\theta\\psi} J_{\\psi\\theta})^{-1}
                         (v_\\theta + \\eta J_{\\theta\\psi} v_\\psi), \\qquad
        \\Delta\\psi = \\eta (I - \\eta^2 J_{\\psi\\theta} J_{\\theta\\psi})^{-1}
                       (v_\\psi + \\eta J_{\\psi\\theta} v_\\theta).

    This is the paper's update for losses :math:`f, g` with :math:`D_{xy}f = -J_{\\theta\\psi}`,
    :math:`D_{yx}g = -J_{\\psi\\theta}`.
    """

    name = "cgd"
    description = "competitive gradient descent (Schaefer & Anandkumar 2019), exact solve"
    source = "Schaefer & Anandkumar 2019, eq. (4)"
    parameters = {"lr": LR}

    def _step(self, field, x):
        n, eta = self.n_theta, self.values["lr"]
        v, jac = field.v(x), field.jac(x)
        v_t, v_p = v[..., :n], v[..., n:]
        j_tp, j_pt = jac[..., :n, n:], jac[..., n:, :n]
        d_theta = _solve(np.eye(n) - eta**2 * j_tp @ j_pt, v_t + eta * _matvec(j_tp, v_p))
        d_psi = _solve(np.eye(x.shape[-1] - n) - eta**2 * j_pt @ j_tp, v_p + eta * _matvec(j_pt, v_t))
        return (x + eta * np.concatenate([d_theta, d_psi], axis=-1),)


def _matvec(matrix, vector):
    return np.einsum("...ij,...j->...i", matrix, vector)


def _solve(matrix, vector):
    return np.linalg.solve(matrix, vector[..., None])[..., 0]


class Flow(Scheme):
    """The gradient flow :math:`\\dot x = v(x)`; one step is classical RK4 with step ``lr``.

    Its spectrum is the continuous-time one; simulations may also use scipy's ``solve_ivp``.
    """

    name = "flow"
    description = "continuous-time flow x' = v(x) (RK4 steps of size lr; spectrum is J's)"
    source = "the ODE itself; RK4"
    parameters = {"lr": LR}
    continuous = True

    def _step(self, field, x):
        h = self.lr
        k1 = field.v(x)
        k2 = field.v(x + h / 2 * k1)
        k3 = field.v(x + h / 2 * k2)
        k4 = field.v(x + h * k3)
        return (x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4),)

