r"""Following eigenvalues from one parameter value to the next.

Sorting each spectrum (by real part, say) swaps the labels of two eigenvalues whenever they cross
in that order, and a path drawn from sorted values jumps. Instead the eigenvalues at value
:math:`p_{i+1}` are assigned to those at :math:`p_i` by the assignment that minimises the total
distance :math:`\sum_j |\lambda_j(p_i) - \lambda_{\pi(j)}(p_{i+1})|` (the Hungarian method,
Kuhn 1955; :func:`scipy.optimize.linear_sum_assignment`). Where two eigenvalues meet, the
assignment on either side is ambiguous by nature (a Jordan point); elsewhere a step small against
the eigenvalues' separation gives continuous paths.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def match(previous, current) -> np.ndarray:
    """``current`` reordered so that entry ``j`` continues ``previous[j]`` (minimum total distance)."""
    cost = np.abs(np.asarray(previous)[:, None] - np.asarray(current)[None, :])
    rows, cols = linear_sum_assignment(cost)
    out = np.empty_like(current)
    out[rows] = np.asarray(current)[cols]
    return out


def follow(eigenvalues) -> np.ndarray:
    """Rows of eigenvalues (one row per parameter value) with columns made continuous by :func:`match`."""
    eigenvalues = np.asarray(eigenvalues, dtype=complex)
    out = eigenvalues.copy()
    first = np.lexsort((-out[0].imag, -out[0].real))
    out[0] = out[0][first]
    for i in range(1, out.shape[0]):
        out[i] = match(out[i - 1], eigenvalues[i])
    return out
