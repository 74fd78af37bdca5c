r"""Step sizes for simultaneous gradient descent from a continuous-time spectrum.

For one eigenvalue :math:`\lambda = -\alpha + i\beta`, simultaneous GD :math:`x \leftarrow x + h v(x)`
contracts iff :math:`|1 + h\lambda| < 1`, i.e. :math:`h < 2\alpha/|\lambda|^2` (Mescheder, Nowozin &
Geiger 2017, "The Numerics of GANs", Lemma 4). The best single step minimises
:math:`\rho(h) = \max_i |1 + h\lambda_i|`. Since each :math:`|1+h\lambda_i|^2 = 1 - 2h\alpha_i +
h^2|\lambda_i|^2` is a convex quadratic in :math:`h`, :math:`\rho^2` is convex and its minimiser is
either the vertex of one quadratic, :math:`h = \alpha_i/|\lambda_i|^2`, or a crossing of two: the
exact optimum is found among those candidates.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .factors import DEFAULT_RTOL, significant


class OptimalStep(NamedTuple):
    """The optimal simultaneous-GD step ``step``, its contraction ``rate`` per iteration, and
    ``iterations``: steps to shrink the error by ``1e6`` at that rate (``inf`` if none). At rate 0
    the update map :math:`I + hJ` is nilpotent and ``iterations`` is its index :math:`k`
    (:math:`(I + hJ)^k = 0`): 1 if :math:`J` is diagonalisable, the size of its largest Jordan block
    otherwise."""

    step: float
    rate: float
    iterations: float


def _significant(eigenvalues, rtol):
    """The eigenvalues above the tolerance rule's floor (:func:`.factors.significant`)."""
    lam = np.asarray(eigenvalues, dtype=complex)
    return lam[significant(lam, rtol)]


def _distinct(lam):
    """One eigenvalue per distinct :math:`(\alpha, |\\lambda|)` to 12 decimals (conjugates agree).

    Only the candidate steps come from these; rates are always taken over every eigenvalue, since
    the rounding merges eigenvalues whose rates differ (``-1`` and ``-1 + 6e-8 i`` at ``h = 1``).
    """
    _, first = np.unique(np.round(np.c_[lam.real, np.abs(lam)], 12), axis=0, return_index=True)
    return lam[np.sort(first)]


def max_stable_step(eigenvalues, rtol: float = DEFAULT_RTOL) -> float:
    """:math:`\\min_i 2\\alpha_i/|\\lambda_i|^2`; ``0`` if some eigenvalue has :math:`\\alpha_i \\le 0`."""
    lam = _distinct(_significant(eigenvalues, rtol))
    if lam.size == 0:
        return 0.0
    alpha = -lam.real
    if np.any(alpha <= 0):
        return 0.0
    return float(np.min(2 * alpha / np.abs(lam) ** 2))


def rate(eigenvalues, step: float) -> float:
    """:math:`\\rho(h) = \\max_i |1 + h\\lambda_i|`."""
    return float(np.max(np.abs(1 + step * np.asarray(eigenvalues, dtype=complex))))


def optimal_step(eigenvalues, rtol: float = DEFAULT_RTOL, shrink: float = 1e6, jacobian=None) -> OptimalStep:
    """The step :math:`h^*` minimising :math:`\\max_i|1+h\\lambda_i|`, exactly.

    Returns ``OptimalStep(nan, 1.0, inf)`` when no positive step contracts (some eigenvalue has
    non-negative real part). ``jacobian`` (the matrix of ``eigenvalues``) gives the iterations of a
    nilpotent update map; without it they are bounded by the number of eigenvalues.
    """
    every = _significant(eigenvalues, rtol)
    lam = _distinct(every)
    h_max = max_stable_step(every, rtol=0)
    if h_max <= 0:
        return OptimalStep(math.nan, 1.0, math.inf)
    alpha, mag2 = -lam.real, np.abs(lam) ** 2
    candidates = list(alpha / mag2)
    if lam.size > 400:  # convex in h: a bounded scalar search is exact enough and O(n)
        return _bounded_optimum(every, h_max, shrink, jacobian)
    for i in range(lam.size):
        for j in range(i + 1, lam.size):
            # 1 - 2 h a_i + h^2 m_i = 1 - 2 h a_j + h^2 m_j  =>  h = 2 (a_i - a_j) / (m_i - m_j)
            if mag2[i] != mag2[j]:
                candidates.append(2 * (alpha[i] - alpha[j]) / (mag2[i] - mag2[j]))
    candidates = [h for h in candidates if 0 < h < h_max] or [h_max / 2]
    best = min(candidates, key=lambda h: rate(every, h))
    return _result(every, best, shrink, jacobian)


def _bounded_optimum(lam, h_max, shrink, jacobian=None):
    from scipy.optimize import minimize_scalar

    found = minimize_scalar(lambda h: rate(lam, h), bounds=(0, h_max), method="bounded",
                            options={"xatol": 1e-14 * h_max})
    return _result(lam, found.x, shrink, jacobian)


def _result(lam, step, shrink, jacobian=None):
    rho = rate(lam, step)
    if rho == 0:
        iterations = float(lam.size if jacobian is None else nilpotency_index(np.eye(len(jacobian)) + step * jacobian))
    else:
        iterations = math.log(shrink) / -math.log(rho) if rho < 1 else math.inf
    return OptimalStep(float(step), rho, iterations)


def nilpotency_index(matrix, tol: float = 1e-12) -> int:
    """Smallest :math:`k` with :math:`M^k = 0` (to ``tol`` relative to :math:`\\|M\\|^k`); ``n`` at most."""
    matrix = np.asarray(matrix, dtype=float)
    scale, power = max(1.0, np.linalg.norm(matrix)), matrix
    for k in range(1, len(matrix) + 1):
        if np.linalg.norm(power) <= tol * scale**k:
            return k
        power = power @ matrix
    return len(matrix)
