r"""Factors that are well-posed on the spectra of real networks.

The paper factors of :mod:`.factors` are a maximum and a ratio of extremes. On a toy game every
eigenvalue is a mode of the dynamics and they are exact. The Jacobian of a real generator and
discriminator is different: its eigenvalue magnitudes form a continuum from :math:`\max|\lambda|`
down to the rounding level (on an 8-Gaussian MLP GAN near a trained equilibrium, 90% of the
eigenvalues lie below :math:`2.5\cdot10^{-4}\max|\lambda|`), with a numerical null space from
parameter symmetries and dead units. There :math:`\max|\lambda|/\min|\lambda|` reads back whatever
cutoff is used and :math:`\max|\mathrm{Im}|/|\mathrm{Re}|` is set by the noisiest tiny eigenvalue.

The convergence analysis says which eigenvalues matter. Simultaneous GD with step :math:`h` moves the
error along eigen-direction :math:`i` by :math:`|1 + h\lambda_i|` per step; the best step is bound by
the largest eigenvalues (:math:`h < 2\alpha_i/|\lambda_i|^2`) and the rate by the slowest ones kept.
Directions with :math:`\lambda \approx 0` change neither the loss nor the field to first order
(exact symmetries do not move it at all), so a summary must not hinge on them. The definitions here
(Nie & Patel 2019 for the factors; the rate as in :mod:`.steps`) therefore:

1. **Null space from the precision.** An eigenvalue is numerically zero when
   :math:`|\lambda| \le \tau = \varepsilon\,\sqrt{P}\,\|J\|_F`, with :math:`\varepsilon` the unit
   roundoff of the dtype the Jacobian was computed in and :math:`P` its size: a backward-stable
   eigensolver returns the eigenvalues of :math:`J + E` with :math:`\|E\| \lesssim \varepsilon\|J\|`,
   and the factor :math:`\sqrt P` is the usual allowance for accumulated rounding (NumPy's
   ``matrix_rank`` uses :math:`\varepsilon\max(M,N)\sigma_{\max}`). Reported as a dimension
   ``n_null``. Without the matrix (a matrix-free top-k), :math:`\max|\lambda| \le \|J\|_F` stands in
   for :math:`\|J\|_F` (a lower bound, stated). A user ``rtol`` above this floor removes more.
2. **Mass quantiles, not extremes.** Each eigenvalue above the floor carries the weight
   :math:`w_i = |\lambda_i|`. The *dominant set at coverage* :math:`c`, :math:`S_c`, is the smallest
   set of largest-magnitude eigenvalues with :math:`\sum_{S_c} w_i \ge c\sum_i w_i` (for a symmetric
   positive semi-definite matrix: the eigenvalues that make up a fraction :math:`c` of the trace);
   :math:`m_c = |S_c|` is stated. The conditioning factor at coverage :math:`c` is

   .. math:: \kappa_c = \max_i|\lambda_i| \,/\, \min_{i \in S_c}|\lambda_i| ,

   the ratio of extremes over the eigenvalues that carry the dynamics. Eigenvalues near the floor
   carry a negligible share of :math:`\sum w_i`, so :math:`\kappa_c` does not depend on where the
   floor is (measured: :mod:`jacobian_lab.torch_bridge.analysis` and ``docs/validation.rst``).
3. **Phase as an angle.** With :math:`\lambda = -\alpha + i\beta`, the angle from the real axis
   :math:`\varphi = \arctan(|\beta|/|\alpha|) \in [0^\circ, 90^\circ]` is 0 for a real eigenvalue
   and 90 for a pure rotation; unlike :math:`|\beta|/\alpha` it is continuous through
   :math:`\alpha = 0` (the sign of the real parts is the business of the rate and the verdict). The
   phase factor at quantile :math:`q` is :math:`\xi_q = \tan\varphi_q` with :math:`\varphi_q` the
   :math:`|\lambda|`-weighted :math:`q`-quantile of the angles; on stable spectra it is Nie &
   Patel's :math:`|\beta|/\alpha` of the eigenvalue at that quantile of the spectral mass.
4. **Rate on the dominant subspace.** The simultaneous-GD rate at its best step,
   :math:`\rho^*_c = \min_h \max_{i\in S_c}|1 + h\lambda_i|` (exact, :func:`.steps.optimal_step`), is
   the contraction per step of the dynamics restricted to :math:`S_c`; ``1`` when some eigenvalue of
   :math:`S_c` has :math:`\mathrm{Re}\,\lambda \ge 0` (no step contracts).

A matrix-free top-:math:`k` by magnitude gives *top-m* factors: :math:`\kappa = |\lambda_1|/|\lambda_m|`
and the weighted phase quantiles over the :math:`m` eigenvalues found (``m`` stated); coverage sets
and rates need every eigenvalue and are ``None``. A top-:math:`k` by real or imaginary part gives no
factors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import steps

#: Coverages :math:`c` of the dominant sets reported.
COVERAGES = (0.5, 0.9, 0.99)
#: The coverage of the default summaries.
DEFAULT_COVERAGE = 0.9
#: Quantiles :math:`q` of the weighted phase angle reported.
PHASE_QUANTILES = (0.5, 0.9)
#: The quantile of the default phase summary.
DEFAULT_PHASE_QUANTILE = 0.9
#: Unit roundoff of float64, the default precision.
FLOAT64_EPS = float(np.finfo(np.float64).eps)


def null_threshold(size: int, norm: float, eps: float = FLOAT64_EPS) -> float:
    """:math:`\\tau = \\varepsilon\\sqrt{P}\\,\\|J\\|`: eigenvalues at or below it are numerically zero."""
    return float(eps * math.sqrt(max(size, 1)) * norm)


def angles(eigenvalues) -> np.ndarray:
    """Phase angles :math:`\\arctan(|\\mathrm{Im}\\,\\lambda| / |\\mathrm{Re}\\,\\lambda|)` in degrees.

    0 for a real eigenvalue, 90 for a purely imaginary one (either sign of the real part).
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    return np.degrees(np.arctan2(np.abs(lam.imag), np.abs(lam.real)))


