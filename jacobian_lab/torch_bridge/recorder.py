r"""Spectra along any training loop: a recorder the user's own loop calls every N steps.

The recorder does not own the loop. The user keeps their optimizer, schedule and minibatches, and
calls it at a step::

    recorder = SpectrumRecorder(game, "spectra.npz", every=100, k=10)
    for step in range(steps):
        ...                      # the user's own update of generator and discriminator
        recorder(step)           # records when step % every == 0

Each record is taken at the modules' current parameters, on the game's fixed samples
(:mod:`.samples`; the same samples at every record, so records differ only by the parameters):

* ``eigenvalues``: the top ``k`` of :math:`J` by magnitude (ARPACK ``LM``, or every eigenvalue with
  ``k=None``) and ``rightmost``: the ``k_right`` of largest real part (``LR``, the stability
  question), matrix-free (:mod:`.operator`), with the factors of :class:`~jacobian_lab.Spectrum`
  of the top ``k`` and the eigenvalue that sets the phase factor (:func:`.operator.most_rotational`);
* ``hessian``: the extreme eigenvalues of each player's loss Hessian,
  :math:`\lambda_{\max,\min}(\nabla^2_\theta \tilde l_G)` and :math:`\lambda_{\max,\min}(\nabla^2_\psi \tilde l_D)`
  (``eigsh``, ``LA`` and ``SA``), on the same recorded graph;
* the players' unregularized losses, the products used and the seconds taken.

**Time budget.** ``budget_s`` bounds the seconds of one call: the pieces run in the order above and
each product checks the clock; a piece cut short is recorded as NaN and ``complete`` is ``False``
(a :class:`RuntimeWarning` says so once). ARPACK tolerance defaults to ``1e-8`` relative, enough
for a trajectory and cheaper than machine precision.

**File.** With a ``path`` (``.npz`` or ``.json``), the whole record is rewritten atomically after
each call, so a crash keeps what was recorded; :func:`load` reads it back and
``jacobian-lab spectrum FILE.npz --plot FIG.png`` draws the eigenvalue trajectories
(:func:`jacobian_lab.plotting.training.spectrum_record_plot`).
"""

from __future__ import annotations

import json
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator

from .._io import atomic_write, check_writable
from ..errors import JacobianLabError, check_int, check_positive
from ..regularizers import FieldTransform, parse_reg
from ..spectra.factors import DEFAULT_RTOL
from ..spectra.spectrum import Spectrum
from .operator import (
    WHICH,
    _BlockOperator,
    _check_which,
    _run_arpack,
    eigsh,
    most_rotational,
    operator,
    top_eigenvalues,
)

#: Record formats, from the file's suffix.
FORMATS = (".npz", ".json")
#: Per-record arrays (name -> description) written to the file.
FIELDS = {
    "steps": "training step of each record",
    "eigenvalues": "top-k eigenvalues of J by `which` (NaN-padded), by decreasing real part, complex",
    "rightmost": "the k_right eigenvalues of largest real part, complex",
    "phase_factor": "network phase factor of the top-k, or of every eigenvalue (Spectrum.phase_factor)",
    "condition_factor": "network conditioning factor of the top-k, or of every eigenvalue (Spectrum.condition_factor)",
    "n_excluded": "eigenvalues left out of the factors by the tolerance rule",
    "spectral_radius": "largest |lambda| found",
    "abscissa": "largest Re lambda found (of `rightmost`)",
    "most_rotational": "eigenvalue of the top-k with the largest |Im|/|Re|, complex",
    "hessian_g_max": "largest eigenvalue of the generator's loss Hessian",
    "hessian_g_min": "smallest eigenvalue of the generator's loss Hessian",
    "hessian_d_max": "largest eigenvalue of the discriminator's loss Hessian",
    "hessian_d_min": "smallest eigenvalue of the discriminator's loss Hessian",
    "loss_g": "generator's unregularized loss",
    "loss_d": "discriminator's unregularized loss",
    "n_matvec": "products used by the record",
    "seconds": "wall seconds of the record",
    "complete": "every piece finished within the budget",
}


class BudgetExceeded(Exception):
    """Raised inside a product when a record's time budget is spent (caught by the recorder)."""


class _Deadline(LinearOperator):
    """``op`` whose products raise :class:`BudgetExceeded` after ``deadline`` (``time.perf_counter``)."""

    def __init__(self, op: LinearOperator, deadline: float):
        super().__init__(dtype=op.dtype, shape=op.shape)
        self.op, self.deadline = op, deadline

    def _check(self):
        if time.perf_counter() > self.deadline:
            raise BudgetExceeded

    def _matvec(self, t):
        self._check()
        return self.op.matvec(t)

    def _rmatvec(self, u):
        self._check()
        return self.op.rmatvec(u)


