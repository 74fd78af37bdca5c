r"""Two-parameter stability charts with the boundary traced, not just shaded.

Over a grid of two parameters (say the strength :math:`\gamma` and the step size :math:`h`) the
chart holds the stability margin -- the spectral radius :math:`\rho` of the update map, or the
abscissa :math:`\max\operatorname{Re}\lambda` of :math:`J` for the flow -- and, for every value of
the first parameter, the values of the second where the margin crosses 1 (or 0), located by
Brent's method as in :func:`~jacobian_lab.bifurcation.continuation`. The boundary is therefore exact
to rounding at each column, independent of the grid's resolution in the second parameter.

One of the two parameters may be a model-side one (``gamma`` or a real model parameter, through a
:class:`~jacobian_lab.bifurcation.ParameterFamily` of Jacobians); the scheme's parameters enter
through its update matrix (:func:`jacobian_lab.schemes.update_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ..analysis import jacobian, regularized_game, split_params
from ..errors import JacobianLabError
from ..schemes import is_discrete, make_scheme, scheme_parameter_names, update_matrix
from .continuation import _grid
from .critical import roots_on_grid
from .family import STRENGTH, ParameterFamily

#: Most grid cells of one chart.
MAX_CELLS = 250_000


@dataclass(frozen=True, eq=False)
class StabilityChart:
    """Stability margin over ``x x y`` and its root-found boundary.

    Attributes
    ----------
    x_name, y_name : str
    x, y : ndarray
    margin : ndarray, shape (len(y), len(x))
        Spectral radius (``kind="discrete"``; stable below 1) or abscissa (``"continuous"``; below 0).
    boundary : ndarray, shape (m, 2)
        Points ``(x, y)`` where the margin reaches its threshold, one or more per column.
    kind : str
    """

    x_name: str
    x: np.ndarray
    y_name: str
    y: np.ndarray
    margin: np.ndarray
    boundary: np.ndarray
    kind: str

    @property
    def threshold(self) -> float:
        return 1.0 if self.kind == "discrete" else 0.0

    @property
    def stable(self) -> np.ndarray:
        return self.margin < self.threshold


def stability_chart(model, reg=None, gamma=None, scheme=None, *, x=("gamma", (0.0, 3.0)), y=("lr", (0.01, 2.0)),
                    num=(61, 61), **params) -> StabilityChart:
    """Stability over two parameters, the boundary root-found along ``y`` for each ``x``.

    Parameters
    ----------
    model, reg, gamma, scheme, **params : as for :func:`jacobian_lab.continuation`.
    x, y : (name, (start, stop)) or (name, values)
        The parameters and their ranges (``gamma``, a real model parameter, or a scheme parameter;
        at most one of the two may be on the model side).
    num : (int, int)
        Grid values along ``x`` and ``y`` for ranges (at most 250,000 cells).

    Returns
    -------
    StabilityChart

    Examples
    --------
    >>> import jacobian_lab as jl
    >>> chart = jl.stability_chart("dirac", "consensus", scheme="simgd", x=("gamma", (0.5, 2)),
    ...                            y=("lr", (0.01, 3)), num=(4, 30))
    >>> [round(float(h), 12) for h in chart.boundary[:, 1]]  # 8 gamma / (gamma^2 + 4)
    [0.941176470588, 1.6, 1.92, 2.0]
    """
    (x_name, x_range), (y_name, y_range) = x, y
    xs, ys = _grid(x_range, num[0]), _grid(y_range, num[1])
    if xs.size * ys.size > MAX_CELLS:
        raise JacobianLabError(f"the chart has {xs.size * ys.size} cells; at most {MAX_CELLS}")
    matrix, kind = _matrix_function(model, reg, gamma, scheme, (x_name, xs), (y_name, ys), params)
    margin_of = (lambda m: np.abs(np.linalg.eigvals(m)).max()) if kind == "discrete" else \
        (lambda m: np.linalg.eigvals(m).real.max())
    threshold = 1.0 if kind == "discrete" else 0.0
    rows = tqdm(ys, desc="stability chart", unit="row", delay=1.0)
    margin = np.array([[margin_of(matrix(a, b)) for a in xs] for b in rows])
    boundary = []
    for j, a in enumerate(xs):
        def f(b, a=a):
            return margin_of(matrix(a, b)) - threshold
        boundary += [(a, b) for b in roots_on_grid(f, ys, margin[:, j] - threshold)]
    return StabilityChart(x_name, xs, y_name, ys, margin, np.array(boundary).reshape(-1, 2), kind)


def _matrix_function(model, reg, gamma, scheme, x, y, params):
    """``(a, b) -> matrix`` for the two parameters, and the kind of spectrum."""
    (x_name, x_range), (y_name, y_range) = x, y
    scheme_names = scheme_parameter_names()
    model_side = [n for n in (x_name, y_name) if n not in scheme_names]
    if len(model_side) > 1:
        raise JacobianLabError("at most one of the two chart parameters may be gamma or a model parameter")
    if x_name == y_name:
        raise JacobianLabError("the chart's two parameters must differ")
    kind = "discrete" if is_discrete(scheme) else "continuous"
    if kind == "continuous" and len(model_side) < 2:
        raise JacobianLabError("a stability chart is of an update map: give a discrete scheme (scheme='simgd' ...)")
    model_params, scheme_params = split_params(params)
    game = regularized_game(model, reg, gamma if STRENGTH not in model_side else 1.0, **model_params).game
    if model_side:
        family = ParameterFamily(model, reg, gamma, None, param=model_side[0], **model_params)
        ends = (x_range if model_side[0] == x_name else y_range)
        family.validate(min(ends)), family.validate(max(ends))
        jac = family.matrix
    else:
        fixed = jacobian(model, reg, gamma, **model_params)

        def jac(_value):
            return fixed

    def matrix(a, b):
        values = {x_name: a, y_name: b}
        J = jac(values[model_side[0]] if model_side else None)
        if kind == "continuous":
            return J
        extra = {n: v for n, v in values.items() if n in scheme_names}
        steps = make_scheme(scheme, len(game.theta), game.dim, **{**scheme_params, **extra})
        return update_matrix(steps, J)

    return matrix, kind
