"""Regularizers by name, and the parser for ``reg=`` specifications.

Every regularizer is defined once (:mod:`.penalties`, :mod:`.noise`, :mod:`.transforms`) against the
backend-neutral operations of :mod:`jacobian_lab.regularizers.ops`; the registry below collects
them, so a new one is added in its own module only.
"""

from __future__ import annotations

from ..errors import JacobianLabError, check_strength, unknown_name
from ..exact import ExactFloat, exact
from .base import DataNoise, FieldTransform, Penalty, Regularizer
from .noise import NOISES
from .penalties import PENALTIES
from .transforms import TRANSFORMS

NONE = "none"
REGULARIZERS: dict[str, Regularizer] = {r.name: r for r in (*PENALTIES, *NOISES, *TRANSFORMS)}
NAMES = (NONE, *REGULARIZERS)
DEFAULT_STRENGTH = 1.0


def parse_reg(reg=None, gamma=None) -> tuple[tuple[Regularizer, float], ...]:
    """Turn a ``reg`` specification into ``((regularizer, strength), ...)`` in the given order.

    A name given more than once is one regularizer whose strength is the **sum** of the strengths
    given, at the place of its first mention (``r1=1,r1=2`` is ``r1=3``; for instance noise the
    standard deviations add). Every backend receives the merged list.

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
    merged: dict[str, float] = {}
    for name, strength in pairs:
        if name != NONE:
            regularizer, value = _entry(name, strength)
            known = merged.get(regularizer.name)  # exact sum: 0.1 + 0.2 of strings is 3/10
            merged[regularizer.name] = value if known is None else ExactFloat(exact(known) + exact(value))
    return tuple((REGULARIZERS[name], strength) for name, strength in merged.items())


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
