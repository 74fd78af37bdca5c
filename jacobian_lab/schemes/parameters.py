"""Declared scheme parameters: name, kind, range, help, and whether each player has its own value.

A scheme lists its :class:`SchemeParameter` objects once; everything else is generated from them:
validation (:func:`resolve`), the names the Python API accepts (:func:`accepted_names`), the CLI
flags (:mod:`jacobian_lab.cli._common`) and the ``jacobian-lab list`` output.

A *per-player* parameter ``p`` is accepted as ``p`` (both players) and as ``p_g`` / ``p_d``
(generator / discriminator), like the step sizes of TTUR (Heusel et al. 2017). A parameter with a
``fallback`` takes, where it is not given, the other parameter's value for the same player
(extragradient's extrapolation step defaults to its update step).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import JacobianLabError, unknown_name
from ..games.parameters import Parameter

PLAYERS = ("g", "d")
_INTERVAL = re.compile(r"^([\[(])\s*(\S+)\s*,\s*(\S+)\s*([\])])$")


@dataclass(frozen=True)
class SchemeParameter(Parameter):
    """A scheme parameter (see the module docstring).

    ``kind`` is that of :class:`~jacobian_lab.games.parameters.Parameter`, ``"bool"`` or ``"scheme"``
    (the name of another discrete scheme, as lookahead's ``base``);
    ``interval`` (e.g. ``"(0, 1]"``) narrows a number's range; ``numeric`` parameters (kinds
    ``positive`` and ``real``) may stay symbols in exact update matrices and run-time arguments of
    compiled kernels, the others (``int``, ``choice``, ``bool``) steer the update's control flow.
    ``symbol`` names a step size in closed forms (``h`` for ``lr``; ``h_g``, ``h_d`` when the players'
    values differ).
    """

    per_player: bool = False
    fallback: str | None = None
    interval: str = ""
    symbol: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in ("positive", "real")

    @property
    def range_text(self) -> str:
        """The accepted values, for help texts: ``(0, inf)``, ``{gd, dg}`` ..."""
        if self.kind == "bool":
            return "{true, false}"
        if self.kind == "scheme":
            return "a discrete scheme's name"
        if self.kind == "choice":
            return "{" + ", ".join(map(str, self.choices)) + "}"
        return self.interval or {"positive": "(0, inf)", "real": "(-inf, inf)", "int": "[1, inf)"}[self.kind]

    @property
    def names(self) -> tuple[str, ...]:
        """The keyword names this parameter is accepted under."""
        return (self.name, *(f"{self.name}_{p}" for p in PLAYERS)) if self.per_player else (self.name,)

    def parse(self, value: object) -> object:
        if self.kind == "bool":
            return _parse_bool(self.name, value)
        if self.kind == "scheme":
            return _parse_scheme(self.name, value)
        number = super().parse(value)
        if self.interval and not _inside(number, self.interval):
            raise JacobianLabError(f"parameter {self.name!r} must be in {self.interval}, got {number!r}")
        return number


def _parse_bool(name, value):
    text = str(value).strip().lower()
    if isinstance(value, bool) or text in ("true", "false", "1", "0"):
        return value if isinstance(value, bool) else text in ("true", "1")
    raise JacobianLabError(f"parameter {name!r} must be true or false, got {value!r}")


def _parse_scheme(name, value):
    from .base import REGISTRY

    inner = [n for n, cls in REGISTRY.items() if not cls.capabilities.continuous and "scheme" not in
             [p.kind for p in cls.parameters]]
    if value not in inner:
        raise unknown_name("scheme", value, inner, where=f" for parameter {name!r}")
    return value


def _inside(number, interval) -> bool:
    low_bracket, low, high, high_bracket = _INTERVAL.match(interval).groups()
    low, high = float(low), float(high)
    above = number >= low if low_bracket == "[" else number > low
    below = number <= high if high_bracket == "]" else number < high
    return above and below and math.isfinite(number)


def accepted_names(declared) -> list[str]:
    """Every keyword name of the declared parameters (``lr``, ``lr_g``, ``lr_d``, ...)."""
    return [name for p in declared for name in p.names]


def resolve(declared, given: dict, owner: str) -> tuple[dict, dict]:
    """Validate ``given`` against ``declared``.

    Returns
    -------
    values : dict
        Every accepted name: its parsed value, or ``None`` for an unset per-player override
        (``lr_g`` when only ``lr`` is given). Resolved defaults for the rest.
    players : dict
        ``name -> (generator value, discriminator value, source)`` for per-player parameters, where
        ``source`` names the parameter whose value each player got (differs under ``fallback``).
    """
    names = accepted_names(declared)
    for name in given:
        if name not in names:
            raise unknown_name("parameter", name, names, where=f" for {owner}")
    values, players = {}, {}
    for p in declared:
        own = given.get(p.name)
        values[p.name] = p.parse(own) if own is not None else (None if p.fallback else p.default)
        if not p.per_player:
            continue
        pair, sources = [], []
        for i, player in enumerate(PLAYERS):
            key = f"{p.name}_{player}"
            values[key] = p.parse(given[key]) if given.get(key) is not None else None
            value, source = values[key], p.name
            if value is None:
                value = values[p.name]
            if value is None:  # an unset fallback parameter: the other parameter's value
                value, source = players[p.fallback][i], players[p.fallback][2][i]
            pair.append(value)
            sources.append(source)
        players[p.name] = (pair[0], pair[1], tuple(sources))
    return values, players
