"""Model parameters: declared once per game, validated and parsed the same way from Python and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import JacobianLabError, check_int, check_positive, unknown_name


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its default, its kind and a one-line description.

    ``kind`` is one of ``"positive"``, ``"real"``, ``"int"``, ``"vector"``, ``"matrix"`` or
    ``"choice"`` (then ``choices`` lists the accepted values).
    """

    name: str
    default: object
    kind: str
    doc: str
    choices: tuple = field(default=())

    def parse(self, value: object) -> object:
        """Validate ``value`` (a Python value or a CLI string) and return it in canonical form."""
        return _PARSERS[self.kind](self, value)


def _parse_positive(p: Parameter, value):
    return check_positive(f"parameter {p.name!r}", value)


def _parse_real(p: Parameter, value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise JacobianLabError(f"parameter {p.name!r} must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise JacobianLabError(f"parameter {p.name!r} must be finite, got {value!r}")
    return number


def _parse_int(p: Parameter, value):
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise JacobianLabError(
                f"parameter {p.name!r} must be an integer, got {value!r}"
            ) from None
    return check_int(f"parameter {p.name!r}", value)


def _parse_array(p: Parameter, value, ndim: int):
    if isinstance(value, str):
        rows = [row.split(",") for row in value.replace(" ", "").split(";")]
        value = rows if ndim == 2 else rows[0]
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise JacobianLabError(
            f"parameter {p.name!r} must be a {'matrix' if ndim == 2 else 'vector'} of numbers, "
            f"got {value!r}"
        ) from None
    array = np.atleast_1d(array) if ndim == 1 else np.atleast_2d(array)
    if array.ndim != ndim or array.size == 0 or not np.all(np.isfinite(array)):
        shape = "a non-empty matrix 'a,b;c,d'" if ndim == 2 else "a non-empty vector 'a,b'"
        raise JacobianLabError(f"parameter {p.name!r} must be {shape} of finite numbers")
    return tuple(map(tuple, array.tolist())) if ndim == 2 else tuple(array.tolist())


def _parse_choice(p: Parameter, value):
    if value not in p.choices:
        raise unknown_name("value", value, p.choices, where=f" for parameter {p.name!r}")
    return value


_PARSERS = {
    "positive": _parse_positive,
    "real": _parse_real,
    "int": _parse_int,
    "vector": lambda p, v: _parse_array(p, v, 1),
    "matrix": lambda p, v: _parse_array(p, v, 2),
    "choice": _parse_choice,
}


def resolve(declared: dict[str, Parameter], given: dict, owner: str) -> dict:
    """Defaults overridden by ``given``; unknown names and bad values raise a clear error."""
    for name in given:
        if name not in declared:
            raise unknown_name("parameter", name, declared, where=f" for {owner}")
    return {
        name: p.parse(given[name]) if name in given else p.default for name, p in declared.items()
    }


def parse_assignment(text: str) -> tuple[str, str]:
    """Split a CLI ``NAME=VALUE`` into its two parts."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise JacobianLabError(f"malformed parameter {text!r}; expected NAME=VALUE, e.g. sigma=0.7")
    return name.strip(), value.strip()
