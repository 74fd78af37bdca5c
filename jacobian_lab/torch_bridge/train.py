r"""A small full-batch training loop that records spectra along the way.

Updates on the flat parameters :math:`x = (\theta, \psi)` with the (regularized) field :math:`v`
(:mod:`.field`), step :math:`h`:

* ``simgd``: :math:`x \leftarrow x + h\,v(x)`;
* ``altgd``: :math:`\theta \leftarrow \theta + h\,v_\theta(x)`, then :math:`\psi \leftarrow \psi + h\,v_\psi(x)`
  at the new :math:`\theta` (generator first);
* ``extragradient``: :math:`x \leftarrow x + h\,v(x + h\,v(x))` (Korpelevich 1976; Gidel et al. 2019);
* ``adam``: Adam (Kingma & Ba 2015) on the loss gradients :math:`-v`, both players simultaneously.

Optional hard constraint on the discriminator's 2-D weights after each step (Mueller et al. 2019):
``"svd"`` projects :math:`W \leftarrow UV^\top`; ``"bjorck"`` does one Björck step
:math:`W \leftarrow (1+b)W - bWW^\top W`, :math:`b = 1/2`. Every ``every`` steps the top-``k``
eigenvalues of :math:`J` (ARPACK), both factors (tolerance rule) and the unregularized losses are
recorded. The final parameters are written back into the modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

from ..errors import DivergenceError, check_int, check_positive, unknown_name
from ..spectra.factors import DEFAULT_RTOL
from .analysis import spectrum
from .field import make_field

METHODS = ("simgd", "altgd", "extragradient", "adam")
CONSTRAINTS = (None, "svd", "bjorck")


@dataclass
class TrainingRecord:
    """What :func:`train` recorded, one entry per record step.

    Attributes
    ----------
    steps : list of int
    eigenvalues : list of ndarray (complex)
        Top-k eigenvalues of :math:`J` (field convention).
    phase_factor, condition_factor : list of float
        Over the recorded eigenvalues, by the tolerance rule.
    loss_g, loss_d : list of float
        The unregularized losses :math:`l_G`, :math:`l_D`.
    """

    steps: list = field(default_factory=list)
    eigenvalues: list = field(default_factory=list)
    phase_factor: list = field(default_factory=list)
    condition_factor: list = field(default_factory=list)
    loss_g: list = field(default_factory=list)
    loss_d: list = field(default_factory=list)


def train(game, method="simgd", lr=0.01, steps=1000, reg=None, gamma=None, every=100, k=6, which="LM",
          constraint=None, rtol=DEFAULT_RTOL, progress=True) -> TrainingRecord:
    """Train ``game`` full-batch and record spectra every ``every`` steps (and at the end).

    Parameters
    ----------
    game : TorchGame
    method : {"simgd", "altgd", "extragradient", "adam"}
    lr : float
        Step size (Adam's learning rate).
    steps, every, k : int
        Training steps; record period; eigenvalues per record (``k=0``: none, losses only).
    reg, gamma
        Regularizers of the training field (the recorded spectra use the same).
    constraint : {None, "svd", "bjorck"}
        Hard orthogonality of the discriminator's weight matrices.
    """
    if method not in METHODS:
        raise unknown_name("training method", method, METHODS)
    if constraint not in CONSTRAINTS:
        raise unknown_name("constraint", constraint, [c for c in CONSTRAINTS if c])
    lr = check_positive("lr", lr)
    steps, every = check_int("steps", steps, 0), check_int("every", every)
    k = check_int("k", k, 0)
    v = make_field(game, reg, gamma)
    x = game.parameters()
    update = _update(method, v, game.n_theta, lr)
    record = TrainingRecord()
    for step in tqdm(range(steps + 1), disable=not progress, desc=f"train {method}"):
        if step % every == 0 or step == steps:
            _record(record, game, x, step, reg, gamma, k, which, rtol)
        if step == steps:
            break
        with torch.no_grad():
            x = _constrain(game, update(x).detach(), constraint)
        if not bool(torch.isfinite(x).all()):
            raise DivergenceError(f"training diverged at step {step + 1} (non-finite parameters); lower lr")
    write_back(game, x)
    return record


def _update(method, v, n_theta, lr):
    if method == "simgd":
        return lambda x: x + lr * v(x)
    if method == "extragradient":
        return lambda x: x + lr * v(x + lr * v(x))
    if method == "altgd":
        def alternate(x):
            x = torch.cat([x[:n_theta] + lr * v(x)[:n_theta], x[n_theta:]])
            return torch.cat([x[:n_theta], x[n_theta:] + lr * v(x)[n_theta:]])
        return alternate
    state = {"m": 0.0, "s": 0.0, "t": 0}

    def adam(x, beta1=0.9, beta2=0.999, eps=1e-8):
        g = -v(x)
        state["t"] += 1
        state["m"] = beta1 * state["m"] + (1 - beta1) * g
        state["s"] = beta2 * state["s"] + (1 - beta2) * g * g
        m_hat = state["m"] / (1 - beta1 ** state["t"])
        s_hat = state["s"] / (1 - beta2 ** state["t"])
        return x - lr * m_hat / (torch.sqrt(s_hat) + eps)
    return adam


def _constrain(game, x, constraint):
    if constraint is None:
        return x
    theta, psi = game.split(x)
    psi = psi.clone()
    for w in game.d_layout.unflatten(psi).values():  # views into psi
        if w.ndim != 2:
            continue
        if constraint == "svd":
            u, _, vh = torch.linalg.svd(w, full_matrices=False)
            w.copy_(u @ vh)
        else:
            w.copy_(1.5 * w - 0.5 * w @ w.T @ w)
    return torch.cat([theta, psi])


def _record(record, game, x, step, reg, gamma, k, which, rtol):
    theta, psi = game.split(x)
    with torch.no_grad():
        l_g, l_d = game.losses(theta, psi)
    record.steps.append(step)
    record.loss_g.append(float(l_g))
    record.loss_d.append(float(l_d))
    if k:
        s = spectrum(game, reg=reg, gamma=gamma, at=x.cpu().numpy(), k=k, which=which, rtol=rtol)
        record.eigenvalues.append(s.eigenvalues)
        record.phase_factor.append(s.phase_factor)
        record.condition_factor.append(s.condition_factor)


def write_back(game, x) -> None:
    """Copy the flat vector ``x`` into the generator's and discriminator's parameters."""
    theta, psi = game.split(x.detach())
    for module, vector in ((game.generator, theta), (game.discriminator, psi)):
        first = next(module.parameters())
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(vector.to(dtype=first.dtype, device=first.device),
                                                module.parameters())
