r"""``jl.spectrum`` for a torch game: every eigenvalue (dense) or the top ``k`` (ARPACK).

Dense: :math:`J` from :mod:`.dense`, eigenvalues by LAPACK (``scipy.linalg.eigvals``; on CUDA
``torch.linalg.eigvals``). A discrete ``scheme`` (not ``None``, not continuous-time) gives the update map's spectrum
from the dense :math:`J` (:func:`jacobian_lab.schemes.update_matrix`), with the flow spectrum as
``continuous``. Top-k (``k=``): :mod:`.operator`, ``partial=True``, ``jacobian=None``. The
eigenvalues come from ARPACK on :math:`J^\top` (vector-Jacobian products on one recorded graph);
with ``vectors=True`` from :math:`J` itself (Jacobian-vector products), and the right eigenvectors
are ``info["eigenvectors"]`` (columns in the order of ``Spectrum.eigenvalues``).

The spectrum reports the *network* factor definitions (:mod:`jacobian_lab.spectra.robust`: null
space from the dtype's precision and :math:`\|J\|_F`, mass quantiles of the magnitudes and phase
angles, the simultaneous-GD rate on the dominant eigenvalues); the paper's extremes over the
eigenvalues above ``rtol`` (:mod:`jacobian_lab.spectra.factors`) stay available as
``paper_phase_factor`` and ``paper_condition_factor``. The field's norm at the point is recorded
(``field_norm``): away from a fixed point the spectrum is the local linearisation and no stability
verdict is given; a top-k by magnitude gives neither a stability verdict nor step sizes
(:attr:`jacobian_lab.Spectrum.verdict`).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import torch

from ..analysis import resolve_scheme
from ..errors import JacobianLabError
from ..regularizers import parse_reg
from ..schemes import scheme_parameter_names, update_matrix
from ..spectra.factors import DEFAULT_RTOL
from ..spectra.spectrum import Spectrum
from .dense import check_budget, check_dense_size, jacobian_torch, timer_bar
from .field import make_field
from .operator import operator, top_eigenvalues

OPTIONS = ("k", "which", "vectors", "device", "max_bytes", "force", "tol", "maxiter", "ncv", "progress")


def _check_options(scheme, params):
    scheme_names = scheme_parameter_names()
    unknown = sorted(set(params) - scheme_names)
    if unknown:
        accepted = ", ".join(("reg", "gamma", "scheme", "at", "rtol", *OPTIONS, *sorted(scheme_names)))
        raise JacobianLabError(f"unknown keyword(s) {unknown} for a torch game's spectrum; accepted: {accepted}")


def _info(game, reg, gamma, method, x):
    regs = parse_reg(reg, gamma)
    label = " + ".join(f"{r.name}({s:g})" for r, s in regs) or "none"
    return {"model": "torch", "loss": game.loss_name, "reg": label, "method": method,
            "n_params": game.n_params, "n_theta": game.n_theta, "device": str(x.device),
            "dtype": str(game.dtype).replace("torch.", "")}


def spectrum(game, reg=None, gamma=None, scheme=None, at=None, rtol=None, k=None, which="LM",
             vectors=False, device=None, max_bytes=None, force=False, tol=0.0, maxiter=None, ncv=None,
             progress=None, **scheme_params) -> Spectrum:
    """Spectrum of a :class:`~jacobian_lab.torch_bridge.game.TorchGame`.

    Parameters
    ----------
    reg, gamma
        Regularizers by the core's names.
    scheme : str, optional
        ``None`` or continuous-time (``flow``): :math:`J`; another scheme: its update map (dense only).
    at : array_like, optional
        Flat parameters (generator first); default the modules' current ones.
    rtol : float, optional
        Tolerance rule for the factors (default :data:`~jacobian_lab.spectra.factors.DEFAULT_RTOL`).
    k : int, optional
        Matrix-free top-``k`` by ARPACK instead of the dense spectrum.
    which : {"LM", "LR", "LI"}
        Largest magnitude, real part or imaginary part (top-k only).
    vectors : bool
        Also return right eigenvectors in ``info["eigenvectors"]`` (top-k only).
    device : str, optional
        Where to compute (default the game's device).
    max_bytes : float, optional
        Dense-size limit (default :data:`jacobian_lab.torch_bridge.dense.MAX_DENSE_BYTES`).
    force : bool
        Go ahead with a dense spectrum whose estimated time is over the budget
        (:func:`jacobian_lab.torch_bridge.dense.check_budget`); by default it is refused at once.
    tol, maxiter, ncv
        ARPACK's tolerance (0: machine precision), restart limit and Krylov dimension.
    progress : bool, optional
        ``False`` hides the progress bar (rows of the dense Jacobian, or ARPACK's products; shown
        when the work takes over a second).
    **scheme_params
        ``lr``, ``lr_g``, ``lr_d``, ... for ``scheme``.
    """
    _check_options(scheme, scheme_params)
    method = resolve_scheme(scheme, game.n_theta, game.n_params, scheme_params)
    discrete = method is not None and not method.capabilities.continuous
    if discrete:
        method.check("has_update_matrix", "update-map Jacobian")
    rtol = DEFAULT_RTOL if rtol is None else rtol
    if not 0 <= rtol < 1:
        raise JacobianLabError(f"rtol must be in [0, 1), got {rtol!r}")
    game = game.to(device) if device is not None else game
    if k is not None:
        if discrete:
            raise JacobianLabError("a scheme's update-map spectrum needs the dense Jacobian; drop k, or drop scheme")
        arpack = dict(tol=tol, maxiter=maxiter, ncv=ncv, progress=progress)
        return _top_k(game, reg, gamma, at, rtol, k, which, vectors, arpack)
    if which != "LM" or vectors:
        raise JacobianLabError("'which' and 'vectors' apply to the top-k spectrum; give k (e.g. k=20)")
    flow = _dense(game, reg, gamma, at, rtol, max_bytes, progress, force)
    if not discrete:
        return flow
    matrix = update_matrix(method, flow.jacobian)
    info = {**flow.info, "scheme": method.name, "scheme_parameters": dict(method.values)}
    return Spectrum(scipy.linalg.eigvals(matrix), matrix, "discrete", continuous=flow, rtol=rtol,
                    point=flow.point, info=info, factors="network", field_norm=flow.field_norm, eps=flow.eps)


def eigenvalues(matrix: torch.Tensor) -> np.ndarray:
    """Every eigenvalue of a dense tensor (LAPACK on the CPU, ``torch.linalg.eigvals`` on CUDA)."""
    if matrix.device.type == "cuda":
        return torch.linalg.eigvals(matrix).cpu().numpy()
    return scipy.linalg.eigvals(matrix.numpy(), check_finite=False)


def _network(game, field, x) -> dict:
    """The :class:`Spectrum` fields of a network spectrum: its definitions, precision and :math:`\\|v(x)\\|`."""
    with torch.no_grad():
        norm = float(torch.linalg.vector_norm(field(x).detach().to(torch.float64)))
    return {"factors": "network", "eps": float(torch.finfo(game.dtype).eps), "field_norm": norm}


def check_finite_field(game, reg, gamma, x) -> torch.Tensor:
    """The field at ``x``; refuse, with this one gradient evaluation, a point where it is not finite
    (before any Jacobian work)."""
    value = make_field(game, reg, gamma)(x)
    if not bool(torch.isfinite(value).all()):
        raise JacobianLabError("the field is not finite at this point (check the networks' outputs and the "
                               "strengths, e.g. a huge instance-noise std; a norm penalty such as wgan-gp has no "
                               "derivative where its gradient is exactly zero, e.g. at a constant discriminator)")
    return value


def _dense(game, reg, gamma, at, rtol, max_bytes, progress, force=False) -> Spectrum:
    x = game.point(at)
    itemsize = torch.finfo(game.dtype).bits // 8
    check_dense_size(game.n_params, itemsize, max_bytes)
    estimate = check_budget(game.n_params, itemsize, force=force)
    check_finite_field(game, reg, gamma, x)
    jac = jacobian_torch(game, reg, gamma, at, max_bytes=max_bytes, progress=progress)
    if not bool(torch.isfinite(jac).all()):
        raise JacobianLabError("the Jacobian is not finite at this point (check the networks' outputs)")
    info = _info(game, reg, gamma, "dense", x)
    with timer_bar("eigenvalues (LAPACK)", estimate, progress):
        values = eigenvalues(jac)
    return Spectrum(values, jac.cpu().numpy(), "continuous", rtol=rtol, point=x.cpu().numpy(), info=info,
                    **_network(game, make_field(game, reg, gamma), x))


def _top_k(game, reg, gamma, at, rtol, k, which, vectors, arpack) -> Spectrum:
    check_finite_field(game, reg, gamma, game.point(at))
    op = operator(game, reg, gamma, at)
    # Eigenvalues only: ARPACK on J^T (the same eigenvalues), whose products reuse one recorded graph
    # (about twice as fast as J t); right eigenvectors need J itself.
    target = op if vectors else op.H  # J is real: its adjoint is J^T
    values, vecs, converged = top_eigenvalues(target, k, which, vectors=vectors, seed=game.seed, **arpack)
    info = {**_info(game, reg, gamma, "arpack", op.x), "k": int(k), "which": which,
            "n_converged": int(values.size), "converged": converged, "n_matvec": op.n_matvec}
    if vectors:
        order = np.lexsort((-values.imag, -values.real))
        info["eigenvectors"] = vecs[:, order]
    return Spectrum(values, None, "continuous", partial=True, rtol=rtol, point=op.x.cpu().numpy(), info=info,
                    which=which, **_network(game, op.field, op.x))