def weighted_quantile(values, weights, q: float) -> float:
    """The smallest value :math:`v_j` (values sorted) with :math:`\\sum_{i \\le j} w_i \\ge q \\sum_i w_i`."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    if values.size == 0 or weights.sum() <= 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    j = int(np.searchsorted(cumulative, q * cumulative[-1] * (1 - 1e-12), side="left"))
    return float(values[order][min(j, values.size - 1)])


def dominant_count(magnitudes, coverage: float) -> int:
    """:math:`m_c`: how many of the largest magnitudes make up a fraction ``coverage`` of their sum."""
    mags = np.sort(np.asarray(magnitudes, dtype=float))[::-1]
    if mags.size == 0 or mags.sum() <= 0:
        return 0
    cumulative = np.cumsum(mags)
    return int(np.searchsorted(cumulative, coverage * cumulative[-1] * (1 - 1e-12), side="left")) + 1


def phase_from_angle(angle: float) -> float:
    """:math:`\\tan\\varphi` for :math:`\\varphi < 90^\\circ`; ``inf`` at 90 (pure rotation)."""
    if math.isnan(angle):
        return math.nan
    return math.tan(math.radians(angle)) if angle < 90 else math.inf


@dataclass(frozen=True)
class NetworkFactors:
    """The well-posed factors of one continuous-time spectrum (field convention).

    Attributes
    ----------
    complete : bool
        Every eigenvalue is known (dense). Otherwise the factors are those of the top ``m`` by
        magnitude (or ``None`` for a top-k by real or imaginary part).
    n_eigenvalues : int
        Eigenvalues known.
    null_threshold : float
        :math:`\\tau = \\varepsilon\\sqrt P\\|J\\|_F` (with :math:`\\max|\\lambda|` for
        :math:`\\|J\\|_F` when matrix-free).
    n_null : int or None
        Eigenvalues at or below :math:`\\tau`: the numerical null dimension at this precision
        (``None`` for a top-k, which does not see the null space).
    floor : float
        The cutoff used: :math:`\\max(\\tau, \\mathrm{rtol}\\max|\\lambda|)`.
    m : int
        Eigenvalues above ``floor`` (the non-null spectrum, or the top ``m`` found).
    coverages : tuple of float
        :data:`COVERAGES`.
    n_dominant : tuple of int or None
        :math:`m_c` for each coverage.
    conditioning : tuple of float or None
        :math:`\\kappa_c` for each coverage (complete), or ``(|lambda_1|/|lambda_m|,)`` for a top-m.
    quantiles : tuple of float
        :data:`PHASE_QUANTILES`.
    phase_angle : tuple of float or None
        :math:`\\varphi_q` in degrees for each quantile.
    phase : tuple of float or None
        :math:`\\xi_q = \\tan\\varphi_q`.
    rate : steps.OptimalStep or None
        Best-step simultaneous-GD rate on :math:`S_c` at :data:`DEFAULT_COVERAGE` (complete only).
    abscissa : float or None
        Largest real part over :math:`S_c` at :data:`DEFAULT_COVERAGE` (complete only).
    rotational_share : float or None
        :math:`\\sum_{\\mathrm{Im}\\,\\lambda \\ne 0}|\\lambda| / \\sum|\\lambda|` over the eigenvalues kept: the
        share of the spectrum's mass on rotating (complex) eigenvalues. A phase quantile of 0 with a
        small rotational share means rotation exists but carries little of the spectrum.
    """

    complete: bool
    n_eigenvalues: int
    null_threshold: float
    n_null: int | None
    floor: float
    m: int
    coverages: tuple = COVERAGES
    n_dominant: tuple | None = None
    conditioning: tuple | None = None
    quantiles: tuple = PHASE_QUANTILES
    phase_angle: tuple | None = None
    phase: tuple | None = None
    rate: steps.OptimalStep | None = None
    abscissa: float | None = None
    rotational_share: float | None = None

    def at(self, coverage: float = DEFAULT_COVERAGE) -> int:
        """Index of ``coverage`` in :attr:`coverages`."""
        return self.coverages.index(coverage)

    @property
    def condition_factor(self) -> float | None:
        """Default conditioning summary: :math:`\\kappa_{0.9}` (complete) or the top-m ratio."""
        if self.conditioning is None:
            return None
        return self.conditioning[self.at()] if self.complete else self.conditioning[0]

    @property
    def phase_factor(self) -> float | None:
        """Default phase summary: :math:`\\xi_{0.9}`."""
        return None if self.phase is None else self.phase[self.quantiles.index(DEFAULT_PHASE_QUANTILE)]

    @property
    def dominant(self) -> int | None:
        """:math:`m_{0.9}` (complete) or ``m`` (top-m)."""
        if not self.complete:
            return self.m
        return None if self.n_dominant is None else self.n_dominant[self.at()]

    def summary(self) -> dict:
        """The default summaries by name (``None`` where not defined)."""
        return {"condition_factor": self.condition_factor, "phase_factor": self.phase_factor,
                "phase_angle": None if self.phase_angle is None else
                self.phase_angle[self.quantiles.index(DEFAULT_PHASE_QUANTILE)],
                "rate": None if self.rate is None else self.rate.rate,
                "n_dominant": self.dominant, "n_null": self.n_null, "rotational_share": self.rotational_share}

    def to_dict(self) -> dict:
        """Plain values: ``None`` where undefined (``inf`` phase: purely imaginary eigenvalues carry the quantile)."""
        def number(x):
            return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

        def seq(values):
            return None if values is None else [number(v) for v in values]

        out = {"complete": self.complete, "n_eigenvalues": self.n_eigenvalues,
               "null_threshold": self.null_threshold, "n_null": self.n_null, "floor": self.floor,
               "m": self.m, "coverages": list(self.coverages),
               "n_dominant": None if self.n_dominant is None else list(self.n_dominant),
               "conditioning": seq(self.conditioning), "quantiles": list(self.quantiles),
               "phase_angle_deg": seq(self.phase_angle), "phase": seq(self.phase),
               "abscissa": number(self.abscissa), "rotational_share": number(self.rotational_share),
               "rate": None if self.rate is None else {"step": number(self.rate.step), "rate": self.rate.rate}}
        return out


def network_factors(eigenvalues, *, complete: bool, size: int, norm: float | None = None,
                    eps: float = FLOAT64_EPS, rtol: float = 0.0, which: str | None = None) -> NetworkFactors:
    """The well-posed factors of field-convention ``eigenvalues`` (see the module docstring).

    Parameters
    ----------
    eigenvalues : array_like of complex
        All eigenvalues (``complete=True``) or those found by a top-k.
    complete : bool
        Whether these are every eigenvalue of the ``size x size`` Jacobian.
    size : int
        :math:`P`.
    norm : float, optional
        :math:`\\|J\\|_F`; default :math:`\\max|\\lambda|` (a lower bound).
    eps : float
        Unit roundoff of the dtype :math:`J` was computed in.
    rtol : float
        The user's relative cutoff; the floor is :math:`\\max(\\tau, \\mathrm{rtol}\\max|\\lambda|)`.
    which : {"LM", "LR", "LI"}, optional
        For a top-k: which eigenvalues were asked for; only ``"LM"`` gives (top-m) factors.
    """
    lam = np.asarray(eigenvalues, dtype=complex).ravel()
    mags = np.abs(lam)
    top = float(mags.max()) if mags.size else 0.0
    tau = null_threshold(size, top if norm is None else norm, eps)
    floor = max(tau, rtol * top)
    keep = mags > floor
    base = dict(complete=complete, n_eigenvalues=int(lam.size), null_threshold=tau,
                n_null=int((mags <= tau).sum()) if complete else None, floor=floor, m=int(keep.sum()))
    if not keep.any() or (not complete and which not in (None, "LM")):
        return NetworkFactors(**base)
    lam, mags = lam[keep], mags[keep]
    phi = angles(lam)
    phase_angle = tuple(weighted_quantile(phi, mags, q) for q in PHASE_QUANTILES)
    base.update(phase_angle=phase_angle, phase=tuple(phase_from_angle(a) for a in phase_angle),
                rotational_share=float(mags[lam.imag != 0].sum() / mags.sum()))
    if not complete:
        return NetworkFactors(**base, conditioning=(float(mags.max() / mags.min()),))
    counts = tuple(dominant_count(mags, c) for c in COVERAGES)
    ordered = lam[np.argsort(-mags, kind="stable")]
    conditioning = tuple(float(mags.max() / np.abs(ordered[m - 1])) for m in counts)
    dominant = ordered[:counts[COVERAGES.index(DEFAULT_COVERAGE)]]
    return NetworkFactors(**base, n_dominant=counts, conditioning=conditioning,
                          rate=steps.optimal_step(dominant, rtol=0.0),
                          abscissa=float(dominant.real.max()))
