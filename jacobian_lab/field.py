r"""The regularized vector field of a game: symbolic, then generated numeric code.

.. math::

    v(x) = \big(-\nabla_\theta (l_G + \textstyle\sum_r \Delta l_G^r),\;
                -\nabla_\psi (l_D + \textstyle\sum_r \Delta l_D^r)\big),
    \qquad J = \partial v / \partial x,

followed by the field transforms in order. Instance noise changes the data before the losses are
built. Strengths are symbols (``gamma``, or ``gamma_r1`` etc. when several are given) so that the
same expressions give closed forms; :meth:`RegularizedGame.substitutions` holds their values.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from .errors import JacobianLabError, NotApplicableError
from .exact import display, exact
from .games import Game
from .regularizers import DataNoise, FieldTransform, Penalty
from .symbolic.functions import NUMPY_MODULES
from .symbolic.ops import MatrixProducts, SympyOps


def _strength_symbol(regularizer, several: bool) -> sp.Symbol:
    base = {"lambda": "lambda_"}.get(regularizer.strength_symbol, regularizer.strength_symbol)
    if several:
        base = f"{regularizer.strength_symbol}_{regularizer.name.replace('-', '_')}"
    return sp.Symbol(base, nonnegative=True)


class SymbolicField:
    """The symbolic losses, field and Jacobian of a game with regularizers, strengths as symbols.

    It depends on the regularizers, not on their strengths, so every strength shares one. It cannot
    be changed, and its results are immutable (sympy expressions and ``ImmutableMatrix``), derived on
    first use.

    Parameters
    ----------
    game : Game
    regularizers : sequence of Regularizer
        Each named once (:func:`jacobian_lab.regularizers.parse_reg` merges repeated names).
    """

    def __init__(self, game: Game, regularizers):
        regularizers = tuple(regularizers)
        several = len(regularizers) > 1
        self.__dict__.update(_game=game, regularizers=regularizers,
                             strength_symbols=tuple(_strength_symbol(r, several) for r in regularizers))

    def __setattr__(self, name, value):
        raise AttributeError(f"a SymbolicField is shared by every strength; {name!r} cannot be set")

    def _of_kind(self, kind):
        return [(r, s) for r, s in zip(self.regularizers, self.strength_symbols) if isinstance(r, kind)]

    @cached_property
    def losses(self) -> tuple[sp.Expr, sp.Expr]:
        """Regularized ``(l_G, l_D)`` (before field transforms)."""
        noise = sum((s for _, s in self._of_kind(DataNoise)), sp.Integer(0))
        base = self._game.losses(noise)
        added = {"G": sp.Integer(0), "D": sp.Integer(0)}
        for r, s in self._of_kind(Penalty):
            ops = SympyOps(self._game, base, method=r.name)
            for player, term in r.terms():
                added[player] += s * term(ops)
        return base[0] + added["G"], base[1] + added["D"]

    @cached_property
    def field(self) -> sp.ImmutableMatrix:
        """The column vector :math:`v(x)`, generator first."""
        l_g, l_d = self.losses
        v = sp.Matrix([-sp.diff(l_g, t) for t in self._game.theta]
                      + [-sp.diff(l_d, p) for p in self._game.psi])
        for r, s in self._of_kind(FieldTransform):
            v = r.apply(v, MatrixProducts(v.jacobian(self._game.variables)), s)
        return sp.ImmutableMatrix(v)

    @cached_property
    def jacobian(self) -> sp.ImmutableMatrix:
        """The symbolic Jacobian :math:`J(x) = \\partial v / \\partial x`."""
        return sp.ImmutableMatrix(self.field.jacobian(self._game.variables))

    @cached_property
    def field_operations(self) -> int:
        """Arithmetic operations of one evaluation of :attr:`field` after common sub-expressions (a cost)."""
        assignments, outputs = sp.cse(list(self.field))
        return int(sum(sp.count_ops(e) for _, e in assignments) + sp.count_ops(outputs))

    @cached_property
    def kinks(self) -> tuple:
        """Arguments of the Jacobian's non-smooth functions (``sign``, ``Heaviside``, ``DiracDelta``)."""
        atoms = set().union(*(e.atoms(sp.sign, sp.Heaviside, sp.DiracDelta) for e in self.jacobian))
        return tuple({a.args[0] for a in atoms})


