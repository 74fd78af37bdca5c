r"""The dense Jacobian :math:`J = \partial v/\partial x` of a torch game, all at once.

:math:`J` is computed row by row as reverse-over-reverse products: one :func:`torch.func.vjp` of the
field (itself a :func:`torch.func.grad`) records the graph once, and its pullback is vectorised with
``vmap`` over the unit cotangents :math:`e_i` in chunks of :data:`CHUNK` rows, giving
:math:`e_i^\top J` (no Python loop over rows; chunks bound the memory). In eager torch this is about
1.5 times faster than forward-over-reverse columns (``jvp`` of the gradient), measured on the MLP
GANs of ``make bench``.

The rows are taken per player, :math:`[J_{\theta\theta}\ J_{\theta\psi}]` from :math:`v_\theta` and
:math:`[J_{\psi\theta}\ J_{\psi\psi}]` from :math:`v_\psi`. When the mixed partials of one scalar
give both off-diagonal blocks (a zero-sum loss, :attr:`.field.PlayerFields.symmetric`),

.. math:: J_{\psi\theta} = \partial_\theta \nabla_\psi L = (\partial_\psi \nabla_\theta L)^\top
          = -J_{\theta\psi}^\top ,

so the discriminator's rows are needed only for :math:`J_{\psi\psi} = \partial_\psi \nabla_\psi L`,
with the generator a constant: no pass through the generator's backward for those rows. Float64
by default; on the game's device.
"""

from __future__ import annotations

import json
import os
import platform
import threading
import time
from contextlib import contextmanager

import numpy as np
import torch
from torch.func import vjp, vmap
from tqdm.auto import tqdm

from ..errors import JacobianLabError
from ..regularizers import FieldTransform, parse_reg
from .field import make_field, player_fields, warn_third_derivatives

#: Largest dense Jacobian built (bytes of the ``n x n`` matrix); raise it on big machines.
MAX_DENSE_BYTES = 2 * 1024**3
#: Rows per vectorised batch of vector-Jacobian products.
CHUNK = 64
#: Estimated seconds of a dense spectrum beyond which it is refused unless ``force=True``.
BUDGET_S = 60.0
#: Flops of a dense non-symmetric eigen-decomposition (Hessenberg reduction and QR iterations;
#: Golub & Van Loan, Matrix Computations, 4th ed., section 7.5.6): about 10 n^3.
EIG_FLOPS = 10.0
#: Measured LAPACK eigenvalue time over the 10 n^3 / DGEMM-rate bound (1.3-2.0 on 2 cores, n = 2.4k-8.9k).
EIG_OVERHEAD = 2.0
#: Peak memory of a dense spectrum over the n x n matrix (J, its copy for LAPACK, workspace).
PEAK_MEMORY = 3.0
_RATE = {}


def machine_rate(refresh: bool = False) -> float:
    """Float64 matrix-multiply rate of this machine in flop/s, measured once and cached.

    A 1024 x 1024 ``numpy`` product (best of 3), kept in memory and in ``machine_rate.json`` under
    the user cache directory (``platformdirs.user_cache_dir("jacobian_lab")``), keyed by host name,
    CPU count and numpy version. ``refresh=True`` measures again.
    """
    key = f"{platform.node()}/{os.cpu_count()}/numpy-{np.__version__}"
    if not refresh and key in _RATE:
        return _RATE[key]
    path = _rate_file()
    if not refresh:
        rate = _read_rate(path, key)
        if rate:
            _RATE[key] = rate
            return rate
    a = np.random.default_rng(0).standard_normal((1024, 1024))
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - start)
    _RATE[key] = rate = 2 * 1024**3 / best
    _write_rate(path, key, rate)
    return rate


def _rate_file():
    try:
        import platformdirs

        return os.path.join(platformdirs.user_cache_dir("jacobian_lab"), "machine_rate.json")
    except ImportError:
        return None


def _read_rate(path, key):
    try:
        with open(path) as handle:
            rate = float(json.load(handle)[key])
        return rate if np.isfinite(rate) and rate > 0 else None
    except (OSError, TypeError, ValueError, KeyError):
        return None


