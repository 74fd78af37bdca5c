"""Generate the numba kernel of a (field, scheme) pair from the one sympy definition of each.

* The field is :attr:`RegularizedGame.field` itself, with its parameter and strength symbols kept
  as run-time arguments (one compiled kernel serves every ``gamma`` and model parameter value), and
  after common sub-expression elimination.
* The scheme is not rewritten either: its :attr:`~jacobian_lab.schemes.base.Scheme.update`
  function is *traced*, called on sympy symbols with a field evaluator that records each evaluation
  (:class:`_Tracer`). The trace is straight-line code for one trajectory's step, which the kernel
  runs in a loop over trajectories that LLVM vectorises. Scheme parameters that steer control flow
  (``n_d``, ``order``, ``alternating``) are fixed in the trace; the others (``beta``) and the step
  sizes stay run-time arguments.
* The kernels let LLVM fuse multiply-adds (``fastmath={"contract"}``, no other relaxation: results
  stay within rounding of the numpy twin, which the tests check to 1e-12).
* Special functions print as the vectorisable forms of :mod:`jacobian_lab.dynamics.vecmath`;
  ``GaussSmoothed(code, k, mu, s2)`` as a trapezoid quadrature on the nodes of
  :func:`jacobian_lab.symbolic.functions.quadrature_rule`, its integrand ``base_derivative(code, k)``.
"""

from __future__ import annotations

import hashlib
import inspect

import numpy as np
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ..symbolic.functions import QUADRATURE_MAX_COUNT, QUADRATURE_RANGE, base_derivative
from . import vecmath

#: Version of the generated code; bump it to invalidate every cached kernel.
CODEGEN_VERSION = 3
_VECMATH_HASH = hashlib.sha256(inspect.getsource(vecmath).encode()).hexdigest()[:12]


class _Printer(PythonCodePrinter):
    """Python/``math`` printer that knows the toolkit's special functions."""

    def __init__(self, smoothed=None):
        super().__init__({"fully_qualified_modules": True})
        self.smoothed = set() if smoothed is None else smoothed

    def _print_sigmoid(self, expr):
        return f"vsigmoid({self._print(expr.args[0])})"

    def _print_log_sigmoid(self, expr):
        return f"vlog_sigmoid({self._print(expr.args[0])})"

    def _print_exp(self, expr):
        return f"vexp({self._print(expr.args[0])})"

    def _print_GaussSmoothed(self, expr):
        code, k, mu, s2 = expr.args
        self.smoothed.add((int(code), int(k)))
        return f"_smoothed_{int(code)}_{int(k)}({self._print(mu)}, {self._print(s2)})"

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if exponent.is_Integer and 2 <= int(exponent) <= 4:
            factor = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Mul"])
            return "*".join([factor] * int(exponent))
        return super()._print_Pow(expr, rational)


# -- the field ------------------------------------------------------------------------------------

def field_parts(rg):
    """The field in safe names: ``(variables, parameters, values, assignments, outputs)``.

    ``variables`` are ``_x0.._x{d-1}``; ``parameters`` the symbols ``_k0..`` of the model parameters
    and strengths (run-time arguments), ``values`` their numbers; ``assignments`` the CSE
    sub-expressions and ``outputs`` the field's components in these names.
    """
    field = rg.field
    variables = [sp.Symbol(f"_x{j}", real=True) for j in range(len(rg.variables))]
    free = sorted(field.free_symbols - set(rg.variables), key=str)
    parameters = [sp.Symbol(f"_k{j}", real=True) for j in range(len(free))]
    subs = rg.substitutions()
    values = np.array([float(subs[s]) for s in free]) if free else np.zeros(1)
    renamed = field.xreplace(dict(zip(rg.variables, variables)) | dict(zip(free, parameters)))
    assignments, outputs = sp.cse(list(renamed), symbols=sp.numbered_symbols("_t"))
    return variables, parameters, values, assignments, outputs


# -- the scheme, traced ----------------------------------------------------------------------------

