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
    :math:`\\varepsilon \\sim \\mathcal N(0, I)`, a model of stochastic gradients. Each
    evaluation draws ``(starts, d)`` normals from the generator seeded by ``seed``, one row per start
    whether it is still running or not, and start ``i`` gets row ``i``: a start's noise, hence its
    path, does not depend on whether other starts diverged.
    """

    def __init__(self, rg, noise: float = 0.0, seed=None, starts: int | None = None):
        self._v, self.jac = rg.numeric_field, rg.numeric_jacobian
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        self.starts = starts
        self.rows = None  # the starts still running, set by the driver loop

    def v(self, x):
        value = self._v(x)
        if self.noise:
            shape = (self.starts or value.shape[0],) + value.shape[1:]
            draw = self.rng.standard_normal(shape)
            value = value + self.noise * (draw if self.rows is None else draw[self.rows])
        return value


def numpy_step(rg, scheme, noise=0.0, seed=None, starts=None):
    """``step(states, rows) -> states`` for the driver loop, on the numpy field (``rows``: running starts)."""
    field = NumpyField(rg, noise, seed, starts)

    def step(states, rows=None):
        field.rows = rows
        return scheme.step(field, states)

    return step

