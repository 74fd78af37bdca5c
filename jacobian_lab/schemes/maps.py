"""The update schemes of METHODS.md section 3."""

from __future__ import annotations

import numpy as np

from ..games.parameters import MAX_SUBSTEPS, Parameter
from .base import LR, Scheme

# -- the maps, as plain functions (see Scheme.update) ----------------------------------------


def simgd_update(v, x, x_prev, lr, gmask, p):
    r""":math:`x + h\,v(x)`."""
    return x + lr * v(x), x


def altgd_update(v, x, x_prev, lr, gmask, p):
    """``p = (n_g, n_d, generator_first)``: sub-steps of one player at a time."""
    first, second = (gmask, 1 - gmask) if p[2] > 0.5 else (1 - gmask, gmask)
    counts = (int(p[0]), int(p[1])) if p[2] > 0.5 else (int(p[1]), int(p[0]))
    for _ in range(counts[0]):
        x = x + first * lr * v(x)
    for _ in range(counts[1]):
        x = x + second * lr * v(x)
    return x, x


def extragradient_update(v, x, x_prev, lr, gmask, p):
    r""":math:`x + h\,v(x + h\,v(x))`."""
    return x + lr * v(x + lr * v(x)), x


def optimistic_update(v, x, x_prev, lr, gmask, p):
    r""":math:`x_k + 2h\,v(x_k) - h\,v(x_{k-1})`."""
    return x + lr * (2 * v(x) - v(x_prev)), x


def momentum_update(v, x, x_prev, lr, gmask, p):
    """``p = (beta, alternating)``: heavy ball, the discriminator seeing the new generator if alternating."""
    beta = p[0]
    if p[1] < 0.5:
        return x + lr * v(x) + beta * (x - x_prev), x
    with_generator = x + gmask * (lr * v(x) + beta * (x - x_prev))
    return with_generator + (1 - gmask) * (lr * v(with_generator) + beta * (x - x_prev)), x


def rk4_update(v, x, x_prev, lr, gmask, p):
    """One classical Runge-Kutta step of size ``lr``."""
    k1 = v(x)
    k2 = v(x + lr / 2 * k1)
    k3 = v(x + lr / 2 * k2)
    k4 = v(x + lr * k3)
    return x + lr / 6 * (k1 + 2 * k2 + 2 * k3 + k4), x


# -- the schemes ----------------------------------------------------------------------

class SimGD(Scheme):
    """Simultaneous gradient descent :math:`x \\leftarrow x + h\\,v(x)`; TTUR with ``lr_g != lr_d``."""

    name = "simgd"
    description = "simultaneous gradient descent x <- x + h v(x) (TTUR with lr_g, lr_d)"
    source = "Mescheder et al. 2017; Heusel et al. 2017 (TTUR)"

    update = staticmethod(simgd_update)


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
        "n_g": Parameter("n_g", 1, "int", "generator sub-steps per iteration", maximum=MAX_SUBSTEPS),
        "n_d": Parameter("n_d", 1, "int", "discriminator sub-steps per iteration", maximum=MAX_SUBSTEPS),
        "order": Parameter("order", "gd", "choice", "gd: generator first; dg: discriminator first",
                           ("gd", "dg")),
    }

    update = staticmethod(altgd_update)

    def packed(self):
        return np.array([self.values["n_g"], self.values["n_d"], self.values["order"] == "gd"], dtype=float)


class Extragradient(Scheme):
    """Extragradient: :math:`x' = x + h v(x)`, :math:`x \\leftarrow x + h v(x')` (Korpelevich 1976)."""

    name = "extragradient"
    description = "extragradient: x' = x + h v(x), x <- x + h v(x')"
    source = "Korpelevich 1976; Gidel et al. 2019"

    update = staticmethod(extragradient_update)


class Optimistic(Scheme):
    """Optimistic GD: :math:`x_{k+1} = x_k + 2h v(x_k) - h v(x_{k-1})` (Daskalakis et al. 2018)."""

    name = "optimistic"
    description = "optimistic GD: x_{k+1} = x_k + 2h v(x_k) - h v(x_{k-1})"
    source = "Daskalakis, Ilyas, Syrgkanis & Zeng 2018"
    memory = 2

    update = staticmethod(optimistic_update)


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

    update = staticmethod(momentum_update)

    def packed(self):
        return np.array([self.values["beta"], bool(self.values["alternating"])], dtype=float)


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

    update = staticmethod(rk4_update)