class _Tracer:
    """A field evaluator on sympy object arrays that records each evaluation as straight-line code."""

    def __init__(self, parts):
        self.variables, _, _, self.assignments, self.outputs = parts
        self.lines: list[tuple[sp.Symbol, sp.Expr]] = []
        self.calls = 0

    def v(self, x):
        c, self.calls = self.calls, self.calls + 1
        inputs = [sp.Symbol(f"_c{c}x{j}", real=True) for j in range(len(self.variables))]
        rename = dict(zip(self.variables, inputs))
        self.lines += list(zip(inputs, x[0]))
        for sym, expr in self.assignments:
            rename[sym] = sp.Symbol(f"_c{c}{sym}", real=True)
            self.lines.append((rename[sym], expr.xreplace(rename)))
        result = [sp.Symbol(f"_c{c}v{j}", real=True) for j in range(len(self.outputs))]
        self.lines += [(r, e.xreplace(rename)) for r, e in zip(result, self.outputs)]
        return np.array([result], dtype=object)


def trace_update(scheme, parts):
    """Trace ``scheme.update`` on symbols: ``(lines, new, previous, structural)``.

    ``structural[j]`` is the value of packed parameter ``j`` when it steers control flow (then it is
    fixed in the code), else ``None`` (then it is the run-time ``_q{j}``).
    """
    packed = [float(value) for value in scheme.packed()]
    structural = [None] * len(packed)
    for j in range(len(packed)):
        try:
            _trace(scheme, parts, packed, [j])
        except TypeError:  # int() or a comparison of a symbol: the parameter steers the code
            structural[j] = packed[j]
    free = [j for j, s in enumerate(structural) if s is None]
    return (*_trace(scheme, parts, packed, free), structural)


def _trace(scheme, parts, packed, symbolic):
    tracer = _Tracer(parts)
    d = len(parts[0])
    x = np.array([[sp.Symbol(f"_s{j}", real=True) for j in range(d)]], dtype=object)
    x_prev = np.array([[sp.Symbol(f"_p{j}", real=True) for j in range(d)]], dtype=object) if scheme.memory == 2 else x
    lr = np.array([sp.Symbol(f"_lr{j}", real=True) for j in range(d)], dtype=object)
    gmask = np.array([sp.Integer(int(m)) for m in scheme.generator_mask], dtype=object)
    p = np.array([sp.Symbol(f"_q{j}", real=True) if j in symbolic else sp.Float(v) for j, v in enumerate(packed)],
                 dtype=object)
    new, old = scheme.update(tracer.v, x, x_prev, lr, gmask, p)
    return tracer.lines, [sp.sympify(e) for e in new[0]], [sp.sympify(e) for e in old[0]]


# -- the module ------------------------------------------------------------------------------------

SMOOTHED = '''
@njit(cache=True, error_model="numpy", fastmath={{"contract"}})
def _smoothed_{code}_{k}(mu, s2):
    s = math.sqrt(max(s2, 0.0))
    if not math.isfinite(s):
        return math.nan
    step = min(0.5, 0.5 / max(s, 1e-300))
    count = int(min(math.ceil({range} / step), {max_count}))
    h = {range} / count
    total = 0.0
    for i in range(-count, count + 1):
        n = i * h
        t = mu + s * n
        total = reassoc_add(total, vexp(-0.5 * n * n) * ({integrand}))
    return total * h / math.sqrt(2.0 * math.pi)
'''

KERNEL = '''
@njit(cache=True, nogil=True, error_model="numpy", fastmath={{"contract"}})
def run(X, lo, hi, block, steps, lr, q, k, x_star, bound2, tol2, every, window, record, final, diverged_at,
        converged_at, window_distance):
    """Trajectories lo..hi in blocks: the time loop outside, the vectorised loop over a block inside."""
{unpack}
    for b0 in range(lo, hi, block):
        n = min(hi, b0 + block) - b0
{allocate}
        alive = np.ones(n)
        conv = np.empty(n)
        for i in range(n):
            conv[i] = converged_at[b0 + i] if converged_at[b0 + i] >= 0 else steps + 1.0
{load}
        nalive = n
        for step in range(1, steps + 1):
            nbad = 0
            fstep = float(step)
            for i in range(n):
{step}
                _dd = {dist2}
                nbad += not ({norm2} <= bound2)
                conv[i] = fstep if (_dd < tol2) & (conv[i] > fstep) else conv[i]
            if nbad > 0:
                for i in range(n):
                    if not ({norm2_arrays} <= bound2):
                        diverged_at[b0 + i] = step
                        converged_at[b0 + i] = int(conv[i]) if conv[i] <= steps else -1
                        conv[i] = -1.0
                        alive[i] = 0.0
                        nalive -= 1
{diverge}
            if step == steps - window:
                for i in range(n):
                    if alive[i] > 0.5:
                        window_distance[b0 + i] = math.sqrt({dist2_arrays})
            if (every > 0 and step % every == 0) or (every == 0 and step == steps):
                slot = step // every if every > 0 else 1
                for i in range(n):
                    if alive[i] > 0.5:
{record}
            if nalive == 0:
                break
        for i in range(n):
            if alive[i] > 0.5:
{final}
                converged_at[b0 + i] = int(conv[i]) if conv[i] <= steps else -1
'''


