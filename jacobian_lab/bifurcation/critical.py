r"""Critical points of a one-parameter family, bracketed on a grid and located by root-finding.

For :math:`A(p)` with eigenvalues :math:`\lambda_j(p)`:

- (a, b) **stability lost or gained** -- an eigenvalue crosses the imaginary axis (flow: a complex pair
  is a *Hopf* point, a real eigenvalue through 0 a *fold*), or the unit circle (update map:
  :math:`\mu = 1` fold, :math:`\mu = -1` flip, a complex pair *Neimark-Sacker*). The
  :math:`k`-th largest of :math:`\operatorname{Re}\lambda_j(p)` (or :math:`|\mu_j(p)| - 1`) is a
  continuous function of :math:`p`, so each sign change on the grid brackets a root, found by
  Brent's method (Kuznetsov, *Elements of Applied Bifurcation Theory*, 2004, sections 3.4-4.7).
- (c) **two eigenvalues meet** -- a Jordan (exceptional) point where two real eigenvalues of a real
  matrix become a complex pair. The squared gap :math:`(\lambda_a - \lambda_b)^2` is real on both
  sides (positive for a real pair, :math:`-(2\operatorname{Im}\lambda)^2` for a conjugate pair) and
  analytic through the meeting point, so it changes sign there. Near a Jordan point the eigenvalues
  themselves are only accurate to :math:`\sqrt{\epsilon}`, but their *square* gap is accurate to
  :math:`\epsilon`, and so is the root in :math:`p`. (Meetings of two complex pairs away from the
  real axis do not change sign and are not detected.)
- (d) **the phase factor reaches 0** -- the meeting point after which every eigenvalue is real.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

#: What each kind of point is, for tables and legends.
KINDS = {
    "hopf": "a complex pair crosses the imaginary axis (Hopf)",
    "fold": "a real eigenvalue crosses 0",
    "fold-map": "an eigenvalue crosses the unit circle at +1",
    "flip": "an eigenvalue crosses the unit circle at -1",
    "neimark-sacker": "a complex pair crosses the unit circle",
    "meet": "two eigenvalues meet (Jordan point)",
    "phase-zero": "the phase factor reaches 0 (all eigenvalues real)",
}


#: Margins within this relative distance of the boundary count as on it.
ZERO = 1e-12


@dataclass(frozen=True)
class CriticalPoint:
    """A parameter value where the spectrum changes qualitatively.

    Attributes
    ----------
    kind : str
        A key of :data:`KINDS`.
    value : float
        The parameter value, root-found (to about 1e-14 relative).
    eigenvalues : ndarray of complex
        The eigenvalues involved, at ``value``.
    exact : sympy expression or None
        The closed form of ``value``, where one was derived and agrees with it.
    """

    kind: str
    value: float
    eigenvalues: np.ndarray
    exact: object = None

    @property
    def description(self) -> str:
        return KINDS[self.kind]


def roots_on_grid(f, grid, values):
    """Brackets of sign changes of ``values`` (at the grid) refined by Brent's method."""
    out = []
    for i in range(len(grid) - 1):
        a, b, fa, fb = grid[i], grid[i + 1], values[i], values[i + 1]
        if fa == 0 and 0 < i and np.sign(values[i - 1]) * np.sign(fb) < 0:
            out.append(float(a))
        elif fa * fb < 0:
            out.append(brentq(f, a, b, xtol=1e-15 * max(1.0, abs(a)), rtol=1e-15, maxiter=200))
    return out


def stability_points(eig_at, grid, eigenvalues, kind) -> list[CriticalPoint]:
    """(a)/(b): where the k-th largest margin (Re lambda, or |mu| - 1) changes sign."""
    margin = (lambda lam: lam.real) if kind == "continuous" else (lambda lam: np.abs(lam) - 1)
    ordered = -np.sort(-margin(eigenvalues), axis=1)
    scale = np.maximum(1.0, np.abs(eigenvalues).max(axis=1, keepdims=True))
    ordered[np.abs(ordered) <= ZERO * scale] = 0.0  # rounding noise on the boundary is not a crossing
    points = []
    for k in range(ordered.shape[1]):
        def f(p, k=k):
            return float(-np.sort(-margin(eig_at(p)))[k])
        for root in roots_on_grid(f, grid, ordered[:, k]):
            points.append(_classify(root, eig_at(root), margin, kind))
    return _unique(points)


def _classify(root, lam, margin, kind):
    near = lam[np.argsort(np.abs(margin(lam)))]
    z = near[0]
    scale = max(1.0, float(np.abs(lam).max()))
    real = abs(z.imag) <= 1e-8 * scale
    if kind == "continuous":
        name = "fold" if real else "hopf"
    else:
        name = "neimark-sacker" if not real else ("fold-map" if z.real > 0 else "flip")
    return CriticalPoint(name, float(root), near[:1] if real else near[:2])


def meeting_points(eig_at, grid, eigenvalues, kind) -> list[CriticalPoint]:
    """(c) and, for the flow, (d): where the number of real eigenvalues changes."""
    n_real = np.sum(eigenvalues.imag == 0, axis=1)
    points = []
    for i in np.flatnonzero(np.diff(n_real)):
        complex_side = i if n_real[i] < n_real[i + 1] else i + 1
        lam = eigenvalues[complex_side]
        pair = lam[lam.imag > 0]
        x0 = pair[np.argmin(pair.imag)].real

        def gap(p, x0=x0):
            return _squared_gap(eig_at(p), x0)

        a, b = grid[i], grid[i + 1]
        ga, gb = gap(a), gap(b)
        if ga * gb > 0:
            continue
        root = a if ga == 0 else b if gb == 0 else brentq(gap, a, b, xtol=1e-15 * max(1.0, abs(a)),
                                                          rtol=1e-15, maxiter=200)
        lam_root = eig_at(root)
        where = lam_root[np.argsort(np.abs(lam_root - x0))[:2]]
        points.append(CriticalPoint("meet", float(root), where))
        all_real = n_real[i] == lam.size or n_real[i + 1] == lam.size
        if kind == "continuous" and all_real:
            points.append(CriticalPoint("phase-zero", float(root), where))
    return points


def _squared_gap(lam, x0):
    """Signed squared gap of the pair nearest ``x0``: ``+(r2 - r1)^2`` real, ``-(2 Im)^2`` complex."""
    candidates = [(z.real, -(2 * z.imag) ** 2) for z in lam if z.imag > 0]
    real = np.sort(lam[lam.imag == 0].real)
    candidates += [((r1 + r2) / 2, (r2 - r1) ** 2) for r1, r2 in zip(real[:-1], real[1:])]
    if not candidates:
        return 0.0
    loc = np.array([c[0] for c in candidates])
    return float(candidates[int(np.argmin(np.abs(loc - x0)))][1])


def _unique(points):
    out = []
    for p in sorted(points, key=lambda q: (q.value, q.kind)):
        if out and out[-1].kind == p.kind and abs(out[-1].value - p.value) <= 1e-9 * max(1.0, abs(p.value)):
            continue
        out.append(p)
    return out