@dataclass
class SpectrumRecord:
    """Recorded trajectories: one entry per record (see :data:`FIELDS`), and what was asked in ``info``."""

    data: dict = field(default_factory=lambda: {name: [] for name in FIELDS})
    info: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.data["steps"])

    def __getitem__(self, name) -> np.ndarray:
        """The array of one field, e.g. ``record["abscissa"]`` (complex fields NaN-padded to one width)."""
        values = self.data[name]
        if name in ("eigenvalues", "rightmost"):
            width = max((len(v) for v in values), default=0)
            out = np.full((len(values), width), np.nan + 0j)
            for i, v in enumerate(values):
                out[i, :len(v)] = v
            return out
        if name == "most_rotational":
            return np.asarray(values, dtype=complex)
        return np.asarray(values)

    def arrays(self) -> dict:
        return {name: self[name] for name in FIELDS}

    def save(self, path) -> Path:
        """Write the record to ``path`` (``.npz`` or ``.json``) atomically."""
        path = Path(path)
        fmt = _format(path)
        arrays = self.arrays()
        if fmt == ".npz":
            def write(tmp):
                with open(tmp, "wb") as handle:
                    np.savez(handle, info=np.array(json.dumps(self.info)), **arrays)
        else:
            payload = {"info": self.info, "fields": FIELDS,
                       **{name: _json_array(value) for name, value in arrays.items()}}

            def write(tmp):
                with open(tmp, "w") as handle:
                    json.dump(payload, handle)
        return atomic_write(path, write)


def load(path) -> SpectrumRecord:
    """Read a record written by :class:`SpectrumRecorder` (``.npz`` or ``.json``)."""
    path = Path(path)
    fmt = _format(path)
    if not path.is_file():
        raise JacobianLabError(f"no such record file: {path}")
    try:
        if fmt == ".npz":
            with np.load(path, allow_pickle=False) as data:
                info = json.loads(str(data["info"]))
                arrays = {name: data[name] for name in FIELDS}
        else:
            with open(path) as handle:
                payload = json.load(handle)
            info = payload["info"]
            arrays = {name: _from_json(payload[name]) for name in FIELDS}
    except (OSError, ValueError, KeyError) as error:
        raise JacobianLabError(f"{path} is not a spectrum record ({type(error).__name__}: {error})") from None
    record = SpectrumRecord(info=info)
    for name, values in arrays.items():
        rows = list(values)
        if name in ("eigenvalues", "rightmost"):
            rows = [row[~np.isnan(row)] for row in values]
        record.data[name] = rows
    return record


def _format(path: Path) -> str:
    if path.suffix not in FORMATS:
        raise JacobianLabError(f"a spectrum record is written as .npz or .json, got {path.name!r}")
    return path.suffix


def _json_array(value: np.ndarray):
    if np.iscomplexobj(value):
        return {"real": _json_array(value.real), "imag": _json_array(value.imag)}
    return np.where(np.isfinite(value), value, None).tolist() if value.dtype.kind == "f" else value.tolist()


def _from_json(value):
    if isinstance(value, dict):
        return _from_json(value["real"]) + 1j * _from_json(value["imag"])
    array = np.asarray(value)
    return np.asarray(array, dtype=float) if array.dtype == object else array


