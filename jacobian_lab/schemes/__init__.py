"""Update schemes by name."""

from __future__ import annotations

from ..errors import unknown_name
from .base import Scheme
from .linearize import LinearField, symbolic_update_matrix, update_matrix
from .maps import CGD, AltGD, Extragradient, Flow, Momentum, Optimistic, SimGD

SCHEMES: dict[str, type[Scheme]] = {
    cls.name: cls for cls in (SimGD, AltGD, Extragradient, Optimistic, Momentum, CGD, Flow)
}


def make_scheme(name, n_theta: int, dim: int, **params) -> Scheme:
    """Build a scheme from its name (or pass an instance through)."""
    if isinstance(name, Scheme):
        return name
    if name not in SCHEMES:
        raise unknown_name("scheme", name, SCHEMES)
    return SCHEMES[name](n_theta, dim, **params)


def scheme_parameter_names() -> set[str]:
    """Every parameter name any scheme accepts."""
    return {p for cls in SCHEMES.values() for p in cls.parameters}


__all__ = ["SCHEMES", "Scheme", "make_scheme", "update_matrix", "symbolic_update_matrix",
           "LinearField", "scheme_parameter_names"]
