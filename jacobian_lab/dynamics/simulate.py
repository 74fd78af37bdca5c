"""``jl.simulate``: integrate the training dynamics of a game for one or many initial states."""

from __future__ import annotations

import functools

import numpy as np

from ..analysis import regularized_game, split_params
from ..errors import JacobianLabError, NotApplicableError, check_int, check_number, check_positive, unknown_name
from ..schemes import make_scheme
from .backends import numpy_step
from .loop import run_loop
from .trajectory import Trajectory

#: Largest memory (bytes) a simulation may need (estimated before it starts) unless ``max_memory`` says otherwise.
MAX_MEMORY = 2 * 1024**3
#: Most iterations, and most trajectory-steps (starts x iterations), of one simulation.
MAX_STEPS = 10**8
MAX_WORK = 10**11
#: ``backend="auto"`` compiles (numba) from this many trajectory-steps on; below, numpy is faster.
AUTO_NUMBA_WORK = 200_000
BACKEND_NAMES = ("auto", "numpy", "numba")


def simulate(model, reg=None, gamma=None, scheme="simgd", *, steps=500, x0=None, record_every=None,
             backend="auto", noise=0.0, seed=None, tol=1e-6, bound=1e6, window=None,
             max_memory=MAX_MEMORY, progress=None, threads=None, **params) -> Trajectory:
    """Simulate a scheme's iterates :math:`s_{k+1} = F(s_k)` (state :math:`s = (x, \\dots)`) from one or many starts.

    Parameters
    ----------
    model, reg, gamma, **params
        As for :func:`jacobian_lab.spectrum`: a model name or game, regularizers, model parameters
        and the scheme's parameters (``jacobian-lab list``).
    scheme : str or Scheme
        Any scheme of ``jl.SCHEMES`` (``flow``: RK4 steps of size ``lr``).
    steps : int
        Number of iterations.
    x0 : array_like, shape (d,) or (N, d), optional
        Initial states, generator coordinates first; default the equilibrium plus one in every
        coordinate (``(1, 1)`` on the Dirac-GAN).
    record_every : int, optional
        Keep every k-th state in ``Trajectory.states``; default only the first and the last.
    backend : {"auto", "numpy", "numba"}
        ``numpy`` steps the scheme's own definition on the generated numeric field (the
        reference); ``numba`` runs compiled kernels generated from the same definitions (schemes
        without linear solves, no gradient noise); ``auto`` picks the faster for the batch.
    noise : float
        Standard deviation of Gaussian noise added to every field evaluation (seeded by ``seed``).
    tol : float
        Distance to the equilibrium below which a trajectory counts as converged.
    bound : float
        Norm above which a trajectory counts as diverged (also when it becomes non-finite).
    window : int, optional
        Steps at the end over which ``Trajectory.rate`` is measured (default ``steps // 5``).
    max_memory : int
        Refuse simulations whose memory estimate (:func:`memory_estimate`) exceeds this many bytes.
    progress : bool, optional
        ``False`` hides the progress bar (shown for runs longer than a second).
    threads : int, optional
        Threads for the numba backend (default one per core).

    Returns
    -------
    Trajectory
    """
    steps = check_int("steps", steps, minimum=1)
    if steps > MAX_STEPS:
        raise JacobianLabError(f"steps must be at most {MAX_STEPS:.0e}, got {steps}")
    seed = None if seed is None else check_int("seed", seed, minimum=0)
    window = min(steps, check_int("window", window, 1)) if window is not None else max(1, steps // 5)
    threads = None if threads is None else check_int("threads", threads, 1)
    noise = float(check_number("noise", noise))
    if noise < 0:
        raise JacobianLabError(f"noise must be a finite number >= 0, got {noise!r}")
    check_positive("tol", tol)
    check_positive("bound", bound)
    if not (tol < 1e150 and bound < 1e150):
        raise JacobianLabError("tol and bound must be below 1e150 (their squares are compared)")
    model_params, scheme_params = split_params(params)
    rg = regularized_game(model, reg, gamma, **model_params)
    method = make_scheme(scheme, len(rg.game.theta), rg.game.dim, **scheme_params)
    x_star = np.array([float(e) for e in rg.equilibrium])
    starts = _initial_states(x0, x_star)
    record_every = None if record_every is None else check_int("record_every", record_every, 1)
    name = choose_backend(backend, starts.shape[0] * steps, method, noise)
    check_size(rg, starts.shape[0], steps, record_every, max_memory, method.memory, name)
    states = method.init(starts)
    if name == "numba":
        from .numba_backend import run_numba

        result = run_numba(rg, method, states, x_star, steps, record_every, bound, tol, window, threads, progress)
    else:
        step = numpy_step(rg, method, noise=noise, seed=seed, starts=starts.shape[0])
        result = run_loop(step, states, x_star, steps, record_every, bound, tol, window, progress)
    predict = functools.partial(predicted_rate, model, reg, gamma, scheme, **params)
    return _trajectory(result, x_star, steps, window, tol, predict, {
        "model": rg.game.name, "parameters": dict(rg.game.values), "reg": rg.label, "scheme": method.name,
        "scheme_parameters": dict(method.values), "steps": steps, "record_every": record_every,
        "backend": name, "noise": noise, "seed": seed, "tol": tol, "bound": bound, "window": window,
        "variables": [str(v) for v in rg.variables],
    })


def predicted_rate(model, reg=None, gamma=None, scheme="simgd", **params):
    r"""The contraction per step that linearisation predicts, to compare with ``Trajectory.rate``.

    The spectral radius of the update map at the equilibrium (:func:`jacobian_lab.spectrum`); for
    ``flow``, whose RK4 steps of size ``lr`` follow the ODE, :math:`e^{h\alpha}` with :math:`\alpha`
    the spectral abscissa. ``None`` where the spectrum is not defined (a kink at the equilibrium, or a
    scheme without a differentiable update map).
    """
    from ..analysis import spectrum

    try:
        s = spectrum(model, reg=reg, gamma=gamma, scheme=scheme, **params)
    except NotApplicableError:
        return None
    if s.kind == "continuous":
        lr = make_scheme(scheme, 1, 2, **split_params(params)[1]).values["lr"]
        return float(np.exp(lr * s.abscissa))
    return float(s.spectral_radius)


def _initial_states(x0, x_star):
    if x0 is None:
        return (x_star + 1.0)[None, :]
    try:
        starts = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise JacobianLabError(f"x0 must be numbers of shape (d,) or (N, d), got {x0!r}") from None
    starts = np.atleast_2d(starts)
    d = x_star.size
    if starts.ndim != 2 or starts.shape[1] != d or starts.shape[0] == 0:
        raise JacobianLabError(f"x0 must have shape ({d},) or (N, {d}), got {np.shape(x0)}")
    if not np.all(np.isfinite(starts)):
        raise JacobianLabError("x0 must be finite")
    return starts


def memory_estimate(rg, n, steps, record_every=None, memory=1, backend="numpy") -> int:
    r"""Bytes a simulation of ``n`` starts needs at its peak (within a factor 2 of the measured peak).

    Per start, in float64 words: the recording and the distances computed from it
    (:math:`2.5\,c\,d` for ``c`` recorded states of ``d`` coordinates) and the states, starts and
    results (:math:`4 d` per state carried); the numpy backend adds the temporaries of one field
    evaluation (:math:`2` per operation of the field after common sub-expressions), which the
    numba kernels keep in registers. Fitted to tracemalloc peaks (``benchmarks/bench_memory.py``:
    the estimate is 0.7 to 1.7 times the peak on the Dirac, Gaussian and LQ games).
    """
    d = rg.game.dim
    count = steps // record_every + 1 if record_every else 2
    temporaries = 0 if backend == "numba" else 2 * rg.field_operations
    return 8 * n * int(2.5 * count * d + 4.5 * d * memory + temporaries)


def check_size(rg, n, steps, record_every=None, max_memory=MAX_MEMORY, memory=1, backend="numpy"):
    """Refuse, before any allocation, a simulation above the memory bound or :data:`MAX_WORK`."""
    if n * steps > MAX_WORK:
        raise JacobianLabError(f"{n} starts x {steps} steps is {n * steps:.2e} trajectory-steps, above the bound "
                               f"of {MAX_WORK:.0e}: use fewer starts or steps")
    needed = memory_estimate(rg, n, steps, record_every, memory, backend)
    if needed > max_memory:
        hint = "fewer starts" if not record_every else f"record_every >= {record_every * (needed // max_memory + 1)}"
        raise JacobianLabError(
            f"simulating {n} starts for {steps} steps needs about {needed / 2**30:.2f} GiB, above the bound of "
            f"{max_memory / 2**30:.2f} GiB: use {hint}, or raise max_memory")


def choose_backend(backend, work, scheme, noise):
    if backend not in BACKEND_NAMES:
        raise unknown_name("backend", backend, BACKEND_NAMES)
    compilable = scheme.capabilities.compiles and noise == 0
    if backend == "numba" and not compilable:
        raise JacobianLabError(
            f"the numba backend runs schemes without linear solves and without gradient noise; "
            f"{scheme.name!r}{' with noise' if noise else ''} needs backend='numpy' (or 'auto')")
    if backend != "auto":
        return backend
    return "numba" if compilable and work >= AUTO_NUMBA_WORK else "numpy"


def _trajectory(result, x_star, steps, window, tol, predict, info) -> Trajectory:
    with np.errstate(over="ignore", invalid="ignore"):  # states far out (diverged) give inf
        distance = np.sqrt(((result.states - x_star) ** 2).sum(axis=-1))
        final_distance = np.sqrt(((result.final - x_star) ** 2).sum(axis=-1))
    diverged = result.diverged_at >= 0
    with np.errstate(all="ignore"):
        rate = (final_distance / result.window_distance) ** (1.0 / window)
    rate = np.where(diverged | ~(result.window_distance > 0) | ~(final_distance > 0), np.nan, rate)
    return Trajectory(result.final, result.states, distance, diverged, result.diverged_at,
                      ~diverged & (final_distance < tol), result.converged_at, rate, result.steps_taken,
                      x_star, info, predict)
