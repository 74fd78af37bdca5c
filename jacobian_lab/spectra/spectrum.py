"""The one result type for every spectrum: symbolic, dense numeric, top-k, or a real network."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from . import factors, steps
from .transient import TransientGrowth, transient_growth

#: Largest matrix whose transient growth :meth:`Spectrum.to_dict` includes (it costs O(n^3) per power).
TRANSIENT_MAX = 200


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

    def __post_init__(self):
        lam = np.asarray(self.eigenvalues, dtype=complex).ravel()
        order = np.lexsort((-lam.imag, -lam.real))
        object.__setattr__(self, "eigenvalues", lam[order])

    # -- factors ---------------------------------------------------------------------------
    @property
    def _flow(self) -> Spectrum:
        return self.continuous if self.kind == "discrete" and self.continuous else self

    @property
    def phase_factor(self) -> float:
        """Phase factor of the continuous-time eigenvalues (for a discrete spectrum, of its ``continuous``)."""
        return factors.phase_factor(self._flow.eigenvalues, self.rtol)

    @property
    def condition_factor(self) -> float:
        """``max |lambda| / min |lambda|`` of the continuous-time eigenvalues above the tolerance."""
        return factors.condition_factor(self._flow.eigenvalues, self.rtol)

    @property
    def condition_number(self) -> float:
        """SVD condition number of the continuous-time Jacobian (``nan`` if matrix-free)."""
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
    def stability(self) -> str:
        """``"stable"``, ``"marginal"`` or ``"unstable"`` (METHODS.md section 1)."""
        scale = max(self.spectral_radius, 1.0) * self.rtol
        margin = self.spectral_radius - 1 if self.kind == "discrete" else self.abscissa
        if margin < -scale:
            return "stable"
        return "marginal" if margin <= scale else "unstable"

    @property
    def is_stable(self) -> bool:
        """Locally asymptotically stable: ``Re lambda < 0`` (flow) or ``rho < 1`` (discrete)."""
        return self.stability == "stable"

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

    def max_stable_step(self) -> float:
        """Largest simultaneous-GD step that contracts: :math:`\\min_i 2\\alpha_i/|\\lambda_i|^2`."""
        return steps.max_stable_step(self._field_eigenvalues(), self.rtol)

    def optimal_step(self) -> steps.OptimalStep:
        """``(step, rate, iterations)`` minimising :math:`\\max_i|1+h\\lambda_i|` (simultaneous GD)."""
        flow = self._flow
        jac = None if flow.jacobian is None else (flow.jacobian if flow.convention == "field" else -flow.jacobian)
        return steps.optimal_step(self._field_eigenvalues(), self.rtol, jacobian=jac)

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
        """
        out = {
            "kind": self.kind,
            "convention": self.convention,
            "eigenvalues": [{"real": float(z.real), "imag": float(z.imag)} for z in self.eigenvalues],
            "phase_factor": _json_number(self.phase_factor),
            "condition_factor": _json_number(self.condition_factor),
            "condition_number": _json_number(self.condition_number),
            "n_excluded": self.n_excluded,
            "rtol": self.rtol,
            "spectral_radius": _json_number(self.spectral_radius),
            "stability": self.stability,
            "stable": self.is_stable,
            "partial": self.partial,
            "info": {k: _jsonable(v) for k, v in self.info.items()},
        }
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
            out["max_stable_step"] = _json_number(self.max_stable_step())
            out["optimal_step"] = {k: _json_number(v) for k, v in step._asdict().items()}
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
        return (f"Spectrum({self.kind}, eigenvalues=[{lam}{more}], phase_factor={self.phase_factor:.4g}, "
                f"condition_factor={self.condition_factor:.4g}, {self.stability})")


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
