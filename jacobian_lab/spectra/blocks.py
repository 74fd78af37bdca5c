r"""The blocks of a game Jacobian: each player's own curvature and the interaction.

With the generator's parameters :math:`\theta` first,

.. math:: J = \begin{pmatrix} J_{\theta\theta} & J_{\theta\psi} \\ J_{\psi\theta} & J_{\psi\psi}
          \end{pmatrix}, \qquad
          H_{\theta\theta} = -J_{\theta\theta} = \nabla^2_\theta \tilde l_G, \quad
          H_{\psi\psi} = -J_{\psi\psi} = \nabla^2_\psi \tilde l_D ,

where :math:`\tilde l_G, \tilde l_D` are the players' (regularized) losses: the diagonal blocks are
symmetric Hessians (their eigenvalues are each player's own curvature; positive is a minimum of
its loss), the off-diagonal blocks the interaction (their singular values measure how strongly one
player's move changes the other's gradient). For a zero-sum game :math:`J_{\psi\theta} =
-J_{\theta\psi}^\top` and both have the same singular values. Nie & Patel (2019, section 3) argue from
these blocks: consensus adds :math:`\gamma J^\top J`, which squares the players' own curvature into
the diagonal; JARE adds only the interaction terms :math:`J_{\psi\theta}^\top J_{\psi\theta}` and
:math:`J_{\theta\psi}^\top J_{\theta\psi}` (METHODS.md section 2).

A field transform (SGA) makes the diagonal blocks non-symmetric; :attr:`GameBlocks.asymmetry`
reports :math:`\|B - B^\top\|_F / \|B\|_F` and the Hessian eigenvalues are those of the symmetric
part. For networks too large for a dense :math:`J`, the extreme Hessian eigenvalues come from
``TorchGame.hessian_eigenvalues`` (matrix-free, ``eigsh``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg


@dataclass(frozen=True)
class GameBlocks:
    """Spectra of the four blocks of a game Jacobian (field convention :math:`J`).

    Attributes
    ----------
    hessian_generator : ndarray
        Eigenvalues of :math:`H_{\\theta\\theta} = -J_{\\theta\\theta}`, ascending.
    hessian_discriminator : ndarray
        Eigenvalues of :math:`H_{\\psi\\psi} = -J_{\\psi\\psi}`, ascending.
    interaction_theta_psi : ndarray
        Singular values of :math:`J_{\\theta\\psi}`, descending.
    interaction_psi_theta : ndarray
        Singular values of :math:`J_{\\psi\\theta}`, descending.
    asymmetry : dict
        :math:`\\|B - B^\\top\\|_F / \\|B\\|_F` of each diagonal block (0 up to rounding for penalties).
    """

    hessian_generator: np.ndarray
    hessian_discriminator: np.ndarray
    interaction_theta_psi: np.ndarray
    interaction_psi_theta: np.ndarray
    asymmetry: dict

    def summary(self) -> dict:
        """Extremes: each Hessian's smallest and largest eigenvalue, each interaction's largest singular value."""
        def ends(values):
            return (float(values[0]), float(values[-1])) if values.size else (np.nan, np.nan)

        return {"hessian_generator": ends(self.hessian_generator),
                "hessian_discriminator": ends(self.hessian_discriminator),
                "interaction_theta_psi": _largest(self.interaction_theta_psi),
                "interaction_psi_theta": _largest(self.interaction_psi_theta)}


def _largest(singular) -> float:
    return float(singular[0]) if singular.size else 0.0


def _asymmetry(block) -> float:
    norm = np.linalg.norm(block)
    return 0.0 if norm == 0 else float(np.linalg.norm(block - block.T) / norm)


def game_blocks(jacobian, n_theta: int) -> GameBlocks:
    """The :class:`GameBlocks` of a dense field-convention Jacobian, generator's ``n_theta`` coordinates first."""
    jac = np.asarray(jacobian, dtype=float)
    if jac.ndim != 2 or jac.shape[0] != jac.shape[1] or not 0 < n_theta < jac.shape[0]:
        raise ValueError(f"need a square Jacobian and 0 < n_theta < its size, got shape {jac.shape}, n_theta={n_theta}")
    tt, tp, pt, pp = jac[:n_theta, :n_theta], jac[:n_theta, n_theta:], jac[n_theta:, :n_theta], jac[n_theta:, n_theta:]
    return GameBlocks(
        hessian_generator=scipy.linalg.eigvalsh(-(tt + tt.T) / 2),
        hessian_discriminator=scipy.linalg.eigvalsh(-(pp + pp.T) / 2),
        interaction_theta_psi=scipy.linalg.svdvals(tp),
        interaction_psi_theta=scipy.linalg.svdvals(pt),
        asymmetry={"theta_theta": _asymmetry(tt), "psi_psi": _asymmetry(pp)},
    )
