"""Update schemes by name: each is declared once in :mod:`jacobian_lab.schemes.catalog`."""

from __future__ import annotations

from ..errors import unknown_name
from . import catalog  # noqa: F401 - registers every scheme
from .base import REGISTRY, Capabilities, Scheme
from .linearize import LinearField, symbolic_update_matrix, update_matrix
from .parameters import SchemeParameter

#: The schemes with a spectrum (an update map differentiable at a fixed point, or the flow), by
#: name. :data:`REGISTRY` holds every scheme, also those for simulations and training only (adam);
#: a :class:`Scheme` subclass defined later with a ``name`` joins it.
SCHEMES: dict[str, type[Scheme]] = {n: c for n, c in sorted(REGISTRY.items()) if c.capabilities.differentiable}


def make_scheme(name, n_theta: int, dim: int, **params) -> Scheme:
    """Build a scheme from its name (or pass an instance through)."""
    if isinstance(name, Scheme):
        return name
    if name not in REGISTRY:
        raise unknown_name("scheme", name, REGISTRY)
    return REGISTRY[name](n_theta, dim, **params)


def is_discrete(scheme) -> bool:
    """Whether ``scheme`` (a name, a :class:`Scheme` or ``None``) is a discrete-time map (its spectrum
    is the update map's); ``None`` and continuous-time schemes (``flow``) give :math:`J`'s."""
    if scheme is None:
        return False
    if not isinstance(scheme, Scheme) and scheme not in REGISTRY:
        raise unknown_name("scheme", scheme, REGISTRY)
    cls = scheme if isinstance(scheme, Scheme) else REGISTRY[scheme]
    return not cls.capabilities.continuous


def scheme_parameters() -> dict[str, SchemeParameter]:
    """Every declared scheme parameter by keyword name (``lr_g`` maps to ``lr``'s declaration).

    The first declaration of a name wins; two schemes declaring one name with different kinds is
    refused (a flag could not serve both).
    """
    out: dict[str, SchemeParameter] = {}
    for cls in REGISTRY.values():
        for p in cls.parameters:
            for name in p.names:
                known = out.setdefault(name, p)
                if known.kind != p.kind:
                    raise TypeError(f"scheme parameter {name!r} is declared as {known.kind} and {p.kind}")
    return out


def scheme_parameter_names() -> set[str]:
    """Every keyword any scheme accepts."""
    return set(scheme_parameters())


__all__ = ["SCHEMES", "REGISTRY", "Scheme", "is_discrete", "Capabilities", "SchemeParameter", "make_scheme",
           "update_matrix", "symbolic_update_matrix", "LinearField", "scheme_parameters", "scheme_parameter_names"]
