r"""The smallest singular value of :math:`zI - A` at many points :math:`z`, EigTool's way.

The :math:`\varepsilon`-pseudospectrum is

.. math::

    \Lambda_\varepsilon(A) = \{z \in \mathbb C : \sigma_{\min}(zI - A) \le \varepsilon\}
                          = \{z : \|(zI - A)^{-1}\|_2 \ge 1/\varepsilon\}

(Trefethen & Embree, *Spectra and Pseudospectra*, Princeton 2005, section 2). Following EigTool
(Wright 2002; Trefethen & Embree section 42, "Computation of pseudospectra"), :math:`A` is reduced
once to complex Schur form :math:`A = U T U^H`; since :math:`\sigma_{\min}` is unitarily invariant,
:math:`\sigma_{\min}(zI - A) = \sigma_{\min}(zI - T)`, and at each point the largest eigenvalue of
:math:`(zI - T)^{-1}(zI - T)^{-H}` is found by Lanczos. Each Lanczos step is two triangular solves,
so a point costs :math:`O(n^2)` instead of the :math:`O(n^3)` of an SVD.

For an operator too large to reduce, :class:`Resolvent.krylov` projects on the Arnoldi space
:math:`A V_m = V_{m+1} \tilde H_m` and uses :math:`\sigma_{\min}(z\tilde I - \tilde H_m)` (the
rectangular Hessenberg matrix, via its QR factor), which is never smaller than
:math:`\sigma_{\min}(zI - A)`: the computed pseudospectra are *inside* the true ones (Toh &
Trefethen 1996, "Calculation of pseudospectra by the Arnoldi iteration"; EigTool's projection).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from tqdm.auto import tqdm

#: Below this dimension the triangular solves run vectorised over a batch of points.
BATCHED_MAX = 64
#: Points per vectorised batch (bounds the memory of the batched triangular matrices).
BATCH = 256


class Resolvent:
    """:math:`\\sigma_{\\min}(zI - A)` for arrays of :math:`z`, from one Schur (or Arnoldi) reduction.

    Parameters
    ----------
    triangular : ndarray, shape (n, n) or (m + 1, m)
        The upper triangular Schur factor :math:`T`, or the Arnoldi Hessenberg matrix
        :math:`\\tilde H_m` (then ``projected`` is True).
    projected : bool
        True for a Krylov projection (values are upper bounds of the true :math:`\\sigma_{\\min}`).
    tol : float
        Relative change of the Lanczos estimate at which a point counts as converged.
    """

    def __init__(self, triangular, projected=False, tol=1e-14):
        self.T = np.asarray(triangular, dtype=complex)
        self.projected = projected
        self.tol = tol

    @classmethod
    def dense(cls, matrix, **kwargs) -> Resolvent:
        """From a dense square matrix: one complex Schur decomposition, :math:`O(n^3)`."""
        T, _ = sla.schur(np.asarray(matrix, dtype=complex), output="complex")
        return cls(np.triu(T), **kwargs)

    @classmethod
    def krylov(cls, matvec, n, m, seed=0, **kwargs) -> Resolvent:
        """From ``m`` Arnoldi steps of ``matvec`` on :math:`\\mathbb C^n` (start vector fixed by ``seed``)."""
        return cls(arnoldi(matvec, n, m, seed), projected=True, **kwargs)

    @property
    def size(self) -> int:
        return self.T.shape[1]

    def eigenvalues(self) -> np.ndarray:
        """The eigenvalues of :math:`T` (Ritz values for a projection)."""
        if self.projected:
            return np.linalg.eigvals(self.T[:-1])
        return np.diag(self.T).copy()

    def sigma_min(self, z, progress=False) -> np.ndarray:
        """:math:`\\sigma_{\\min}(zI - A)` at every entry of ``z`` (same shape, float); ``progress=None``
        shows a bar for runs longer than a second."""
        z = np.asarray(z, dtype=complex)
        flat = z.ravel()
        out = np.empty(flat.size)
        batched = self.size <= BATCHED_MAX or self.projected
        step = max(1, min(BATCH, 2**22 // self.size**2)) if batched else 1  # <= 64 MiB of matrices
        starts = range(0, flat.size, step)
        for start in tqdm(starts, desc="pseudospectrum", unit="batch", delay=1.0, disable=progress is False):
            chunk = flat[start:start + step]
            out[start:start + step] = _inverse_lanczos(self._solver(chunk), self.size, chunk.size, self.tol)
        return out.reshape(z.shape)

    def _solver(self, z):
        """``q -> (R^H R)^{-1} q`` for the triangular ``R`` of ``zI - T`` at each point of ``z``."""
        n = self.size
        if self.projected:
            shifted = z[:, None, None] * np.eye(n + 1, n) - self.T
            R = np.linalg.qr(shifted, mode="r")
        elif n <= BATCHED_MAX:
            R = z[:, None, None] * np.eye(n) - self.T
        else:
            return _lapack_solver(z[0] * np.eye(n) - self.T)
        return lambda q: _back(R, _forward_conj(R, q))


def _inverse_lanczos(solve, n, batch, tol):
    r"""Largest eigenvalue :math:`\theta` of :math:`(R^HR)^{-1}` by Lanczos with full
    reorthogonalisation; returns :math:`\sigma_{\min}(R) = \theta^{-1/2}` (0 where ``R`` is singular)."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    q = np.broadcast_to(q / np.linalg.norm(q), (batch, n)).copy()
    basis, alphas, betas = [], [], []
    theta = np.zeros(batch)
    with np.errstate(all="ignore"):
        for k in range(n):
            basis.append(q)
            w = solve(q)
            alphas.append(np.einsum("bi,bi->b", q.conj(), w).real)
            Q = np.stack(basis, axis=1)
            for _ in range(2):  # full reorthogonalisation, twice is enough
                w = w - np.einsum("bki,bk->bi", Q, np.einsum("bki,bi->bk", Q.conj(), w))
            beta = np.linalg.norm(w, axis=1)
            new = _largest_ritz(alphas, betas)
            done = np.abs(new - theta) <= tol * np.abs(new)
            done |= beta <= tol * np.abs(new)
            done |= ~np.isfinite(new)
            theta = new
            if np.all(done) or k == n - 1:
                break
            betas.append(beta)
            q = np.where(beta[:, None] > 0, w / beta[:, None], 0)
        sigma = 1 / np.sqrt(theta)
    return np.where(np.isfinite(sigma) & (theta > 0), sigma, 0.0)


