"""Regularizers by name, and the parser for ``reg=`` specifications."""

from __future__ import annotations

from ..errors import JacobianLabError, check_strength, unknown_name
from .base import DataNoise, FieldTransform, Penalty, Regularizer
from .penalties import (
    CONSENSUS,
    GRAD_D,
    GRAD_G,
    JARE,
    ORTHOGONAL,
    R1,
    R2,
    WGAN_GP,
    ZERO_GP,
)
from .transforms import INSTANCE_NOISE, SGA

NONE = "none"
REGULARIZERS: dict[str, Regularizer] = {
    r.name: r
    for r in (
        CONSENSUS, JARE, GRAD_G, GRAD_D, R1, R2, ZERO_GP, WGAN_GP, INSTANCE_NOISE, SGA, ORTHOGONAL
    )
}
NAMES = (NONE, *REGULARIZERS)
DEFAULT_STRENGTH = 1.0


def parse_reg(reg=None, gamma=None) -> tuple[tuple[Regularizer, float], ...]:
    """Turn a ``reg`` specification into ``((regularizer, strength), ...)`` in the given order.

    Parameters
    ----------
    reg : None, str, dict or sequence of (name, strength)
        ``None`` or ``"none"``: no regularizer. A name: that regularizer with strength ``gamma``
        (default 1). A dict or pairs: one strength per regularizer; order matters only between
        field transforms.
    gamma : float, optional
        Strength for a single named regularizer (unused without one).
    """
    if reg is None or reg == NONE:  # gamma has nothing to set (callers loop over regularizers with one gamma)
        return ()
    if isinstance(reg, str):
        pairs = [(reg, DEFAULT_STRENGTH if gamma is None else gamma)]
    else:
        if gamma is not None:
            raise JacobianLabError("give gamma only with a single regularizer name; "
                                   "a dict or pairs carry one strength each")
        pairs = _pairs(reg)
    return tuple(_entry(name, strength) for name, strength in pairs if name != NONE)


def _pairs(reg) -> list:
    """The ``(name, strength)`` pairs of a dict or a sequence of pairs; anything else is refused."""
    message = (f"reg must be a name, a dict {{name: strength}} or a sequence of (name, strength) pairs, "
               f"got {reg!r}")
    if isinstance(reg, dict):
        return list(reg.items())
    if not isinstance(reg, list | tuple):
        raise JacobianLabError(message)
    if not all(isinstance(p, list | tuple) and len(p) == 2 and isinstance(p[0], str) for p in reg):
        raise JacobianLabError(message)
    return [tuple(p) for p in reg]


def _entry(name, strength):
    if name not in REGULARIZERS:
        raise unknown_name("regularizer", name, NAMES)
    return REGULARIZERS[name], check_strength(name, strength)


__all__ = [
    "REGULARIZERS", "NAMES", "parse_reg", "Regularizer", "Penalty", "FieldTransform", "DataNoise",
]
