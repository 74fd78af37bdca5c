"""Errors and input validation shared by the Python API and the CLI.

Every user mistake raises :class:`JacobianLabError` (a ``ValueError``) with one line that names the
problem and the accepted values; the CLI prints that line and exits with status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class JacobianLabError(ValueError):
    """A user-facing error: bad name, bad value, or a request the toolkit cannot honour."""


class MissingExtraError(JacobianLabError, ImportError):
    """An optional dependency is not installed (``pip install "jacobian-lab[EXTRA]"`` names the fix)."""


class NotApplicableError(JacobianLabError):
    """A regularizer or scheme that does not apply to the chosen game."""


class DivergenceError(JacobianLabError):
    """A simulation left the region where numbers are finite."""


def unknown_name(kind: str, name: object, accepted: Iterable, where: str = "") -> JacobianLabError:
    """Build the error for an unknown name, suggesting the closest accepted one.

    ``where`` is appended after the name, e.g. ``" for model 'dirac'"``.
    """
    accepted = sorted(map(str, accepted))
    close = difflib.get_close_matches(str(name), accepted, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ", ".join(accepted) if accepted else "none"
    return JacobianLabError(f"unknown {kind} {name!r}{where}{hint}; accepted: {listed}")


def check_strength(name: str, value: object) -> float:
    """Return ``value`` as a float, refusing NaN, infinities and negative numbers."""
    number = _as_float(f"strength of {name!r}", value)
    if number < 0:
        raise JacobianLabError(f"strength of {name!r} must be >= 0, got {number:g}")
    return number


def check_positive(name: str, value: object) -> float:
    """Return ``value`` as a float, refusing anything that is not a finite positive number."""
    number = _as_float(name, value)
    if number <= 0:
        raise JacobianLabError(f"{name} must be > 0, got {number:g}")
    return number


def check_int(name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise JacobianLabError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if int(value) < minimum:
        raise JacobianLabError(f"{name} must be an integer >= {minimum}, got {int(value)}")
    return int(value)


def check_number(name: str, value: object) -> float:
    """A finite float, or an :class:`~jacobian_lab.exact.ExactFloat` keeping an exact input exact."""
    from .exact import number

    return number(value, name)


_as_float = check_number
