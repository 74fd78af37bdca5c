r"""Checks of the spectral theory on real networks: are the summaries well-posed, and do they predict?

* :func:`summaries`: the default network summaries of a spectrum
  (:mod:`jacobian_lab.spectra.robust`) and the extras the validation study reports.
* :func:`rtol_spread`: how much each summary moves when the user's ``rtol`` moves (it should not).
* :func:`with_precision` and :func:`with_batch`: the same players in another dtype, or on another
  data batch (the float32 noise floor; error bars over batches).
* :func:`over_batches`: the default summaries of the same players on independent data batches, with
  a bootstrap error bar each (:class:`BatchSpread`): the spread any number measured on a real network
  should be reported with.
* :func:`binding_mode` and :func:`contraction`: the local rate the spectrum predicts for simultaneous
  GD, :math:`|1 + h\lambda_b|` for the dominant eigenvalue :math:`\lambda_b` that binds at step
  :math:`h`, against the contraction measured by restarting the nonlinear training from the point
  and from the point displaced along that eigenvector:
  :math:`d_k = x_k(x^* + \varepsilon u) - x_k(x^*)`, rate :math:`(\|d_K\|/\|d_0\|)^{1/K}`. Comparing
  two runs removes the drift of a point that is only near a fixed point.
* :func:`dominant_modes`, :func:`fast_residual` and :func:`dominant_direction`: how far a point is from
  rest in the dominant (fast) modes. Near a trained equilibrium of a real network the field rarely
  vanishes: what is left lies mostly along the many small eigenvalues (slow drift), while the
  dominant modes, the ones the summaries describe, have relaxed. :func:`fast_residual` measures
  both, from the spectral projector onto the dominant invariant subspace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg
import torch

from ..errors import JacobianLabError, check_int, check_positive
from ..losses import LOSSES
from ..spectra.factors import DEFAULT_RTOL
from ..spectra.uncertainty import error_bar
from .dense import _duration, dense_cost
from .field import make_field
from .game import TorchGame
from .samples import as_tensor, latent_samples, real_samples

#: The range of ``rtol`` over which the default summaries must not move (issue of record: 1e-10 to 1e-4).
RTOLS = (1e-10, 1e-8, 1e-6, 1e-4)
#: The default summaries (:meth:`jacobian_lab.spectra.robust.NetworkFactors.summary`) whose stability is checked.
DEFAULT_SUMMARIES = ("condition_factor", "phase_angle", "rate")
#: Every summary :func:`over_batches` can spread (:meth:`~jacobian_lab.spectra.robust.NetworkFactors.summary`).
SUMMARY_KEYS = ("condition_factor", "phase_factor", "phase_angle", "rate", "n_dominant", "n_null", "rotational_share")
#: Most batches :func:`over_batches` takes (each is a dense spectrum).
MAX_BATCHES = 1000
#: Estimated seconds of :func:`over_batches` beyond which it is refused unless ``force=True``.
BATCHES_BUDGET_S = 600.0


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
                     dtype=game.dtype if dtype is None else dtype, device=game.device, seed=game.seed,
                     batches=game.batches, mode=game.mode)


@dataclass(frozen=True)
class BatchSpread:
    """Summaries of the same players on independent data batches (:func:`over_batches`).

    ``values[key]``: one value per batch (``None`` where undefined); ``error_bars[key]``: mean and
    percentile-bootstrap interval of the mean at ``confidence``; ``reference[key]``: the value on
    the game's own batch.
    """

    values: dict
    error_bars: dict
    reference: dict
    confidence: float

    @property
    def n_batches(self) -> int:
        return len(next(iter(self.values.values()), ()))

    def to_dict(self) -> dict:
        """Plain values (JSON-ready; ``None`` where undefined)."""
        def number(x):
            return None if x is None or not math.isfinite(float(x)) else float(x)

        return {"confidence": self.confidence, "n_batches": self.n_batches,
                "summaries": {key: {"reference": number(self.reference.get(key)),
                                    "values": [number(v) for v in self.values[key]],
                                    "mean": number(bar.mean), "low": number(bar.low), "high": number(bar.high),
                                    "n": bar.n} for key, bar in self.error_bars.items()}}

    def __str__(self) -> str:
        width = max(len(k) for k in self.error_bars)
        lines = [f"over {self.n_batches} fresh data batches: mean [{self.confidence:.0%} bootstrap interval] (n); "
                 "value on the game's own batch"]
        for key, bar in self.error_bars.items():
            ref = self.reference.get(key)
            lines.append(f"  {key:<{width}}  {bar.mean:.4g} [{bar.low:.4g}, {bar.high:.4g}] (n={bar.n}); "
                         f"{'none' if ref is None else f'{ref:.4g}'}")
        return "\n".join(lines)


def over_batches(game: TorchGame, real=None, n_batches: int = 5, latent=None, reg=None, gamma=None,
                 keys=DEFAULT_SUMMARIES, seed: int = 1, confidence: float = 0.9, force: bool = False,
                 progress=None, reference=None, rtol=None) -> BatchSpread:
    """The default summaries of ``game``'s players on ``n_batches`` independent data batches.

    A point trained on one batch is stationary for that batch only; on a fresh batch of the same
    data the spectrum moves, and by more than any cutoff or precision effect. Report a summary with
    this spread (:func:`jacobian_lab.spectra.uncertainty.error_bar`).

    Parameters
    ----------
    game : TorchGame
        The players, the loss and the batch size (every batch has as many samples as ``game.real``).
    real : tensor, array, Dataset, DataLoader or callable, optional
        Where the fresh real samples come from (the kinds :class:`TorchGame` takes). A tensor or an
        array is split into ``n_batches`` disjoint batches after a seeded shuffle, so it needs at
        least ``n_batches`` times the game's batch. Default: the game's own source
        (:attr:`TorchGame.real_source`, the Dataset, DataLoader or sampler it was built from).
    n_batches : int
        Number of batches, at most :data:`MAX_BATCHES`; each costs one dense spectrum.
    latent : callable, optional
        A latent sampler ``f(n)`` (called under torch's random generator seeded per batch); default
        a fresh standard normal draw of the game's latent shape per batch.
    reg, gamma
        The regularizer and its strength, as for :func:`jacobian_lab.spectrum`.
    keys : sequence of str
        Summaries to spread, from :data:`SUMMARY_KEYS`.
    seed : int
        Seed of batch ``i`` is ``seed + i``.
    confidence : float
        Level of the bootstrap interval, in (0, 1).
    force : bool
        Go ahead when the estimated time is over :data:`BATCHES_BUDGET_S`.
    reference : Spectrum, optional
        The dense spectrum of ``game`` with ``reg`` and ``gamma`` on its own batch, when already
        computed (it is not computed again).
    rtol : float, optional
        As for :func:`jacobian_lab.spectrum` (the default summaries hardly depend on it).

    Returns
    -------
    BatchSpread
    """
    import jacobian_lab as jl  # the top-level spectrum dispatches a TorchGame

    n_batches = check_batches(n_batches, game.n_params, force)
    seed = check_int("seed", seed, minimum=0)
    keys = tuple(keys)
    unknown = [k for k in keys if k not in SUMMARY_KEYS]
    if not keys or unknown:
        got = ", ".join(map(str, unknown)) or "none"
        raise JacobianLabError(f"keys must be among {', '.join(SUMMARY_KEYS)}; got {got}")
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise JacobianLabError(f"confidence must be a number in (0, 1), got {confidence!r}")
    if real is None:
        real = game.real_source
        if real is None:
            raise JacobianLabError("this game's real samples are a fixed tensor, so there is no source of fresh "
                                   "batches: give real= (a larger pool, a Dataset, a DataLoader or a sampler)")
    batches = _fresh_batches(game, real, latent, n_batches, seed)
    rtol = DEFAULT_RTOL if rtol is None else rtol
    if reference is None:
        reference = jl.spectrum(game, reg=reg, gamma=gamma, rtol=rtol, progress=False)
    reference = reference.network.summary()
    values = {key: [] for key in keys}
    from tqdm.auto import tqdm

    for real_i, latent_i in tqdm(batches, desc="data batches", unit="batch", disable=progress is False,
                                 delay=0 if progress else 2.0):
        other = with_batch(game, real_i, latent_i)
        summary = jl.spectrum(other, reg=reg, gamma=gamma, rtol=rtol, progress=False).network.summary()
        for key in keys:
            values[key].append(summary[key])
    bars = {key: error_bar([v for v in vals if v is not None], confidence=confidence)
            for key, vals in values.items()}
    return BatchSpread(values={k: tuple(v) for k, v in values.items()}, error_bars=bars,
                       reference={k: reference[k] for k in keys}, confidence=float(confidence))


def check_batches(n_batches, n_params: int, force: bool = False) -> int:
    """``n_batches`` as an int in ``1..MAX_BATCHES``, refused when its dense spectra of ``n_params``
    parameters are estimated over :data:`BATCHES_BUDGET_S` seconds (unless ``force``)."""
    n_batches = check_int("n_batches", n_batches)
    if n_batches > MAX_BATCHES:
        raise JacobianLabError(f"n_batches must be at most {MAX_BATCHES} (each is a dense spectrum), got {n_batches}")
    seconds = n_batches * dense_cost(n_params)[0]
    if seconds > BATCHES_BUDGET_S and not force:
        raise JacobianLabError(f"{n_batches} dense spectra of {n_params} parameters would take about "
                               f"{_duration(seconds)} on this machine (budget {_duration(BATCHES_BUDGET_S)}); "
                               "use fewer batches or force=True (--force)")
    return n_batches


def _fresh_batches(game, real, latent, n_batches, seed) -> list:
    """``[(real_i, latent_i)]``: ``n_batches`` fresh batches of the game's size."""
    from torch.utils.data import DataLoader

    total = game.real.shape[0]
    per_batch = total // game.batches
    if isinstance(real, torch.Tensor | np.ndarray):
        pool = as_tensor("real", real)
        if pool.shape[0] < n_batches * total:
            raise JacobianLabError(f"real has {pool.shape[0]} samples, fewer than {n_batches} batches x {total}; "
                                   "give more samples, a Dataset or a sampler, or fewer batches")
        order = torch.as_tensor(np.random.default_rng(seed).permutation(pool.shape[0])[:n_batches * total])
        reals = list(torch.split(pool[order], total))
    else:
        size = None if isinstance(real, DataLoader) else per_batch
        reals = [real_samples(real, size, game.batches, seed + i) for i in range(n_batches)]
    out = []
    for i, real_i in enumerate(reals):
        if latent is None:
            gen = torch.Generator().manual_seed(seed + i + 10_000)
            latent_i = torch.randn(game.latent.shape, generator=gen, dtype=torch.float64)
        elif callable(latent) and not isinstance(latent, torch.Tensor | np.ndarray):
            latent_i = latent_samples(latent, per_batch, game.batches, seed + i, game.generator)
        else:
            raise JacobianLabError("latent must be None (fresh standard normal draws) or a sampler callable")
        out.append((real_i, latent_i))
    return out


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


def dominant_modes(jacobian, m: int) -> tuple:
    """``(lam, V, W)``: the ``m`` eigenvalues of largest modulus with their right (``V``) and left
    (``W``) eigenvectors, columns, scaled so that :math:`w_i^H v_i = 1`.

    When the ``m``-th eigenvalue is complex and its conjugate comes next, both are kept (``m + 1``
    columns): the span of ``V`` is then a real invariant subspace.
    """
    jac = np.asarray(jacobian, dtype=float)
    m = check_int("m", m)
    if m > jac.shape[0]:
        raise JacobianLabError(f"m must be at most the size of the Jacobian ({jac.shape[0]}), got {m}")
    lam, left, right = scipy.linalg.eig(jac, left=True, right=True, check_finite=False)
    order = np.argsort(-np.abs(lam), kind="stable")
    if m < lam.size and lam[order[m - 1]].imag != 0 and _conjugates(lam[order[m - 1]], lam[order[m]]):
        m += 1
    order = order[:m]
    lam, left, right = lam[order], left[:, order], right[:, order]
    left = left / np.conj(np.einsum("ij,ij->j", left.conj(), right))
    return lam, right, left


def _conjugates(a: complex, b: complex) -> bool:
    return abs(a - np.conj(b)) <= 1e-10 * max(abs(a), 1e-300)


def fast_residual(jacobian, field, m: int) -> dict:
    r"""How far the dominant (fast) modes are from rest, by the spectral projector on them.

    With right and left eigenvectors :math:`v_i, w_i` (:math:`w_i^H v_i = 1`) of the ``m`` dominant
    eigenvalues :math:`\lambda_i` (the set :math:`S`) and the field :math:`v` at the point,

    .. math:: P_S v = \sum_{i\in S} (w_i^H v)\, v_i, \qquad
              \delta_S = \Big\| \sum_{i\in S} \frac{w_i^H v}{\lambda_i}\, v_i \Big\| ,

    ``fast_share`` :math:`= \|P_S v\| / \|v\|` is the share of the field in the fast modes (the
    projector is oblique for a non-normal :math:`J`, so the share can exceed 1) and
    ``fast_distance`` :math:`\delta_S` is the Newton step restricted to them: for a linear field
    :math:`v = J(x - x^*)` it is exactly :math:`\|P_S(x - x^*)\|`, the distance to rest in those
    modes. ``field_norm`` is :math:`\|v\|`. A point with small ``fast_distance`` is at rest in the
    modes the network summaries describe, whatever slow drift is left along the rest of the spectrum.
    """
    v = np.asarray(field, dtype=float).ravel()
    lam, right, left = dominant_modes(jacobian, m)
    if v.size != right.shape[0]:
        raise JacobianLabError(f"field must have {right.shape[0]} entries, got {v.size}")
    coef = left.conj().T @ v
    norm = float(np.linalg.norm(v))
    fast = (right @ coef).real
    newton = (right @ (coef / lam)).real
    return {"field_norm": norm, "fast_share": float(np.linalg.norm(fast)) / norm if norm else 0.0,
            "fast_distance": float(np.linalg.norm(newton))}


def dominant_direction(right_vectors, seed: int = 0) -> np.ndarray:
    r"""A random unit real vector in the span of ``right_vectors`` (columns; a real invariant subspace
    when conjugate pairs are both included): :math:`\mathrm{Re}(V c)` with complex normal :math:`c`."""
    vecs = np.asarray(right_vectors)
    rng = np.random.default_rng(seed)
    coef = rng.standard_normal(vecs.shape[1]) + 1j * rng.standard_normal(vecs.shape[1])
    u = (vecs @ coef).real
    return u / np.linalg.norm(u)


__all__ = ["RTOLS", "DEFAULT_SUMMARIES", "SUMMARY_KEYS", "summaries", "rtol_spread", "with_batch", "with_precision",
           "BatchSpread", "over_batches", "check_batches",
           "float32_noise_floor", "binding_mode", "contraction", "measured_rate", "predicted_rate",
           "dominant_modes", "fast_residual", "dominant_direction"]
