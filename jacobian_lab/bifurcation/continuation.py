r"""Continuation in one parameter: eigenvalues followed along a range, critical points located.

:func:`continuation` evaluates :math:`A(p)` (the Jacobian at the equilibrium, or a scheme's update
map) on a grid of the parameter, follows each eigenvalue from one value to the next
(:mod:`~jacobian_lab.bifurcation.tracking`), brackets the critical points on the grid and
locates each by root-finding (:mod:`~jacobian_lab.bifurcation.critical`), and gives the closed
form where the family is symbolic and one exists (:mod:`~jacobian_lab.bifurcation.closed_forms`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from tqdm.auto import tqdm

from ..errors import JacobianLabError, check_int
from . import closed_forms, critical
from .family import STRENGTH, ParameterFamily
from .tracking import follow

#: Most grid values of one continuation.
MAX_VALUES = 20_000


@dataclass(frozen=True, eq=False)
class Continuation:
    """Eigenvalues along a parameter range and the critical points in it.

    Attributes
    ----------
    param : str
    values : ndarray, shape (m,)
        The grid of the parameter.
    eigenvalues : ndarray of complex, shape (m, n)
        Column ``j`` follows one eigenvalue (matched from value to value, not re-sorted).
    points : list of CriticalPoint
        Sorted by value.
    kind : {"continuous", "discrete"}
    info : dict
        Model, regularizer, scheme, fixed parameters, and whether closed forms were available.
    """

    param: str
    values: np.ndarray
    eigenvalues: np.ndarray
    points: list
    kind: str
    info: dict = field(default_factory=dict)

    def of_kind(self, *kinds) -> list:
        """The critical points of the given kinds."""
        return [p for p in self.points if p.kind in kinds]

    def to_dict(self) -> dict:
        """Plain values: the table of critical points (and the grid size)."""
        return {"param": self.param, "kind": self.kind, "range": [float(self.values[0]), float(self.values[-1])],
                "num": int(self.values.size), "info": self.info,
                "points": [{"kind": p.kind, "value": p.value, "exact": None if p.exact is None else str(p.exact),
                            "description": p.description, "eigenvalues": [complex(z) for z in p.eigenvalues]}
                           for p in self.points]}


def continuation(model, reg=None, gamma=None, scheme=None, *, param=STRENGTH, values=(0.0, 3.0), num=401,
                 exact=True, progress=None, **params) -> Continuation:
    """Follow the spectrum along one parameter and locate its critical points.

    Parameters
    ----------
    model, reg, gamma, scheme : as for :func:`jacobian_lab.spectrum`
        ``scheme=None``: the Jacobian :math:`J` (flow); otherwise the scheme's update map.
    param : str
        ``"gamma"`` (the strength of the single regularizer ``reg``), a real model parameter
        (``"sigma"``, ``"a"`` ...) or a scheme's ``"lr"``, ``"lr_g"``, ``"lr_d"``, ``"beta"``.
    values : (start, stop) or sequence of float
        The range (``num`` evenly spaced values) or the grid itself (increasing).
    num : int
        Grid values for a range (3 to 20,000). Critical points closer together than the grid
        spacing may be missed; located ones are exact to about 1e-14.
    progress : bool, optional
        ``False`` hides the progress bar (shown for runs longer than a second).
    exact : bool
        Derive closed forms of the critical values (sympy, bounded in time) where the family is
        symbolic in ``param``.
    **params
        Fixed model and scheme parameters.

    Returns
    -------
    Continuation

    Examples
    --------
    >>> import jacobian_lab as jl
    >>> c = jl.continuation("dirac", reg="r1", values=(0, 3))
    >>> [(p.kind, round(p.value, 12), p.exact) for p in c.points]
    [('meet', 1.0, 1), ('phase-zero', 1.0, 1)]
    """
    family = ParameterFamily(model, reg, gamma, scheme, param=param, **params)
    grid = _grid(values, num)
    family.validate(grid[0]), family.validate(grid[-1])  # the range's ends (so all of it) are valid
    eig_at = _eigenvalues_at(family)
    raw = np.stack([eig_at(p) for p in tqdm(grid, desc="continuation", unit="value", delay=1.0,
                                            disable=progress is False)])
    points = critical.stability_points(eig_at, grid, raw, family.kind)
    points += critical.meeting_points(eig_at, grid, raw, family.kind)
    symbolic = family.symbolic if exact else None
    if symbolic is not None:
        points = [_with_closed_form(p, symbolic, family.kind) for p in points]
    info = {"model": str(getattr(model, "name", model)), "reg": reg, "gamma": gamma, "scheme": scheme,
            "parameters": params, "symbolic": symbolic is not None}
    return Continuation(param, grid, follow(raw), sorted(points, key=lambda p: (p.value, p.kind)),
                        family.kind, info)


def _grid(values, num):
    try:
        given = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise JacobianLabError(f"values must be (start, stop) or a list of numbers, got {values!r}") from None
    if not np.all(np.isfinite(given)) or given.size < 2:
        raise JacobianLabError(f"values must be at least 2 finite numbers, got {values!r}")
    if given.size == 2:
        num = check_int("num", num, minimum=3)
        if num > MAX_VALUES:
            raise JacobianLabError(f"num must be at most {MAX_VALUES}, got {num}")
        if not given[0] < given[1]:
            raise JacobianLabError(f"the range must have start < stop, got {values!r}")
        return np.linspace(given[0], given[1], num)
    if given.size > MAX_VALUES or np.any(np.diff(given) <= 0):
        raise JacobianLabError(f"values must increase strictly and number at most {MAX_VALUES}")
    return given


def _eigenvalues_at(family):
    def eig_at(p):
        matrix = family.matrix(p)
        if not np.all(np.isfinite(matrix)):
            raise JacobianLabError(f"the matrix is not finite at {family.param} = {p:g}")
        return np.linalg.eigvals(matrix).astype(complex)
    return eig_at


def _with_closed_form(point, symbolic, kind):
    matrix, symbol = symbolic
    which = "meet" if point.kind in ("meet", "phase-zero") else "stability"
    return replace(point, exact=closed_forms.closed_form(matrix, symbol, kind, which, point.value))
