"""The three kinds of regularizer.

* :class:`Penalty` adds a term to one or both players' losses. Every penalty is computed from the
  game's own (unregularized) losses, so penalties commute and simply add up.
* :class:`DataNoise` changes the data distribution (instance noise) before anything else.
* :class:`FieldTransform` maps the vector field to a new one (SGA); transforms compose in the order
  given, like ``optax.chain``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Regularizer:
    """A named regularizer with one strength parameter.

    Attributes
    ----------
    name : str
        The name used by the Python API, the CLI and the torch bridge.
    description : str
        One line for ``jacobian-lab list``.
    strength : str
        Name of the strength symbol (``gamma``, ``sigma``, ``lambda`` or ``beta``).
    source : str
        The paper and official code the formula comes from, and their constant's mapping.
    """

    name: str
    description: str
    strength: str
    source: str


@dataclass(frozen=True)
class Penalty(Regularizer):
    """A term added to the players' losses: ``terms(game, l_G, l_D, s) -> (dl_G, dl_D)``."""

    terms: object = None

    def loss_terms(self, game, losses, strength) -> tuple[sp.Expr, sp.Expr]:
        return self.terms(game, losses, strength)


@dataclass(frozen=True)
class DataNoise(Regularizer):
    """Instance noise: the strength is the noise's standard deviation."""


@dataclass(frozen=True)
class FieldTransform(Regularizer):
    """A map of the vector field: ``transform(v, J, s) -> v_new`` on sympy matrices."""

    transform: object = None

    def apply(self, field: sp.Matrix, jacobian: sp.Matrix, strength) -> sp.Matrix:
        return self.transform(field, jacobian, strength)
