r"""Update schemes as maps :math:`s_{k+1} = F(s_k)` on a state :math:`s = (x, \dots)`, in optax's shape.

A scheme is declared once: its :class:`Capabilities`, its :class:`~.parameters.SchemeParameter`
list, an ``init`` (the state at iteration 0) and one plain function

.. code-block:: python

    update(field, state, p, mask) -> state

with ``field.v(x)`` the vector field (and ``field.jac(x)`` for schemes that solve a linear system),
``state`` a tuple of arrays (``x`` first, then whatever the scheme carries: ``x_prev``, moments ...),
``p`` the parameters (per-player ones as per-coordinate vectors) and ``mask`` the coordinates this
update moves (``1``: all of them; a player's mask in an alternating sweep, see
:meth:`Scheme.sweep`). Written with arithmetic operators only, the same function runs on numpy arrays
(simulations), on sympy object arrays (exact update matrices), traced into numba kernels
(:mod:`jacobian_lab.dynamics.codegen`) and on torch tensors (:func:`jacobian_lab.torch_bridge.train`).

At a fixed point the Jacobian of :math:`F` is :math:`F` applied to the linearised field
:math:`v(x) = J(x - x^*)`, a matrix on the stacked state (a companion matrix for
two-step schemes): :func:`jacobian_lab.schemes.linearize.update_matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

import numpy as np

from ..errors import JacobianLabError, NotApplicableError
from ..exact import exact
from ..games.parameters import MAX_SUBSTEPS
from .parameters import PLAYERS, SchemeParameter, resolve

#: Largest step size (its square must stay finite, e.g. in cgd's update).
MAX_STEP = 1e100
LR = SchemeParameter("lr", 0.1, "positive", "step size h", per_player=True, symbol="h", interval=f"(0, {MAX_STEP:g}]")
LR_SHARED = SchemeParameter("lr", 0.1, "positive", "step size h", symbol="h",  # one for both players
                            interval=f"(0, {MAX_STEP:g}]")
N_G = SchemeParameter("n_g", 1, "int", "generator sub-steps per iteration", maximum=MAX_SUBSTEPS)
N_D = SchemeParameter("n_d", 1, "int", "discriminator sub-steps per iteration", maximum=MAX_SUBSTEPS)
ORDER = SchemeParameter("order", "gd", "choice", "gd: generator first; dg: discriminator first", ("gd", "dg"))
ALTERNATING = SchemeParameter("alternating", False, "bool",
                              "alternate the players (Gauss-Seidel): the discriminator sees the new generator")

#: Every scheme class by name, filled as the classes are defined (:mod:`jacobian_lab.schemes.catalog`).
REGISTRY: dict[str, type] = {}

#: How a scheme treats the two players (:attr:`Capabilities.players`).
PLAYER_MODES = ("alike", "alternating", "optional", "coupled", "base")


@dataclass(frozen=True)
class Capabilities:
    """What a scheme is; callers branch on these, never on a scheme's name.

    Attributes
    ----------
    continuous : bool
        The scheme follows the ODE :math:`\\dot x = v(x)`: its spectrum is :math:`J`'s.
    players : {"alike", "alternating", "optional", "coupled"}
        ``alike``: every coordinate moves by the same rule (the update map depends on :math:`J`'s
        eigenvalues only, given equal per-player parameters); ``alternating``: one player after the
        other (Gauss-Seidel); ``optional``: an ``alternating`` parameter decides; ``coupled``: the
        update mixes the players' blocks of :math:`J` (CGD); ``base``: as the inner scheme of a composite
        (lookahead).
    linear_solve : bool
        The update solves a linear system with ``field.jac``: no compiled kernel, no exact matrix.
    differentiable : bool
        The update map is differentiable at a fixed point (Adam's :math:`\\sqrt{v}` is not at
        :math:`v = 0`): only then is there a discrete spectrum.
    state : tuple of str
        Names of the arrays the scheme carries, ``x`` first.
    """

    continuous: bool = False
    players: str = "alike"
    linear_solve: bool = False
    differentiable: bool = True
    state: tuple = ("x",)

    @property
    def has_update_matrix(self) -> bool:
        """Whether the update map has a Jacobian at a fixed point (for ``flow``: of its RK4 step)."""
        return self.differentiable

    @property
    def exact(self) -> bool:
        """Whether the exact (sympy) update matrix is formed."""
        return self.has_update_matrix and not self.linear_solve

    @property
    def compiles(self) -> bool:
        """Whether the numba backend can run the scheme (no linear solves)."""
        return not self.linear_solve


class Scheme:
    """An update scheme with its parameters (see the module docstring).

    Subclasses set ``name``, ``description``, ``source``, ``parameters``, ``capabilities`` and
    ``update`` (a ``staticmethod``); those carrying more than ``x`` override :meth:`init`.

    Parameters
    ----------
    n_theta : int
        Number of generator coordinates (the first ``n_theta`` of ``x``).
    dim : int
        Number of coordinates.
    **params
        Scheme parameters (:attr:`parameters`; ``None`` values count as not given).
    """

    name = "scheme"
    description = ""
    source = ""
    parameters: tuple[SchemeParameter, ...] = (LR,)
    capabilities = Capabilities()
    update = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            known = REGISTRY.get(cls.name)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise TypeError(f"two schemes are named {cls.name!r}: {known.__qualname__}, {cls.__qualname__}")
            REGISTRY[cls.name] = cls

    def __init__(self, n_theta: int, dim: int, **params):
        given = {k: v for k, v in params.items() if v is not None}
        self.values, self.players = resolve(self.parameters, given, f"scheme {self.name!r}")
        self.n_theta, self.dim = n_theta, dim
        self.generator_mask = np.r_[np.ones(n_theta), np.zeros(dim - n_theta)]

    # -- what the scheme carries ---------------------------------------------------------------
    @property
    def memory(self) -> int:
        """Number of arrays in the state."""
        return len(self.capabilities.state)

    def init(self, x0) -> tuple:
        """The state at iteration 0: ``x0`` for every array (two-step schemes start at ``x_{-1} = x_0``)."""
        return (x0,) * self.memory

    initial_states = init

    # -- its parameters as arrays ----------------------------------------------------------------
    def declarations(self) -> tuple:
        """The parameters this instance reads (a composite scheme adds its inner scheme's)."""
        return self.parameters

    def numeric_keys(self) -> list[tuple[str, int | None]]:
        """``(name, player)`` of each number the update reads (``player`` 0/1 per player, else None)."""
        keys = []
        for p in self.declarations():
            if p.numeric:
                keys += [(p.name, i) for i in range(len(PLAYERS))] if p.per_player else [(p.name, None)]
        return keys

    def numbers(self) -> list[float]:
        """The values of :meth:`numeric_keys`."""
        return [float(self.players[n][i] if i is not None else self.values[n]) for n, i in self.numeric_keys()]

    def exact_numbers(self) -> list:
        """:meth:`numbers` as the exact rationals they were given as (:func:`jacobian_lab.exact.exact`)."""
        return [exact(self.players[n][i] if i is not None else self.values[n]) for n, i in self.numeric_keys()]

    def namespace(self, numbers=None, convert=None, gmask=None) -> SimpleNamespace:
        """The ``p`` of :attr:`update`: numbers (default :meth:`numbers`, or symbols) by name.

        Per-player numbers become per-coordinate vectors, passed through ``convert`` (for torch);
        ``p.generator`` is the generator mask (default :attr:`generator_mask`, converted) and
        ``p.n_theta`` the number of generator coordinates.
        """
        numbers = self.numbers() if numbers is None else list(numbers)
        convert = convert or (lambda a: a)
        gmask = convert(self.generator_mask) if gmask is None else gmask
        out = {p.name: self.values[p.name] for p in self.parameters if not p.numeric}
        out.update(generator=gmask, n_theta=self.n_theta)
        for (name, player), value in zip(self.numeric_keys(), numbers):
            if player is None:
                out[name] = value
            elif player == 1:
                out[name] = convert(self._per_coordinate(out.pop(name), value))
            else:
                out[name] = value
        return SimpleNamespace(**out)

    def _per_coordinate(self, g, d):
        n, m = self.n_theta, self.dim - self.n_theta
        if isinstance(g, float | int) and isinstance(d, float | int):
            return np.r_[np.full(n, float(g)), np.full(m, float(d))]
        return np.array([g] * n + [d] * m, dtype=object)

    @property
    def lr(self) -> np.ndarray:
        """Per-coordinate step sizes."""
        g, d = (self.players["lr"][:2] if "lr" in self.players else (self.values["lr"],) * 2)
        return self._per_coordinate(g, d)

    # -- how it moves the players ----------------------------------------------------------------
    def sweep(self, gmask) -> list | None:
        """``None`` (all players at once), or the alternating sweep ``[(mask, count), ...]``.

        Declared by :attr:`Capabilities.players` and the parameters ``alternating``, ``n_g``,
        ``n_d`` and ``order`` where the scheme has them (generator first by default, as in
        GAN_stability's ``notebooks/diracgan/simulate.py``).
        """
        mode = self.capabilities.players
        if mode == "optional" and not self.values["alternating"] or mode in ("alike", "coupled"):
            return None
        counts = (self.values.get("n_g", 1), self.values.get("n_d", 1))
        sweep = [(gmask, counts[0]), (1 - gmask, counts[1])]
        return sweep if self.values.get("order", "gd") == "gd" else sweep[::-1]

    @property
    def treats_players_alike(self) -> bool:
        """Whether the update map is a function of :math:`J`'s eigenvalues alone."""
        mode = self.capabilities.players
        alike = mode == "alike" or (mode == "optional" and not self.values["alternating"])
        equal = all(g == d for g, d, _ in self.players.values())
        return alike and equal

    def stability_disc(self):
        """``(center, radius, formula)`` when the stability region in the :math:`\\lambda` plane is a
        disc :math:`|\\lambda - c| < r` in closed form (the plots draw it exactly), else ``None``."""
        return None

    def advance(self, field, state, p):
        """One iteration of :attr:`update` (a sweep over the players when alternating)."""
        sweep = self.sweep(p.generator)
        if sweep is None:
            return tuple(self.update(field, state, p, 1))
        for mask, count in sweep:
            for _ in range(count):
                state = tuple(self.update(field, state, p, mask))
        return state

    def step(self, field, states: tuple) -> tuple:
        """One update of a batch: ``states`` as :meth:`init` gives them, each ``(N, d)``."""
        if len(states) != self.memory:
            raise JacobianLabError(f"{self.name} carries {self.memory} state(s), got {len(states)}")
        return self.advance(field, tuple(states), self._params)

    @cached_property
    def _params(self) -> SimpleNamespace:
        """:meth:`namespace` of the scheme's own numbers, built once (a scheme's values do not change)."""
        return self.namespace()

    def check(self, capability: str, what: str) -> None:
        """Raise :class:`NotApplicableError` unless ``capabilities.<capability>``."""
        if not getattr(self.capabilities, capability):
            raise NotApplicableError(f"scheme {self.name!r} has no {what} ({_WHY[capability]})")

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items() if v is not None)
        return f"{self.name}({args})"


_WHY = {
    "has_update_matrix": "its update map is not differentiable at a fixed point",
    "exact": "its update solves a linear system or is not differentiable at a fixed point",
    "compiles": "its update solves a linear system",
}


def moved(x, mask, *terms):
    """``x`` plus the ``terms`` on the coordinates ``mask`` moves.

    A simultaneous update (``mask`` the integer 1) adds the terms one after the other, a player's
    sub-step adds ``mask * (sum of terms)``: both exact in floating point for 0/1 masks.
    """
    if isinstance(mask, int):
        for term in terms:
            x = x + term
        return x
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return x + mask * total


def kept(mask, old, new):
    """``new`` on the coordinates ``mask`` moves, ``old`` elsewhere (a carried array's sub-step update)."""
    return new if isinstance(mask, int) else mask * new + (1 - mask) * old