def _write_rate(path, key, rate):
    """Best effort (a read-only cache only costs a new measurement next time); atomic."""
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        try:
            with open(path) as handle:
                data = dict(json.load(handle))
        except (OSError, ValueError, TypeError):
            data = {}
        data[key] = rate
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except OSError:
        pass


def dense_cost(n: int, itemsize: int = 8, rate: float | None = None) -> tuple[float, float]:
    r"""``(seconds, bytes)``: estimated time of the eigen-decomposition and peak memory of a dense spectrum.

    .. math:: t \approx c\,\frac{10\,n^3}{r}, \qquad m \approx 3\,n^2 \cdot \text{itemsize}

    with :math:`r` the measured matrix-multiply rate (:func:`machine_rate`) and :math:`c` =
    :data:`EIG_OVERHEAD` (LAPACK's ``geev`` runs below the DGEMM rate). The rows of :math:`J` add
    a few percent at these sizes (reverse-mode products, vectorised).
    """
    rate = machine_rate() if rate is None else rate
    return EIG_OVERHEAD * EIG_FLOPS * float(n) ** 3 / rate, PEAK_MEMORY * float(n) ** 2 * itemsize


def check_budget(n: int, itemsize: int = 8, budget_s: float | None = None, force: bool = False) -> float:
    """Refuse a dense spectrum whose estimated time is over ``budget_s`` (default :data:`BUDGET_S`).

    Returns the estimated seconds. The refusal is one line with the estimate and the matrix-free
    alternatives; ``force=True`` skips it (the memory limit of :func:`check_dense_size` still holds).
    """
    seconds, memory = dense_cost(n, itemsize)
    budget = BUDGET_S if budget_s is None else budget_s
    if seconds > budget and not force:
        raise JacobianLabError(
            f"a dense spectrum of {n} parameters would take about {_duration(seconds)} and "
            f"{memory / 1024**3:.1f} GiB on this machine (budget {_duration(budget)}); ask for the top "
            "eigenvalues instead (k=20, which='LR' for the rightmost, 'LI' for the most rotational; "
            "CLI --k 20 --which LR) or go ahead with force=True (--force)")
    return seconds


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@contextmanager
def timer_bar(desc: str, estimate: float, progress=None):
    """A tqdm bar in seconds (elapsed out of ``estimate``) advanced by a timer thread during the block.

    For work without a callback (LAPACK): shown after a second unless ``progress`` is ``False``.
    """
    stop = threading.Event()
    total = max(estimate, 1.0)
    bar = tqdm(total=total, desc=desc, unit="s", delay=1.0, leave=False, disable=progress is False,
               bar_format="{desc}: {elapsed} elapsed |{bar}| estimate " + _duration(estimate))
    start = time.perf_counter()

    def tick():
        while not stop.wait(0.5):
            bar.update(min(time.perf_counter() - start, 0.99 * total) - bar.n)  # the bar stays below its end

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield bar
    finally:
        stop.set()
        thread.join()
        bar.close()


def check_dense_size(n: int, itemsize: int = 8, max_bytes: float | None = None) -> None:
    """Refuse an ``n x n`` matrix beyond :data:`MAX_DENSE_BYTES`, suggesting the matrix-free path."""
    limit = MAX_DENSE_BYTES if max_bytes is None else max_bytes
    size = n * n * itemsize
    if size > limit:
        raise JacobianLabError(
            f"the dense Jacobian of {n} parameters needs {size / 1024**3:.1f} GiB (limit "
            f"{limit / 1024**3:.1f} GiB); ask for the top eigenvalues instead, e.g. k=20 (--k 20)"
        )


def rows(fn, primals: tuple, chunk: int = CHUNK, bar=None) -> torch.Tensor:
    r"""The Jacobian of ``fn(*primals)`` (a vector) with respect to all ``primals``, by rows.

    Row :math:`i` is :math:`e_i^\top \partial f/\partial(p_1, \dots, p_m)`, one vectorised pullback
    per chunk of unit cotangents; the columns follow the order of ``primals``. ``bar`` (a tqdm bar)
    advances by the rows done.

    Returns
    -------
    tensor, shape (len(fn(...)), sum of the primals' sizes)
    """
    out, pullback = vjp(fn, *primals)
    eye = torch.eye(out.numel(), dtype=out.dtype, device=out.device)
    blocks = []
    for start in range(0, out.numel(), chunk):
        blocks.append(torch.cat(vmap(pullback)(eye[start:start + chunk]), dim=1))
        if bar is not None:
            bar.update(blocks[-1].shape[0])
    return torch.cat(blocks)


