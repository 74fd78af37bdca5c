r"""Matrix-free :math:`J`: a scipy ``LinearOperator`` and ARPACK eigenvalues.

``rmatvec`` is the vector-Jacobian product :math:`J^\top u`: one pullback :math:`u \mapsto J^\top u`
of the field recorded once at ``x`` (:func:`torch.func.vjp`). ``matvec``, :math:`Jt`, is the
"double-vjp" trick on that same graph: the pullback is linear in :math:`u`, and the pullback of
*it* maps :math:`t \mapsto (\partial_u\, J^\top u)^\top t = Jt`. This costs about one reverse
product (a forward-over-reverse :func:`torch.func.jvp` re-traces the field and was 15-25x slower on
a 2.4k-parameter MLP GAN, ``benchmarks/bench_torch.py``). The operator *is* :math:`J`: its ARPACK
eigenvectors are right eigenvectors of :math:`J`. (Berard et al. 2020 use only :math:`J^\top`:
same eigenvalues, left eigenvectors.)

ARPACK (implicitly restarted Arnoldi, :func:`scipy.sparse.linalg.eigs`) finds ``k`` eigenvalues of a
non-symmetric operator: largest magnitude (``LM``), largest real part (``LR``) or largest imaginary
part (``LI``), always in real arithmetic. Chosen by measurement (``make bench``): ``LR`` runs with a
larger Krylov space (:data:`LR_NCV`), which at 1e5 parameters halves its products while shifts
:math:`J + \rho I` and polynomial filters of :math:`J` did not help (a shift leaves the Krylov space
unchanged); ``LI`` runs on the real operator, at the cost of an ``LM`` run, where complex arithmetic
cost 28-31x. Symmetric methods (power iteration, Lanczos) are wrong for a game Jacobian. Each
player's loss Hessian, :math:`\nabla^2_\theta \tilde l_G = -J_{\theta\theta}` and
:math:`\nabla^2_\psi \tilde l_D = -J_{\psi\psi}`, is symmetric: :func:`scipy.sparse.linalg.eigsh`.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigs, eigsh
from torch.func import vjp, vmap
from tqdm.auto import tqdm

from ..errors import JacobianLabError, NotApplicableError, unknown_name
from ..regularizers import FieldTransform, parse_reg
from .field import make_field, warn_third_derivatives
from .threads import one_blas_thread

#: ``which`` for :func:`top_eigenvalues` (scipy's names): magnitude, real part, imaginary part.
WHICH = {"LM": "largest magnitude", "LR": "largest real part",
         "LI": "largest |imaginary part| (both members of each conjugate pair)"}
#: ``which`` for :func:`hessian_eigenvalues`: magnitude, largest and smallest algebraic.
WHICH_SYMMETRIC = {"LM": "largest magnitude", "LA": "largest", "SA": "smallest"}
#: Krylov dimension of ``LR`` when not given: ``max(2k + 1, LR_NCV)`` (capped at n - 1).
LR_NCV = 60


class JacobianOperator(LinearOperator):
    """:math:`J` of a torch game at a fixed point ``x`` as a float64 scipy operator.

    Attributes
    ----------
    field : callable
        The torch field ``v(x)``.
    x : torch.Tensor
        The point.
    n_matvec : int
        How many products (``J t`` or ``J^T u``) were applied, for reports.
    """

    def __init__(self, field, x: torch.Tensor):
        super().__init__(dtype=np.float64, shape=(x.numel(), x.numel()))
        self.field, self.x, self.n_matvec = field, x, 0
        self._pullback = self._forward = None

    def pullback(self, u: torch.Tensor) -> torch.Tensor:
        """:math:`J^\top u` (torch in, torch out), on the graph recorded at the first call."""
        if self._pullback is None:
            _, pullback = vjp(self.field, self.x)
            self._pullback = lambda w: pullback(w)[0]
        return self._pullback(u)

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        r""":math:`Jt` (torch in, torch out): the pullback of the linear map :math:`u \mapsto J^\top u`."""
        if self._forward is None:
            _, forward = vjp(self.pullback, torch.zeros_like(self.x))
            self._forward = lambda w: forward(w)[0]
        return self._forward(t)

    def _tensor(self, array):
        return torch.as_tensor(np.ascontiguousarray(array, dtype=np.float64)).to(self.x.dtype).to(self.x.device)

    def _numpy(self, tensor):
        return tensor.detach().to("cpu", torch.float64).numpy()

    def _matvec(self, t):
        self.n_matvec += 1
        return self._numpy(self.forward(self._tensor(t).reshape(-1)))

    def _matmat(self, t):
        self.n_matvec += t.shape[1]
        self.forward(torch.zeros_like(self.x))  # record outside vmap
        return self._numpy(vmap(self.forward)(self._tensor(np.asarray(t).T))).T

    def _rmatvec(self, u):
        self.n_matvec += 1
        return self._numpy(self.pullback(self._tensor(u).reshape(-1)))

    def _rmatmat(self, u):
        self.n_matvec += u.shape[1]
        self.pullback(torch.zeros_like(self.x))
        return self._numpy(vmap(self.pullback)(self._tensor(np.asarray(u).T))).T

    def _adjoint(self):
        return _Adjoint(self)


class _Adjoint(LinearOperator):
    def __init__(self, op):
        super().__init__(dtype=op.dtype, shape=op.shape)
        self.op = op

    def _matvec(self, u):
        return self.op._rmatvec(u)

    def _rmatvec(self, t):
        return self.op._matvec(t)

    def _matmat(self, u):
        return self.op._rmatmat(u)


def operator(game, reg=None, gamma=None, at=None) -> JacobianOperator:
    """:math:`J` of the regularized field at ``at`` (default: the modules' parameters), matrix-free."""
    warn_third_derivatives(game, reg, gamma)
    return JacobianOperator(make_field(game, reg, gamma), game.point(at))


def _check_k(k, n, what):
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n - 2:
        raise JacobianLabError(f"k must be an integer from 1 to {n - 2} for {what} of size {n} "
                               f"(ARPACK needs k < n - 1), got {k!r}")
    return int(k)


def _check_which(which, accepted):
    if which not in accepted:
        raise unknown_name("'which'", which, accepted)
    return which


def top_eigenvalues(op: LinearOperator, k: int = 20, which: str = "LM", tol: float = 0.0,
                    maxiter: int | None = None, vectors: bool = False, ncv: int | None = None, seed: int = 0,
                    progress=None):
    r"""``k`` eigenvalues of a non-symmetric operator by ARPACK, with a warning if some did not converge.

    Parameters
    ----------
    op : LinearOperator
    k : int
        Number of eigenvalues, ``1 <= k <= n - 2``.
    which : {"LM", "LR", "LI"}
    tol, maxiter, ncv
        ARPACK's tolerance (0: machine precision), restart limit and Krylov dimension (scipy's
        defaults, except ``LR``: ``max(2k + 1, LR_NCV)``).
    vectors : bool
        Also compute right eigenvectors.
    seed : int
        Seed of the (reproducible) starting vector.
    progress : bool, optional
        ``False`` hides the bar counting operator products (shown when ARPACK runs over a second).

    Returns
    -------
    values : ndarray of complex, shape (m,)
        ``m = k`` normally; ``m < k`` when ARPACK did not converge (the converged ones, with a
        :class:`RuntimeWarning`).
    vectors : ndarray of complex, shape (n, m) or None
        Right eigenvectors (columns) when asked for.
    converged : bool

    Notes
    -----
    For ``LI`` ARPACK ranks by :math:`|\mathrm{Im}\,\lambda|` and returns both members of each
    conjugate pair. A GAN's Jacobian is nearly real: when ``k`` exceeds twice the number of pairs with a
    sizeable imaginary part, the rest of the ``k`` are near-real eigenvalues in no meaningful order
    (their imaginary parts are at rounding level); :func:`most_rotational` picks the eigenvalue that
    decides the phase factor.
    """
    k = _check_k(k, op.shape[0], "a Jacobian")
    which = _check_which(which, WHICH)
    if which == "LR" and ncv is None:
        ncv = min(op.shape[0] - 1, max(2 * k + 1, LR_NCV))
    v0 = np.random.default_rng(seed).standard_normal(op.shape[0]).astype(op.dtype)  # reproducible start
    try:
        result = _run_arpack(eigs, op, f"ARPACK {which}", progress, k=k, which=which, tol=tol,
                             maxiter=maxiter, ncv=ncv, v0=v0, return_eigenvectors=vectors)
        converged = True
    except ArpackNoConvergence as error:
        result = (error.eigenvalues, error.eigenvectors) if vectors else error.eigenvalues
        converged = False
        warnings.warn(f"ARPACK converged for only {len(error.eigenvalues)} of k={k} eigenvalues ({which}); "
                      "returning those (raise maxiter or lower k)", RuntimeWarning, stacklevel=3)
    values, vecs = result if vectors else (result, None)
    return np.asarray(values, dtype=complex), vecs, converged


def _run_arpack(solver, op: LinearOperator, desc: str, progress, **options):
    """``solver(op, **options)`` (``eigs`` or ``eigsh``) with one BLAS thread and a bar counting products."""
    with one_blas_thread(), product_bar(desc, progress) as bar:
        return solver(_Counted(op, bar), **options)


def product_bar(desc: str, progress=None):
    """A tqdm bar counting operator products, shown after a second unless ``progress`` is ``False``."""
    return tqdm(desc=desc, unit="product", delay=1.0, leave=False, disable=progress is False)


class _Counted(LinearOperator):
    """``op`` with each product counted on a tqdm ``bar``."""

    def __init__(self, op: LinearOperator, bar):
        super().__init__(dtype=op.dtype, shape=op.shape)
        self.op, self.bar = op, bar

    def _matvec(self, t):
        self.bar.update(1)
        return self.op.matvec(t)

    def _matmat(self, t):
        self.bar.update(t.shape[1])
        return self.op.matmat(t)


class _BlockOperator(LinearOperator):
    """:math:`-J_{bb}` for one player's block ``b`` (its loss Hessian when the field is a gradient).

    The block is symmetric, so its products are taken from :math:`J^\\top` (vector-Jacobian products
    on one recorded graph, about twice as fast as :math:`Jt`).
    """

    def __init__(self, op: JacobianOperator, start: int, stop: int):
        super().__init__(dtype=np.float64, shape=(stop - start, stop - start))
        self.op, self.start, self.stop = op, start, stop

    def _matvec(self, u):
        full = np.zeros(self.op.shape[0])
        full[self.start:self.stop] = np.ravel(u)
        return -self.op.rmatvec(full)[self.start:self.stop]

    _rmatvec = _matvec


def hessian_eigenvalues(game, player="generator", k=20, which="LM", reg=None, gamma=None, at=None,
                        progress=None) -> np.ndarray:
    """Top-k eigenvalues of one player's (penalised) loss Hessian, by ARPACK ``eigsh``.

    .. math:: \\nabla^2_\\theta \\tilde l_G = -J_{\\theta\\theta}, \\qquad \\nabla^2_\\psi \\tilde l_D = -J_{\\psi\\psi}

    Parameters
    ----------
    player : {"generator", "discriminator"}
    k : int
        Number of eigenvalues (``1 <= k <= n_player - 1``).
    which : {"LM", "LA", "SA"}
        Largest magnitude, largest, smallest.
    progress : bool, optional
        ``False`` hides the bar counting products.

    Returns
    -------
    ndarray of float, sorted decreasing.
    """
    players = {"generator": (0, game.n_theta), "discriminator": (game.n_theta, game.n_params)}
    if player not in players:
        raise unknown_name("player", player, players)
    which = _check_which(which, WHICH_SYMMETRIC)
    if any(isinstance(r, FieldTransform) for r, _ in parse_reg(reg, gamma)):
        raise NotApplicableError("a field transform (sga) makes J's diagonal blocks no loss Hessian; "
                                 "use the game spectrum instead")
    start, stop = players[player]
    block = _BlockOperator(operator(game, reg, gamma, at), start, stop)
    n = stop - start
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k < n:
        raise JacobianLabError(f"k must be an integer from 1 to {n - 1} for the {player}'s Hessian, got {k!r}")
    try:
        v0 = np.random.default_rng(0).standard_normal(n)
        values = _run_arpack(eigsh, block, f"eigsh {player}", progress, k=int(k), which=which, v0=v0,
                             return_eigenvectors=False)
    except ArpackNoConvergence as error:
        values = error.eigenvalues
        warnings.warn(f"ARPACK (eigsh) converged for only {len(values)} of k={k} eigenvalues; returning those",
                      RuntimeWarning, stacklevel=2)
    return np.sort(np.asarray(values, dtype=float))[::-1]


def most_rotational(values, rtol: float | None = None) -> complex:
    r"""The eigenvalue with the largest :math:`|\mathrm{Im}\,\lambda| / |\mathrm{Re}\,\lambda|` among ``values``.

    The one that sets the phase factor of those eigenvalues (Nie & Patel 2019), by the core's
    tolerance rule (:mod:`jacobian_lab.spectra.factors`): values below ``rtol`` times the largest
    magnitude are left out, and a real or imaginary part below that floor counts as zero. The upper
    member of a conjugate pair; ``nan`` when no value is significant. Among the top ``k`` by ``LM``
    or ``LI`` (each one ARPACK run) this is the most rotational eigenvalue that matters.
    """
    from ..spectra.factors import DEFAULT_RTOL, significant

    rtol = DEFAULT_RTOL if rtol is None else rtol
    lam = np.asarray(values, dtype=complex).ravel()
    lam = lam[significant(lam, rtol)]
    if lam.size == 0:
        return complex(np.nan, np.nan)
    floor = rtol * np.abs(lam).max()
    alpha = np.where(np.abs(lam.real) <= floor, 0.0, np.abs(lam.real))
    beta = np.where(np.abs(lam.imag) <= floor, 0.0, np.abs(lam.imag))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(beta == 0, 0.0, beta / alpha)
    best = lam[int(np.argmax(np.where(np.isnan(ratio), np.inf, ratio)))]
    return complex(best.real, abs(best.imag))
