r"""The (regularized) vector field of a :class:`~jacobian_lab.torch_bridge.game.TorchGame`.

With the penalised losses :math:`\tilde l_G = l_G + \sum_k p^G_k`, :math:`\tilde l_D = l_D + \sum_k p^D_k`
(:mod:`.penalties`), the field is

.. math:: v(x) = \bigl(v_\theta, v_\psi\bigr) = \bigl(-\nabla_\theta \tilde l_G,\ -\nabla_\psi \tilde l_D\bigr),
          \qquad x = (\theta, \psi),

then each field transform in the order given: SGA (Balduzzi et al. 2018) maps
:math:`v \mapsto v - \lambda A^\top v` with :math:`A = (J - J^\top)/2`, so
:math:`A^\top v = \tfrac12 (J^\top v - J v)`, computed with one :func:`torch.func.vjp` and one
:func:`torch.func.jvp` (no matrix). Instance noise (a :class:`~jacobian_lab.regularizers.DataNoise`) adds
the fixed noise sample scaled by its standard deviation to real and generated samples before
anything else. The result is a pure function of ``x`` that :mod:`torch.func` can differentiate again.

:func:`player_fields` gives the two halves separately, for the dense Jacobian (:mod:`.dense`), and
says when the mixed blocks are transposes of each other (:attr:`PlayerFields.symmetric`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import torch
from torch.func import grad, jvp, vjp

from ..errors import JacobianLabError
from ..regularizers import DataNoise, FieldTransform, Penalty, parse_reg
from .penalties import DECOUPLED, TERMS


class PlayerFields(NamedTuple):
    r"""The field's two halves as functions of ``(theta, psi)``.

    Attributes
    ----------
    theta : callable
        :math:`v_\theta(\theta, \psi) = -\nabla_\theta \tilde l_G`.
    psi : callable
        :math:`v_\psi(\theta, \psi) = -\nabla_\psi \tilde l_D`.
    both : callable
        :math:`(v_\theta, v_\psi)` concatenated (for zero-sum losses from one gradient of :math:`L`).
    symmetric : bool
        Whether :math:`J_{\psi\theta} = -J_{\theta\psi}^\top`. That holds iff
        :math:`\partial_\theta \nabla_\psi (\tilde l_G + \tilde l_D) = 0`: a zero-sum loss
        (``gan``, ``wgan``, with or without instance noise) and only penalties in
        :data:`~jacobian_lab.torch_bridge.penalties.DECOUPLED` (a discriminator term that does not
        depend on :math:`\theta`, no generator term).
    """

    theta: Callable
    psi: Callable
    both: Callable
    symmetric: bool


def player_fields(game, reg=None, gamma=None) -> PlayerFields:
    """:class:`PlayerFields` of the penalised field (field transforms are not allowed: use :func:`make_field`)."""
    regs = parse_reg(reg, gamma)
    if any(isinstance(r, FieldTransform) for r, _ in regs):
        raise JacobianLabError("a field transform (sga) mixes the players' halves; use make_field")
    game.fixed_noise("real")  # draw the fixed samples outside any transform
    noise_std = math.hypot(*(float(s) for r, s in regs if isinstance(r, DataNoise)))  # no overflow of s**2

    def losses(theta, psi):
        return game.losses(theta, psi, noise_std)

    active = [(r.name, s) for r, s in regs if isinstance(r, Penalty) and s != 0]
    g_terms = [(TERMS[name][0], s) for name, s in active if TERMS[name][0] is not None]
    d_terms = [(TERMS[name][1], s) for name, s in active if TERMS[name][1] is not None]

    def penalty(terms, theta, psi):
        return sum(term(game, losses, theta, psi, s) for term, s in terms)

    def grad_g_penalty(theta, psi):
        return grad(lambda t: penalty(g_terms, t, psi))(theta) if g_terms else 0.0

    def grad_d_penalty(theta, psi):
        return grad(lambda p: penalty(d_terms, theta, p))(psi) if d_terms else 0.0

    def v_theta(theta, psi):
        return -(grad(lambda t: losses(t, psi)[0])(theta) + grad_g_penalty(theta, psi))

    def v_psi(theta, psi):
        return -(grad(lambda p: losses(theta, p)[1])(psi) + grad_d_penalty(theta, psi))

    def v_both(theta, psi):
        if not game.zero_sum:
            return torch.cat([v_theta(theta, psi), v_psi(theta, psi)])
        g_theta, g_psi = grad(lambda t, p: losses(t, p)[0], argnums=(0, 1))(theta, psi)  # l_D = -L
        return -torch.cat([g_theta + grad_g_penalty(theta, psi), -g_psi + grad_d_penalty(theta, psi)])

    symmetric = game.zero_sum and all(name in DECOUPLED for name, _ in active)
    return PlayerFields(v_theta, v_psi, v_both, symmetric)


def make_field(game, reg=None, gamma=None):
    """``v(x)`` for a flat parameter vector ``x`` (torch in, torch out), field transforms included."""
    regs = parse_reg(reg, gamma)
    penalised = [(r.name, s) for r, s in regs if not isinstance(r, FieldTransform)]
    both = player_fields(game, penalised).both

    def field(x):
        return both(*game.split(x))

    for r, s in regs:
        if isinstance(r, FieldTransform):
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
