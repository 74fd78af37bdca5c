r"""A small full-batch training loop that records the game spectrum along the way.

The players' flat parameters :math:`x = (\theta, \psi)` move by any scheme of
:data:`jacobian_lab.schemes.REGISTRY` (``simgd``, ``altgd`` with ``n_g``/``n_d``/``order``,
``extragradient``, ``optimistic``, ``momentum``, ``lookahead``, ``adam`` ...): the scheme's own
``update`` function (:mod:`jacobian_lab.schemes.base`) runs on torch tensors, along the (regularized)
field :math:`v` of :mod:`.field`, with its state (``x_prev``, Adam's moments) carried between steps.
Schemes that solve a linear system with the field's Jacobian (``cgd``) are refused.

Every regularizer of the core applies (``reg``/``gamma``: penalties, instance noise, SGA), and a hard
``constraint`` (:mod:`.constraints`: ``svd`` or ``bjorck``) can follow each step (on :math:`x`; the
rest of the state is kept). Every ``record_every`` steps (and at the first and last step) the loop
records, through a :class:`~.recorder.SpectrumRecorder` (the same recorder a user's own loop calls),
the spectrum of the training field's Jacobian at the current point: every eigenvalue (``k=None``,
dense) or the top ``k`` (ARPACK), both factors by the core's tolerance rule, and the players'
unregularized losses; ``record_path`` also writes the recorder's file (``.npz``/``.json``). The batch
is fixed (full-batch dynamics, the setting of the spectra).
A non-finite field stops the loop with a :class:`RuntimeWarning` and ``diverged=True``: never a
silent NaN.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import torch
from tqdm.auto import tqdm

from ..errors import NotApplicableError, check_int, unknown_name
from ..schemes import REGISTRY, make_scheme
from .constraints import check_constraint, constrain
from .field import make_field
from .recorder import SpectrumRecorder


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


def training_scheme(game, method="simgd", **params):
    """The :class:`~jacobian_lab.schemes.Scheme` ``method`` on ``game``'s coordinates, refused if it
    needs the field's Jacobian (a linear solve)."""
    if isinstance(method, str) and method not in REGISTRY:
        raise unknown_name("method", method, REGISTRY)
    scheme = make_scheme(method, game.n_theta, game.n_params, **params)
    if scheme.capabilities.linear_solve:
        raise NotApplicableError(f"scheme {scheme.name!r} solves a linear system with the field's Jacobian; "
                                 "torch training runs schemes that use the field only")
    return scheme


class SchemeStepper:
    """Steps a scheme's ``update`` on torch tensors: ``state = stepper(state)``, ``state[0]`` is :math:`x`."""

    def __init__(self, scheme, vector_field, x):
        self.scheme = scheme
        self.field = SimpleNamespace(v=vector_field)
        as_tensor = lambda a: torch.as_tensor(a, dtype=x.dtype, device=x.device)  # noqa: E731
        self.params = scheme.namespace(convert=as_tensor)

    def init(self, x) -> tuple:
        return tuple(self.scheme.init(x))

    def __call__(self, state) -> tuple:
        return tuple(s.detach() for s in self.scheme.advance(self.field, state, self.params))


def record(history, recorder, n, x) -> None:
    """Record at step ``n`` and point ``x`` with ``recorder``, and append its spectrum, factors and losses."""
    entry = recorder.record(n, at=x.detach().cpu().numpy())
    history.steps.append(n)
    history.eigenvalues.append(entry["eigenvalues"])
    history.phase_factor.append(entry["phase_factor"])
    history.condition_factor.append(entry["condition_factor"])
    history.n_excluded.append(entry["n_excluded"])
    history.loss_g.append(entry["loss_g"])
    history.loss_d.append(entry["loss_d"])


def train(game, steps: int, method: str = "simgd", lr: float = 0.01, lr_g=None, lr_d=None, reg=None,
          gamma=None, constraint=None, record_every=None, k=None, which="LM", rtol=None, write_back=True,
          progress=None, record_path=None, **scheme_params) -> History:
    """Train ``game``'s players on their fixed batch, recording spectra along the way.

    Parameters
    ----------
    game : TorchGame
    steps : int
        Number of updates.
    method : str or Scheme
        A scheme of :data:`jacobian_lab.schemes.REGISTRY` (``jacobian-lab list``), e.g. ``simgd``,
        ``altgd``, ``extragradient``, ``optimistic``, ``momentum``, ``lookahead``, ``adam``.
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
    write_back : bool
        Copy the final parameters into the modules.
    progress : bool, optional
        Show a tqdm bar (``None``: when the loop runs longer than a second).
    record_path : str or Path, optional
        Also write the records to this ``.npz``/``.json`` file (``jacobian-lab spectrum FILE --plot``
        draws it).
    **scheme_params
        The scheme's other parameters: ``order``, ``n_d`` (altgd), ``beta`` (momentum),
        ``beta1``, ``beta2``, ``eps`` (adam) ...

    Returns
    -------
    History
    """
    steps = check_int("steps", steps, minimum=0)
    scheme = training_scheme(game, method, lr=lr, lr_g=lr_g, lr_d=lr_d, **scheme_params)
    constraint = check_constraint(constraint)
    every = max(1, steps // 10) if record_every is None else check_int("record_every", record_every)
    vector_field = make_field(game, reg, gamma)
    x = constrain(game, game.parameters(), constraint)
    stepper = SchemeStepper(scheme, vector_field, x)
    state = stepper.init(x)
    history = History(info={"method": scheme.name, "scheme_parameters": dict(scheme.values), "reg": reg,
                            "gamma": gamma, "constraint": constraint, "lr_g": float(scheme.lr[0]),
                            "lr_d": float(scheme.lr[-1]), "k": k, "which": which})
    recorder = SpectrumRecorder(game, record_path, k=k, which=which, k_right=0, hessian=False, reg=reg, gamma=gamma,
                                rtol=rtol, tol=0.0)
    record(history, recorder, 0, x)
    with tqdm(total=steps, desc=f"train {scheme.name}", unit="step", delay=1.0, leave=False,
              disable=progress is False) as bar:
        for n in range(1, steps + 1):
            state = stepper(state)
            new = constrain(game, state[0], constraint)
            if not bool(torch.isfinite(new).all()):
                history.diverged = True
                warnings.warn(f"training diverged at step {n} (non-finite parameters); stopped there",
                              RuntimeWarning, stacklevel=2)
                break
            x, state = new, (new, *state[1:])
            if n % every == 0 or n == steps:
                record(history, recorder, n, x)
            bar.update()
    history.x = x.cpu().numpy()
    if write_back:
        load_parameters(game, x)
    return history


def load_parameters(game, x) -> None:
    """Copy a flat vector (generator first) into the modules' parameters (in their own dtype)."""
    theta, psi = game.split(torch.as_tensor(x))
    for module, layout, part in ((game.generator, game.g_layout, theta), (game.discriminator, game.d_layout, psi)):
        values = layout.unflatten(part)
        with torch.no_grad():
            for name, p in module.named_parameters():
                p.copy_(values[name].to(dtype=p.dtype, device=p.device))
