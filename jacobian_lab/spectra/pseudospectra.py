r"""Pseudospectra of a Jacobian or of a scheme's update map on a grid of the complex plane.

.. math::

    \Lambda_\varepsilon(A) = \{z : \sigma_{\min}(zI - A) \le \varepsilon\}
    = \bigcup_{\|E\| \le \varepsilon} \Lambda(A + E)

(Trefethen & Embree, *Spectra and Pseudospectra*, 2005, Theorem 2.1). For a normal matrix
:math:`\Lambda_\varepsilon` is the union of discs of radius :math:`\varepsilon` about the eigenvalues;
game Jacobians are far from normal, and the pseudospectra then reach much further, which is what
makes transient growth possible (:mod:`jacobian_lab.spectra.transient`). The values come from
:class:`~jacobian_lab.spectra.resolvent.Resolvent`: one Schur decomposition, then inverse Lanczos
at each grid point (exact up to rounding for any dense matrix), or an Arnoldi projection for larger
operators (the approximation is recorded in :attr:`Pseudospectrum.method`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import JacobianLabError, check_int
from .resolvent import Resolvent

#: Largest dimension reduced densely (a complex Schur decomposition); larger ones are projected.
DENSE_MAX = 4000
#: Largest number of grid points.
MAX_POINTS = 250_000


@dataclass(frozen=True, eq=False)
class Pseudospectrum:
    """:math:`\\sigma_{\\min}(zI - A)` on a grid.

    Attributes
    ----------
    real, imag : ndarray, shapes (nx,), (ny,)
        Grid axes.
    sigma : ndarray, shape (ny, nx)
        :math:`\\sigma_{\\min}(zI - A)` at :math:`z = \\text{real}[j] + i\\,\\text{imag}[i]`;
        :math:`z \\in \\Lambda_\\varepsilon` iff ``sigma <= eps``.
    eigenvalues : ndarray of complex
        Of :math:`A` (Ritz values for a projection).
    kind : {"continuous", "discrete"}
        Whether :math:`A` is a Jacobian (stability region: the left half-plane) or an update map
        (the unit disc).
    method : str
        ``"dense Schur"`` or ``"Krylov projection, m = ..."`` (inner approximation).
    """

    real: np.ndarray
    imag: np.ndarray
    sigma: np.ndarray
    eigenvalues: np.ndarray
    kind: str
    method: str

    @property
    def projected(self) -> bool:
        return self.method.startswith("Krylov")

    def levels(self, count=6) -> np.ndarray:
        """``count`` values of :math:`\\log_{10}\\varepsilon` spread over the grid (integers when wide)."""
        logs = np.log10(self.sigma[self.sigma > 0])
        lo, hi = np.floor(logs.min()), np.ceil(np.percentile(logs, 90))
        if hi - lo >= count - 1:
            return np.unique(np.round(np.linspace(lo, hi, count)))
        return np.linspace(lo, hi, count)


def pseudospectrum(target, *args, bounds=None, points=101, krylov=None, kind=None, progress=None,
                   **spectrum_args) -> Pseudospectrum:
    """The :math:`\\varepsilon`-pseudospectra of a Jacobian or update map on a grid.

    Parameters
    ----------
    target : ndarray, Spectrum, scipy LinearOperator, or a model (name or Game)
        A square matrix; a :class:`~jacobian_lab.Spectrum` (its matrix: :math:`J`, or the update
        map for a scheme); an operator with ``matvec`` and ``shape`` (projected); or a model, in
        which case ``*args, **spectrum_args`` go to :func:`jacobian_lab.spectrum` (``reg``,
        ``gamma``, ``scheme``, ``lr`` ...).
    bounds : (re_min, re_max, im_min, im_max), optional
        The grid's window; default: the eigenvalues with a margin, plus the stability boundary.
    points : int or (int, int)
        Grid points along the real and imaginary axes (2 to 500 each, at most 250,000 in all).
    krylov : int, optional
        Project on ``krylov`` Arnoldi vectors instead of reducing densely (default for an operator
        or a matrix larger than :data:`DENSE_MAX`: ``min(n, 100)``).
    kind : {"continuous", "discrete"}, optional
        Stability region to compare with; taken from a Spectrum, default ``"continuous"``.
    progress : bool, optional
        ``False`` hides the progress bar (shown for runs longer than a second).

    Returns
    -------
    Pseudospectrum

    Notes
    -----
    Each grid point costs :math:`O(n^2)` after one :math:`O(n^3)` complex Schur decomposition
    (EigTool's algorithm; Trefethen & Embree 2005, section 42). A projected pseudospectrum is an
    inner approximation: :math:`\\sigma_{\\min}(z\\tilde I - \\tilde H_m) \\ge \\sigma_{\\min}(zI - A)`.

    Examples
    --------
    >>> import jacobian_lab as jl
    >>> ps = jl.pseudospectrum("dirac", reg="consensus", gamma=1.0, points=21)
    >>> ps.sigma.shape
    (21, 21)
    """
    matrix, operator, kind = _target(target, args, spectrum_args, kind)
    nx, ny = _points(points)
    resolvent, method = _resolvent(matrix, operator, krylov)
    eigenvalues = resolvent.eigenvalues() if matrix is None else np.linalg.eigvals(matrix)
    lo_re, hi_re, lo_im, hi_im = _bounds(bounds, eigenvalues, kind)
    real, imag = np.linspace(lo_re, hi_re, nx), np.linspace(lo_im, hi_im, ny)
    sigma = resolvent.sigma_min(real[None, :] + 1j * imag[:, None], progress=progress)
    return Pseudospectrum(real, imag, sigma, eigenvalues, kind, method)


def _target(target, args, spectrum_args, kind):
    from .spectrum import Spectrum

    if isinstance(target, str) or _is_game(target):
        from ..analysis import spectrum

        target = spectrum(target, *args, **spectrum_args)
    elif args or spectrum_args:
        raise JacobianLabError("model arguments given, but the target is not a model")
    if isinstance(target, Spectrum):
        if target.jacobian is None:
            raise JacobianLabError("this spectrum has no matrix (matrix-free); pass its operator instead")
        matrix = target.jacobian
        if target.kind == "continuous" and target.convention == "loss":
            matrix = -matrix
        return _square(matrix), None, target.kind
    kind = kind or "continuous"
    if kind not in ("continuous", "discrete"):
        raise JacobianLabError(f"kind must be 'continuous' or 'discrete', got {kind!r}")
    if hasattr(target, "matvec") and hasattr(target, "shape"):
        return None, target, kind
    return _square(target), None, kind


def _is_game(target):
    from ..games import Game

    return isinstance(target, Game)


def _square(matrix):
    try:
        matrix = np.asarray(matrix, dtype=complex)
    except (TypeError, ValueError):
        raise JacobianLabError("the target must be a square numeric matrix") from None
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise JacobianLabError(f"the target must be a square matrix, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise JacobianLabError("the matrix has entries that are not finite")
    return matrix.real.copy() if not np.any(matrix.imag) else matrix


def _points(points):
    pair = (points, points) if np.isscalar(points) else tuple(points)
    if len(pair) != 2:
        raise JacobianLabError(f"points must be an int or a pair of ints, got {points!r}")
    nx, ny = (check_int("points", p, minimum=2) for p in pair)
    if max(nx, ny) > 500 or nx * ny > MAX_POINTS:
        raise JacobianLabError(f"points: at most 500 per axis and {MAX_POINTS} in all, got {nx} x {ny}")
    return nx, ny


def _resolvent(matrix, operator, krylov):
    n = operator.shape[0] if matrix is None else matrix.shape[0]
    if krylov is None and matrix is not None and n <= DENSE_MAX:
        return Resolvent.dense(matrix), "dense Schur"
    m = min(n, 100) if krylov is None else check_int("krylov", krylov, minimum=1)
    if m > min(n, 1000):
        raise JacobianLabError(f"krylov must be at most min(n, 1000) = {min(n, 1000)}, got {m}")
    matvec = operator.matvec if matrix is None else (lambda v: matrix @ v)
    return Resolvent.krylov(matvec, n, m), f"Krylov projection, m = {m} (inner approximation)"


def _bounds(bounds, eigenvalues, kind):
    if bounds is not None:
        try:
            lo_re, hi_re, lo_im, hi_im = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise JacobianLabError(f"bounds must be 4 numbers re_min,re_max,im_min,im_max, got {bounds!r}") from None
        if not (np.isfinite([lo_re, hi_re, lo_im, hi_im]).all() and lo_re < hi_re and lo_im < hi_im):
            raise JacobianLabError(f"bounds must be finite with re_min < re_max, im_min < im_max, got {bounds!r}")
        return lo_re, hi_re, lo_im, hi_im
    points = np.append(eigenvalues, [1.0, -1.0, 1j, -1j] if kind == "discrete" else [0.0])
    scale = max(np.abs(eigenvalues).max(), 1e-3)
    pad = 0.5 * max(np.ptp(points.real), np.ptp(points.imag), scale)
    return (points.real.min() - pad, points.real.max() + pad,
            points.imag.min() - pad, points.imag.max() + pad)
