r"""Phase and conditioning factors (Nie & Patel 2019) with the near-zero tolerance rule.

For eigenvalues :math:`\lambda_i = -\alpha_i + i\beta_i` of the Jacobian :math:`J`:

* phase factor :math:`\xi = \max_i |\beta_i| / |\alpha_i|` (0 when every eigenvalue is real,
  :math:`\infty` when some :math:`\alpha_i = 0` with :math:`\beta_i \ne 0`);
* conditioning factor :math:`\kappa = \max_i |\lambda_i| / \min_i |\lambda_i|`;
* condition number :math:`\sigma_{\max}/\sigma_{\min}` of :math:`J` (differs from :math:`\kappa` when
  :math:`J` is not normal).

Tolerance rule (real networks have numerically singular Jacobians): eigenvalues with
:math:`|\lambda| \le \text{rtol}\cdot\max_j|\lambda_j|` are *numerically zero*; both factors are taken
over the others and the count left out is reported. Among the kept eigenvalues, a real or imaginary
part below :math:`\text{rtol}\cdot\max_j|\lambda_j|` counts as exactly zero.
"""

from __future__ import annotations

import numpy as np

DEFAULT_RTOL = 1e-10


def significant(eigenvalues, rtol: float = DEFAULT_RTOL) -> np.ndarray:
    """Boolean mask of the eigenvalues above the relative tolerance."""
    magnitudes = np.abs(np.asarray(eigenvalues, dtype=complex))
    if magnitudes.size == 0 or magnitudes.max() == 0:
        return np.zeros(magnitudes.shape, dtype=bool)
    return magnitudes > rtol * magnitudes.max()


def phase_factor(eigenvalues, rtol: float = DEFAULT_RTOL) -> float:
    """:math:`\\max_i |\\mathrm{Im}\\,\\lambda_i| / |\\mathrm{Re}\\,\\lambda_i|` over significant eigenvalues."""
    lam = np.asarray(eigenvalues, dtype=complex)
    keep = significant(lam, rtol)
    if not keep.any():
        return float("nan")
    lam = lam[keep]
    floor = rtol * np.abs(lam).max()
    alpha = np.where(np.abs(lam.real) <= floor, 0.0, np.abs(lam.real))
    beta = np.where(np.abs(lam.imag) <= floor, 0.0, np.abs(lam.imag))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(beta == 0, 0.0, beta / alpha)
    return float(ratios.max())


def condition_factor(eigenvalues, rtol: float = DEFAULT_RTOL) -> float:
    """:math:`\\max_i |\\lambda_i| / \\min_i |\\lambda_i|` over significant eigenvalues."""
    magnitudes = np.abs(np.asarray(eigenvalues, dtype=complex))[significant(eigenvalues, rtol)]
    if magnitudes.size == 0:
        return float("nan")
    return float(magnitudes.max() / magnitudes.min())


def condition_number(matrix) -> float:
    """:math:`\\sigma_{\\max} / \\sigma_{\\min}` of ``matrix`` (``inf`` when singular)."""
    singular = np.linalg.svd(np.asarray(matrix, dtype=float), compute_uv=False)
    if singular.size == 0 or singular[-1] == 0:
        return float("inf")
    return float(singular[0] / singular[-1])
