"""Reading a formula from a string with an allow-list: never ``eval`` and never ``sympify`` of text.

A formula may contain only

* numbers, read exactly as written (``0.3`` is 3/10, ``1e-3`` is 1/1000);
* the names it is given (a game's parameters) and the constants ``pi`` and ``E``;
* ``+``, ``-``, ``*``, ``/``, ``**`` (also written ``^``) and parentheses;
* calls of the functions in :data:`FUNCTIONS`, each with one argument.

Anything else (attributes, subscripts, keywords, strings, comparisons, lambdas, other names) is
refused with a :class:`~jacobian_lab.errors.JacobianLabError` that names it. Python callables and
sympy expressions remain the way to pass arbitrary code, since the user writes and runs that code.
"""

from __future__ import annotations

import ast
import operator

import sympy as sp

from ..errors import JacobianLabError
from ..exact import parse_number
from .functions import log_sigmoid, sigmoid

#: The functions a formula may call.
FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asin": sp.asin, "acos": sp.acos,
    "atan": sp.atan, "Abs": sp.Abs, "abs": sp.Abs, "sigmoid": sigmoid, "log_sigmoid": log_sigmoid,
}
CONSTANTS = {"pi": sp.pi, "E": sp.E}
MAX_LENGTH = 10_000
MAX_EXPONENT = 1000
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def parse_formula(text: str, names: dict) -> sp.Expr:
    """The sympy expression ``text`` spells, over the symbols ``names`` (``{name: Symbol}``)."""
    if not isinstance(text, str):
        raise JacobianLabError(f"a formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise JacobianLabError(f"formula longer than {MAX_LENGTH} characters")
    text = text.strip().replace("^", "**")  # sympy's convention (no strings can hold a '^')
    try:
        expr = _Reader(text, names).read(ast.parse(text, mode="eval").body)
    except SyntaxError as error:
        raise JacobianLabError(f"cannot read formula {text!r}: {error.msg} at column {error.offset}") from None
    except (RecursionError, MemoryError):
        raise JacobianLabError(f"formula nested too deeply ({len(text)} characters)") from None
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise JacobianLabError(f"formula {text!r} is not finite ({expr}): a division by zero?")
    return expr


class _Reader:
    def __init__(self, text, names):
        self.text, self.names = text, {**CONSTANTS, **names}

    def refuse(self, node, what):
        segment = ast.get_source_segment(self.text, node) or ""
        raise JacobianLabError(
            f"formula {self.text!r}: {what} {segment!r} is not allowed; use numbers, the parameters "
            f"({', '.join(n for n in self.names if n not in CONSTANTS) or 'none'}), + - * / ** and "
            f"the functions {', '.join(sorted(FUNCTIONS))}")

    def read(self, node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.read(node.left), self.read(node.right)
            if _BINARY[type(node.op)] is operator.pow and right.is_number and abs(right) > MAX_EXPONENT:
                self.refuse(node, f"an exponent above {MAX_EXPONENT} in")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](self.read(node.operand))
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                parameters = ", ".join(n for n in self.names if n not in CONSTANTS) or "none"
                raise JacobianLabError(f"formula {self.text!r} uses unknown symbols [{node.id!r}]; "
                                       f"parameters: {parameters}; constants: pi, E")
            return self.names[node.id]
        if isinstance(node, ast.Call):
            return self.call(node)
        return self.refuse(node, "the expression")

    def constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            self.refuse(node, "the constant")
        return parse_number(ast.get_source_segment(self.text, node).replace("_", "")).exact

    def call(self, node):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            self.refuse(node.func, "the function")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.refuse(node, "the call (one argument expected)")
        return FUNCTIONS[node.func.id](self.read(node.args[0]))
