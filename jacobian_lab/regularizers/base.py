r"""The three kinds of regularizer, each defined once for every backend.

* :class:`Penalty` adds a term to one or both players' losses, linear in its strength. Terms are
  functions of the operations of :mod:`jacobian_lab.regularizers.ops` and read the game's own (unregularized) losses, so
  penalties commute and simply add up.
* :class:`DataNoise` changes the data distribution (instance noise) before anything else.
* :class:`FieldTransform` maps the vector field to a new one (SGA); transforms compose in the order
  given, like ``optax.chain``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from .ops import differentiates_network, reads, trace


@dataclass(frozen=True)
class Regularizer:
    """A named regularizer with one strength parameter.

    Attributes
    ----------
    name : str
        The name used by the Python API, the CLI and the torch bridge.
    description : str
        One line for ``jacobian-lab list``.
    strength_symbol : str
        Name of the symbol that stands for the strength in closed forms (``gamma``, ``sigma``,
        ``lambda`` or ``beta``).
    source : str
        The paper and official code the formula comes from, and their constant's mapping.
    """

    name: str
    description: str
    strength_symbol: str
    source: str


@dataclass(frozen=True)
class Penalty(Regularizer):
    r"""Terms added to the players' losses: :math:`l_G \mathrel{+}= s\, t_G`, :math:`l_D \mathrel{+}= s\, t_D`.

    Attributes
    ----------
    generator, discriminator : callable or None
        ``term(ops) -> scalar`` (:mod:`jacobian_lab.regularizers.ops`), or ``None`` where the player adds nothing. The
        generator's term is differentiated with respect to :math:`\theta` only, the
        discriminator's with respect to :math:`\psi` only.
    """

    generator: Callable | None = None
    discriminator: Callable | None = None

    def terms(self):
        """``((player, term), ...)`` for the players that add a term, player in ``{"G", "D"}``."""
        return tuple((p, t) for p, t in (("G", self.generator), ("D", self.discriminator)) if t is not None)

    @cached_property
    def decoupled(self) -> bool:
        r"""Whether the generator's term reads only :math:`\theta` and the discriminator's only :math:`\psi`.

        Then :math:`\partial_\theta \nabla_\psi (t_G + t_D) = 0`, so a zero-sum game keeps
        :math:`J_{\psi\theta} = -J_{\theta\psi}^\top`. Derived by tracing the definition
        (:func:`jacobian_lab.regularizers.ops.reads`), not declared.
        """
        return reads(self.generator) <= {"G"} and reads(self.discriminator) <= {"D"}

    @cached_property
    def sample_mean(self) -> bool:
        """Whether every term is an affine function of expectations over the data, or reads no data.

        Its value on a batch is then the mean of its values on equal shards of the batch (R1 is; JARE,
        a squared norm of a mean gradient, is not). Traced from the definition
        (:func:`jacobian_lab.regularizers.ops.trace`).
        """
        return all(trace(term).kind in ("const", "mean") for _, term in self.terms())


    @cached_property
    def differentiates_network(self) -> bool:
        """Whether a term takes a gradient of a loss or of :math:`D` (R1, JARE, consensus; not the soft
        orthogonality penalty), so that the field's Jacobian needs third derivatives of the networks.
        Traced from the definition (:func:`jacobian_lab.regularizers.ops.differentiates_network`)."""
        return any(differentiates_network(term) for _, term in self.terms())


@dataclass(frozen=True)
class DataNoise(Regularizer):
    """Instance noise: the strength is the noise's standard deviation."""


@dataclass(frozen=True)
class FieldTransform(Regularizer):
    r"""A map of the vector field: ``transform(v, products, s) -> v_new``.

    ``products`` gives :math:`Ju` (``products.jv(u)``) and :math:`J^\top u` (``products.jtv(u)``) for
    the field's Jacobian at the current point; the symbolic core and the torch bridge supply them.
    """

    transform: Callable | None = None

    def apply(self, field, products, strength):
        return self.transform(field, products, strength)
