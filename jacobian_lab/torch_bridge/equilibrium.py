r"""An exact equilibrium of a torch GAN near a trained point: the realizable equilibrium.

Trained real networks stop near an equilibrium, not at one: the field keeps a remainder along the
many small eigenvalues (:func:`.validation.fast_residual`), so their spectra get no stability verdict.
For a GAN on a fixed batch of :math:`N` real samples with :math:`N` latent samples there is one
equilibrium that can be constructed exactly, the *realizable* one of Mescheder et al. (2018, "Which
Training Methods for GANs do actually Converge?", section 2 and Theorem 4.2): the generator reproduces
the data and the discriminator is constant zero.

1. **Matching.** Pair each generated sample with a real one, :math:`\sigma = \arg\min_\sigma
   \sum_i \|G_\theta(z_i) - x_{\sigma(i)}\|^2` (the assignment problem, solved exactly by
   :func:`scipy.optimize.linear_sum_assignment`).
2. **Generator.** Solve :math:`r(\theta) = G_\theta(z_i) - x_{\sigma(i)} = 0` from the trained
   :math:`\theta` by Levenberg-Marquardt in its minimum-norm form, :math:`\Delta\theta =
   -J_r^\top (J_r J_r^\top + \mu I)^{-1} r` (:math:`n_\theta` unknowns, :math:`N d` equations; an
   over-parameterised generator interpolates the batch), with :math:`\mu` adapted on each step's success.
3. **Discriminator.** Set its last layer (an affine map to the logit) to zero: :math:`D \equiv 0`.

Then :math:`p_G` equals the empirical data distribution, :math:`D = 0` and :math:`\nabla_x D = 0`
everywhere, and the field vanishes for the losses of :mod:`jacobian_lab.losses` and for every
regularizer whose gradient vanishes with :math:`\nabla_x D` or with the players' gradients (R1, R2,
zero-GP, consensus, JARE, grad-g, grad-d, SGA; not WGAN-GP, whose target norm is 1, nor the
orthogonality penalty, which acts on the weights themselves). Check ``field_norm`` of the regularized
field before reading a verdict. It is
not generic: with the output layer zero, the discriminator's hidden layers do not move the field to
first order, so they are exact null directions of :math:`J`, and the equilibria form a manifold. The
non-null eigenvalues describe the directions normal to it: at most :math:`2m + 1` of them for an output
layer with :math:`m` inputs (the interaction :math:`J_{\theta w}` has rank at most :math:`m`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import JacobianLabError, check_int, check_positive
from .game import TorchGame

#: Largest number of residuals (samples x sample size) the generator fit takes: it factors an
#: ``(N d) x (N d)`` matrix per step.
MAX_RESIDUALS = 20_000


@dataclass(frozen=True)
class RealizableEquilibrium:
    """The result of :func:`realizable_equilibrium`.

    Attributes
    ----------
    point : numpy.ndarray
        The flat parameter vector (generator first), to pass as ``at=``.
    field_norm : float
        :math:`\\|v\\|` of the unregularized field there.
    residual : float
        :math:`\\max_i \\|G_\\theta(z_i) - x_{\\sigma(i)}\\|`, how exactly the generator reproduces the batch.
    iterations : int
        Levenberg-Marquardt steps of the generator fit.
    moved : float
        :math:`\\|x^* - x_0\\| / \\|x_0\\|`, how far the equilibrium is from the starting point.
    matching : numpy.ndarray
        :math:`\\sigma`: generated sample ``i`` reproduces real sample ``matching[i]``.
    output_layer : str
        Name of the discriminator's zeroed last layer.
    """

    point: np.ndarray
    field_norm: float
    residual: float
    iterations: int
    moved: float
    matching: np.ndarray
    output_layer: str

    def to_dict(self) -> dict:
        return {"field_norm": self.field_norm, "residual": self.residual, "iterations": self.iterations,
                "moved": self.moved, "output_layer": self.output_layer}


def realizable_equilibrium(game: TorchGame, at=None, tol: float = 1e-12,
                           max_iter: int = 200) -> RealizableEquilibrium:
    """The realizable equilibrium nearest ``at`` (default the current parameters); see the module docstring.

    Parameters
    ----------
    game : TorchGame
        As many latent as real samples; a discriminator whose last parameterised layer is a
        :class:`torch.nn.Linear` giving the logit.
    at : array-like, optional
        Starting point (flat, generator first).
    tol : float
        Target of :math:`\\max_i \\|G_\\theta(z_i) - x_{\\sigma(i)}\\|`.
    max_iter : int
        Most Levenberg-Marquardt steps.

    Returns
    -------
    RealizableEquilibrium

    Raises
    ------
    JacobianLabError
        When the batch sizes differ, the residual is too large to fit, the discriminator has no
        zeroable output layer, or the generator cannot reproduce the batch to ``tol``.
    """
    tol, max_iter = check_positive("tol", tol), check_int("max_iter", max_iter)
    x0 = game.point(at)
    theta, psi = game.split(x0)
    n_real, n_fake = game.real.shape[0], game.latent.shape[0]
    if n_real != n_fake:
        raise JacobianLabError(f"a realizable equilibrium pairs each generated sample with a real one: the game "
                               f"has {n_fake} latent and {n_real} real samples")
    size = game.real[0].numel()
    if n_real * size > MAX_RESIDUALS:
        raise JacobianLabError(f"the generator fit has {n_real} x {size} = {n_real * size} residuals, more than "
                               f"{MAX_RESIDUALS}; use a smaller batch")
    name, psi_star = _zero_output_layer(game, psi)
    matching = match_samples(game, theta)
    target = game.real[torch.as_tensor(matching, device=game.device)]
    theta_star, iterations = fit_generator(game, theta, target, tol, max_iter)
    with torch.no_grad():
        residual = float(torch.linalg.vector_norm((game.generate(theta_star) - target).reshape(n_real, -1),
                                                  dim=1).max())
    if residual > tol:
        raise JacobianLabError(f"the generator reproduces the batch only to {residual:.3g} after {iterations} "
                               f"steps (tol {tol:g}): it may be too small to interpolate {n_real} samples")
    point = torch.cat([theta_star, psi_star])
    from .field import make_field

    with torch.no_grad():
        field_norm = float(torch.linalg.vector_norm(make_field(game)(point)))
    moved = float(torch.linalg.vector_norm(point - x0) / max(float(torch.linalg.vector_norm(x0)), 1e-300))
    return RealizableEquilibrium(point.detach().cpu().numpy(), field_norm, residual, iterations, moved,
                                 np.asarray(matching), name)


def match_samples(game: TorchGame, theta) -> np.ndarray:
    """:math:`\\sigma`, the assignment of generated to real samples with the least total squared distance."""
    from scipy.optimize import linear_sum_assignment

    with torch.no_grad():
        fake = game.generate(theta).reshape(game.latent.shape[0], -1)
    cost = torch.cdist(fake, game.real.reshape(game.real.shape[0], -1)).pow(2).cpu().numpy()
    rows, cols = linear_sum_assignment(cost)
    return cols[np.argsort(rows)]


def fit_generator(game: TorchGame, theta, target, tol: float, max_iter: int) -> tuple:
    """``(theta, steps)``: Levenberg-Marquardt, minimum-norm form, on :math:`G_\\theta(z) - \\text{target}`
    until the largest per-sample residual is below ``tol`` (or ``max_iter`` steps, or no step helps)."""
    n = target.shape[0]

    def residual(t):
        return (game.generate(t) - target).reshape(-1)

    def worst(r):
        return float(torch.linalg.vector_norm(r.reshape(n, -1), dim=1).max())

    mu, r = 1e-3, residual(theta).detach()
    for step in range(max_iter):
        if worst(r) <= tol:
            return theta, step
        jac = torch.func.jacrev(residual)(theta).detach()
        gram = jac @ jac.T
        eye = torch.eye(gram.shape[0], dtype=gram.dtype, device=gram.device)
        while True:
            trial = theta - jac.T @ torch.linalg.solve(gram + mu * eye, r)
            r_trial = residual(trial).detach()
            if float(r_trial.norm()) < float(r.norm()):
                theta, r, mu = trial.detach(), r_trial, max(mu / 10, 1e-15)
                break
            mu *= 10
            if mu > 1e10:  # no step reduces the residual: a local minimum of the fit
                return theta, step
    return theta, max_iter


def _zero_output_layer(game: TorchGame, psi) -> tuple:
    """``(name, psi)`` with the discriminator's last :class:`torch.nn.Linear` set to zero, checked to give
    :math:`D \\equiv 0` on the real samples."""
    last = None
    for name, module in game.discriminator.named_modules():
        if any(True for _ in module.parameters(recurse=False)):
            last = (name, module)
    if last is None or not isinstance(last[1], torch.nn.Linear):
        kind = "none" if last is None else type(last[1]).__name__
        raise JacobianLabError(f"the discriminator's last layer with parameters must be a torch.nn.Linear giving "
                               f"the logit (it is zeroed to make D = 0); got {kind}")
    prefix = f"{last[0]}." if last[0] else ""
    psi = psi.clone()
    views = game.d_layout.unflatten(psi)  # views into psi: zeroing them zeroes the layer in the flat vector
    for pname, _ in last[1].named_parameters(recurse=False):
        views[prefix + pname].zero_()
    with torch.no_grad():
        logits = game.discriminate(psi, game.real)
    if bool(torch.any(logits != 0)):
        raise JacobianLabError(f"with its last layer ({last[0] or 'the module'}) zeroed the discriminator does not "
                               "give D = 0 (a layer after it changes the logit); a realizable equilibrium needs "
                               "the logit to come from that layer")
    return last[0] or type(last[1]).__name__, psi


__all__ = ["MAX_RESIDUALS", "RealizableEquilibrium", "realizable_equilibrium", "match_samples", "fit_generator"]