def row_bar(n: int, progress=None):
    """A tqdm bar over ``n`` rows, shown after a second unless ``progress`` is ``False``."""
    return tqdm(total=n, desc="dense Jacobian", unit="row", delay=1.0, leave=False, disable=progress is False)


def jacobian_tensor(field, x: torch.Tensor, chunk: int = CHUNK, progress=None) -> torch.Tensor:
    r""":math:`J_{ij} = \partial v_i/\partial x_j` of a field of the flat vector ``x``."""
    with row_bar(x.numel(), progress) as bar:
        return rows(field, (x,), chunk, bar)


def player_jacobian_tensor(fields, theta: torch.Tensor, psi: torch.Tensor, chunk: int = CHUNK,
                           progress=None) -> torch.Tensor:
    """:math:`J` from :class:`~.field.PlayerFields`: each player's rows, the symmetric shortcut when it holds."""
    with row_bar(theta.numel() + psi.numel(), progress) as bar:
        top = rows(fields.theta, (theta, psi), chunk, bar)
        if fields.symmetric:
            j_psi_psi = rows(lambda p: fields.psi(theta, p), (psi,), chunk, bar)
            bottom = torch.cat([-top[:, theta.numel():].T, j_psi_psi], dim=1)
        else:
            bottom = rows(fields.psi, (theta, psi), chunk, bar)
    return torch.cat([top, bottom])


def jacobian(game, reg=None, gamma=None, at=None, device=None, max_bytes=None, progress=None,
             **params) -> np.ndarray:
    """Dense :math:`J` of the regularized field at ``at`` (default: the modules' parameters).

    Parameters
    ----------
    game : TorchGame
    reg, gamma
        Regularizers, as :func:`jacobian_lab.regularizers.parse_reg`.
    at : array_like, optional
        Flat parameter vector, generator first.
    device : str, optional
        Where to compute (default the game's device).
    max_bytes : float, optional
        Override :data:`MAX_DENSE_BYTES`.
    progress : bool, optional
        ``False`` hides the progress bar over rows (shown when the work takes over a second).

    Returns
    -------
    ndarray, shape (d, d)
    """
    if params:
        raise JacobianLabError(f"unknown keyword(s) {sorted(params)} for a torch game's jacobian; "
                               "accepted: reg, gamma, at, device, max_bytes, progress")
    return jacobian_torch(game, reg, gamma, at, device, max_bytes, progress).cpu().numpy()


def jacobian_torch(game, reg=None, gamma=None, at=None, device=None, max_bytes=None, progress=None) -> torch.Tensor:
    """As :func:`jacobian`, as a tensor on the computing device."""
    game = game.to(device) if device is not None else game
    check_dense_size(game.n_params, torch.finfo(game.dtype).bits // 8, max_bytes)
    x = game.point(at)
    warn_third_derivatives(game, reg, gamma)
    if any(isinstance(r, FieldTransform) for r, _ in parse_reg(reg, gamma)):
        return jacobian_tensor(make_field(game, reg, gamma), x, progress=progress).detach()
    return player_jacobian_tensor(player_fields(game, reg, gamma), *game.split(x), progress=progress).detach()


def block_norms(game, reg=None, gamma=None, at=None) -> dict:
    """Frobenius norms of the four blocks of :math:`J`.

    .. math:: J = \\begin{pmatrix} J_{\\theta\\theta} & J_{\\theta\\psi} \\\\
              J_{\\psi\\theta} & J_{\\psi\\psi} \\end{pmatrix}

    Returns ``{"theta_theta", "theta_psi", "psi_theta", "psi_psi"}``; the off-diagonal blocks carry
    the interaction, the diagonal ones each player's own curvature (Nie & Patel 2019, section 3).
    """
    jac = jacobian(game, reg, gamma, at)
    n = game.n_theta
    blocks = {"theta_theta": jac[:n, :n], "theta_psi": jac[:n, n:], "psi_theta": jac[n:, :n], "psi_psi": jac[n:, n:]}
    return {name: float(np.linalg.norm(block)) for name, block in blocks.items()}
