r"""The torch backend of the regularizer operations and of the GAN losses.

:class:`TorchOps` implements :mod:`jacobian_lab.regularizers.ops` at a point ``(theta, psi)`` of a
:class:`~jacobian_lab.torch_bridge.game.TorchGame`: gradients are :func:`torch.func.grad`, so the
field differentiates through them again (double backprop); an expectation is the mean over the
fixed batch, its integrand evaluated on the whole batch at once (:class:`PerSample` values).
:func:`make_loss` evaluates a :class:`~jacobian_lab.losses.GANLoss` on the discriminator's logits.
Nothing here names a regularizer or a loss: the definitions are those of
:mod:`jacobian_lab.regularizers` and :mod:`jacobian_lab.losses`.
"""

from __future__ import annotations

import operator

import torch
import torch.nn.functional as F
from torch.func import grad

from ..errors import JacobianLabError, NotApplicableError, unknown_name
from ..losses import LOSSES, GANLoss
from ..regularizers.ops import Ops

#: The link functions of :data:`jacobian_lab.losses.LINK_FUNCTIONS` on tensors.
LINKS = {"identity": lambda t: t, "log_sigmoid": F.logsigmoid}


def make_loss(loss):
    """``loss(d_real, d_fake) -> (l_G, l_D)`` for a name in :data:`~jacobian_lab.losses.LOSSES`, or a callable.

    A named loss's expectations are means over the batch of logits; a callable is used as given.
    """
    if callable(loss) and not isinstance(loss, GANLoss):
        return loss
    if not isinstance(loss, str | GANLoss):
        raise JacobianLabError(f"loss must be a name ({', '.join(LOSSES)}) or a callable, got {loss!r}")
    if isinstance(loss, str) and loss not in LOSSES:
        raise unknown_name("loss", loss, LOSSES)
    definition = LOSSES[loss] if isinstance(loss, str) else loss

    def evaluate(d_real, d_fake):
        logits = {"real": d_real, "fake": d_fake}
        return definition.players(
            lambda where, link: link.scale * LINKS[link.function](link.sign * logits[where]).mean())

    evaluate.__name__ = definition.name
    return evaluate


def is_zero_sum(loss) -> bool:
    """Whether a named loss or :class:`~jacobian_lab.losses.GANLoss` has :math:`l_D = -l_G` (a callable: no)."""
    definition = LOSSES.get(loss) if isinstance(loss, str) else loss
    return isinstance(definition, GANLoss) and definition.zero_sum


def _lift(op, swap=False):
    def lifted(self, other):
        other = other.values if isinstance(other, PerSample) else other
        return PerSample(op(other, self.values) if swap else op(self.values, other))

    return lifted


class PerSample:
    """One value per sample of a batch (leading dimension): the ``x`` an integrand of :meth:`TorchOps.expect` sees.

    Arithmetic acts sample by sample; :meth:`TorchOps.sq_norm` and :meth:`TorchOps.sqrt` keep one value
    per sample.
    """

    def __init__(self, values: torch.Tensor):
        self.values = values

    __add__, __sub__, __mul__ = _lift(operator.add), _lift(operator.sub), _lift(operator.mul)
    __truediv__, __pow__ = _lift(operator.truediv), _lift(operator.pow)
    __radd__, __rsub__, __rmul__ = _lift(operator.add, True), _lift(operator.sub, True), _lift(operator.mul, True)
    __rtruediv__ = _lift(operator.truediv, True)

    def __neg__(self):
        return PerSample(-self.values)


class TorchOps(Ops):
    r"""The operations at ``(theta, psi)``; ``losses(theta, psi) -> (l_G, l_D)`` are the unregularized losses.

    :meth:`input_grad` is :math:`\nabla_{x_i} \sum_j D_\psi(x_j)` for each sample :math:`x_i` of the batch:
    the per-sample gradient when the samples are independent (``mode="eval"``), and with batch norm in
    training mode the gradient of the batch's objective, as a training step computes it.
    """

    backend = "the torch bridge"

    def __init__(self, game, losses, theta, psi, method="this regularizer"):
        super().__init__(method)
        self.game, self.losses, self.point = game, losses, {"G": theta, "D": psi}

    def _losses_at(self, wrt):
        """The losses as a function of player ``wrt``'s parameters, the other's held."""
        if wrt == "G":
            return lambda t: self.losses(t, self.point["D"])
        return lambda p: self.losses(self.point["G"], p)

    def loss(self, player):
        return self.losses(self.point["G"], self.point["D"])[0 if player == "G" else 1]

    def grad(self, player, wrt):
        index = 0 if player == "G" else 1
        at = self._losses_at(wrt)
        return grad(lambda z: at(z)[index])(self.point[wrt])

    def sq_norm(self, x):
        if isinstance(x, PerSample):
            return PerSample((x.values * x.values).flatten(1).sum(1))
        return (x * x).sum()

    def sqrt(self, x):
        return PerSample(torch.sqrt(x.values)) if isinstance(x, PerSample) else torch.sqrt(x)

    def samples(self, where):
        """Real, generated, or interpolated samples (equal batches cut to the smaller size)."""
        game = self.game
        if where == "real":
            return game.real
        fake = game.generate(self.point["G"])
        if where == "fake":
            return fake
        n = min(game.real.shape[0], fake.shape[0])
        a = game.fixed_noise("interp")
        return a * game.real[:n] + (1 - a) * fake[:n]

    def expect(self, where, fn):
        value = fn(PerSample(self.samples(where)))
        return value.values.mean(dim=0) if isinstance(value, PerSample) else value

    def input_grad(self, x):
        psi = self.point["D"]
        return PerSample(grad(lambda s: self.game.discriminate(psi, s).sum())(x.values))

    def weight_matrices(self):
        weights = [w for w in self.game.d_layout.unflatten(self.point["D"]).values() if w.ndim == 2]
        if not weights:
            raise NotApplicableError(f"{self.method} needs discriminator weight matrices; this discriminator has none")
        return weights

    def eye(self, n):
        psi = self.point["D"]
        return torch.eye(n, dtype=psi.dtype, device=psi.device)
