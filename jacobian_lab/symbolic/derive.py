r"""Closed forms at the equilibrium: Jacobian, eigenvalues per block, critical strengths.

Everything is a function of the strengths (``gamma`` ...), the model parameters and, for a scheme,
the step size ``h``. The Jacobian is split into independent blocks (the sparsity pattern, or the
game's modes such as the Gaussian example's eigen-directions of :math:`\sigma^2 I + mm^T`); each
2x2 block has :math:`\lambda = \tfrac12(\operatorname{tr} \pm \sqrt{\operatorname{tr}^2 - 4\det})`
and its eigenvalues meet (a Jordan block) where :math:`\operatorname{tr}^2 = 4\det`: those are the
*critical strengths* (for R1 on the Dirac-GAN, :math:`\gamma = 2|f'(0)| = 1`).
Sympy's work is bounded in time; a part that does not finish is reported as not derived, with the
model parameters then substituted by their values and tried again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..errors import JacobianLabError
from ..schemes import symbolic_update_matrix
from .eigen import block_eigenvalues, components, tidy
from .timeout import SymbolicTimeout, time_limit

TIME_LIMIT = 8.0


@dataclass
class Block:
    """One independent block: its coordinates, matrix, exact eigenvalues and critical strengths."""

    labels: list[str]
    matrix: sp.Matrix
    eigenvalues: dict | None
    critical: dict = field(default_factory=dict)


@dataclass
class Derivation:
    """The closed forms of one (game, regularizer[, scheme]) at its equilibrium."""

    title: str
    variables: list
    equilibrium: tuple
    jacobian: sp.Matrix
    blocks: list[Block]
    substituted: dict = field(default_factory=dict)
    update_matrix: sp.Matrix | None = None
    update_blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    strengths: dict = field(default_factory=dict)  # regularizer name -> its strength symbol

    def to_text(self, latex: bool = False) -> str:
        """A readable report (``latex=True``: :meth:`to_latex`, labels and formulas in LaTeX)."""
        if latex:
            return self.to_latex()
        show = sp.sstr
        lines = [self.title, ""]
        eq = ", ".join(f"{v} = {show(e)}" for v, e in zip(self.variables, self.equilibrium))
        lines += [f"equilibrium: {eq}", "", "Jacobian J = dv/dx at the equilibrium:", _matrix(self.jacobian)]
        lines += _blocks_text("J", self.blocks)
        if self.update_matrix is not None:
            lines += ["", "update-map Jacobian:", _matrix(self.update_matrix)]
            lines += _blocks_text("update map", self.update_blocks)
        if self.substituted:
            subs = ", ".join(f"{k} = {v}" for k, v in self.substituted.items())
            lines += ["", f"(model parameters substituted by their values: {subs})"]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_latex(self) -> str:
        """The report as one LaTeX ``align*`` environment, labels included (title as a comment)."""
        rows = [r"\left(" + ", ".join(sp.latex(v) for v in self.variables) + r"\right)^* &= \left("
                + ", ".join(sp.latex(e) for e in self.equilibrium) + r"\right)",
                r"J = \frac{\partial v}{\partial x} &= " + sp.latex(self.jacobian)]
        rows += _blocks_latex("J", self.blocks)
        if self.update_matrix is not None:
            rows.append(r"\frac{\partial F}{\partial x} &= " + sp.latex(self.update_matrix))
            rows += _blocks_latex(r"\partial F/\partial x", self.update_blocks)
        rows += [sp.latex(k) + " &= " + sp.latex(v) + r" \quad \text{(substituted)}"
                 for k, v in self.substituted.items()]
        notes = [f"% note: {n}" for n in self.notes]
        return "\n".join([f"% {self.title}", r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}", *notes])

    def _repr_latex_(self) -> str:
        body = self.to_latex().split("\n")
        inner = [line for line in body if not line.startswith("%") and "align*" not in line]
        return "$$\\begin{aligned}" + "\n".join(inner) + "\\end{aligned}$$"

    def to_dict(self) -> dict:
        """Plain data: every expression as a sympy string (``sympy.sympify`` reads it back) and LaTeX."""
        def expr(e):
            return {"sympy": sp.sstr(e), "latex": sp.latex(e)}

        def matrix(m):
            return [[sp.sstr(e) for e in m.row(i)] for i in range(m.rows)]

        def blocks(bs):
            return [{"labels": b.labels, "matrix": matrix(b.matrix),
                     "eigenvalues": None if b.eigenvalues is None else
                     [{**expr(v), "multiplicity": int(m)} for v, m in b.eigenvalues.items()],
                     "critical": {str(k): [expr(v) for v in vs] for k, vs in b.critical.items()}}
                    for b in bs]

        out = {"title": self.title, "variables": [str(v) for v in self.variables],
               "strengths": self.strengths,
               "equilibrium": [expr(e) for e in self.equilibrium], "jacobian": matrix(self.jacobian),
               "blocks": blocks(self.blocks),
               "substituted": {str(k): sp.sstr(v) for k, v in self.substituted.items()},
               "notes": list(self.notes)}
        if self.update_matrix is not None:
            out["update_matrix"] = matrix(self.update_matrix)
            out["update_blocks"] = blocks(self.update_blocks)
        return out


def _matrix(m: sp.Matrix) -> str:
    return "\n".join("  [ " + ",  ".join(sp.sstr(e) for e in m.row(i)) + " ]" for i in range(m.rows))


def _blocks_text(what, blocks):
    lines = []
    for b in blocks:
        lines.append(f"\n{what} block ({', '.join(b.labels)}):")
        if b.eigenvalues is None:
            lines.append("  eigenvalues: no closed form (block too large); use numbers")
            continue
        for value, mult in b.eigenvalues.items():
            lines.append(f"  lambda = {sp.sstr(value)}" + (f"   (multiplicity {mult})" if mult > 1 else ""))
        for symbol, values in b.critical.items():
            lines.append(f"  eigenvalues meet (Jordan block) at {symbol} = "
                         + ", ".join(sp.sstr(v) for v in values))
    return lines


def _label_latex(label: str) -> str:
    """``theta`` -> ``\\theta``; ``mode 1 generator`` -> ``\\text{mode 1 generator}``."""
    return sp.latex(sp.Symbol(label)) if label.isidentifier() else r"\text{" + label + "}"


def _blocks_latex(what, blocks):
    rows = []
    for b in blocks:
        where = ", ".join(_label_latex(label) for label in b.labels)
        if b.eigenvalues is None:
            rows.append(r"&\text{block } (" + where + r")\text{: no closed form}")
            continue
        for value, mult in b.eigenvalues.items():
            rows.append(r"\lambda\left(" + what + r"\right)\big|_{" + where + "} &= " + sp.latex(value)
                        + (rf" \quad \text{{(multiplicity {mult})}}" if mult > 1 else ""))
        for symbol, values in b.critical.items():
            rows.append(sp.latex(symbol) + " &= " + ", ".join(sp.latex(v) for v in values)
                        + r" \quad \text{(eigenvalues meet: Jordan block)}")
    return rows


def derive_closed_forms(rg, scheme=None) -> Derivation:
    """Closed forms of a regularized game (and a :class:`~jacobian_lab.schemes.Scheme`'s update map).

    ``rg`` is a :class:`~jacobian_lab.field.RegularizedGame`; :func:`jacobian_lab.derive` builds it
    from names. A continuous-time scheme adds nothing to :math:`J`'s closed forms.
    """
    if rg.game.equilibrium is None:
        raise JacobianLabError(f"{rg.game.name!r} has no closed-form equilibrium to derive at")
    title = (f"{rg.game.name} ({_params(rg.game)}), reg {_symbolic_label(rg)}"
             + (f", scheme {scheme.name}" if scheme else ""))
    result = _derive_bounded(rg, {}) or _derive_bounded(rg, rg.game.substitutions())
    if result is None:
        raise JacobianLabError("closed forms did not finish in time; use `jacobian-lab analyze` for numbers")
    jac, blocks, basis, subs = result
    out = Derivation(title, list(rg.variables), _equilibrium(rg, subs), jac, blocks, substituted=subs,
                     strengths={r.name: str(sym) for (r, _), sym in zip(rg.reg, rg.strength_symbols)})
    if scheme is not None and not scheme.capabilities.continuous:
        try:
            with time_limit(TIME_LIMIT):
                out.update_matrix = symbolic_update_matrix(scheme, jac, step_symbols=True)
                memory_basis = None if basis is None else sp.diag(*([basis] * scheme.memory))
                out.update_blocks = _blocks(out.update_matrix, memory_basis, _labels(rg, scheme), ())
        except SymbolicTimeout:
            out.notes.append("the update map's closed form did not finish in time")
    return out


def _symbolic_label(rg) -> str:
    """``r1 (strength gamma)``: the formulas keep the strengths as symbols, whatever value was given."""
    if not rg.reg:
        return "none"
    return ", ".join(f"{r.name} (strength {sym})" for (r, _), sym in zip(rg.reg, rg.strength_symbols))


def _params(game) -> str:
    return ", ".join(f"{k}={v}" for k, v in game.values.items()) or "no parameters"


def _equilibrium(rg, subs):
    return tuple(sp.sympify(e).subs(subs) for e in rg.game.equilibrium)


def _labels(rg, scheme=None):
    """Coordinate names, of every array the scheme carries (``theta``, ``theta_prev`` ...)."""
    names = [str(v) for v in rg.variables]
    arrays = ("x",) if scheme is None else scheme.capabilities.state
    return [n if array == "x" else f"{n}_{array.removeprefix('x_')}" for array in arrays for n in names]


def _derive_bounded(rg, subs):
    try:
        with time_limit(TIME_LIMIT):
            point = dict(zip(rg.variables, _equilibrium(rg, subs)))
            jac = rg.jacobian.subs(point).subs(subs).applyfunc(sp.simplify)
            basis_fn = getattr(rg.game, "mode_basis", None)
            basis = None if basis_fn is None else basis_fn(symbolic=not subs).subs(subs)
            return jac, _blocks(jac, basis, _labels(rg), rg.strength_symbols), basis, subs
    except SymbolicTimeout:
        return None


def _blocks(matrix, basis, labels, strengths) -> list[Block]:
    rotated = matrix if basis is None else (basis.T * matrix * basis).applyfunc(tidy)
    if basis is not None:
        labels = [f"mode {i // 2 + 1} {'generator' if i % 2 == 0 else 'discriminator'}"
                  for i in range(rotated.rows)]
    out = []
    for idx in components(rotated):
        block = rotated.extract(idx, idx)
        out.append(Block([labels[i] for i in idx], block, block_eigenvalues(block),
                         _critical(block, strengths)))
    return out


def _critical(block: sp.Matrix, strengths) -> dict:
    if block.shape != (2, 2):
        return {}
    discriminant = sp.simplify(block.trace() ** 2 - 4 * block.det())
    out = {}
    for s in strengths:
        if discriminant.has(s):
            roots = [r for r in sp.solve(discriminant, s) if r.is_extended_negative is not True]
            if roots:
                out[s] = roots
    return out
