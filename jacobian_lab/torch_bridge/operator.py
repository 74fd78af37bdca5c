r"""Matrix-free :math:`J`: a scipy ``LinearOperator`` and ARPACK eigenvalues.

``matvec`` is the Jacobian-vector product :math:`Jt` (:func:`torch.func.jvp`, forward-over-reverse)
and ``rmatvec`` the vector-Jacobian product :math:`J^\top u` (:func:`torch.func.vjp`), so the
operator *is* :math:`J`: its ARPACK eigenvectors are right eigenvectors of :math:`J`. (Berard et al.
2020 use only the vector-Jacobian product, i.e. :math:`J^\top`: same eigenvalues, left eigenvectors.)

ARPACK (implicitly restarted Arnoldi, :func:`scipy.sparse.linalg.eigs`) finds ``k`` eigenvalues of a
non-symmetric operator: largest magnitude (``LM``), largest real part (``LR``) or largest imaginary
part (``LI``). Symmetric methods (power iteration, Lanczos) are wrong for a game Jacobian. Each
player's loss Hessian, :math:`\nabla^2_\theta \tilde l_G = -J_{\theta\theta}` and
:math:`\nabla^2_\psi \tilde l_D = -J_{\psi\psi}`, is symmetric: :func:`scipy.sparse.linalg.eigsh`.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigs, eigsh
from torch.func import jvp, vjp, vmap
from tqdm.auto import tqdm

from ..errors import JacobianLabError, NotApplicableError, unknown_name
from ..regularizers import FieldTransform, parse_reg
from .field import make_field
from .threads import one_blas_thread

#: ``which`` for :func:`top_eigenvalues` (scipy's names): magnitude, real part, imaginary part.
WHICH = {"LM": "largest magnitude", "LR": "largest real part",
         "LI": "largest imaginary part (upper half-plane members of conjugate pairs)"}
#: ``which`` for :func:`hessian_eigenvalues`: magnitude, largest and smallest algebraic.
WHICH_SYMMETRIC = {"LM": "largest magnitude", "LA": "largest", "SA": "smallest"}


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
        self._pullback = None

    def _tensor(self, array):
        return torch.as_tensor(np.ascontiguousarray(array, dtype=np.float64)).to(self.x.dtype).to(self.x.device)

    def _numpy(self, tensor):
        return tensor.detach().to("cpu", torch.float64).numpy()

    def _matvec(self, t):
        self.n_matvec += 1
        return self._numpy(jvp(self.field, (self.x,), (self._tensor(t).reshape(-1),))[1])

    def _matmat(self, t):
        self.n_matvec += t.shape[1]
        tangents = self._tensor(np.asarray(t).T)
        out = vmap(lambda u: jvp(self.field, (self.x,), (u,))[1])(tangents)
        return self._numpy(out).T

    def _rmatvec(self, u):
        self.n_matvec += 1
        if self._pullback is None:
            _, self._pullback = vjp(self.field, self.x)
        return self._numpy(self._pullback(self._tensor(u).reshape(-1))[0])

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


def operator(game, reg=None, gamma=None, at=None) -> JacobianOperator:
    """:math:`J` of the regularized field at ``at`` (default: the modules' parameters), matrix-free."""
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
    """``k`` eigenvalues of a non-symmetric operator by ARPACK, with a warning if some did not converge.

    Parameters
    ----------
    op : LinearOperator
    k : int
        Number of eigenvalues, ``1 <= k <= n - 2``.
    which : {"LM", "LR", "LI"}
    tol, maxiter, ncv
        ARPACK's tolerance (0: machine precision), restart limit and Krylov dimension (scipy defaults).
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
    For ``LI`` the Arnoldi iteration runs in complex arithmetic (:math:`J(a+ib) = Ja + iJb`) and returns
    the ``k`` eigenvalues with the largest *signed* imaginary part: for a real :math:`J` the upper members
    of the conjugate pairs with the largest :math:`|\\mathrm{Im}\\,\\lambda|`. scipy's real-arithmetic
    ``LI`` was seen to return real eigenvalues ahead of complex ones on a small MLP GAN.
    """
    k = _check_k(k, op.shape[0], "a Jacobian")
    which = _check_which(which, WHICH)
    if which == "LI":  # real-arithmetic ARPACK can rank real eigenvalues ahead of complex ones here
        op = _Complexified(op)
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


class _Complexified(LinearOperator):
    """A real operator acting on complex vectors, :math:`J(a + ib) = Ja + iJb` (two products)."""

    def __init__(self, op: LinearOperator):
        super().__init__(dtype=np.complex128, shape=op.shape)
        self.op = op

    def _matvec(self, t):
        t = np.ravel(t)
        out = self.op.matmat(np.stack([t.real, t.imag], axis=1))
        return out[:, 0] + 1j * out[:, 1]


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
