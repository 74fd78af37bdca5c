r"""GAN losses, written once as link functions of the discriminator's logit.

The discriminator outputs the logit of "real". A loss is the value

.. math:: L(\theta, \psi) = \mathbb E_x f_{\mathrm{real}}(D_\psi(x))
          + \mathbb E_z f_{\mathrm{fake}}(D_\psi(G_\theta(z))),

with :math:`l_D = -L` for the discriminator and, for the generator, :math:`l_G = L` (zero-sum) or
:math:`l_G = \mathbb E_z f_{\mathrm{gen}}(D_\psi(G_\theta(z)))` (non-saturating). Each :math:`f` is a
:class:`Link`, :math:`f(t) = c\, g(s t)` with :math:`g` the identity or
:math:`\log\sigma(t) = -\log(1 + e^{-t})`. A backend evaluates the expectation its own way: the symbolic
games exactly (:class:`jacobian_lab.games.base.GANGame`), the torch bridge as a batch mean.

* ``gan``:   :math:`L = \mathbb E \log\sigma(D(x)) + \mathbb E \log(1 - \sigma(D(G(z))))`
  (Goodfellow et al. 2014; :math:`\log(1-\sigma(t)) = \log\sigma(-t)`);
* ``nsgan``: as ``gan``, with :math:`l_G = -\mathbb E \log\sigma(D(G(z)))` (Goodfellow et al. 2014);
* ``wgan``:  :math:`L = \mathbb E D(x) - \mathbb E D(G(z))` (Arjovsky et al. 2017).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: The base functions a link may use (every backend implements each).
LINK_FUNCTIONS = ("identity", "log_sigmoid")


@dataclass(frozen=True)
class Link:
    r"""One term :math:`f(t) = \text{scale}\cdot g(\text{sign}\cdot t)` of a loss; g in LINK_FUNCTIONS."""

    function: str
    sign: int = 1
    scale: int = 1


@dataclass(frozen=True)
class GANLoss:
    """A GAN loss: links on real and generated logits, and optionally the generator's own link.

    Attributes
    ----------
    name, description, source : str
    real, fake : Link
        :math:`f_{\\mathrm{real}}` and :math:`f_{\\mathrm{fake}}` of the value :math:`L`.
    generator : Link or None
        :math:`f_{\\mathrm{gen}}`; ``None`` for a zero-sum loss (:math:`l_G = L`).
    """

    name: str
    description: str
    source: str
    real: Link
    fake: Link
    generator: Link | None = None

    @property
    def zero_sum(self) -> bool:
        """Whether :math:`l_D = -l_G` (the field is then one gradient of :math:`L`)."""
        return self.generator is None

    def players(self, expect: Callable) -> tuple:
        """``(l_G, l_D)`` given a backend's ``expect(where, link)``, ``where`` in ``{"real", "fake"}``."""
        value = expect("real", self.real) + expect("fake", self.fake)
        l_g = value if self.generator is None else expect("fake", self.generator)
        return l_g, -value


GAN = GANLoss("gan", "standard GAN: L = E log s(D(x)) + E log(1 - s(D(G(z))))", "Goodfellow et al. 2014",
              Link("log_sigmoid"), Link("log_sigmoid", sign=-1))
NSGAN = GANLoss("nsgan", "non-saturating GAN: l_G = -E log s(D(G(z))), l_D as for gan",
                "Goodfellow et al. 2014", Link("log_sigmoid"), Link("log_sigmoid", sign=-1),
                generator=Link("log_sigmoid", scale=-1))
WGAN = GANLoss("wgan", "Wasserstein GAN: L = E D(x) - E D(G(z))", "Arjovsky, Chintala & Bottou 2017",
               Link("identity"), Link("identity", scale=-1))

LOSSES: dict[str, GANLoss] = {loss.name: loss for loss in (GAN, NSGAN, WGAN)}
