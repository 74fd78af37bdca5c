r"""A small full-batch training loop that records the game spectrum along the way.

Every method updates the flat parameters :math:`x = (\theta, \psi)` along the (regularized) field
:math:`v` of :mod:`.field`, with per-player step sizes :math:`h = (h_G, h_D)`:

* ``simgd``: :math:`x \leftarrow x + h\,v(x)` (with :math:`h_G \ne h_D`: TTUR);
* ``altgd``: :math:`\theta \leftarrow \theta + h_G v_\theta(x)`, then
  :math:`\psi \leftarrow \psi + h_D v_\psi(\theta, \psi)` at the new point (``order="gd"``; ``"dg"``
  updates the discriminator first);
* ``extragradient``: :math:`x' = x + h v(x)`, :math:`x \leftarrow x + h v(x')` (Korpelevich 1976;
  Gidel et al. 2019);
* ``adam``: simultaneous Adam (Kingma & Ba 2015) on :math:`-v`, default betas (0.5, 0.999).

Every regularizer of the core applies (``reg``/``gamma``: penalties, instance noise, SGA), and a hard
``constraint`` (:mod:`.constraints`: ``svd`` or ``bjorck``) can follow each step. Every
``record_every`` steps (and at the first and last step) the loop records the spectrum of the training
field's Jacobian at the current point: every eigenvalue (``k=None``, dense) or the top ``k``
(ARPACK), both factors by the core's tolerance rule, and the players' unregularized losses. The batch
is fixed (full-batch dynamics, the setting of the spectra). A non-finite field stops the loop with a
:class:`RuntimeWarning` and ``diverged=True``: never a silent NaN.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from ..errors import JacobianLabError, check_int, check_positive, unknown_name
from .constraints import check_constraint, constrain
from .field import make_field

METHODS = ("simgd", "altgd", "extragradient", "adam")


@dataclass
class History:
    """What :func:`train` recorded.

    Attributes
    ----------
    steps : list of int
        Step numbers of the records (0 is the initial point).
    eigenvalues : list of ndarray of complex
        Each record's eigenvalues (all of them, or the top ``k``).
    phase_factor, condition_factor : list of float
        Both factors of each record (over the eigenvalues above ``rtol``; of the top ``k`` only when ``k``).
    n_excluded : list of int
        Eigenvalues left out of the factors by the tolerance rule.
    loss_g, loss_d : list of float
        Unregularized losses :math:`l_G`, :math:`l_D` at each record.
    x : ndarray
        Final flat parameters (generator first).
    diverged : bool
    info : dict
    """

    steps: list = field(default_factory=list)
    eigenvalues: list = field(default_factory=list)
    phase_factor: list = field(default_factory=list)
    condition_factor: list = field(default_factory=list)
    n_excluded: list = field(default_factory=list)
    loss_g: list = field(default_factory=list)
    loss_d: list = field(default_factory=list)
    x: np.ndarray | None = None
    diverged: bool = False
    info: dict = field(default_factory=dict)


def step_sizes(game, lr, lr_g=None, lr_d=None) -> torch.Tensor:
    """Per-coordinate step sizes: ``lr_g`` (default ``lr``) on :math:`\\theta`, ``lr_d`` on :math:`\\psi`."""
    h_g = check_positive("lr_g", lr if lr_g is None else lr_g)
    h_d = check_positive("lr_d", lr if lr_d is None else lr_d)
    n_psi = game.n_params - game.n_theta
    options = {"dtype": game.dtype, "device": game.device}
    return torch.cat([torch.full((game.n_theta,), h_g, **options), torch.full((n_psi,), h_d, **options)])


def simgd(field, x, h, state):
    """:math:`x + h\\,v(x)`."""
    return x + h * field(x)


def altgd(field, x, h, state):
    """One player, then the other at the new point (``state["order"]``: ``"gd"`` or ``"dg"``)."""
    first = state["mask_g"] if state["order"] == "gd" else ~state["mask_g"]
    x = torch.where(first, x + h * field(x), x)
    return torch.where(~first, x + h * field(x), x)


def extragradient(field, x, h, state):
    """:math:`x + h\\,v(x + h\\,v(x))`."""
    return x + h * field(x + h * field(x))


def adam(field, x, h, state):
    """Simultaneous Adam on the loss gradients :math:`-v` (bias-corrected moments)."""
    b1, b2 = state["betas"]
    g = -field(x)
    state["t"] += 1
    state["m"] = b1 * state["m"] + (1 - b1) * g
    state["v"] = b2 * state["v"] + (1 - b2) * g * g
    m_hat = state["m"] / (1 - b1 ** state["t"])
    v_hat = state["v"] / (1 - b2 ** state["t"])
    return x - h * m_hat / (v_hat.sqrt() + state["eps"])


STEPS = {"simgd": simgd, "altgd": altgd, "extragradient": extragradient, "adam": adam}


def _initial_state(game, x, method, order, betas, eps):
    if method == "altgd" and order not in ("gd", "dg"):
        raise JacobianLabError(f"order must be 'gd' (generator first) or 'dg', got {order!r}")
    mask_g = torch.arange(game.n_params, device=x.device) < game.n_theta
    return {"order": order, "mask_g": mask_g, "betas": tuple(betas), "eps": float(eps), "t": 0,
            "m": torch.zeros_like(x), "v": torch.zeros_like(x)}


def record(history, game, x, reg, gamma, k, which, rtol) -> None:
    """Append the spectrum, factors and losses at ``x`` to ``history``."""
    from .analysis import spectrum

    if k == 0:  # losses only
        values, phase, condition, excluded = np.zeros(0, dtype=complex), math.nan, math.nan, 0
    else:
        s = spectrum(game, reg=reg, gamma=gamma, at=x.detach().cpu().numpy(), rtol=rtol, k=k, which=which,
                     progress=False)  # inside the training bar
        values, phase, condition, excluded = s.eigenvalues, s.phase_factor, s.condition_factor, s.n_excluded
    with torch.no_grad():
        l_g, l_d = game.losses(*game.split(x))
    history.eigenvalues.append(values)
    history.phase_factor.append(phase)
    history.condition_factor.append(condition)
    history.n_excluded.append(excluded)
    history.loss_g.append(float(l_g))
    history.loss_d.append(float(l_d))


def train(game, steps: int, method: str = "simgd", lr: float = 0.01, lr_g=None, lr_d=None, reg=None,
          gamma=None, constraint=None, record_every=None, k=None, which="LM", rtol=None, order="gd",
          betas=(0.5, 0.999), eps=1e-8, write_back=True, progress=None) -> History:
    """Train ``game``'s players on their fixed batch, recording spectra along the way.

    Parameters
    ----------
    game : TorchGame
    steps : int
        Number of updates.
    method : {"simgd", "altgd", "extragradient", "adam"}
    lr, lr_g, lr_d : float
        Step size, and per-player overrides.
    reg, gamma
        Regularizers by the core's names (also those of the recorded spectra).
    constraint : {None, "svd", "bjorck"}
        Hard orthogonality of the discriminator's weight matrices after each step.
    record_every : int, optional
        Record every this many steps (default ``max(1, steps // 10)``); also at 0 and at the end.
    k, which
        Top-``k`` spectra (ARPACK) instead of dense ones, ``which`` as in :func:`.analysis.spectrum`;
        ``k=0`` records the losses only (empty eigenvalues, NaN factors).
    rtol : float, optional
        Tolerance rule of the factors.
    order : {"gd", "dg"}
        ``altgd``: generator first or discriminator first.
    betas, eps
        Adam's coefficients.
    write_back : bool
        Copy the final parameters into the modules.
    progress : bool, optional
        Show a tqdm bar (``None``: when the loop runs longer than a second).

    Returns
    -------
    History
    """
    steps = check_int("steps", steps, minimum=0)
    if method not in STEPS:
        raise unknown_name("method", method, STEPS)
    constraint = check_constraint(constraint)
    every = max(1, steps // 10) if record_every is None else check_int("record_every", record_every)
    h = step_sizes(game, lr, lr_g, lr_d)
    vector_field = make_field(game, reg, gamma)
    x = constrain(game, game.parameters(), constraint)
    state = _initial_state(game, x, method, order, betas, eps)
    history = History(info={"method": method, "reg": reg, "gamma": gamma, "constraint": constraint,
                            "lr_g": float(h[0]), "lr_d": float(h[-1]), "k": k, "which": which})
    _record_at(history, 0, game, x, reg, gamma, k, which, rtol)
    with tqdm(total=steps, desc=f"train {method}", unit="step", delay=1.0, leave=False,
              disable=progress is False) as bar:
        for n in range(1, steps + 1):
            new = constrain(game, STEPS[method](vector_field, x, h, state).detach(), constraint)
            if not bool(torch.isfinite(new).all()):
                history.diverged = True
                warnings.warn(f"training diverged at step {n} (non-finite parameters); stopped there",
                              RuntimeWarning, stacklevel=2)
                break
            x = new
            if n % every == 0 or n == steps:
                _record_at(history, n, game, x, reg, gamma, k, which, rtol)
            bar.update()
    history.x = x.cpu().numpy()
    if write_back:
        load_parameters(game, x)
    return history


def _record_at(history, n, game, x, reg, gamma, k, which, rtol):
    history.steps.append(n)
    record(history, game, x, reg, gamma, k, which, rtol)


def load_parameters(game, x) -> None:
    """Copy a flat vector (generator first) into the modules' parameters (in their own dtype)."""
    theta, psi = game.split(torch.as_tensor(x))
    for module, layout, part in ((game.generator, game.g_layout, theta), (game.discriminator, game.d_layout, psi)):
        values = layout.unflatten(part)
        with torch.no_grad():
            for name, p in module.named_parameters():
                p.copy_(values[name].to(dtype=p.dtype, device=p.device))
