r"""The (regularized) vector field of a :class:`~jacobian_lab.torch_bridge.game.TorchGame`.

With the penalised losses :math:`\tilde l_G = l_G + \sum_k p^G_k`, :math:`\tilde l_D = l_D + \sum_k p^D_k`
(the penalties of :mod:`jacobian_lab.regularizers`, evaluated by
:class:`jacobian_lab.torch_bridge.ops.TorchOps`), the field is

.. math:: v(x) = \bigl(v_\theta, v_\psi\bigr) = \bigl(-\nabla_\theta \tilde l_G,\ -\nabla_\psi \tilde l_D\bigr),
          \qquad x = (\theta, \psi),

then each field transform in the order given, its products :math:`J^\top u` and :math:`Ju` computed
with one :func:`torch.func.vjp` and :func:`torch.func.jvp` (no matrix). Instance noise (a
:class:`~jacobian_lab.regularizers.DataNoise`) adds the fixed noise sample scaled by its standard
deviation to real and generated samples before anything else. The result is a pure function of ``x``
that :mod:`torch.func` can differentiate again.

:func:`player_fields` gives the two halves separately, for the dense Jacobian (:mod:`.dense`), and
says when the mixed blocks are transposes of each other (:attr:`PlayerFields.symmetric`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import torch
from torch.func import grad, jvp, vjp

from ..errors import JacobianLabError
from ..regularizers import DataNoise, FieldTransform, Penalty, parse_reg
from .ops import TorchOps


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
        (with or without instance noise) and only penalties whose generator term reads only
        :math:`\theta` and discriminator term only :math:`\psi`
        (:attr:`~jacobian_lab.regularizers.Penalty.decoupled`, traced from the definition).
    """

    theta: Callable
    psi: Callable
    both: Callable
    symmetric: bool


def player_fields(game, reg=None, gamma=None) -> PlayerFields:
    """:class:`PlayerFields` of the penalised field (field transforms are not allowed: use :func:`make_field`)."""
    regs = parse_reg(reg, gamma)
    transforms = [r.name for r, _ in regs if isinstance(r, FieldTransform)]
    if transforms:
        raise JacobianLabError(f"a field transform ({', '.join(transforms)}) mixes the players' halves; "
                               "use make_field")
    game.fixed_noise("real")  # draw the fixed samples outside any transform
    noise_std = sum(s for r, s in regs if isinstance(r, DataNoise))

    def losses(theta, psi):
        return game.losses(theta, psi, noise_std)

    active = [(r, s) for r, s in regs if isinstance(r, Penalty) and s != 0]
    terms = {player: [(r.name, term, s) for r, s in active for p, term in r.terms() if p == player]
             for player in ("G", "D")}

    def penalty(player, theta, psi):
        return sum(s * term(TorchOps(game, losses, theta, psi, name)) for name, term, s in terms[player])

    def grad_g_penalty(theta, psi):
        return grad(lambda t: penalty("G", t, psi))(theta) if terms["G"] else 0.0

    def grad_d_penalty(theta, psi):
        return grad(lambda p: penalty("D", theta, p))(psi) if terms["D"] else 0.0

    def v_theta(theta, psi):
        return -(grad(lambda t: losses(t, psi)[0])(theta) + grad_g_penalty(theta, psi))

    def v_psi(theta, psi):
        return -(grad(lambda p: losses(theta, p)[1])(psi) + grad_d_penalty(theta, psi))

    def v_both(theta, psi):
        if not game.zero_sum:
            return torch.cat([v_theta(theta, psi), v_psi(theta, psi)])
        g_theta, g_psi = grad(lambda t, p: losses(t, p)[0], argnums=(0, 1))(theta, psi)  # l_D = -L
        return -torch.cat([g_theta + grad_g_penalty(theta, psi), -g_psi + grad_d_penalty(theta, psi)])

    symmetric = game.zero_sum and all(r.decoupled for r, _ in active)
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
            field = _transformed(r, field, s)
    return field


#: Layers whose third derivative torch 2.x computes wrongly without an error (pytorch/pytorch issues
#: 175754 and 186256): layer norm always, batch norm when it normalises with the batch's statistics.
_THIRD_DERIVATIVE_UNSAFE = (torch.nn.LayerNorm,)
_THIRD_DERIVATIVE_UNSAFE_IN_TRAINING = (torch.nn.modules.batchnorm._BatchNorm,)


def warn_third_derivatives(game, reg=None, gamma=None) -> None:
    """Before a Jacobian: warn when a regularizer that differentiates the networks (a penalty traced as
    :attr:`~jacobian_lab.regularizers.Penalty.differentiates_network`, or a field transform) meets a
    layer whose third derivative torch gets wrong. The field itself (second derivatives) is right."""
    methods = [r.name for r, s in parse_reg(reg, gamma) if s != 0 and (
        isinstance(r, FieldTransform) or (isinstance(r, Penalty) and r.differentiates_network))]
    if not methods:
        return
    training = getattr(game, "mode", "eval") == "train"
    unsafe = _THIRD_DERIVATIVE_UNSAFE + (_THIRD_DERIVATIVE_UNSAFE_IN_TRAINING if training else ())
    layers = sorted({type(m).__name__ for net in (game.generator, game.discriminator)
                     for m in net.modules() if isinstance(m, unsafe)})
    if layers:
        warnings.warn(
            f"{', '.join(methods)} differentiate(s) the networks, so the Jacobian needs their third derivatives, "
            f"and torch computes those wrongly through {', '.join(layers)} (pytorch/pytorch #175754, #186256): "
            "this Jacobian is unreliable. GroupNorm, or batch norm in mode='eval', are not affected.",
            RuntimeWarning, stacklevel=4)


class _Products:
    """:math:`Ju` and :math:`J^\top u` of ``field`` at ``x`` (one recorded pullback)."""

    def __init__(self, field, x):
        self.field, self.x = field, x
        self.value, self._pullback = vjp(field, x)

    def jv(self, u):
        return jvp(self.field, (self.x,), (u,))[1]

    def jtv(self, u):
        return self._pullback(u)[0]


def _transformed(transform, field, strength):
    """The field ``transform`` maps ``field`` to (:class:`~jacobian_lab.regularizers.FieldTransform`)."""

    def transformed(x):
        products = _Products(field, x)
        return transform.apply(products.value, products, strength)

    return transformed
