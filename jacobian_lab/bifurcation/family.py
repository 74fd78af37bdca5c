r"""A one-parameter family of matrices :math:`A(p)`: the Jacobian at the equilibrium, or an update map.

The parameter may be a regularizer's strength (``"gamma"``), a real model parameter
(``"sigma"``, ``"a"`` ...) or a numeric scheme parameter (``"lr"``, ``"lr_g"``, ``"lr_d"``,
``"beta"`` ...: every number a scheme declares). Where the game's symbolic derivation carries the
parameter as a symbol, :math:`A(p)` is one sympy matrix, generated once as numeric code (and used
for closed forms); otherwise :math:`J(\gamma)` is generated once (a strength), :math:`J` is fixed (a
scheme parameter) or each value costs one call of :func:`jacobian_lab.spectrum` (a model parameter).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from ..analysis import jacobian, regularized_game, resolve_scheme, spectrum, split_params
from ..errors import JacobianLabError, NotApplicableError
from ..field import check_smooth
from ..regularizers import parse_reg
from ..schemes import make_scheme, scheme_parameters, symbolic_update_matrix, update_matrix
from ..strengths import StrengthFamily
from ..symbolic.functions import NUMPY_MODULES
from ..symbolic.timeout import SymbolicTimeout, time_limit

STRENGTH = "gamma"


def _scheme_numbers() -> list[str]:
    """The numeric scheme parameters by keyword name (from the schemes' declarations)."""
    return [name for name, p in scheme_parameters().items() if p.numeric]


class ParameterFamily:
    """:math:`A(p)` for ``model``/``reg``/``scheme`` with one parameter ``param`` free.

    Parameters
    ----------
    model, reg, gamma, scheme : as for :func:`jacobian_lab.spectrum`
    param : str
        ``"gamma"`` (the strength of the single regularizer ``reg``), a real model parameter, or a
        scheme's ``lr``, ``lr_g``, ``lr_d`` or ``beta``.
    **params
        The other model and scheme parameters, held fixed.
    """

    def __init__(self, model, reg=None, gamma=None, scheme=None, *, param=STRENGTH, **params):
        self.model, self.reg, self.gamma, self.scheme, self.param = model, reg, gamma, scheme, param
        self.params = dict(params)
        if param in self.params or (param == STRENGTH and gamma is not None):
            raise JacobianLabError(f"{param!r} is the continuation parameter; do not also fix it")
        self._check_param()
        probe = resolve_scheme(scheme, 1, 2, split_params(self.params)[1])
        self.kind = "continuous" if probe is None or probe.capabilities.continuous else "discrete"

    def _check_param(self):
        if self.param == STRENGTH:
            if not isinstance(self.reg, str) or self.reg == "none":
                raise JacobianLabError("continuation in gamma needs one regularizer name (reg='r1' ...)")
            return
        if self.param in _scheme_numbers():
            if self.scheme is None:
                raise JacobianLabError(f"{self.param!r} is a scheme parameter: give a scheme (simgd ...)")
            return
        game = regularized_game(self.model, self.reg, self.gamma, **self._model_params()).game
        declared = game.parameters.get(self.param)
        if declared is None or declared.kind not in ("real", "positive"):
            numeric = [n for n, p in game.parameters.items() if p.kind in ("real", "positive")]
            accepted = ", ".join([STRENGTH, *numeric, *_scheme_numbers()])
            raise JacobianLabError(f"cannot continue in {self.param!r} for model {game.name!r}; accepted: {accepted}")

    def _model_params(self):
        return split_params(self.params)[0]

    def validate(self, value) -> None:
        """Refuse a parameter value the model, regularizer or scheme does not accept."""
        model_params, scheme_params = split_params(self.params)
        if self.param == STRENGTH:
            parse_reg(self.reg, value)
        elif self.param in _scheme_numbers():
            make_scheme(self.scheme, 1, 2, **{**scheme_params, self.param: value})
        else:
            game = regularized_game(self.model, self.reg, self.gamma, **model_params).game
            game.parameters[self.param].parse(value)

    def spectrum(self, value):
        """The :class:`~jacobian_lab.Spectrum` at ``param = value`` (validates the value)."""
        gamma = value if self.param == STRENGTH else self.gamma
        extra = {} if self.param == STRENGTH else {self.param: value}
        return spectrum(self.model, self.reg, gamma, self.scheme, exact=False, **self.params, **extra)

    def matrix(self, value) -> np.ndarray:
        """:math:`A(p)` (float), from generated code where the family is symbolic."""
        if self.symbolic is not None:
            return np.array(self._numeric(float(value)), dtype=float).reshape(self.shape)
        return self._fallback(float(value))

    @cached_property
    def _fallback(self):
        """``value -> A(value)`` without a symbolic family: :math:`J(\\gamma)` generated once for a
        strength, :math:`J` fixed for a scheme parameter, else one :func:`spectrum` per value."""
        model_params, scheme_params = split_params(self.params)
        if self.param == STRENGTH:
            family = StrengthFamily(self.model, self.reg, **model_params)

            def jac(v):
                return family.jacobians([v])[0]
        elif self.param in _scheme_numbers():
            fixed = jacobian(self.model, self.reg, self.gamma, **model_params)

            def jac(v):
                return fixed
        else:
            return lambda v: np.asarray(self.spectrum(v).jacobian, dtype=float)
        if self.kind == "continuous":
            return jac
        game = regularized_game(self.model, **model_params).game

        def update(v):
            extra = {} if self.param == STRENGTH else {self.param: v}
            steps = make_scheme(self.scheme, len(game.theta), game.dim, **{**scheme_params, **extra})
            return update_matrix(steps, jac(v))
        return update

    def matrices(self, values) -> np.ndarray:
        return np.stack([self.matrix(v) for v in values])

    # -- the symbolic form ------------------------------------------------------------------
    @cached_property
    def symbolic(self):
        """``(A(p) as sympy.Matrix, p as Symbol)``, or ``None`` where the parameter is not a symbol."""
        try:
            with time_limit(3.0):
                return self._derive()
        except (SymbolicTimeout, NotApplicableError):
            return None

    @property
    def shape(self):
        return self.symbolic[0].shape

    @cached_property
    def _numeric(self):
        matrix, symbol = self.symbolic
        return sp.lambdify([symbol], list(matrix), modules=NUMPY_MODULES)

    def _derive(self):
        model_params, scheme_params = split_params(self.params)
        rg = regularized_game(self.model, self.reg, 1.0 if self.param == STRENGTH else self.gamma,
                              **model_params)
        if rg.game.equilibrium is None:
            return None
        subs = rg.substitutions()
        symbol = self._symbol(rg, subs)
        if symbol is None:
            return None
        subs.pop(symbol, None)
        point = {x: sp.sympify(e).xreplace(subs) for x, e in zip(rg.variables, rg.game.equilibrium)}
        jac = rg.jacobian.xreplace(point).xreplace(subs)
        check_smooth(jac, rg)
        if self.kind == "continuous":
            return jac, symbol
        method = make_scheme(self.scheme, len(rg.game.theta), rg.game.dim, **scheme_params)
        if not method.capabilities.exact:
            return None
        if self.param == "lr":
            if scheme_params.get("lr_g") or scheme_params.get("lr_d"):
                return None
            method = make_scheme(self.scheme, len(rg.game.theta), rg.game.dim, **scheme_params, lr=0.5)
            matrix = symbolic_update_matrix(method, jac, step_symbols=True)
            h = sp.Symbol("h", positive=True)
            return (matrix, h) if matrix.free_symbols <= {h} | set(jac.free_symbols) else None
        return symbolic_update_matrix(method, jac), symbol

    def _symbol(self, rg, subs):
        if self.param == STRENGTH:
            return rg.strength_symbols[0]
        if self.param in _scheme_numbers():
            return sp.Dummy("p") if self.param == "lr" else None
        named = [s for s in subs if str(s) == self.param]
        return named[0] if len(named) == 1 else None
