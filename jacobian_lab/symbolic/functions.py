r"""Special functions of the symbolic core, with exact derivatives and stable numeric forms.

* :class:`sigmoid` and :class:`log_sigmoid`: :math:`\sigma(t) = 1/(1+e^{-t})` and
  :math:`\log\sigma(t) = -\log(1+e^{-t})`, the standard GAN's :math:`f` (Mescheder et al. 2018).
  Their derivatives stay polynomials in :math:`\sigma`, which evaluate without overflow.
* :class:`GaussSmoothed`: :math:`h_k(\mu, s_2) = \mathbb E\, g^{(k)}(\mu + \sqrt{s_2}\,n)`,
  :math:`n \sim \mathcal N(0, 1)`, for exact expectations under Gaussian data or instance noise.
  There is no closed form, but

  .. math::

      \partial_\mu h_k = h_{k+1}, \qquad \partial_{s_2} h_k = \tfrac12 h_{k+2}, \qquad
      h_k(\mu, 0) = g^{(k)}(\mu)

  (the heat equation, or Stein's lemma), so every derivative at an equilibrium where the
  discriminator vanishes is exact. Away from it the numeric form integrates with the trapezoid rule
  (:func:`quadrature_rule`), accurate to about 1e-16 for every noise scale.

:data:`NUMPY_MODULES` is the ``modules`` argument for :func:`sympy.lambdify`.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from scipy.special import expit

#: Half-width of the integration range in units of the standard deviation (tail mass 2e-19).
QUADRATURE_RANGE = 9.0
#: Most trapezoid nodes on each side of 0 (see :func:`quadrature_rule`).
QUADRATURE_MAX_COUNT = 2**15


class sigmoid(sp.Function):  # noqa: N801 - a mathematical function, named like sympy's
    r""":math:`\sigma(t) = 1 / (1 + e^{-t})`."""

    @classmethod
    def eval(cls, t):
        """The exact value at 0; otherwise left unevaluated."""
        if t.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)


class log_sigmoid(sp.Function):  # noqa: N801
    r""":math:`\log \sigma(t) = -\log(1 + e^{-t})`; the standard GAN's :math:`f`."""

    @classmethod
    def eval(cls, t):
        """The exact value at 0; otherwise left unevaluated."""
        if t.is_zero:
            return -sp.log(2)
        return None

    def fdiff(self, argindex=1):
        return 1 - sigmoid(self.args[0])

    def _eval_evalf(self, prec):
        return (-sp.log(1 + sp.exp(-self.args[0])))._eval_evalf(prec)


#: Base functions ``g`` of :class:`GaussSmoothed`, by integer code (the code is an argument, so it
#: survives printing and code generation).
BASE_FUNCTIONS = {0: log_sigmoid}
BASE_CODES = {"log_sigmoid": 0}


class GaussSmoothed(sp.Function):
    r"""``GaussSmoothed(code, k, mu, s2)`` :math:`= \mathbb E\, g^{(k)}(\mu + \sqrt{s_2}\, n)`.

    ``code`` (an Integer) selects ``g`` from :data:`BASE_FUNCTIONS`; ``k`` is the derivative order.
    Evaluates to :math:`g^{(k)}(\mu)` when ``s2`` is zero.
    """

    nargs = 4

    @classmethod
    def eval(cls, code, k, mu, s2):
        """The unsmoothed derivative at zero variance; otherwise left unevaluated."""
        if s2.is_zero:
            return base_derivative(int(code), int(k), mu)
        return None

    def fdiff(self, argindex=1):
        code, k, mu, s2 = self.args
        if argindex == 3:
            return GaussSmoothed(code, k + 1, mu, s2)
        if argindex == 4:
            return GaussSmoothed(code, k + 2, mu, s2) / 2
        raise sp.ArgumentIndexError(self, argindex)

    def _eval_evalf(self, prec):
        code, k, mu, s2 = self.args
        if not (mu.is_number and s2.is_number):
            return None
        return sp.Float(float(gauss_smoothed_numeric(int(code), int(k), float(mu), float(s2))), 15)


def base_derivative(code: int, k: int, at):
    """The ``k``-th derivative of the base function ``code`` evaluated at ``at``."""
    t = sp.Dummy("t")
    return sp.diff(BASE_FUNCTIONS[code](t), t, k).subs(t, at)


def expect_function(name: str, mean, variance):
    r""":math:`\mathbb E\, g(X)` for :math:`X \sim \mathcal N(\text{mean}, \text{variance})`, exact."""
    code = BASE_CODES[name]
    if sp.sympify(variance).is_zero:
        return BASE_FUNCTIONS[code](mean)
    return GaussSmoothed(sp.Integer(code), sp.Integer(0), mean, variance)


