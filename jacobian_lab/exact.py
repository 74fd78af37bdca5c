r"""Numbers as the user gave them, for exact arithmetic: never snapped to a nearby simple rational.

The symbolic core substitutes model parameters, strengths, step sizes and points as exact rationals.
Which rational is a matter of what the user gave:

* a Python ``float`` is the binary number it stores: ``0.3`` is
  :math:`5404319552844595 / 2^{54}`, not :math:`3/10` (the two differ by :math:`10^{-17}`), and
  ``1.00000002`` stays :math:`1.00000002` rather than becoming ``1``;
* a string is read as the decimal or fraction it spells, exactly: ``"0.3"`` is :math:`3/10`,
  ``"1/3"`` is :math:`1/3`, ``"1e-3"`` is :math:`1/1000` (the command line passes what was typed);
* ``sympy.Rational``, ``fractions.Fraction``, ``decimal.Decimal`` and ints are exact already, and a
  sympy number expression (``sympy.sqrt(2)``) is kept as it is.

Inside the numeric code such a number behaves as the nearest float: :class:`ExactFloat` is a
``float`` that carries its exact value, so printing, numpy and comparisons see ``0.3`` while
:func:`exact` gives :math:`3/10`.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import sympy as sp

from .errors import JacobianLabError

_DECIMAL = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(rf"\s*([+-]?{_DECIMAL})(?:\s*/\s*({_DECIMAL}))?\s*")


class ExactFloat(float):
    """A float that remembers the exact rational it stands for (``.exact``, a ``sympy.Rational``).

    Its float value is the rational correctly rounded; arithmetic on it gives plain floats.
    """

    __slots__ = ("exact",)

    def __new__(cls, exact):
        exact = sp.Rational(exact)
        self = super().__new__(cls, Fraction(int(exact.p), int(exact.q)))
        self.exact = exact
        return self

    def __reduce__(self):
        return ExactFloat, (str(self.exact),)


def parse_number(text: str, name: str = "number") -> ExactFloat:
    """A decimal (``"0.7"``, ``"-1e-3"``) or a fraction (``"1/3"``) read exactly."""
    match = _NUMBER.fullmatch(text)
    if not match:
        raise JacobianLabError(f"{name} must be a number such as 0.7, -1e-3 or 1/3, got {text!r}")
    value = Fraction(match[1]) / Fraction(match[2] or 1) if Fraction(match[2] or 1) else None
    if value is None:
        raise JacobianLabError(f"{name} divides by zero: {text!r}")
    return ExactFloat(sp.Rational(value.numerator, value.denominator))


def number(value, name: str = "number"):
    """``value`` as a finite number for the numeric code: a float, or an :class:`ExactFloat`.

    Strings, ``Rational``, ``Fraction`` and ``Decimal`` keep their exact value; ``bool`` and
    anything that is not a real number are refused with a :class:`JacobianLabError`.
    """
    if isinstance(value, ExactFloat):
        return value
    if isinstance(value, bool | np.bool_) or value is None:
        raise JacobianLabError(f"{name} must be a number, got {value!r}")
    if isinstance(value, str):
        if value.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
            raise JacobianLabError(f"{name} must be a finite number, got {value!r}")
        return parse_number(value, name)
    if isinstance(value, int | np.integer | Fraction | Decimal | sp.Rational):
        if isinstance(value, Decimal) and not value.is_finite():
            raise JacobianLabError(f"{name} must be a finite number, got {value!r}")
        return ExactFloat(sp.Rational(Fraction(int(value)) if isinstance(value, np.integer) else value))
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        raise JacobianLabError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(result):
        raise JacobianLabError(f"{name} must be a finite number, got {value!r}")
    return result


def exact(value):
    """The exact sympy number for ``value``: the rational a float stores, a string's decimal, ...

    Sympy expressions (numbers such as ``sqrt(2)``, or symbols) are returned as they are.
    """
    if isinstance(value, ExactFloat):
        return value.exact
    if isinstance(value, sp.Float):
        return sp.Rational(*Fraction(float(value)).as_integer_ratio()) if value._prec <= 53 else sp.Rational(value)
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            raise JacobianLabError(f"expected a finite number, got {value!r}")
        return sp.Rational(*float(value).as_integer_ratio())
    return number(value).exact if not isinstance(value, bool) else sp.Integer(int(value))


def display(value) -> str:
    """``value`` as the user would write it: ``0.3``, ``1.00000002``, ``1/3`` (never rounded)."""
    if isinstance(value, ExactFloat):
        shortest = _shortest(value)
        return shortest if parse_number(shortest).exact == value.exact else str(value.exact)
    if isinstance(value, float | np.floating):
        return _shortest(value)
    return str(value)


def _shortest(value) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class _Key(str):
    """A frozen :class:`ExactFloat` (its exact value as text)."""


def freeze(value):
    """A hashable key for ``value`` that tells an exact number from the float next to it."""
    if isinstance(value, ExactFloat):
        return _Key(value.exact)
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value):
    """Undo :func:`freeze`."""
    if isinstance(value, _Key):
        return ExactFloat(str(value))
    if isinstance(value, tuple):
        return tuple(thaw(v) for v in value)
    return value