def module_source(rg, scheme, parts=None) -> str:
    """The generated module: imports, the smoothing helpers and the kernel ``run``."""
    parts = parts or field_parts(rg)
    variables, parameters, _, _, _ = parts
    d = len(variables)
    lines, new, previous, structural = trace_update(scheme, parts)
    two = scheme.memory == 2
    printer = _Printer()
    body = [f"_s{j} = x{j}[i]" for j in range(d)] + [f"_p{j} = p{j}[i]" for j in range(d) if two]
    body += [f"{sym} = {printer.doprint(expr)}" for sym, expr in lines]
    body += [f"_n{j} = {printer.doprint(e)}" for j, e in enumerate(new)]
    body += [f"_m{j} = {printer.doprint(e)}" for j, e in enumerate(previous) if two]
    body += [f"p{j}[i] = _m{j}" for j in range(d) if two] + [f"o{j}[i] = _s{j}" for j in range(d)]
    body += [f"x{j}[i] = _n{j}" for j in range(d)]
    indent = lambda text, n: "\n".join(" " * n + line for line in text)  # noqa: E731
    unpack = [f"_lr{j} = lr[{j}]" for j in range(d)] + [f"_xs{j} = x_star[{j}]" for j in range(d)]
    unpack += [f"_q{j} = q[{j}]" for j, s in enumerate(structural) if s is None]
    unpack += [f"{p} = k[{j}]" for j, p in enumerate(parameters)]
    kernel = KERNEL.format(
        unpack=indent(unpack, 4),
        allocate=indent([f"{a}{j} = np.empty(n)" for j in range(d) for a in ("xop" if two else "xo")], 8),
        load=indent([f"for i in range(n):\n            x{j}[i] = X[0, b0 + i, {j}]"
                     + (f"\n            p{j}[i] = X[1, b0 + i, {j}]" if two else "") for j in range(d)], 8),
        step=indent(body, 16),
        dist2=" + ".join(f"(_n{j} - _xs{j}) * (_n{j} - _xs{j})" for j in range(d)),
        norm2=" + ".join(f"_n{j} * _n{j}" for j in range(d)),
        norm2_arrays=" + ".join(f"x{j}[i] * x{j}[i]" for j in range(d)),
        dist2_arrays=" + ".join(f"(x{j}[i] - _xs{j}) * (x{j}[i] - _xs{j})" for j in range(d)),
        diverge=indent([f"final[b0 + i, {j}] = o{j}[i]\n{' ' * 24}x{j}[i] = _xs{j}"
                        + (f"\n{' ' * 24}p{j}[i] = _xs{j}" if two else "") for j in range(d)], 24),
        record=indent([f"record[b0 + i, slot, {j}] = x{j}[i]" for j in range(d)], 24),
        final=indent([f"final[b0 + i, {j}] = x{j}[i]" for j in range(d)], 16),
    )
    helpers = [_smoothed_source(code, k) for code, k in sorted(printer.smoothed)]
    header = (f"# generated by jacobian_lab (codegen v{CODEGEN_VERSION}, vecmath {_VECMATH_HASH}); do not edit\n"
              f"# scheme {scheme.name}, structural parameters {structural}\n"
              "import math\n\nimport numpy as np\nfrom numba import njit\n\n"
              "from jacobian_lab.dynamics.vecmath import reassoc_add, vexp, vlog_sigmoid, vsigmoid\n")
    return "\n\n".join([header, *helpers, kernel])


def _smoothed_source(code, k):
    t = sp.Symbol("t")
    integrand = _Printer().doprint(base_derivative(code, k, t))
    return SMOOTHED.format(code=code, k=k, range=QUADRATURE_RANGE, max_count=QUADRATURE_MAX_COUNT,
                           integrand=integrand)


def source_key(source: str) -> str:
    """Content hash naming the cached module."""
    return hashlib.sha256(source.encode()).hexdigest()[:20]
