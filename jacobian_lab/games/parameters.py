"""Model parameters: declared once per game, validated and parsed the same way from Python and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import JacobianLabError, check_int, check_positive, unknown_name
from ..exact import number

#: Most coordinates per player of a symbolic game: its Jacobian has (2 x this)^2 sympy entries, and
#: the exact analysis of 2 x 16 coordinates already takes about 20 s. Larger models: the torch bridge.
MAX_SYMBOLIC_DIM = 32
#: Most sub-steps of a player per iteration (each is one traced field evaluation in the kernels).
MAX_SUBSTEPS = 100


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its default, its kind and a one-line description.

    ``kind`` is one of ``"positive"``, ``"real"``, ``"int"``, ``"vector"``, ``"matrix"`` or
    ``"choice"`` (then ``choices`` lists the accepted values). ``maximum`` bounds an ``int`` and
    the length (rows and columns) of a ``vector`` or ``matrix``.
    """

    name: str
    default: object
    kind: str
    doc: str
    choices: tuple = field(default=())
    maximum: int | None = None

    def parse(self, value: object) -> object:
        """Validate ``value`` (a Python value or a CLI string) and return it in canonical form."""
        return _PARSERS[self.kind](self, value)


def _parse_positive(p: Parameter, value):
    return check_positive(f"parameter {p.name!r}", value)


def _parse_real(p: Parameter, value):
    return number(value, f"parameter {p.name!r}")


def _parse_int(p: Parameter, value):
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise JacobianLabError(
                f"parameter {p.name!r} must be an integer, got {value!r}"
            ) from None
    value = check_int(f"parameter {p.name!r}", value)
    if p.maximum is not None and value > p.maximum:
        raise JacobianLabError(f"parameter {p.name!r} must be at most {p.maximum}, got {value} ({p.doc})")
    return value


def _parse_array(p: Parameter, value, ndim: int):
    """A vector ``(a, b)`` or matrix ``((a, b), (c, d))`` of numbers, each kept as given (:mod:`..exact`)."""
    shape = "a non-empty matrix 'a,b;c,d'" if ndim == 2 else "a non-empty vector 'a,b'"
    error = JacobianLabError(f"parameter {p.name!r} must be {shape} of finite numbers, got {value!r}")
    if isinstance(value, str):
        rows = [row.split(",") for row in value.replace(" ", "").split(";")]
    else:
        value = value.tolist() if isinstance(value, np.ndarray) else value
        if isinstance(value, dict | set | frozenset) or value is None:
            raise error
        seq = list(value) if isinstance(value, list | tuple) else [value]
        nested = any(isinstance(r, list | tuple) for r in seq)
        rows = [list(r) if isinstance(r, list | tuple) else None for r in seq] if nested else [seq]
    if (not rows or None in rows or not rows[0] or len({len(r) for r in rows}) != 1
            or (ndim == 1 and len(rows) != 1)):
        raise error
    if p.maximum is not None and max(len(rows), len(rows[0])) > p.maximum:
        raise JacobianLabError(f"parameter {p.name!r} has at most {p.maximum} entries per row and column, "
                               f"got {len(rows)}x{len(rows[0])} ({p.doc})")
    try:
        numbers = [[number(v, f"parameter {p.name!r}") for v in row] for row in rows]
    except JacobianLabError:
        raise error from None
    return tuple(map(tuple, numbers)) if ndim == 2 else tuple(numbers[0])


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
