"""Generate the numba source of a regularized field and of a scheme's driver, from sympy.

The field is the one sympy definition (:attr:`RegularizedGame.field`), printed after common
sub-expression elimination as a loop over the rows of a batch. Special functions become small jitted
helpers: :class:`sigmoid` and :class:`log_sigmoid` in their stable forms, each
``GaussSmoothed(code, k, ., .)`` a trapezoid quadrature on exactly the nodes of
:func:`jacobian_lab.symbolic.functions.quadrature_rule`. The scheme is not rewritten: the driver calls
its :attr:`~jacobian_lab.schemes.base.Scheme.update` function, whose source the generator copies into
the module with the field bound (:func:`update_source`), compiled by numba.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import textwrap

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ..symbolic.functions import QUADRATURE_RANGE, GaussSmoothed, base_derivative, log_sigmoid, sigmoid

#: Version of the generated code; bump it to invalidate every cached kernel.
CODEGEN_VERSION = 1


class _Printer(PythonCodePrinter):
    """Python/``math`` printer that knows the toolkit's special functions."""

    def __init__(self, smoothed):
        super().__init__({"fully_qualified_modules": True})
        self.smoothed = smoothed

    def _print_sigmoid(self, expr):
        return f"_sigmoid({self._print(expr.args[0])})"

    def _print_log_sigmoid(self, expr):
        return f"_log_sigmoid({self._print(expr.args[0])})"

    def _print_GaussSmoothed(self, expr):
        code, k, mu, s2 = expr.args
        self.smoothed.add((int(code), int(k)))
        return f"_smoothed_{int(code)}_{int(k)}({self._print(mu)}, {self._print(s2)})"


HELPERS = '''
@njit(cache=True, inline="always")
def _sigmoid(z):
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, inline="always")
def _log_sigmoid(z):
    if z >= 0.0:
        return -math.log1p(math.exp(-z))
    return z - math.log1p(math.exp(z))
'''

SMOOTHED = '''
@njit(cache=True)
def _smoothed_{code}_{k}(mu, s2):
    s = math.sqrt(max(s2, 0.0))
    step = min(0.5, 0.5 / max(s, 1e-300))
    count = int(math.ceil({range} / step))
    h = {range} / count
    total = 0.0
    for i in range(-count, count + 1):
        n = i * h
        t = mu + s * n
        total += math.exp(-0.5 * n * n) * ({integrand})
    return total * h / math.sqrt(2.0 * math.pi)
'''


def field_source(rg) -> str:
    """Numba source defining ``v(x: (n, d)) -> (n, d)`` for a :class:`RegularizedGame`."""
    safe = {v: sp.Symbol(f"_x{j}", real=True) for j, v in enumerate(rg.variables)}  # no clash with user names
    exprs = list(rg.field.xreplace(rg.substitutions()).xreplace(safe))
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_t"))
    smoothed: set = set()
    printer = _Printer(smoothed)
    body = [f"        _x{j} = x[i, {j}]" for j in range(len(rg.variables))]
    body += [f"        {sym} = {printer.doprint(e)}" for sym, e in replacements]
    body += [f"        out[i, {j}] = {printer.doprint(e)}" for j, e in enumerate(reduced)]
    parts = [HELPERS] + [_smoothed_source(code, k) for code, k in sorted(smoothed)]
    parts.append("@njit(cache=True)\ndef v(x):\n    out = np.empty_like(x)\n    for i in range(x.shape[0]):\n"
                 + "\n".join(body) + "\n    return out\n")
    return "\n\n".join(parts)


def _smoothed_source(code, k):
    t = sp.Symbol("t")
    integrand = _Printer(set()).doprint(base_derivative(code, k, t))
    return SMOOTHED.format(code=code, k=k, range=QUADRATURE_RANGE, integrand=integrand)


DRIVER = '''
{update_source}


@njit(cache=True, parallel=True)
def run(X, XP, steps, lr, gmask, p, x_star, bound, tol, every, window, record, final, diverged_at,
        converged_at, window_distance, block):
    n, d = X.shape
    blocks = (n + block - 1) // block
    for b in prange(blocks):
        lo = b * block
        hi = min(n, lo + block)
        x = X[lo:hi].copy()
        xp = XP[lo:hi].copy()
        for k in range(1, steps + 1):
            x, xp = UPDATE(x, xp, lr, gmask, p)
            for i in range(hi - lo):
                j = lo + i
                if diverged_at[j] >= 0:
                    continue
                finite = True
                norm2 = 0.0
                dist2 = 0.0
                for c in range(d):
                    value = x[i, c]
                    finite = finite and math.isfinite(value)
                    norm2 += value * value
                    dist2 += (value - x_star[c]) ** 2
                if not finite or math.sqrt(norm2) > bound:
                    diverged_at[j] = k
                    for c in range(d):
                        x[i, c] = x_star[c]
                        xp[i, c] = x_star[c]
                    continue
                dist = math.sqrt(dist2)
                for c in range(d):
                    final[j, c] = x[i, c]
                if converged_at[j] < 0 and dist < tol:
                    converged_at[j] = k
                if k == steps - window:
                    window_distance[j] = dist
                if every > 0 and k % every == 0:
                    for c in range(d):
                        record[j, k // every, c] = x[i, c]
                elif every == 0 and k == steps:
                    for c in range(d):
                        record[j, 1, c] = x[i, c]
'''


def update_source(update) -> str:
    """The scheme's own update function, with the field ``v`` bound to the module's global ``v``.

    Numba cannot cache a function that receives another jitted function as an argument, so the
    generated module holds ``UPDATE(x, x_prev, lr, gmask, p)``: the source of ``update`` itself (read
    with :func:`inspect.getsource`), its first parameter ``v`` dropped.
    """
    source = textwrap.dedent(inspect.getsource(update))
    pattern = rf"def {update.__name__}\(v, "
    if not re.search(pattern, source):
        raise ValueError(f"{update.__name__} must take the field evaluator v as its first parameter")
    return "@njit(cache=True)\n" + re.sub(pattern, "def UPDATE(", source, count=1)


def module_source(rg, scheme) -> str:
    """The whole generated module: imports, the field, and the driver for ``scheme``."""
    header = "import math\n\nimport numpy as np\nfrom numba import njit, prange\n"
    driver = DRIVER.format(update_source=update_source(scheme.update))
    return f"# generated by jacobian_lab (codegen v{CODEGEN_VERSION}); do not edit\n{header}\n" + \
        field_source(rg) + "\n" + textwrap.dedent(driver)


def source_key(source: str) -> str:
    """Content hash naming the cached module."""
    return hashlib.sha256(source.encode()).hexdigest()[:20]


__all__ = ["field_source", "module_source", "source_key", "sigmoid", "log_sigmoid", "GaussSmoothed"]
