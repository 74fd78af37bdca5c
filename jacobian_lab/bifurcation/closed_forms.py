r"""Closed forms of critical parameter values from the characteristic polynomial.

With :math:`P(\lambda; p) = \det(\lambda I - A(p)) = \lambda^n + a_1\lambda^{n-1} + \dots + a_n`:

- two eigenvalues meet where the discriminant :math:`\operatorname{disc}_\lambda P = 0`;
- an eigenvalue crosses the imaginary axis at 0 where :math:`a_n = 0`, and a pair :math:`\pm i\omega`
  where the Hurwitz determinant :math:`\Delta_{n-1}(P) = 0` (Orlando's formula: :math:`\Delta_{n-1}`
  is, up to sign, the product of all pair sums :math:`\lambda_j + \lambda_k`; Gantmacher, *The
  Theory of Matrices* II, 1959, chapter XV; for :math:`n = 2` it is the trace);
- for an update map, the Cayley transform :math:`\mu = (1 + s)/(1 - s)` maps the unit circle to the
  imaginary axis: with :math:`Q(s) = (1 - s)^n P((1+s)/(1-s))`, :math:`\mu = 1` where
  :math:`Q(0) = P(1) = 0`, :math:`\mu = -1` where the leading coefficient :math:`(-1)^nP(-1) = 0`, and
  a pair on the circle where :math:`\Delta_{n-1}(Q) = 0`.

These conditions are necessary, not sufficient (:math:`\Delta_{n-1}` also vanishes for real
:math:`\pm r`): a closed form is reported only where it agrees with a root located numerically.
Sympy's work is bounded in time.
"""

from __future__ import annotations

import sympy as sp

from ..symbolic.timeout import SymbolicTimeout, time_limit

TIME_LIMIT = 3.0


def hurwitz_minor(coefficients, order) -> sp.Expr:
    """The ``order``-th leading principal minor of the Hurwitz matrix of ``a_0 x^n + ... + a_n``."""
    a = list(coefficients)
    n = len(a) - 1

    def entry(i, j):
        k = 2 * (j + 1) - (i + 1)
        return a[k] if 0 <= k <= n else sp.Integer(0)

    return sp.Matrix(order, order, entry).det()


def conditions(matrix: sp.Matrix, symbol, kind: str, point: str) -> list[sp.Expr]:
    """Expressions in ``symbol`` whose zeros include every point of type ``point``.

    ``point`` is ``"meet"`` or ``"stability"``; ``kind`` ``"continuous"`` or ``"discrete"``.
    """
    lam = sp.Dummy("lambda")
    poly = sp.Poly(sp.expand((lam * sp.eye(matrix.rows) - matrix).det()), lam)
    n = poly.degree()
    if point == "meet":
        return [sp.discriminant(poly.as_expr(), lam)] if n >= 2 else []
    if kind == "discrete":
        s = sp.Dummy("s")
        poly = sp.Poly(sp.expand(sp.cancel((1 - s) ** n * poly.as_expr().subs(lam, (1 + s) / (1 - s)))), s)
    coeffs = poly.all_coeffs()
    out = [coeffs[-1], coeffs[0]] if kind == "discrete" else [coeffs[-1]]
    if n >= 2:
        out.append(hurwitz_minor(coeffs, n - 1))
    return out


def closed_form(matrix: sp.Matrix, symbol, kind: str, point: str, value: float, rtol=1e-8):
    """The exact real zero of :func:`conditions` equal to ``value`` (to ``rtol``), or ``None``."""
    try:
        with time_limit(TIME_LIMIT):
            for expr in conditions(matrix, symbol, kind, point):
                numerator = sp.numer(sp.together(sp.expand(expr)))
                if not numerator.has(symbol):
                    continue
                for root in sp.solve(numerator, symbol):
                    number = complex(sp.N(root, 30))
                    if abs(number.imag) <= rtol and abs(number.real - value) <= rtol * max(1.0, abs(value)):
                        return sp.nsimplify(root) if root.is_Rational else sp.simplify(root)
    except (SymbolicTimeout, NotImplementedError, TypeError, ValueError):
        return None
    return None