def _largest_ritz(alphas, betas):
    k = len(alphas)
    tri = np.zeros((alphas[0].size, k, k))
    idx = np.arange(k)
    tri[:, idx, idx] = np.stack(alphas, axis=1)
    if betas:
        b = np.stack(betas, axis=1)
        tri[:, idx[1:], idx[:-1]] = b
        tri[:, idx[:-1], idx[1:]] = b
    finite = np.all(np.isfinite(tri), axis=(1, 2))
    out = np.full(tri.shape[0], np.inf)
    if finite.any():
        out[finite] = np.linalg.eigvalsh(tri[finite])[:, -1]
    return out


def _forward_conj(R, q):
    """Solve :math:`R^H y = q` (lower triangular) for a batch of upper triangular ``R``."""
    n = R.shape[-1]
    y = np.zeros_like(q)
    for i in range(n):
        y[:, i] = (q[:, i] - np.einsum("bj,bj->b", R[:, :i, i].conj(), y[:, :i])) / R[:, i, i].conj()
    return y


def _back(R, y):
    """Solve :math:`R x = y` (upper triangular) for a batch."""
    n = R.shape[-1]
    x = np.zeros_like(y)
    for i in range(n - 1, -1, -1):
        x[:, i] = (y[:, i] - np.einsum("bj,bj->b", R[:, i, i + 1:], x[:, i + 1:])) / R[:, i, i]
    return x


def _lapack_solver(R):
    def solve(q):
        if np.abs(np.diag(R)).min() == 0:
            return np.full_like(q, np.inf)
        y = sla.solve_triangular(R, q[0], lower=False, trans="C", check_finite=False)
        return sla.solve_triangular(R, y, lower=False, check_finite=False)[None]
    return solve


def arnoldi(matvec, n, m, seed=0) -> np.ndarray:
    r"""The :math:`(m+1) \times m` Hessenberg matrix :math:`\tilde H_m` of ``m`` Arnoldi steps
    (modified Gram-Schmidt, reorthogonalised once); stops early on an invariant subspace."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(n).astype(complex)
    V = [v / np.linalg.norm(v)]
    H = np.zeros((m + 1, m), dtype=complex)
    for j in range(m):
        w = np.asarray(matvec(V[j]), dtype=complex).ravel()
        for _ in range(2):
            for i, vi in enumerate(V):
                c = np.vdot(vi, w)
                H[i, j] += c
                w = w - c * vi
        H[j + 1, j] = np.linalg.norm(w)
        if H[j + 1, j] <= 1e-14 * np.abs(H[: j + 2, : j + 1]).max():
            return H[: j + 2, : j + 1]
        V.append(w / H[j + 1, j])
    return H