def split_affine(expr, normals):
    """Split ``expr``, affine in the standard normals, into its mean and variance."""
    expr = sp.expand(expr)
    coefficients = [expr.coeff(n) for n in normals]
    mean = sp.expand(expr - sum((c * n for c, n in zip(coefficients, normals)), sp.Integer(0)))
    if any(mean.has(n) or c.has(*normals) for n in normals for c in coefficients):
        raise ValueError("expression is not affine in the noise variables")
    return mean, sum((c**2 for c in coefficients), sp.Integer(0))


def _normal_moment(k: int):
    return sp.factorial2(k - 1) if k % 2 == 0 else sp.Integer(0)


def expect_polynomial(expr, normals=(), uniforms=()):
    """Exact expectation of a polynomial in independent N(0, 1) and U[0, 1] variables."""
    variables = list(normals) + list(uniforms)
    if not variables:
        return expr
    poly = sp.Poly(sp.expand(expr), *variables)
    total = sp.Integer(0)
    for powers, coefficient in poly.terms():
        moment = sp.Integer(1)
        for power, variable in zip(powers, variables):
            moment *= _normal_moment(power) if variable in normals else sp.Rational(1, power + 1)
        total += coefficient * moment
    return sp.expand(total)


# ---------------------------------------------------------------------------------------------
# numeric forms


def _log_sigmoid_numeric(t):
    return -np.logaddexp(0.0, -np.asarray(t, dtype=float))


def quadrature_rule(scale_max: float):
    r"""Nodes and weights for :math:`\mathbb E\, u(n)`, :math:`n \sim \mathcal N(0,1)`, when
    :math:`u(n) = g^{(k)}(\mu + s n)` with :math:`s \le` ``scale_max``.

    The trapezoid rule on :math:`[-9, 9]` with step :math:`\Delta = \min(1/2, 1/(2s))`. The
    derivatives of :math:`\log\sigma` are analytic in the strip :math:`|\mathrm{Im}\, t| < \pi`,
    so the integrand is analytic for :math:`|\mathrm{Im}\, n| < \pi/s` and the rule's error is
    :math:`O(e^{-2\pi^2/(s\Delta)}) \le O(e^{-39})` (Trefethen & Weideman 2014, "The exponentially
    convergent trapezoidal rule"); the Gaussian factor alone needs :math:`\Delta \le 1/2`.
    Gauss-Hermite quadrature, by contrast, loses accuracy as :math:`s` grows (about 1e-7 at
    :math:`s = 3` with 64 nodes).

    At most :data:`QUADRATURE_MAX_COUNT` nodes on each side (``s`` up to about 3600 keeps the
    bound above): beyond, the step stays :math:`9/` :data:`QUADRATURE_MAX_COUNT`, so that states far
    out (a diverging run) cost a bounded amount of memory and time. A non-finite ``s`` gives NaN.
    """
    scale = float(scale_max)
    if not np.isfinite(scale):
        return np.array([0.0]), np.array([np.nan])
    step = min(0.5, 0.5 / max(scale, 1e-300))
    return _trapezoid(min(int(np.ceil(QUADRATURE_RANGE / step)), QUADRATURE_MAX_COUNT))


@functools.lru_cache(maxsize=64)
def _trapezoid(count: int):
    nodes = np.linspace(-QUADRATURE_RANGE, QUADRATURE_RANGE, 2 * count + 1)
    weights = np.exp(-nodes**2 / 2) * (nodes[1] - nodes[0]) / np.sqrt(2 * np.pi)
    return nodes, weights


@functools.cache
def _derivative_numeric(code: int, k: int):
    t = sp.Symbol("t")
    return sp.lambdify(t, base_derivative(code, k, t), [_ELEMENTARY, "numpy"])


def gauss_smoothed_numeric(code, k, mu, s2):
    """Numeric :class:`GaussSmoothed` by the trapezoid rule of :func:`quadrature_rule`."""
    g = _derivative_numeric(int(code), int(k))
    mu, s2 = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(s2, dtype=float))
    s = np.sqrt(np.maximum(s2, 0.0))
    nodes, weights = quadrature_rule(s.max() if s.size else 0.0)
    values = g(mu[..., None] + s[..., None] * nodes)
    return np.sum(values * weights, axis=-1)


def _dirac_delta_numeric(x, k=0):
    """A Dirac delta (from the kink of ``|.|``, e.g. wgan-gp): 0 away from 0, ``inf`` at 0."""
    x = np.asarray(x, dtype=float)
    return np.where(x == 0, np.inf, 0.0)


_ELEMENTARY = {"sigmoid": expit, "log_sigmoid": _log_sigmoid_numeric, "DiracDelta": _dirac_delta_numeric}
NUMPY_MODULES = [{**_ELEMENTARY, "GaussSmoothed": gauss_smoothed_numeric}, "numpy"]
