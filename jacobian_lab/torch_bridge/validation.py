r"""Checks of the spectral theory on real networks: are the summaries well-posed, and do they predict?

* :func:`summaries`: the default network summaries of a spectrum
  (:mod:`jacobian_lab.spectra.robust`) and the extras the validation study reports.
* :func:`rtol_spread`: how much each summary moves when the user's ``rtol`` moves (it should not).
* :func:`with_precision` and :func:`with_batch`: the same players in another dtype, or on another
  data batch (the float32 noise floor; error bars over batches).
* :func:`binding_mode` and :func:`contraction`: the local rate the spectrum predicts for simultaneous
  GD, :math:`|1 + h\lambda_b|` for the dominant eigenvalue :math:`\lambda_b` that binds at step
  :math:`h`, against the contraction measured by restarting the nonlinear training from the point
  and from the point displaced along that eigenvector:
  :math:`d_k = x_k(x^* + \varepsilon u) - x_k(x^*)`, rate :math:`(\|d_K\|/\|d_0\|)^{1/K}`. Comparing
  two runs removes the drift of a point that is only near a fixed point.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import scipy.linalg
import torch

from ..errors import JacobianLabError, check_int, check_positive
from ..losses import LOSSES
from .field import make_field
from .game import TorchGame

#: The range of ``rtol`` over which the default summaries must not move (issue of record: 1e-10 to 1e-4).
RTOLS = (1e-10, 1e-8, 1e-6, 1e-4)
#: The default summaries (:meth:`jacobian_lab.spectra.robust.NetworkFactors.summary`) whose stability is checked.
DEFAULT_SUMMARIES = ("condition_factor", "phase_angle", "rate")


def summaries(spectrum) -> dict:
    """Default network summaries plus the dominant and full abscissae and the paper factors.

    ``abscissa_dominant``: largest :math:`\\mathrm{Re}\\,\\lambda` over :math:`S_{0.9}`;
    ``abscissa_nonnull``: over every eigenvalue above the null threshold; ``positive_fraction``:
    the share of those with :math:`\\mathrm{Re}\\,\\lambda > \\tau`.
    """
    f = spectrum.network
    lam = spectrum.eigenvalues if spectrum.convention == "field" else -spectrum.eigenvalues
    nonnull = lam[np.abs(lam) > f.floor]
    out = dict(f.summary())
    out.update(abscissa_dominant=f.abscissa, step=None if f.rate is None else f.rate.step,
               abscissa_nonnull=float(nonnull.real.max()) if nonnull.size else math.nan,
               positive_fraction=float((nonnull.real > f.null_threshold).mean()) if nonnull.size else math.nan,
               spectral_radius=spectrum.spectral_radius, field_norm=spectrum.field_norm,
               paper_phase_factor=spectrum.paper_phase_factor,
               paper_condition_factor=spectrum.paper_condition_factor)
    return out


def rtol_spread(spectrum, rtols=RTOLS, keys=DEFAULT_SUMMARIES) -> dict:
    """``{key: (max - min) / |median|}`` of each summary over ``rtols`` (the eigenvalues are reused)."""
    rows = [replace(spectrum, rtol=r).network.summary() for r in rtols]
    spread = {}
    for key in keys:
        values = np.array([row[key] for row in rows], dtype=float)
        spread[key] = float(np.ptp(values) / abs(np.median(values))) if np.median(values) else float(np.ptp(values))
    return spread


def with_batch(game: TorchGame, real, latent, dtype=None) -> TorchGame:
    """The same players (shared modules) on another batch, or in another ``dtype``."""
    loss = game.loss_name if game.loss_name in LOSSES else game.loss
    return TorchGame(game.generator, game.discriminator, real=real, latent=latent, loss=loss,
                     dtype=game.dtype if dtype is None else dtype, device=game.device, seed=game.seed)


def with_precision(game: TorchGame, dtype=torch.float32) -> TorchGame:
    """The same players on the same batch, computed in ``dtype``."""
    return with_batch(game, game.real, game.latent, dtype=dtype)


def float32_noise_floor(s64, s32, factor: float = 10.0) -> float:
    """Relative tolerance for a float64/float32 comparison of the summaries.

    The smallest dominant eigenvalue :math:`\\lambda_m` moves by about the float32 null threshold
    :math:`\\tau_{32}` (backward error of the eigensolver and of :math:`J` itself), so ratios of
    dominant eigenvalues move by about :math:`\\tau_{32}/|\\lambda_m| = (\\tau_{32}/\\rho)\\,\\kappa_{0.9}`;
    ``factor`` allows for the conditioning of the eigenvectors.
    """
    tau = s32.network.null_threshold
    return factor * tau / s64.spectral_radius * s64.network.condition_factor


def binding_mode(jacobian, eigenvalues, step: float) -> tuple:
    """``(lambda_b, u)``: the eigenvalue of ``eigenvalues`` with the largest :math:`|1 + h\\lambda|` and a unit
    real vector in its invariant subspace (the real part of its right eigenvector, by inverse iteration)."""
    lam = np.asarray(eigenvalues, dtype=complex)
    b = lam[np.argmax(np.abs(1 + step * lam))]
    jac = np.asarray(jacobian, dtype=float)
    shift = b + 1e-9 * max(abs(b), 1.0)
    lu = scipy.linalg.lu_factor(jac - shift * np.eye(jac.shape[0]), check_finite=False)
    vec = np.random.default_rng(0).normal(size=jac.shape[0]).astype(complex)
    for _ in range(3):
        vec = scipy.linalg.lu_solve(lu, vec, check_finite=False)
        vec /= np.linalg.norm(vec)
    real = vec.real if np.linalg.norm(vec.real) >= np.linalg.norm(vec.imag) else vec.imag
    return complex(b), real / np.linalg.norm(real)


def contraction(game: TorchGame, reg, gamma, at, direction, step: float, n_steps: int,
                size: float = 1e-4) -> np.ndarray:
    """:math:`\\|d_k\\| / \\|d_0\\|`, :math:`k = 0..K`, for simultaneous GD with step ``step`` started at
    ``at`` and at ``at + size * ||at|| * direction`` (unit ``direction``) on the same field."""
    n_steps = check_int("n_steps", n_steps)
    step, size = check_positive("step", step), check_positive("size", size)
    field = make_field(game, reg, gamma)
    x = game.point(at)
    u = torch.as_tensor(np.asarray(direction, dtype=float), dtype=x.dtype, device=x.device)
    if u.numel() != x.numel():
        raise JacobianLabError(f"direction must have {x.numel()} entries, got {u.numel()}")
    y = x + size * max(float(torch.linalg.vector_norm(x)), 1.0) * u / torch.linalg.vector_norm(u)
    d0 = float(torch.linalg.vector_norm(y - x))
    ratios = [1.0]
    with torch.no_grad():
        for _ in range(n_steps):
            x, y = x + step * field(x), y + step * field(y)
            ratios.append(float(torch.linalg.vector_norm(y - x)) / d0)
    return np.array(ratios)


def measured_rate(ratios, skip: int = 0) -> float:
    """Per-step rate :math:`(\\|d_K\\|/\\|d_{s}\\|)^{1/(K - s)}` of :func:`contraction`'s ratios."""
    ratios = np.asarray(ratios, dtype=float)
    n = ratios.size - 1 - skip
    return float((ratios[-1] / ratios[skip]) ** (1.0 / n)) if n > 0 else math.nan


def predicted_rate(eigenvalue: complex, step: float) -> float:
    """:math:`|1 + h\\lambda|`."""
    return float(abs(1 + step * eigenvalue))


__all__ = ["RTOLS", "DEFAULT_SUMMARIES", "summaries", "rtol_spread", "with_batch", "with_precision",
           "float32_noise_floor", "binding_mode", "contraction", "measured_rate", "predicted_rate"]