class SpectrumRecorder:
    """Record matrix-free spectra of ``game`` from inside any training loop.

    Parameters
    ----------
    game : TorchGame
        Reads its modules' parameters at each call (the loop updates the same modules).
    path : str or Path, optional
        ``.npz`` or ``.json`` file rewritten atomically after each record.
    every : int
        ``recorder(step)`` records when ``step % every == 0``; :meth:`record` always does.
    k : int or None
        Top-``k`` eigenvalues (default 10); ``None``: every eigenvalue (dense, within
        :func:`.dense.check_budget`); 0: none (losses and the other pieces only).
    which : {"LM", "LR", "LI"}
        Ranking of the top ``k`` (largest magnitude by default).
    k_right : int
        Eigenvalues of largest real part (``LR``; 0 to skip).
    hessian : bool
        Record the players' Hessian extremes (not for a field transform such as ``sga``).
    reg, gamma
        Regularizers of the analysed field (the core's names).
    rtol : float, optional
        Tolerance rule of the factors.
    budget_s : float, optional
        Seconds one record may take (default no limit).
    tol : float
        ARPACK's relative tolerance.

    Attributes
    ----------
    history : SpectrumRecord
    """

    def __init__(self, game, path=None, every: int = 1, k: int | None = 10, which: str = "LM", k_right: int = 3,
                 hessian: bool = True, reg=None, gamma=None, rtol=None, budget_s=None, tol: float = 1e-8):
        self.game, self.every = game, check_int("every", every)
        self.path = None if path is None else check_writable(path)
        if self.path is not None:
            _format(self.path)
        self.k = None if k is None else check_int("k", k, minimum=0)
        self.which = _check_which(which, WHICH)
        self.k_right = check_int("k_right", k_right, minimum=0)
        self.reg, self.gamma, self.rtol = reg, gamma, DEFAULT_RTOL if rtol is None else rtol
        transforms = any(isinstance(r, FieldTransform) for r, _ in parse_reg(reg, gamma))
        self.hessian = bool(hessian) and not transforms
        self.budget_s = None if budget_s is None else check_positive("budget_s", budget_s)
        self.tol = float(tol)
        if self.k is None:
            from .dense import check_budget

            check_budget(game.n_params, torch.finfo(game.dtype).bits // 8)
        self.history = SpectrumRecord(info={
            "k": self.k, "which": self.which, "k_right": self.k_right, "every": self.every, "reg": str(reg),
            "gamma": gamma, "rtol": self.rtol, "budget_s": self.budget_s, "tol": self.tol, "n_params": game.n_params,
            "n_theta": game.n_theta, "hessian": self.hessian, "game": repr(game), "fields": FIELDS})
        self._warned = False

    def __call__(self, step: int, at=None):
        """Record at ``step`` when ``step % every == 0``; returns the record's dict or ``None``."""
        step = check_int("step", step, minimum=0)
        return self.record(step, at) if step % self.every == 0 else None

    def record(self, step: int, at=None) -> dict:
        """Record now (at the modules' parameters, or the flat vector ``at``) and rewrite the file."""
        start = time.perf_counter()
        deadline = math.inf if self.budget_s is None else start + self.budget_s
        game = self.game
        op = operator(game, self.reg, self.gamma, at)
        timed = _Deadline(op, deadline)
        entry = {"steps": int(step), "complete": True}
        top = self._top(timed, entry)
        partial = self.k is not None
        s = Spectrum(top, None, "continuous", partial=partial, rtol=self.rtol, factors="network",
                     which=self.which if partial else None, info={"n_params": game.n_params},
                     eps=float(torch.finfo(game.dtype).eps))
        entry["eigenvalues"] = s.eigenvalues
        entry["phase_factor"], entry["condition_factor"] = s.phase_factor, s.condition_factor
        entry["n_excluded"] = s.n_excluded
        entry["spectral_radius"] = s.spectral_radius
        entry["most_rotational"] = most_rotational(top, self.rtol)
        right = self._arpack(timed, self.k_right, "LR", entry) if self.k_right else np.zeros(0, complex)
        if self.k is None and self.k_right:  # dense: the rightmost are among all eigenvalues
            right = s.eigenvalues[:self.k_right]
        entry["rightmost"] = right
        entry["abscissa"] = float(right.real.max()) if right.size else math.nan
        for player, start_, stop in (("g", 0, game.n_theta), ("d", game.n_theta, game.n_params)):
            for which, label in (("LA", "max"), ("SA", "min")):
                value = self._hessian(timed, start_, stop, which, entry) if self.hessian else math.nan
                entry[f"hessian_{player}_{label}"] = value
        with torch.no_grad():
            l_g, l_d = game.losses(*game.split(op.x))
        entry["loss_g"], entry["loss_d"] = float(l_g), float(l_d)
        entry["n_matvec"] = op.n_matvec
        entry["seconds"] = time.perf_counter() - start
        for name in FIELDS:
            self.history.data[name].append(entry[name])
        if not entry["complete"] and not self._warned:
            self._warned = True
            warnings.warn(f"a spectrum record at step {step} ran past budget_s={self.budget_s:g}; the pieces "
                          "cut short are NaN (complete=False)", RuntimeWarning, stacklevel=2)
        if self.path is not None:
            self.history.save(self.path)
        return entry

    def _top(self, timed, entry) -> np.ndarray:
        if self.k == 0:
            return np.zeros(0, complex)
        if self.k is None:
            from .analysis import spectrum

            return spectrum(self.game, reg=self.reg, gamma=self.gamma, at=timed.op.x.cpu().numpy(),
                            rtol=self.rtol, progress=False).eigenvalues
        return self._arpack(timed, self.k, self.which, entry)

    def _arpack(self, timed, k, which, entry) -> np.ndarray:
        try:
            values, _, _ = top_eigenvalues(timed.H, k, which, tol=self.tol, seed=self.game.seed,
                                                   progress=False)
        except BudgetExceeded:
            entry["complete"] = False
            return np.full(0, np.nan, complex)
        return values[np.argsort(-values.real, kind="stable")]

    def _hessian(self, timed, start, stop, which, entry) -> float:
        block = _BlockOperator(timed, start, stop)
        if stop - start < 2:
            return math.nan
        v0 = np.random.default_rng(self.game.seed).standard_normal(stop - start)
        try:
            values = _run_arpack(eigsh, block, f"eigsh {which}", False, k=1, which=which, v0=v0, tol=self.tol,
                                 return_eigenvectors=False)
        except BudgetExceeded:
            entry["complete"] = False
            return math.nan
        except ArpackNoConvergence as error:
            values = error.eigenvalues
        return float(values[0]) if len(values) else math.nan

    def save(self, path=None) -> Path:
        """Write the record to ``path`` (default the recorder's own)."""
        target = self.path if path is None else path
        if target is None:
            raise JacobianLabError("no path: give SpectrumRecorder(path=...) or save(path)")
        return self.history.save(target)
