r"""Transient growth: how far :math:`\|M^k\|` or :math:`\|e^{tJ}\|` rises before the eigenvalues win.

A stable spectrum (:math:`\rho(M) < 1`, or :math:`\alpha(J) < 0`) says the error eventually decays;
for a non-normal matrix it may first grow by a large factor. This module computes

- the peak :math:`\max_{k \ge 0} \|M^k\|_2` of an update map, or :math:`\max_{t \ge 0} \|e^{tJ}\|_2`
  of the flow, and where it is reached;
- the eigenvector condition number :math:`\kappa(V) = \|V\|\|V^{-1}\|` (unit eigenvectors), with
  :math:`\|M^k\| \le \kappa(V)\rho^k` and :math:`\|e^{tJ}\| \le \kappa(V) e^{t\alpha}`;
- a lower bound of the Kreiss constant from the resolvent norm,

  .. math::

      \mathcal K(M) = \sup_{|z|>1} (|z| - 1)\,\|(zI - M)^{-1}\| \le \sup_k \|M^k\| \le e\,n\,\mathcal K(M),
      \qquad
      \mathcal K(J) = \sup_{\operatorname{Re} z > 0} \operatorname{Re} z\,\|(zI - J)^{-1}\|
      \le \sup_t \|e^{tJ}\|,

  i.e. :math:`\sup_\varepsilon (\rho_\varepsilon - 1)/\varepsilon` and
  :math:`\sup_\varepsilon \alpha_\varepsilon/\varepsilon` over the pseudospectral radius and abscissa
  (Trefethen & Embree, *Spectra and Pseudospectra*, 2005, Theorems 15.4 and 16.4; the Kreiss
  Matrix Theorem, section 18). Any point evaluated gives a valid lower bound of
  :math:`\mathcal K`, so the value reported is one: the largest found by a grid search refined by
  Nelder-Mead.

The peak is exact to rounding: powers are followed until :math:`\kappa(V)\rho^k` falls below the
largest norm seen (after which no later power can exceed it); for the flow the same horizon
:math:`t \le \ln\kappa(V)/|\alpha|` bounds the search, sampled and then refined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from .resolvent import Resolvent

#: Most powers (update maps) or exponential samples (flow) a peak search may take.
MAX_STEPS = 10_000
#: Eigenvalues within this relative distance of the stability boundary count as on it.
MARGIN = 1e-12
#: The Kreiss search stays this far (log, relative to the spectrum's scale) from the boundary,
#: where the resolvent norm of a marginal eigenvalue is rounding noise.
CLOSEST = math.log(1e-6)


@dataclass(frozen=True)
class TransientGrowth:
    """Transient growth of :math:`M^k` (``kind="discrete"``) or :math:`e^{tJ}` (``"continuous"``).

    Attributes
    ----------
    peak : float
        :math:`\\max_k \\|M^k\\|_2` or :math:`\\max_t \\|e^{tJ}\\|_2` (``inf`` when the spectrum is
        unstable: the norms grow without bound).
    at : float
        The ``k`` (an integer) or ``t`` where the peak is reached.
    kreiss : float
        A lower bound of the Kreiss constant (itself a lower bound of ``peak``).
    kappa : float
        Eigenvector condition number :math:`\\kappa(V)` (``inf`` for a defective matrix).
    horizon : float
        The ``k`` or ``t`` up to which the norms were followed.
    note : str
        How the numbers were obtained, and any caveat (a capped search, a marginal spectrum).
    """

    kind: str
    peak: float
    at: float
    kreiss: float
    kappa: float
    horizon: float
    note: str = ""


def eigenvector_condition(matrix, defective=False) -> float:
    """:math:`\\kappa(V)` of unit-norm eigenvectors; ``inf`` if the matrix is known defective."""
    if defective:
        return math.inf
    _, vectors = np.linalg.eig(np.asarray(matrix))
    return float(np.linalg.cond(vectors))


def transient_growth(matrix, kind="discrete", defective=False) -> TransientGrowth:
    """Peak norm of :math:`M^k` or :math:`e^{tJ}`, the Kreiss lower bound and :math:`\\kappa(V)`.

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        The update map :math:`M` (``kind="discrete"``) or the field-convention Jacobian :math:`J`.
    kind : {"discrete", "continuous"}
    defective : bool
        The matrix is known (exactly) to have a Jordan block: :math:`\\kappa(V) = \\infty`.

    Returns
    -------
    TransientGrowth

    Examples
    --------
    >>> import numpy as np
    >>> g = transient_growth(np.array([[0.5, 4.0], [0.0, 0.5]]))
    >>> round(g.peak, 6), g.at
    (4.061553, 1)
    """
    matrix = np.asarray(matrix, dtype=float if np.isrealobj(matrix) else complex)
    kappa = eigenvector_condition(matrix, defective)
    lam = np.linalg.eigvals(matrix)
    kreiss = kreiss_lower_bound(matrix, kind)
    if kind == "discrete":
        return _powers(matrix, float(np.abs(lam).max()), kappa, kreiss)
    return _exponentials(matrix, float(lam.real.max()), kappa, kreiss)


def _powers(M, rho, kappa, kreiss):
    horizon, note = _horizon(kappa, -math.log(rho), "k") if rho > 0 else (M.shape[0], "nilpotent")
    if rho > 1:
        return TransientGrowth("discrete", math.inf, math.inf, kreiss, kappa, math.inf, "spectral radius > 1")
    power, peak, at, k = np.eye(M.shape[0]), 1.0, 0, 0
    while k < horizon:
        k += 1
        power = power @ M
        norm = np.linalg.norm(power, 2)
        if norm > peak:
            peak, at = norm, k
        if math.isfinite(kappa) and kappa * rho**k < peak:
            break
    peak, at = _no_growth_below_rounding(peak, at)
    return TransientGrowth("discrete", float(peak), at, kreiss, kappa, k, note)


def _exponentials(J, alpha, kappa, kreiss):
    if alpha > 0:
        return TransientGrowth("continuous", math.inf, math.inf, kreiss, kappa, math.inf, "abscissa > 0")
    T, _ = sla.schur(J.astype(complex), output="complex")  # ||exp(tJ)|| = ||exp(tT)||
    horizon, note = _horizon(kappa, -alpha, "t")
    if note:  # marginal or defective: a fixed window of 100 time units of the spectrum's scale
        horizon = 100 / max(np.abs(np.diag(T)).max(), 1e-12)
        note += f": norms followed up to t = {horizon:.4g}"
    if horizon == 0:
        return TransientGrowth("continuous", 1.0, 0.0, kreiss, kappa, 0.0, note)

    def norm(t):
        return float(_exp_norms(T, np.array([t]))[0])

    times = np.linspace(0, horizon, 401)
    norms = _exp_norms(T, times)
    i = int(np.argmax(norms))
    peak, at = norms[i], times[i]
    if 0 < i < times.size - 1:
        from scipy.optimize import minimize_scalar

        best = minimize_scalar(lambda t: -norm(t), bounds=(times[i - 1], times[i + 1]), method="bounded",
                               options={"xatol": 1e-10 * max(horizon, 1)})
        if -best.fun > peak:
            peak, at = -best.fun, float(best.x)
    peak, at = _no_growth_below_rounding(peak, at)
    return TransientGrowth("continuous", float(peak), float(at), kreiss, kappa, float(horizon), note)


#: Relative gains of the norm below this are rounding in the products, not growth.
GROWTH_RTOL = 1e-12


def _no_growth_below_rounding(peak, at):
    """``(1, 0)`` when the peak exceeds :math:`\\|M^0\\| = 1` by rounding only, else unchanged."""
    return (1.0, 0 * at) if peak <= 1 + GROWTH_RTOL else (peak, at)


def _exp_norms(T, times):
    """:math:`\\|e^{tT}\\|_2` on an evenly spaced grid ``times`` (from 0): one ``expm`` of the step,
    then products, :math:`e^{t_k T} = (e^{\\Delta t\\, T})^k`."""
    if times.size == 1:
        return np.array([np.linalg.norm(sla.expm(times[0] * T), 2)])
    step = sla.expm((times[1] - times[0]) * T)
    power, norms = np.eye(T.shape[0], dtype=T.dtype), [1.0]
    for _ in range(times.size - 1):
        power = power @ step
        norms.append(np.linalg.norm(power, 2))
    return np.array(norms)


def _horizon(kappa, decay, unit):
    """Where :math:`\\kappa e^{-\\text{decay}\\cdot s} \\le 1`, i.e. no later norm can exceed 1."""
    if decay <= 0 or not math.isfinite(kappa):
        why = "marginal spectrum" if decay <= 0 else "defective matrix (kappa(V) infinite)"
        return MAX_STEPS, (f"{why}: norms followed up to {unit} = {MAX_STEPS}" if unit == "k" else why)
    if not math.isfinite(decay):
        return 1.0, ""
    horizon = math.log(max(kappa, 1.0)) / decay
    if horizon > MAX_STEPS:
        return MAX_STEPS, f"search capped at {unit} = {MAX_STEPS} (bound horizon {horizon:.3g})"
    return (math.ceil(horizon) if unit == "k" else horizon), ""


def kreiss_lower_bound(matrix, kind="discrete") -> float:
    """The largest :math:`(|z|-1)/\\sigma_{\\min}(zI-M)` (or :math:`\\operatorname{Re} z/\\sigma_{\\min}(zI-J)`) found.

    A grid over the exterior of the unit disc (the right half-plane for the flow), scaled to the
    spectrum, then Nelder-Mead from the best grid points. Every value is a lower bound of the
    Kreiss constant; ``inf`` where an eigenvalue lies in the open exterior (unstable).
    """
    from scipy.optimize import minimize

    resolvent = Resolvent.dense(matrix)
    lam = resolvent.eigenvalues()
    scale = max(float(np.abs(lam).max()), 1e-12)
    if kind == "discrete":
        if np.abs(lam).max() > 1 + MARGIN:
            return math.inf

        def to_z(p):
            return (1 + np.exp(np.maximum(p[..., 0], CLOSEST))) * np.exp(1j * p[..., 1])

        def gain(z):
            return (np.abs(z) - 1) / resolvent.sigma_min(z)

        angles = np.unique(np.r_[np.linspace(-np.pi, np.pi, 73), np.angle(lam)])
        grid = np.stack(np.meshgrid(np.log(np.logspace(-4, 1, 31)), angles, indexing="ij"), -1)
    else:
        if lam.real.max() > MARGIN * scale:
            return math.inf

        def to_z(p):
            return np.exp(np.maximum(p[..., 0], CLOSEST)) * scale + 1j * p[..., 1]

        def gain(z):
            return z.real / resolvent.sigma_min(z)

        heights = np.unique(np.r_[np.linspace(-2 * scale, 2 * scale, 41), lam.imag])
        grid = np.stack(np.meshgrid(np.log(np.logspace(-4, 2, 31)), heights, indexing="ij"), -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.nan_to_num(gain(to_z(grid)), nan=0.0, posinf=math.inf)
        if np.isinf(values).any():
            return math.inf
        best = float(values.max())
        flat = grid.reshape(-1, 2)[np.argsort(values.ravel())[::-1][:4]]
        for start in flat[:2]:
            res = minimize(lambda p: -float(gain(to_z(np.asarray(p)))), start, method="Nelder-Mead",
                           options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 200})
            if np.isfinite(res.fun):
                best = max(best, -float(res.fun))
    return best