class RegularizedGame:
    """A game with regularizers: its losses, field and Jacobian, symbolic and numeric.

    Parameters
    ----------
    game : Game
    reg : sequence of (Regularizer, float)
        As returned by :func:`jacobian_lab.regularizers.parse_reg`.
    symbolic : SymbolicField, optional
        The symbolic field of the same game and regularizers to share (default: a new one).
    """

    def __init__(self, game: Game, reg=(), symbolic: SymbolicField | None = None):
        self.game = game
        self.reg = tuple(reg)
        names = [r.name for r, _ in self.reg]
        if len(set(names)) < len(names):
            raise JacobianLabError(f"regularizers named more than once: {names}; parse_reg adds their strengths")
        self.symbolic = symbolic or SymbolicField(game, [r for r, _ in self.reg])

    def with_strengths(self, strengths) -> RegularizedGame:
        """The same regularizers with other strength values, sharing the symbolic derivation."""
        if len(strengths) != len(self.reg):
            raise ValueError("one strength per regularizer")
        reg = tuple((r, s) for (r, _), s in zip(self.reg, strengths))
        return RegularizedGame(self.game, reg, self.symbolic)

    @property
    def variables(self):
        return self.game.variables

    @property
    def strength_symbols(self) -> tuple:
        """The symbols standing for the strengths in :attr:`field` and :attr:`jacobian`."""
        return self.symbolic.strength_symbols

    @property
    def label(self) -> str:
        if not self.reg:
            return "none"
        return ", ".join(f"{r.name}={display(s)}" for r, s in self.reg)

    # -- symbolic (shared across strengths) ------------------------------------------------
    @property
    def losses(self) -> tuple[sp.Expr, sp.Expr]:
        """Regularized ``(l_G, l_D)`` (before field transforms)."""
        return self.symbolic.losses

    @property
    def field(self) -> sp.ImmutableMatrix:
        """The column vector :math:`v(x)`, generator first."""
        return self.symbolic.field

    @property
    def field_operations(self) -> int:
        """Arithmetic operations of one evaluation of :attr:`field` after common sub-expressions (a cost)."""
        return self.symbolic.field_operations

    @property
    def jacobian(self) -> sp.ImmutableMatrix:
        """The symbolic Jacobian :math:`J(x) = \\partial v / \\partial x`."""
        return self.symbolic.jacobian

    def substitutions(self) -> dict:
        """Exact values of model parameters and strengths."""
        subs = self.game.substitutions()
        for (_, value), s in zip(self.reg, self.strength_symbols):
            subs[s] = exact(value)
        return subs

    # -- equilibrium -----------------------------------------------------------------------
    @cached_property
    def equilibrium(self) -> tuple:
        """The fixed point: the game's closed form if it has one, else found numerically."""
        eq = self.game.equilibrium
        if eq is None:
            return tuple(find_fixed_point(self.numeric_field, self.game.dim))
        return tuple(sp.sympify(e).subs(self.game.substitutions()) for e in eq)

    def exact_jacobian_at(self, point) -> sp.Matrix:
        """:math:`J` at ``point`` with every parameter and strength substituted exactly."""
        subs = self.substitutions()
        subs.update({x: exact(p) for x, p in zip(self.variables, point)})
        self.check_kinks(subs)
        jac = self.jacobian.xreplace(subs)
        check_smooth(jac, self)
        return jac

    def check_kinks(self, subs: dict) -> None:
        """Refuse a point where the Jacobian has a kink (e.g. ``Abs(x)`` at ``x = 0``): it does not exist there."""
        for arg in self.symbolic.kinks:
            if sp.simplify(arg.xreplace(subs)) == 0:
                raise NotApplicableError(
                    f"the field of {self.game.name!r} with {self.label} is not differentiable at this point: "
                    f"{arg} = 0 is a kink (of Abs, sign or a penalty's |grad|)")

    # -- numeric ---------------------------------------------------------------------------
    @cached_property
    def numeric_field(self):
        """``v(x)`` on arrays: ``(..., d) -> (..., d)``, generated from the symbolic field."""
        return _vectorize(self.field.subs(self.substitutions()), self.variables)

    @cached_property
    def numeric_jacobian(self):
        """``J(x)`` on arrays: ``(..., d) -> (..., d, d)``."""
        jac = self.jacobian.subs(self.substitutions())
        flat = _vectorize(sp.Matrix(list(jac)), self.variables)
        d = self.game.dim
        return lambda x: flat(x).reshape(np.shape(x)[:-1] + (d, d))


def _vectorize(column: sp.Matrix, variables):
    """Generate ``f(x[..., d]) -> (..., m)`` from a column of expressions."""
    entries = sp.lambdify(variables, list(column), modules=NUMPY_MODULES, cse=True)

    def evaluate(x):
        x = np.asarray(x, dtype=float)
        values = entries(*np.moveaxis(x, -1, 0))
        return np.stack(np.broadcast_arrays(*values, np.empty(x.shape[:-1])), axis=-1)[..., :-1]

    return evaluate


def check_smooth(jac: sp.Matrix, game: RegularizedGame):
    """Refuse a Jacobian with kinks (Dirac deltas) or infinities, naming the cause."""
    bad = (sp.DiracDelta, sp.zoo, sp.nan, sp.oo, -sp.oo)
    if any(e.has(*bad) for e in jac):
        raise NotApplicableError(
            f"the field of {game.game.name!r} with {game.label} is not differentiable at this point "
            "(e.g. wgan-gp's |grad_x D| has a kink where grad_x D = 0)"
        )


def find_fixed_point(field, dim: int, start=None) -> np.ndarray:
    """A zero of ``field`` near ``start`` (default the origin), by scipy's hybrid method."""
    from scipy.optimize import root

    x0 = np.zeros(dim) if start is None else np.asarray(start, dtype=float)
    result = root(lambda x: field(x), x0, method="hybr", tol=1e-14)
    if not result.success or np.linalg.norm(field(result.x)) > 1e-9:
        raise JacobianLabError(
            "no fixed point found numerically from the origin; give the game an equilibrium"
        )
    return result.x
