"""The one result type for every spectrum: symbolic, dense numeric, top-k, or a real network.

Two sets of factor definitions live side by side (``Spectrum.factors`` says which one the
``phase_factor``/``condition_factor`` properties and the reports use):

* ``"paper"`` (toy games, the default): Nie & Patel's extremes over the eigenvalues above
  ``rtol`` (:mod:`.factors`), always available as :attr:`Spectrum.paper_phase_factor` and
  :attr:`Spectrum.paper_condition_factor`;
* ``"network"`` (real networks, set by the torch bridge): the well-posed summaries of
  :mod:`.robust` (null space from the precision, mass quantiles, the rate on the dominant
  eigenvalues), always available as :attr:`Spectrum.network`.

Verdicts are only given when what they need was computed (:attr:`Spectrum.verdict`): stability
needs the rightmost eigenvalue (every eigenvalue, or a top-k by real part) and, when the field's
norm at the point is known, a fixed point; step sizes need every eigenvalue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

import numpy as np

from . import factors, robust, steps
from .blocks import GameBlocks, game_blocks
from .transient import TransientGrowth, transient_growth

#: Largest matrix whose transient growth :meth:`Spectrum.to_dict` includes (it costs O(n^3) per power).
TRANSIENT_MAX = 200
#: Definitions of the factors a :class:`Spectrum` reports by default.
FACTOR_DEFINITIONS = ("paper", "network")
#: A point is a fixed point when :math:`\|v\| \le` this times :math:`\max(1, \|J\|_F \|x\|)`
#: (the field a displacement of relative size 1e-8 would produce).
FIXED_POINT_RTOL = 1e-8


class Verdict(NamedTuple):
    """``stability`` (``"stable"``, ``"marginal"``, ``"unstable"`` or ``None`` when it cannot be
    decided) and ``reason``: one plain sentence saying what the verdict rests on, or why there is none."""

    stability: str | None
    reason: str


@dataclass(frozen=True, eq=False)
class Spectrum:
    """Eigenvalues of a Jacobian, with the factors derived from them.

    Attributes
    ----------
    eigenvalues : ndarray of complex, shape (n,)
        Sorted by decreasing real part. For ``kind="continuous"`` the eigenvalues of
        :math:`J = \\partial v/\\partial x` (``convention="field"``) or of :math:`H = -J`
        (``convention="loss"``); for ``kind="discrete"`` those of the update map's Jacobian.
    jacobian : ndarray, shape (n, n) or None
        The matrix whose eigenvalues these are (``None`` for matrix-free spectra).
    kind : {"continuous", "discrete"}
    continuous : Spectrum or None
        For a discrete spectrum, the continuous-time spectrum at the same point.
    symbolic_jacobian : sympy.Matrix or None
        Exact Jacobian where derivable.
    symbolic_eigenvalues : dict or None
        Exact eigenvalues ``{value: algebraic multiplicity}`` where derivable.
    defective : tuple
        Exact eigenvalues whose geometric multiplicity is below the algebraic one (Jordan blocks).
    partial : bool
        True for a top-k spectrum: the factors then refer to the eigenvalues found.
    rtol : float
        Relative tolerance below which eigenvalues count as zero (see
        :mod:`jacobian_lab.spectra.factors`).
    info : dict
        What was analysed: game, regularizer, scheme, parameters, method.
    factors : {"paper", "network"}
        Which definitions :attr:`phase_factor` and :attr:`condition_factor` follow (module docstring).
    which : {"LM", "LR", "LI"} or None
        For a top-k spectrum, which eigenvalues of :math:`J` (field convention) were asked for.
    field_norm : float or None
        :math:`\\|v\\|` at :attr:`point` when known (then a stability verdict needs a fixed point).
    eps : float
        Unit roundoff of the dtype the Jacobian was computed in (null-space threshold).
    """

    eigenvalues: np.ndarray
    jacobian: np.ndarray | None = None
    kind: str = "continuous"
    convention: str = "field"
    continuous: Spectrum | None = None
    symbolic_jacobian: object = None
    symbolic_eigenvalues: dict | None = None
    defective: tuple = ()
    partial: bool = False
    rtol: float = factors.DEFAULT_RTOL
    point: np.ndarray | None = None
    info: dict = field(default_factory=dict)
    factors: str = "paper"
    which: str | None = None
    field_norm: float | None = None
    eps: float = robust.FLOAT64_EPS

    def __post_init__(self):
        lam = np.asarray(self.eigenvalues, dtype=complex).ravel()
        order = np.lexsort((-lam.imag, -lam.real))
        object.__setattr__(self, "eigenvalues", lam[order])
        if self.factors not in FACTOR_DEFINITIONS:
            raise ValueError(f"unknown factor definitions {self.factors!r}; accepted: paper, network")

    # -- factors ---------------------------------------------------------------------------
    @property
    def _flow(self) -> Spectrum:
        return self.continuous if self.kind == "discrete" and self.continuous else self

    @property
    def phase_factor(self) -> float:
        """Phase factor of the continuous-time eigenvalues (for a discrete spectrum, of its ``continuous``).

        ``factors="paper"``: :attr:`paper_phase_factor`; ``"network"``: :math:`\\xi_{0.9}` of
        :attr:`network` (``nan`` where not defined, e.g. a top-k by real part).
        """
        if self.factors == "network":
            value = self.network.phase_factor
            return math.nan if value is None else value
        return self.paper_phase_factor

    @property
    def condition_factor(self) -> float:
        """Conditioning factor: :attr:`paper_condition_factor` or :math:`\\kappa_{0.9}` of :attr:`network`."""
        if self.factors == "network":
            value = self.network.condition_factor
            return math.nan if value is None else value
        return self.paper_condition_factor

    @property
    def paper_phase_factor(self) -> float:
        """Nie & Patel's :math:`\\max|\\beta_i|/\\alpha_i` over the eigenvalues above ``rtol`` (:mod:`.factors`)."""
        return factors.phase_factor(self._flow.eigenvalues, self.rtol)

    @property
    def paper_condition_factor(self) -> float:
        """Nie & Patel's ``max |lambda| / min |lambda|`` over the eigenvalues above ``rtol``."""
        return factors.condition_factor(self._flow.eigenvalues, self.rtol)

    @cached_property
    def network(self) -> robust.NetworkFactors:
        """The well-posed factors of :mod:`.robust` for the continuous-time eigenvalues."""
        flow = self._flow
        lam = flow.eigenvalues if flow.convention == "field" else -flow.eigenvalues
        norm = None if flow.jacobian is None else float(np.linalg.norm(flow.jacobian))
        size = int(self.info.get("n_params", lam.size)) if flow.partial else lam.size
        return robust.network_factors(lam, complete=not flow.partial, size=size, norm=norm, eps=self.eps,
                                      rtol=self.rtol, which=flow.which)

    @property
    def condition_number(self) -> float:
        """SVD condition number of the continuous-time Jacobian (``nan`` if matrix-free).

        For a network spectrum (``factors="network"``) the singular values, like the eigenvalues,
        reach the rounding level through a continuum, so the full ratio (kept as
        :attr:`paper_condition_number`) reads back the precision. It is then
        :math:`\\sigma_1 / \\sigma_m` with :math:`m` the fewest largest singular values above
        :math:`\\tau` that make up 90% of their sum: the singular-value analogue of :math:`\\kappa_{0.9}`.
        """
        jac = self._flow.jacobian
        if jac is None:
            return math.nan
        if self.factors != "network":
            return factors.condition_number(jac)
        singular = np.linalg.svd(np.asarray(jac, dtype=float), compute_uv=False)
        singular = singular[singular > self.network.null_threshold]
        m = robust.dominant_count(singular, robust.DEFAULT_COVERAGE)
        return float(singular[0] / singular[m - 1]) if m else math.nan

    @property
    def paper_condition_number(self) -> float:
        """:math:`\\sigma_{\\max} / \\sigma_{\\min}` over every singular value (``nan`` if matrix-free)."""
        jac = self._flow.jacobian
        return math.nan if jac is None else factors.condition_number(jac)

    @property
    def n_excluded(self) -> int:
        """How many eigenvalues the tolerance rule left out of the factors."""
        lam = self._flow.eigenvalues
        return int(lam.size - factors.significant(lam, self.rtol).sum())

    @property
    def spectral_radius(self) -> float:
        """:math:`\\max_i |\\lambda_i|` of these eigenvalues."""
        return float(np.abs(self.eigenvalues).max()) if self.eigenvalues.size else math.nan

    @property
    def abscissa(self) -> float:
        """Largest real part of the field-convention eigenvalues."""
        lam = self.eigenvalues if self.convention == "field" else -self.eigenvalues
        return float(lam.real.max())

    @property
    def fixed_point(self) -> bool | None:
        """:math:`\\|v\\| \\le` :data:`FIXED_POINT_RTOL` :math:`\\max(1, \\|J\\|_F\\|x\\|)` (``None``: unknown)."""
        if self.field_norm is None:
            return None
        flow = self._flow
        jac = 0.0 if flow.jacobian is None else float(np.linalg.norm(flow.jacobian))
        size = max(jac, flow.spectral_radius if flow.eigenvalues.size else 0.0)
        x = 0.0 if self.point is None else float(np.linalg.norm(self.point))
        return self.field_norm <= FIXED_POINT_RTOL * max(1.0, size * x)

    def _margin_scale(self) -> float:
        scale = max(self.spectral_radius, 1.0) * self.rtol
        if self.factors == "network" and self.kind == "continuous":
            scale = max(scale, self.network.null_threshold)
        return scale

    @property
    def verdict(self) -> Verdict:
        """The stability verdict with the sentence it rests on; ``None`` when it cannot be decided."""
        flow = self._flow
        if flow.partial and flow.which != "LR":
            return Verdict(None, f"no stability verdict: the top {flow.eigenvalues.size} eigenvalues by "
                                 f"{'magnitude' if flow.which in (None, 'LM') else 'imaginary part'} say nothing "
                                 "about the rightmost one (use every eigenvalue, or which='LR')")
        if self.partial and self.kind == "discrete":
            return Verdict(None, "no stability verdict: a discrete verdict needs every eigenvalue")
        if self.fixed_point is False:
            return Verdict(None, f"not a fixed point (|v| = {self.field_norm:.3g}): the spectrum is the local "
                                 "linearisation at this point, not a stability verdict")
        margin = self.spectral_radius - 1 if self.kind == "discrete" else self.abscissa
        scale = self._margin_scale()
        verdict = "stable" if margin < -scale else "marginal" if margin <= scale else "unstable"
        if self.kind == "discrete":
            held = {"stable": "spectral radius < 1", "marginal": "spectral radius = 1 within the tolerance",
                    "unstable": "spectral radius > 1"}[verdict]
        else:
            held = {"stable": "every Re lambda < 0", "marginal": "the largest Re lambda is 0 within the tolerance",
                    "unstable": "some Re lambda > 0"}[verdict]
        scope = " (rightmost eigenvalues by ARPACK)" if flow.partial else ""
        if verdict == "marginal" and self.kind == "continuous" and self.factors == "network" and not self.partial:
            held += self._null_space_note(scale)
        return Verdict(verdict, f"{verdict}: {held}{scope}")

    def _null_space_note(self, scale: float) -> str:
        """What a marginal network spectrum is made of: zero eigenvalues (directions along which the
        field does not change: a manifold of equilibria, or parameter symmetries) and non-zero ones on
        the imaginary axis (rotation without damping) are different findings."""
        lam = self.eigenvalues if self.convention == "field" else -self.eigenvalues
        null = np.abs(lam) <= self.network.null_threshold
        on_axis = ~null & (lam.real > -scale)
        if null.all():
            return "; every eigenvalue is zero within it"
        if on_axis.any():
            return (f"; {int(on_axis.sum())} non-zero eigenvalue(s) lie on the imaginary axis within it "
                    "(rotation without damping)")
        return (f"; {int(null.sum())} eigenvalue(s) are zero within it (directions along which the field does not "
                "change: a manifold of equilibria, or parameter symmetries) and every other one has Re lambda < 0")

    @property
    def stability(self) -> str | None:
        """``"stable"``, ``"marginal"``, ``"unstable"`` (METHODS.md section 1), or ``None`` without a verdict."""
        return self.verdict.stability

    @property
    def is_stable(self) -> bool | None:
        """Locally asymptotically stable: ``Re lambda < 0`` (flow) or ``rho < 1`` (discrete); ``None``: no verdict."""
        verdict = self.stability
        return None if verdict is None else verdict == "stable"

    def blocks(self, n_theta: int | None = None) -> GameBlocks:
        """Each player's Hessian spectrum and the interaction blocks' singular values (:mod:`.blocks`).

        ``n_theta``: generator coordinates (default ``info["n_theta"]``, set for torch games). Needs
        the dense continuous-time Jacobian (for a network too large for it, use
        ``TorchGame.hessian_eigenvalues``).
        """
        flow = self._flow
        n_theta = self.info.get("n_theta") if n_theta is None else n_theta
        if flow.jacobian is None or n_theta is None:
            raise ValueError("the blocks need the dense Jacobian and n_theta (the generator's size)")
        jac = flow.jacobian if flow.convention == "field" else -flow.jacobian
        return game_blocks(jac, int(n_theta))

    # -- non-normality -----------------------------------------------------------------------
    @cached_property
    def transient(self) -> TransientGrowth:
        """Transient growth of this matrix: :math:`\\max_k\\|M^k\\|` (discrete) or
        :math:`\\max_t\\|e^{tJ}\\|` (continuous), the Kreiss lower bound and :math:`\\kappa(V)`
        (computed on first access; see :mod:`jacobian_lab.spectra.transient`)."""
        if self.jacobian is None:
            from ..errors import NotApplicableError

            raise NotApplicableError("transient growth needs the matrix; this spectrum is matrix-free")
        matrix = -self.jacobian if self.kind == "continuous" and self.convention == "loss" else self.jacobian
        return transient_growth(matrix, self.kind, defective=bool(self.defective))

    @property
    def eigenvector_condition(self) -> float:
        """:math:`\\kappa(V) = \\|V\\|\\,\\|V^{-1}\\|` of unit eigenvectors (``inf`` if defective)."""
        return self.transient.kappa

    # -- steps -----------------------------------------------------------------------------
    def _field_eigenvalues(self):
        flow = self._flow
        return flow.eigenvalues if flow.convention == "field" else -flow.eigenvalues

    def _step_eigenvalues(self):
        """The eigenvalues that bind the steps: all above ``rtol`` (paper) or the dominant set (network)."""
        lam = self._field_eigenvalues()
        if self.factors != "network":
            return lam, self.rtol
        m = self.network.dominant
        return lam[np.argsort(-np.abs(lam), kind="stable")][:m], 0.0

    def max_stable_step(self) -> float | None:
        """Largest simultaneous-GD step that contracts: :math:`\\min_i 2\\alpha_i/|\\lambda_i|^2`.

        Over the eigenvalues above ``rtol`` (``factors="paper"``) or over the dominant set
        :math:`S_{0.9}` (``"network"``); ``None`` for a top-k (the binding eigenvalues are unknown).
        """
        if self._flow.partial:
            return None
        return steps.max_stable_step(*self._step_eigenvalues())

    def optimal_step(self) -> steps.OptimalStep | None:
        """``(step, rate, iterations)`` minimising :math:`\\max_i|1+h\\lambda_i|` (simultaneous GD).

        Over the same eigenvalues as :meth:`max_stable_step`; ``None`` for a top-k.
        """
        flow = self._flow
        if flow.partial:
            return None
        jac = None if flow.jacobian is None else (flow.jacobian if flow.convention == "field" else -flow.jacobian)
        return steps.optimal_step(*self._step_eigenvalues(), jacobian=None if self.factors == "network" else jac)

    # -- conversions -----------------------------------------------------------------------
    def in_convention(self, convention: str) -> Spectrum:
        """The same spectrum for :math:`J` (``"field"``) or :math:`H = -J` (``"loss"``)."""
        if convention not in ("field", "loss"):
            raise ValueError(f"unknown convention {convention!r}; accepted: field, loss")
        if convention == self.convention or self.kind == "discrete":
            return self
        jac = None if self.jacobian is None else -self.jacobian
        return replace(self, eigenvalues=-self.eigenvalues, jacobian=jac, convention=convention,
                       symbolic_jacobian=None, symbolic_eigenvalues=None, defective=())

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(spectrum)``: the eigenvalues, a complex array of shape ``(n,)``."""
        lam = self.eigenvalues if dtype is None else self.eigenvalues.astype(dtype)
        return lam.copy() if copy else lam

    def __len__(self) -> int:
        return int(self.eigenvalues.size)

    def to_dict(self) -> dict:
        """A summary of plain Python values (eigenvalues as ``{"real", "imag"}`` pairs).

        Factors that are not finite stay ``float("inf")``/``nan`` here; :func:`jacobian_lab._json.dumps`
        (and every ``--json`` output) writes them as ``null`` and lists them under ``"non_finite"``.
        ``factors`` says which definitions ``phase_factor`` and ``condition_factor`` follow; a network
        spectrum adds ``network_factors`` (all summaries) and ``paper_factors``. Verdicts that were not
        computed (``stability``, ``stable``, step sizes) are ``None``, and ``verdict`` says why.
        """
        verdict = self.verdict
        out = {
            "kind": self.kind,
            "convention": self.convention,
            "eigenvalues": [{"real": float(z.real), "imag": float(z.imag)} for z in self.eigenvalues],
            "factors": self.factors,
            "phase_factor": _json_number(self.phase_factor),
            "condition_factor": _json_number(self.condition_factor),
            "condition_number": _json_number(self.condition_number),
            "n_excluded": self.n_excluded,
            "rtol": self.rtol,
            "spectral_radius": _json_number(self.spectral_radius),
            "stability": verdict.stability,
            "stable": self.is_stable,
            "verdict": verdict.reason,
            "partial": self.partial,
            "info": {k: _jsonable(v) for k, v in self.info.items()},
        }
        if self.partial:
            out["which"] = self.which
        if self.field_norm is not None:
            out["field_norm"] = self.field_norm
            out["fixed_point"] = self.fixed_point
        if self.factors == "network":
            out["network_factors"] = self.network.to_dict()
            out["paper_factors"] = {
                "phase_factor": _json_number(self.paper_phase_factor),
                "condition_factor": _json_number(self.paper_condition_factor),
                "condition_number": _json_number(self.paper_condition_number),
                "n_excluded": self.n_excluded, "rtol": self.rtol,
                "note": "extremes over the eigenvalues above rtol (Nie & Patel); on a network they depend on rtol"}
        if self.jacobian is not None:
            out["jacobian"] = np.asarray(self.jacobian, dtype=float).tolist()
        if self.symbolic_eigenvalues:
            out["exact_eigenvalues"] = [
                {"value": str(v), "multiplicity": int(m)} for v, m in self.symbolic_eigenvalues.items()
            ]
            out["defective"] = [str(v) for v in self.defective]
        if self.jacobian is not None and self.jacobian.shape[0] <= TRANSIENT_MAX:
            out["transient"] = {k: (_json_number(v) if isinstance(v, float) else v)
                                for k, v in self.transient.__dict__.items()}
        if self.kind == "continuous":
            step = self.optimal_step()
            biggest = self.max_stable_step()
            out["max_stable_step"] = None if biggest is None else _json_number(biggest)
            out["optimal_step"] = None if step is None else {k: _json_number(v) for k, v in step._asdict().items()}
            if self.factors == "network" and step is not None:
                out["step_scope"] = (f"the {self.network.dominant} dominant eigenvalues "
                                     f"(coverage {robust.DEFAULT_COVERAGE:g})")
        return out

    def _repr_html_(self) -> str:
        from .._display import spectrum_html

        return spectrum_html(self)

    def _repr_latex_(self) -> str:
        from .._display import spectrum_latex

        return spectrum_latex(self)

    def __repr__(self):
        lam = ", ".join(f"{z:.4g}" for z in self.eigenvalues[:6])
        more = ", ..." if self.eigenvalues.size > 6 else ""
        label = "" if self.factors == "paper" else " (network definitions)"
        return (f"Spectrum({self.kind}, eigenvalues=[{lam}{more}], phase_factor={self.phase_factor:.4g}, "
                f"condition_factor={self.condition_factor:.4g}{label}, {self.stability or 'no verdict'})")


def _json_number(x):
    return float(x)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value if isinstance(value, int | float | str | bool | type(None)) else str(value)
