"""Lookahead: k steps of any base scheme, then a pull back towards the slow weights."""

from __future__ import annotations

from types import SimpleNamespace

from ...exact import exact
from ..base import REGISTRY, Capabilities, Scheme
from ..parameters import SchemeParameter

BASE = SchemeParameter("base", "simgd", "scheme", "the inner scheme (its parameters are given as usual)")
K = SchemeParameter("inner_steps", 5, "int", "k: inner steps of the base scheme per lookahead step")
ALPHA = SchemeParameter("alpha", 0.5, "real", "pull towards the fast weights: x_slow + alpha (x_fast - x_slow)",
                        interval="(0, 1]")
OWN = ("base", "inner_steps", "alpha")


def lookahead_update(field, state, p, mask):
    r"""``p.k`` iterations of the base scheme give :math:`x_{fast}`, then :math:`x + \alpha(x_{fast} - x)`.

    The base scheme's other arrays (``x_prev`` ...) carry on from the fast iterates.
    """
    slow = state[0]
    for _ in range(p.k):
        state = p.base.advance(field, state, p.inner)
    return (slow + p.alpha * (state[0] - slow), *state[1:])


class Lookahead(Scheme):
    r"""Lookahead (Zhang, Lucas, Hinton & Ba 2019; for GANs Chavdarova et al. 2021, "Taming GANs with
    Lookahead-Minmax"): :math:`k` (``inner_steps``) iterations of the ``base`` scheme give :math:`x_{fast}`, then
    :math:`x \leftarrow x + \alpha (x_{fast} - x)`.

    If the base scheme's update matrix is :math:`B`, lookahead's is
    :math:`(1 - \alpha) I + \alpha B^k` on :math:`x` (for one-step bases), so each eigenvalue
    :math:`\mu` of :math:`B` becomes :math:`1 - \alpha + \alpha\mu^k`. The base's parameters (``lr``,
    ``beta``, ...) are given alongside ``base``, ``inner_steps`` and ``alpha``.
    """

    name = "lookahead"
    description = "lookahead: k = inner_steps steps of a base scheme, then x <- x + alpha (x_fast - x)"
    source = "Zhang et al. 2019; Chavdarova et al. 2021"
    parameters = (BASE, K, ALPHA)
    #: Declared for listing; an instance has its base scheme's capabilities.
    capabilities = Capabilities(players="base", state=("x", "the base scheme's"))

    def __init__(self, n_theta: int, dim: int, **params):
        own = {k: v for k, v in params.items() if k in OWN}
        super().__init__(n_theta, dim, **own)
        inner = {k: v for k, v in params.items() if k not in OWN}
        self.base = REGISTRY[self.values["base"]](n_theta, dim, **inner)
        self.values = {**self.values, **self.base.values}
        self.players = self.base.players
        self.capabilities = self.base.capabilities

    update = staticmethod(lookahead_update)

    def init(self, x0) -> tuple:
        return self.base.init(x0)

    initial_states = init

    def declarations(self):
        return self.parameters + self.base.declarations()

    def numeric_keys(self):
        return [("alpha", None)] + self.base.numeric_keys()

    def numbers(self):
        return [float(self.values["alpha"])] + self.base.numbers()

    def exact_numbers(self):
        return [exact(self.values["alpha"])] + self.base.exact_numbers()

    def namespace(self, numbers=None, convert=None, gmask=None) -> SimpleNamespace:
        numbers = self.numbers() if numbers is None else list(numbers)
        inner = self.base.namespace(numbers[1:], convert, gmask)
        return SimpleNamespace(alpha=numbers[0], k=self.values["inner_steps"], base=self.base, inner=inner,
                               generator=inner.generator, n_theta=self.n_theta)

    def sweep(self, gmask):
        return None  # the base sweeps inside each of its k iterations

    @property
    def treats_players_alike(self) -> bool:
        return self.base.treats_players_alike

    @property
    def lr(self):
        return self.base.lr
