r"""The (regularized) vector field of a :class:`~jacobian_lab.torch_bridge.game.TorchGame`.

With the penalised losses :math:`\tilde l_G = l_G + \sum_k p^G_k`, :math:`\tilde l_D = l_D + \sum_k p^D_k`
(:mod:`.penalties`), the field is

.. math:: v(x) = \bigl(-\nabla_\theta \tilde l_G,\ -\nabla_\psi \tilde l_D\bigr), \qquad x = (\theta, \psi),

then each field transform in the order given: SGA (Balduzzi et al. 2018) maps
:math:`v \mapsto v - \lambda A^\top v` with :math:`A = (J - J^\top)/2`, so
:math:`A^\top v = \tfrac12 (J^\top v - J v)`, computed with one :func:`torch.func.vjp` and one
:func:`torch.func.jvp` (no matrix). Instance noise (a :class:`~jacobian_lab.regularizers.DataNoise`) adds
the fixed noise sample scaled by its standard deviation to real and generated samples before
anything else. The result is a pure function of ``x`` that :mod:`torch.func` can differentiate again.
"""

from __future__ import annotations

import math

import torch
from torch.func import grad, jvp, vjp

from ..errors import JacobianLabError
from ..regularizers import DataNoise, FieldTransform, Penalty, parse_reg
from .penalties import TERMS


def make_field(game, reg=None, gamma=None, split=False):
    """``v(x)`` for a flat parameter vector ``x`` (torch in, torch out).

    With ``split=True`` returns ``v(theta, psi)`` instead (no field transform allowed): the dense
    Jacobian then differentiates each player's block of columns without pushing zero tangents
    through the other player's network.
    """
    regs = parse_reg(reg, gamma)
    game.fixed_noise("real")  # draw the fixed samples outside any transform
    noise_std = math.sqrt(sum(s**2 for r, s in regs if isinstance(r, DataNoise)))

    def losses(theta, psi):
        return game.losses(theta, psi, noise_std)

    active = [(TERMS[r.name], s) for r, s in regs if isinstance(r, Penalty) and s != 0]
    g_terms = [(g, s) for (g, _), s in active if g is not None]
    d_terms = [(d, s) for (_, d), s in active if d is not None]

    def penalty(terms, theta, psi):
        return sum(term(game, losses, theta, psi, s) for term, s in terms)

    def base(theta, psi):
        if game.zero_sum:
            g_theta, g_psi = grad(lambda t, p: losses(t, p)[0], argnums=(0, 1))(theta, psi)
            g_psi = -g_psi
        else:
            g_theta = grad(lambda t: losses(t, psi)[0])(theta)
            g_psi = grad(lambda p: losses(theta, p)[1])(psi)
        if g_terms:
            g_theta = g_theta + grad(lambda t: penalty(g_terms, t, psi))(theta)
        if d_terms:
            g_psi = g_psi + grad(lambda p: penalty(d_terms, theta, p))(psi)
        return -torch.cat([g_theta, g_psi])

    transforms = [(r, s) for r, s in regs if isinstance(r, FieldTransform)]
    if split:
        if transforms:
            raise JacobianLabError("a split field has no transforms; use split=False")
        return base

    def field(x):
        return base(*game.split(x))

    for r, s in transforms:
        field = _transform(r.name, field, s)
    return field


def _transform(name, field, strength):
    if name != "sga":
        raise JacobianLabError(f"field transform {name!r} is not available in the torch bridge; accepted: sga")
    return sga(field, strength)


def sga(field, lam):
    """:math:`v - \\lambda A^\\top v`, :math:`A^\\top v = \\tfrac12(J^\\top v - Jv)` (Balduzzi et al. 2018)."""

    def adjusted(x):
        v, pullback = vjp(field, x)
        jtv = pullback(v)[0]
        jv = jvp(field, (x,), (v,))[1]
        return v - 0.5 * lam * (jtv - jv)

    return adjusted
