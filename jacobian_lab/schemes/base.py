"""Update schemes as maps :math:`x_{k+1} = F(x_k[, x_{k-1}])` on batches of states.

A scheme's :meth:`Scheme.step` takes a *field* object with ``v(x)`` (and ``jac(x)`` for CGD) on
arrays of shape ``(N, d)`` and returns the next states. The same definition drives the numeric
simulations and gives the discrete-time Jacobian at a fixed point: applied to the linearised field
:math:`v(x) = J (x - x^*)` it is a linear map, whose matrix is read off by stepping the basis vectors
(:func:`jacobian_lab.schemes.linearize.update_matrix`). Two-step schemes act on the stacked state
``(x_k, x_{k-1})`` and their matrix is the companion matrix.
"""

from __future__ import annotations

import numpy as np

from ..errors import JacobianLabError
from ..exact import exact
from ..games.parameters import Parameter, resolve

LR = Parameter("lr", 0.1, "positive", "step size for both players")
LR_G = Parameter("lr_g", None, "positive", "generator step size (TTUR); default lr")
LR_D = Parameter("lr_d", None, "positive", "discriminator step size (TTUR); default lr")


#: Largest step size (its square must stay finite in cgd's update).
MAX_STEP = 1e100


class Scheme:
    """An update scheme with its parameters.

    Subclasses set ``name``, ``description``, ``source``, ``parameters``, ``memory`` (states
    carried: 1, or 2 for two-step schemes) and implement :meth:`_step`.

    Parameters
    ----------
    n_theta : int
        Number of generator coordinates (the first ``n_theta`` of ``x``).
    dim : int
        Number of coordinates.
    **params
        Scheme parameters (``lr``, ``lr_g``, ``lr_d``, ...).
    """

    name = "scheme"
    description = ""
    source = ""
    parameters: dict[str, Parameter] = {"lr": LR, "lr_g": LR_G, "lr_d": LR_D}
    memory = 1
    continuous = False

    def __init__(self, n_theta: int, dim: int, **params):
        given = {k: v for k, v in params.items() if v is not None}
        self.values = resolve(self.parameters, given, f"scheme {self.name!r}")
        self.n_theta, self.dim = n_theta, dim
        lr = self.values.get("lr", LR.default)
        lr_g = self.values.get("lr_g") or lr
        lr_d = self.values.get("lr_d") or lr
        if max(lr_g, lr_d) > MAX_STEP:
            raise JacobianLabError(f"step sizes must be at most {MAX_STEP:g} (cgd squares them), got "
                                   f"{max(lr_g, lr_d):g}")
        self.lr = np.r_[np.full(n_theta, lr_g), np.full(dim - n_theta, lr_d)]
        self.generator_mask = np.r_[np.ones(n_theta), np.zeros(dim - n_theta)]
        #: The exact value behind each float the parameters hold (see :mod:`jacobian_lab.exact`).
        self.exact_values = {float(v): exact(v) for v in (lr, lr_g, lr_d, *self.values.values())
                             if isinstance(v, int | float) and not isinstance(v, bool)}

    def exact(self, value):
        """The exact number of a step size or packed parameter (as given, never snapped)."""
        return self.exact_values.get(float(value), None) or exact(value)

    def step(self, field, states: tuple) -> tuple:
        """One update of a batch: ``states`` is ``(x_k,)`` or ``(x_k, x_{k-1})``, each ``(N, d)``."""
        if len(states) != self.memory:
            raise JacobianLabError(f"{self.name} carries {self.memory} state(s), got {len(states)}")
        return self._step(field, *states)

    def initial_states(self, x0) -> tuple:
        """States at iteration 0 (two-step schemes start with ``x_{-1} = x_0``)."""
        return (x0,) * self.memory

    #: ``update(v, x, x_prev, lr, gmask, p) -> (x_next, x)``: the scheme as a plain function of the
    #: field evaluator ``v``, the states, the per-coordinate step sizes, the generator mask and the
    #: packed parameters :meth:`packed`. Written with array operations only, so that the same
    #: function runs on numpy arrays, on sympy object arrays (exact update matrices) and compiled
    #: by numba (the dynamics engine).
    update = None

    def packed(self) -> np.ndarray:
        """The scheme's numeric parameters beyond the step sizes, as the ``p`` of :attr:`update`."""
        return np.zeros(1)

    def _step(self, field, *states):
        x, x_prev = states[0], states[-1]
        new, old = self.update(field.v, x, x_prev, self.lr, self.generator_mask, self.packed())
        return (new, old) if self.memory == 2 else (new,)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items() if v is not None)
        return f"{self.name}({args})"
