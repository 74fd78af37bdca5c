"""Adam on the players' loss gradients, simultaneous."""

from __future__ import annotations

from ..base import LR, Capabilities, Scheme, kept, moved
from ..parameters import SchemeParameter

BETA1 = SchemeParameter("beta1", 0.5, "real", "first-moment decay (0.5: GAN practice, Radford et al. 2016)",
                        interval="[0, 1)")
BETA2 = SchemeParameter("beta2", 0.999, "real", "second-moment decay", interval="[0, 1)")
EPS = SchemeParameter("eps", 1e-8, "positive", "added to the root of the second moment")


def adam_update(field, state, p, mask):
    r"""Bias-corrected Adam on :math:`-v`, written as a step along :math:`v`:

    .. math:: m \leftarrow \beta_1 m + (1 - \beta_1) v, \quad s \leftarrow \beta_2 s + (1 - \beta_2) v^2,
              \quad x \leftarrow x + h\,\frac{m / (1 - \beta_1^t)}{\sqrt{s / (1 - \beta_2^t)} + \epsilon}.
    """
    x, m, s, t = state
    g = field.v(x)
    t_new = t + 1
    m_new = p.beta1 * m + (1 - p.beta1) * g
    s_new = p.beta2 * s + (1 - p.beta2) * g * g
    m_hat = m_new / (1 - p.beta1**t_new)
    s_hat = s_new / (1 - p.beta2**t_new)
    return (moved(x, mask, p.lr * m_hat / (s_hat**0.5 + p.eps)),
            kept(mask, m, m_new), kept(mask, s, s_new), kept(mask, t, t_new))


class Adam(Scheme):
    """Adam (Kingma & Ba 2015) on the loss gradients :math:`-v`, both players at once.

    The state carries the moments :math:`m, s` and the step count :math:`t` (per coordinate). The
    update divides by :math:`\\sqrt{s} + \\epsilon` with :math:`s = 0` at a fixed point, where it is
    not differentiable: Adam has no discrete spectrum, only simulations and training.
    """

    name = "adam"
    description = "Adam on the loss gradients (moments m, s and count t carried; no discrete spectrum)"
    source = "Kingma & Ba 2015"
    parameters = (LR, BETA1, BETA2, EPS)
    capabilities = Capabilities(differentiable=False, state=("x", "m", "s", "t"))

    update = staticmethod(adam_update)

    def init(self, x0) -> tuple:
        zero = x0 * 0
        return (x0, zero, zero, zero)

    initial_states = init
