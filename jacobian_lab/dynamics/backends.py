"""Step functions for the driver loop, one per backend, all built from the same definitions.

* ``numpy`` (here): the scheme's own :meth:`~jacobian_lab.schemes.base.Scheme.step` on the numeric
  field generated from the sympy definition (:attr:`RegularizedGame.numeric_field`), driven by
  :func:`~jacobian_lab.dynamics.loop.run_loop`. It is the reference the numba backend is tested against.
* ``numba``: :mod:`jacobian_lab.dynamics.numba_backend`.
"""

from __future__ import annotations

import numpy as np


class NumpyField:
    """The generated numeric field and Jacobian, plus optional seeded Gaussian gradient noise.

    With ``noise > 0`` every field evaluation adds :math:`\\sigma\\,\\varepsilon`,
    :math:`\\varepsilon \\sim \\mathcal N(0, I)`, a model of stochastic gradients.
    """

    def __init__(self, rg, noise: float = 0.0, seed=None):
        self._v, self.jac = rg.numeric_field, rg.numeric_jacobian
        self.noise = noise
        self.rng = np.random.default_rng(seed)

    def v(self, x):
        value = self._v(x)
        if self.noise:
            value = value + self.noise * self.rng.standard_normal(value.shape)
        return value


def numpy_step(rg, scheme, noise=0.0, seed=None):
    """``step(states) -> states`` for the driver loop, on the numpy field."""
    field = NumpyField(rg, noise, seed)
    return lambda states: scheme.step(field, states)

