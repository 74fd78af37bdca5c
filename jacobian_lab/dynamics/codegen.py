"""Generate the numba kernel of a (field, scheme) pair from the one sympy definition of each.

* The field is :attr:`RegularizedGame.field` itself, with its parameter and strength symbols kept
  as run-time arguments (one compiled kernel serves every ``gamma`` and model parameter value), and
  after common sub-expression elimination.
* The scheme is not rewritten either: its :attr:`~jacobian_lab.schemes.base.Scheme.update`
  function is *traced*, called on sympy symbols for every array of its state with a field evaluator
  that records each evaluation (:class:`_Tracer`). The trace is straight-line code for one
  trajectory's step, which the kernel runs in a loop over trajectories that LLVM vectorises. Scheme
  parameters that steer control flow (``n_d``, ``order``, ``alternating``, and any number the
  update compares) are fixed in the trace; the other numbers (step sizes, ``beta``) stay run-time
  arguments.
* The kernels let LLVM fuse multiply-adds (``fastmath={"contract"}``, no other relaxation: results
  stay within rounding of the numpy twin, which the tests check to 1e-12).
* Special functions print as the vectorisable forms of :mod:`jacobian_lab.dynamics.vecmath`;
  ``GaussSmoothed(code, k, mu, s2)`` as a trapezoid quadrature on the nodes of
  :func:`jacobian_lab.symbolic.functions.quadrature_rule`, its integrand ``base_derivative(code, k)``.
"""

from __future__ import annotations

import hashlib
import inspect
from typing import NamedTuple

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
    free = _free_parameters(rg)
    parameters = [sp.Symbol(f"_k{j}", real=True) for j in range(len(free))]
    values = parameter_values(rg)
    renamed = field.xreplace(dict(zip(rg.variables, variables)) | dict(zip(free, parameters)))
    assignments, outputs = sp.cse(list(renamed), symbols=sp.numbered_symbols("_t"))
    return variables, parameters, values, assignments, outputs


def _free_parameters(rg) -> list:
    return sorted(rg.field.free_symbols - set(rg.variables), key=str)


def parameter_values(rg) -> np.ndarray:
    """The numbers of ``rg``'s model parameters and strengths, in the kernels' argument order."""
    free = _free_parameters(rg)
    subs = rg.substitutions()
    return np.array([float(subs[s]) for s in free]) if free else np.zeros(1)


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


class Trace(NamedTuple):
    """A traced scheme step: ``lines`` of straight-line code, the new ``states`` (one list of ``d``
    expressions per array the scheme carries) and ``fixed``: the numbers held constant in the code
    (``{index of Scheme.numeric_keys: value}``); the others are the run-time ``_q{index}``."""

    lines: list
    states: list
    fixed: dict


def trace_update(scheme, parts) -> Trace:
    """Trace ``scheme``'s update on symbols (see the module docstring).

    A number is fixed in the code when tracing with it as a symbol raises ``TypeError`` (``int()``
    or a comparison of a symbol: the number steers the code).
    """
    numbers = scheme.numbers()
    fixed = {}
    for j in range(len(numbers)):
        try:
            _trace(scheme, parts, numbers, [j])
        except TypeError:
            fixed[j] = numbers[j]
    lines, states = _trace(scheme, parts, numbers, [j for j in range(len(numbers)) if j not in fixed])
    return Trace(lines, states, fixed)


def _trace(scheme, parts, numbers, symbolic):
    tracer = _Tracer(parts)
    d = len(parts[0])
    state = tuple(np.array([[sp.Symbol(f"_s{a}_{j}", real=True) for j in range(d)]], dtype=object)
                  for a in range(scheme.memory))
    gmask = np.array([sp.Integer(int(m)) for m in scheme.generator_mask], dtype=object)
    values = [sp.Symbol(f"_q{j}", real=True) if j in symbolic else sp.Float(v) for j, v in enumerate(numbers)]
    new = scheme.advance(tracer, state, scheme.namespace(values, gmask=gmask))
    return tracer.lines, [[sp.sympify(e) for e in array[0]] for array in new]


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
def run(X, lo, hi, block, steps, q, k, x_star, bound2, tol2, every, window, record, final, diverged_at,
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


def module_source(rg, scheme, parts=None, trace=None) -> str:
    """The generated module: imports, the smoothing helpers and the kernel ``run``.

    The kernel holds each array of the scheme's state (``X[a]``, ``a = 0`` the iterate ``x``) as
    ``d`` coordinate arrays ``s{a}_{j}`` over the block.
    """
    parts = parts or field_parts(rg)
    variables, parameters, _, _, _ = parts
    d, arrays = len(variables), range(scheme.memory)
    trace = trace or trace_update(scheme, parts)
    printer = _Printer()
    coords = [(a, j) for a in arrays for j in range(d)]
    body = [f"_s{a}_{j} = s{a}_{j}[i]" for a, j in coords]
    body += [f"{sym} = {printer.doprint(expr)}" for sym, expr in trace.lines]
    body += [f"_n{a}_{j} = {printer.doprint(trace.states[a][j])}" for a, j in coords]
    body += [f"o{j}[i] = _s0_{j}" for j in range(d)] + [f"s{a}_{j}[i] = _n{a}_{j}" for a, j in coords]
    reset = ["_xs{j}" if name.startswith("x") else "0.0" for name in scheme.capabilities.state]
    indent = lambda text, n: "\n".join(" " * n + line for line in text)  # noqa: E731
    unpack = [f"_xs{j} = x_star[{j}]" for j in range(d)]
    unpack += [f"_q{j} = q[{j}]" for j in range(len(scheme.numbers())) if j not in trace.fixed]
    unpack += [f"{p} = k[{j}]" for j, p in enumerate(parameters)]
    kernel = KERNEL.format(
        unpack=indent(unpack, 4),
        allocate=indent([f"o{j} = np.empty(n)" for j in range(d)] + [f"s{a}_{j} = np.empty(n)" for a, j in coords], 8),
        load=indent([f"for i in range(n):\n            s{a}_{j}[i] = X[{a}, b0 + i, {j}]" for a, j in coords], 8),
        step=indent(body, 16),
        dist2=" + ".join(f"(_n0_{j} - _xs{j}) * (_n0_{j} - _xs{j})" for j in range(d)),
        norm2=" + ".join(f"_n0_{j} * _n0_{j}" for j in range(d)),
        norm2_arrays=" + ".join(f"s0_{j}[i] * s0_{j}[i]" for j in range(d)),
        dist2_arrays=" + ".join(f"(s0_{j}[i] - _xs{j}) * (s0_{j}[i] - _xs{j})" for j in range(d)),
        diverge=indent([f"final[b0 + i, {j}] = o{j}[i]" for j in range(d)]
                       + [f"s{a}_{j}[i] = {reset[a].format(j=j)}" for a, j in coords], 24),
        record=indent([f"record[b0 + i, slot, {j}] = s0_{j}[i]" for j in range(d)], 24),
        final=indent([f"final[b0 + i, {j}] = s0_{j}[i]" for j in range(d)], 16),
    )
    helpers = [_smoothed_source(code, k) for code, k in sorted(printer.smoothed)]
    header = (f"# generated by jacobian_lab (codegen v{CODEGEN_VERSION}, vecmath {_VECMATH_HASH}); do not edit\n"
              f"# scheme {scheme!r}, state {scheme.capabilities.state}, fixed numbers {trace.fixed}\n"
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
