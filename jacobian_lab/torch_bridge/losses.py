r"""The players' losses from the discriminator's logits.

The discriminator outputs the logit of "real". With :math:`\sigma` the logistic function and
:math:`\log\sigma` evaluated stably (``logsigmoid``, using :math:`\log(1-\sigma(t)) = \log\sigma(-t)`):

* ``gan``:   :math:`L = \mathbb E_x \log\sigma(D(x)) + \mathbb E_z \log(1-\sigma(D(G(z))))`,
  :math:`l_G = L`, :math:`l_D = -L` (Goodfellow et al. 2014);
* ``nsgan``: :math:`l_G = -\mathbb E_z \log\sigma(D(G(z)))`, :math:`l_D` as for ``gan``;
* ``wgan``:  :math:`L = \mathbb E_x D(x) - \mathbb E_z D(G(z))`, :math:`l_G = L`, :math:`l_D = -L`
  (Arjovsky et al. 2017).

Each function maps ``(d_real, d_fake)`` (logits, any shape) to ``(l_G, l_D)``, each minimised by
its player; the same convention as :class:`jacobian_lab.games.base.GANGame`. A custom loss is any
callable with that signature.
"""

from __future__ import annotations

import torch.nn.functional as F

from ..errors import JacobianLabError, unknown_name


def gan(d_real, d_fake):
    """Zero-sum GAN: :math:`l_G = L`, :math:`l_D = -L`."""
    value = F.logsigmoid(d_real).mean() + F.logsigmoid(-d_fake).mean()
    return value, -value


def nsgan(d_real, d_fake):
    """Non-saturating GAN: :math:`l_G = -\\mathbb E \\log\\sigma(D(G(z)))`."""
    _, l_d = gan(d_real, d_fake)
    return -F.logsigmoid(d_fake).mean(), l_d


def wgan(d_real, d_fake):
    """Wasserstein GAN: :math:`L = \\mathbb E D(x) - \\mathbb E D(G(z))`."""
    value = d_real.mean() - d_fake.mean()
    return value, -value


LOSSES = {"gan": gan, "nsgan": nsgan, "wgan": wgan}
#: Named losses with :math:`l_D = -l_G` (the field is then one gradient of :math:`L`).
ZERO_SUM = ("gan", "wgan")


def make_loss(loss):
    """The loss function for a name in :data:`LOSSES` or a callable ``(d_real, d_fake) -> (l_G, l_D)``."""
    if callable(loss):
        return loss
    if not isinstance(loss, str):
        raise JacobianLabError(f"loss must be a name ({', '.join(LOSSES)}) or a callable, got {loss!r}")
    if loss not in LOSSES:
        raise unknown_name("loss", loss, LOSSES)
    return LOSSES[loss]
