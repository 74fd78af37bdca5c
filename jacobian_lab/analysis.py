"""The Python API of the core: :func:`spectrum`, :func:`jacobian` and :func:`derive`."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import sympy as sp

from .errors import JacobianLabError, NotApplicableError, check_number
from .exact import exact, freeze, number, thaw
from .field import RegularizedGame, SymbolicField
from .games import GAMES, Game, make_game
from .games.parameters import resolve
from .regularizers import parse_reg
from .schemes import make_scheme, scheme_parameter_names, symbolic_update_matrix, update_matrix
from .spectra.factors import DEFAULT_RTOL
from .spectra.spectrum import Spectrum
from .symbolic.derive import Derivation, derive_closed_forms
from .symbolic.eigen import defective_eigenvalues, exact_eigenvalues
from .symbolic.timeout import SymbolicTimeout, time_limit

SYMBOLIC_TIME_LIMIT = 3.0
#: Most digits evalf may use to evaluate a closed-form eigenvalue to 30 correct digits.
EVALF_MAX_DIGITS = 2000


def regularized_game(model, reg=None, gamma=None, **params) -> RegularizedGame:
    """The :class:`~jacobian_lab.field.RegularizedGame` for a model name or game object.

    Each call returns a new object (with a new game); for a model name, the symbolic derivation
    (immutable) is shared by every call with the same model parameters and regularizers, whatever
    their strengths.
    """
    regs = parse_reg(reg, gamma)
    if isinstance(model, Game):
        return RegularizedGame(make_game(model, **params), regs)
    if not isinstance(model, str) or model not in GAMES:
        make_game(model)  # raises the unknown-name error
    given = resolve(GAMES[model].parameters, params, f"model {model!r}")  # validated, hence hashable
    frozen = tuple(sorted((k, freeze(v)) for k, v in given.items() if k in params))
    symbolic = _symbolic_field(model, frozen, tuple(r for r, _ in regs))
    return RegularizedGame(make_game(model, **params), regs, symbolic)


@functools.lru_cache(maxsize=128)
def _symbolic_field(model, frozen_params, regularizers) -> SymbolicField:
    """The symbolic derivation, which depends on the regularizers, not on their strengths."""
    return SymbolicField(make_game(model, **{k: thaw(v) for k, v in frozen_params}), regularizers)


def split_params(params: dict) -> tuple[dict, dict]:
    """Split keywords into model parameters and scheme parameters (by the schemes' declarations)."""
    scheme_names = scheme_parameter_names()
    model_params = {k: v for k, v in params.items() if k not in scheme_names}
    scheme_params = {k: v for k, v in params.items() if k in scheme_names}
    return model_params, scheme_params


def resolve_scheme(scheme, n_theta: int, dim: int, scheme_params: dict):
    """The :class:`~jacobian_lab.schemes.Scheme` for ``scheme`` (name, instance or ``None``).

    ``None`` with scheme parameters is refused (they would be ignored).
    """
    if scheme is None:
        if scheme_params:
            raise JacobianLabError(f"scheme parameters {sorted(scheme_params)} given without a scheme; "
                                   "pass scheme='simgd' (or another scheme)")
        return None
    return make_scheme(scheme, n_theta, dim, **scheme_params)


def _point(rg: RegularizedGame, at) -> tuple:
    if at is None:
        return rg.equilibrium
    names = ", ".join(map(str, rg.variables))
    message = f"'at' must be {rg.game.dim} finite numbers ({names}), got {at!r}"
    entries = at.ravel().tolist() if isinstance(at, np.ndarray) else at
    if not isinstance(entries, list | tuple) or len(entries) != rg.game.dim:
        raise JacobianLabError(message)
    try:
        return tuple(number(p, "'at'") for p in entries)  # exact as given (see jacobian_lab.exact)
    except JacobianLabError:
        raise JacobianLabError(message) from None


def spectrum(model, reg=None, gamma=None, scheme=None, *, at=None, rtol=DEFAULT_RTOL,
             exact=True, **params) -> Spectrum:
    """The Jacobian spectrum of a game's training dynamics.

    Parameters
    ----------
    model : str or Game
        A model name (``jacobian-lab list``), a :class:`~jacobian_lab.games.Game`, or a torch
        bridge game (which then computes the spectrum itself).
    reg : None, str, dict or sequence of (name, strength)
        Regularizers; see :func:`jacobian_lab.regularizers.parse_reg`.
    gamma : float, optional
        Strength of a single named regularizer (default 1).
    scheme : str or Scheme, optional
        ``None`` or a continuous-time scheme (``flow``): the spectrum of :math:`J`. Otherwise the
        spectrum of the scheme's update map (``jl.SCHEMES`` lists them).
    at : array_like, optional
        Point :math:`(\\theta, \\psi)`; default the equilibrium.
    rtol : float
        Eigenvalues below ``rtol * max|lambda|`` are left out of the factors.
    exact : bool
        Derive the Jacobian and eigenvalues exactly with sympy where possible (bounded in time;
        numbers otherwise, with a warning).
    **params
        Model parameters (``sigma=0.7``, ``mean=(0, 2)``, ``loss="wgan"`` ...) and the scheme's
        parameters (``lr``, ``lr_g``, ``lr_d``, ``n_d``, ``beta`` ...: ``jacobian-lab list``).
        For a torch game (:class:`~jacobian_lab.torch_bridge.TorchGame`) the keywords of
        :func:`jacobian_lab.torch_bridge.analysis.spectrum`, among them:

        ``k`` : int
            Only the top ``k`` eigenvalues, matrix-free by ARPACK (default: dense, every eigenvalue).
        ``which`` : {"LM", "LR", "LI"}
            With ``k``: largest magnitude, real part or imaginary part.
        ``progress`` : bool
            ``False`` hides the progress bar (rows of the dense Jacobian or ARPACK's products), shown
            when the work takes over a second.
        ``device`` : str
            ``"cpu"`` or ``"cuda"`` (default the game's device).

    Returns
    -------
    Spectrum
        ``np.asarray(result)`` gives the eigenvalues; for a torch game with ``k``, ``partial`` is
        true and the factors refer to the eigenvalues found.

    Examples
    --------
    >>> import jacobian_lab as jl
    >>> s = jl.spectrum("dirac", reg="r1", gamma=1.0)
    >>> s.eigenvalues
    array([-0.5+0.j, -0.5+0.j])

    A GAN written in torch (see :doc:`/torch`), its 20 eigenvalues of largest real part:

    >>> s = jl.spectrum(game, reg="jare", gamma=1.0, k=20, which="LR")  # doctest: +SKIP
    """
    rtol = check_number("rtol", rtol)
    if not 0 <= rtol < 1:
        raise JacobianLabError(f"rtol must be in [0, 1), got {rtol!r}")
    if hasattr(model, "spectrum"):
        return model.spectrum(reg=reg, gamma=gamma, scheme=scheme, at=at, rtol=rtol, **params)
    model_params, scheme_params = split_params(params)
    rg = regularized_game(model, reg, gamma, **model_params)
    method = resolve_scheme(scheme, len(rg.game.theta), rg.game.dim, scheme_params)
    point = _point(rg, at)
    flow = _continuous(rg, point, rtol, exact, None if method is None else method.name)
    if method is None or method.capabilities.continuous:
        return flow
    return _discrete(rg, method, flow, rtol, exact)


def _info(rg, point, scheme, method):
    return {
        "model": rg.game.name, "parameters": dict(rg.game.values), "reg": rg.label,
        "scheme": scheme, "point": [float(sp.N(p)) for p in point], "method": method,
        "variables": [str(v) for v in rg.variables],
    }


def _continuous(rg, point, rtol, exact, scheme) -> Spectrum:
    info_scheme = str(scheme) if scheme is not None else None
    float_point = np.array([float(sp.N(p)) for p in point])
    jac_exact, eig, defective = _exact_spectrum(rg, point) if exact else (None, None, ())
    if jac_exact is None:
        jac = rg.numeric_jacobian(float_point)
    else:
        jac = np.array(jac_exact.evalf(), dtype=float)
    values = np.linalg.eigvals(jac) if eig is None else _evaluate(eig)
    method = "numeric" if jac_exact is None else "exact" if eig else "exact Jacobian, numeric eigenvalues"
    return Spectrum(values, jac, "continuous", symbolic_jacobian=jac_exact, symbolic_eigenvalues=eig,
                    defective=defective, rtol=rtol, point=float_point,
                    info=_info(rg, point, info_scheme, method))


def _mode_basis(rg, memory=1):
    basis = getattr(rg.game, "mode_basis", None)
    if basis is None:
        return None
    p = basis()
    return p if memory == 1 else sp.diag(*([p] * memory))


def _algebraic(matrix: sp.Matrix) -> bool:
    """True when every entry is an algebraic number (closed-form eigenvalues are then meaningful)."""
    return all(e.is_number and not e.has(sp.exp, sp.log, sp.Function) for e in matrix)


def _exact_spectrum(rg, point):
    """``(exact J, exact eigenvalues or None, defective)``; ``(None, None, ())`` if out of time."""
    try:
        with time_limit(SYMBOLIC_TIME_LIMIT):
            jac = rg.exact_jacobian_at(point)
            if not _algebraic(jac):
                return jac, None, ()
            at_equilibrium = rg.game.equilibrium is not None and tuple(point) == rg.equilibrium
            eig = exact_eigenvalues(jac, _mode_basis(rg) if at_equilibrium else None)
            return jac, eig, (() if eig is None else defective_eigenvalues(jac, eig))
    except SymbolicTimeout:
        warnings.warn("symbolic derivation took too long; falling back to numbers", stacklevel=4)
        return None, None, ()


def _evaluate(eigenvalues: dict) -> np.ndarray:
    values = []
    for value, mult in eigenvalues.items():
        # evalf raises its working precision until 30 digits are right; closed forms such as
        # (-g + sqrt(g^2 - 1))/2 at g = 1e308 cancel about 620 digits, hence the high ceiling
        values.extend([complex(sp.N(value, 30, maxn=EVALF_MAX_DIGITS))] * mult)
    return np.array(values, dtype=complex)


def _discrete(rg, method, flow: Spectrum, rtol, exact) -> Spectrum:
    info = {**flow.info, "scheme": method.name, "scheme_parameters": dict(method.values)}
    exact_result = None
    if exact and flow.symbolic_eigenvalues and method.capabilities.exact:
        exact_result = _exact_update(rg, method, flow)
    if exact_result is None:
        matrix = update_matrix(method, flow.jacobian)
        return Spectrum(np.linalg.eigvals(matrix), matrix, "discrete", continuous=flow, rtol=rtol,
                        point=flow.point, info={**info, "method": "numeric"})
    matrix, eig, defective = exact_result
    return Spectrum(_evaluate(eig), np.array(matrix.evalf(), dtype=float), "discrete",
                    continuous=flow, symbolic_jacobian=matrix, symbolic_eigenvalues=eig,
                    defective=defective, rtol=rtol, point=flow.point, info=info)


def _exact_update(rg, method, flow):
    try:
        with time_limit(SYMBOLIC_TIME_LIMIT):
            matrix = symbolic_update_matrix(method, flow.symbolic_jacobian)
            at_equilibrium = rg.game.equilibrium is not None and tuple(flow.point) == tuple(
                float(sp.N(e)) for e in rg.equilibrium)
            basis = _mode_basis(rg, method.memory) if at_equilibrium else None
            eig = exact_eigenvalues(matrix, basis)
            return None if eig is None else (matrix, eig, defective_eigenvalues(matrix, eig))
    except SymbolicTimeout:
        warnings.warn("symbolic update-map eigenvalues took too long; falling back to numbers",
                      stacklevel=3)
        return None


def jacobian(model, reg=None, gamma=None, *, at=None, **params) -> np.ndarray:
    """The numeric Jacobian :math:`J = \\partial v/\\partial x` at ``at`` (default the equilibrium).

    Generated from the same symbolic field as :func:`spectrum`; a torch bridge game computes it
    itself. Returns a ``(d, d)`` float array, generator coordinates first.
    """
    if hasattr(model, "jacobian"):
        return model.jacobian(reg=reg, gamma=gamma, at=at, **params)
    rg = regularized_game(model, reg, gamma, **params)
    exact_point = _point(rg, at)
    rg.check_kinks({**rg.substitutions(), **{x: exact(p) for x, p in zip(rg.variables, exact_point)}})
    point = np.array([float(sp.N(p)) for p in exact_point])
    jac = rg.numeric_jacobian(point)
    if not np.all(np.isfinite(jac)):
        raise NotApplicableError(f"the Jacobian of {rg.game.name!r} with {rg.label} is not finite at {point}")
    return jac


def derive(model, reg=None, gamma=None, scheme=None, **params) -> Derivation:
    """Closed-form Jacobian and eigenvalues at the equilibrium (:mod:`jacobian_lab.symbolic.derive`).

    Parameters are as for :func:`spectrum`; strengths and step sizes stay symbols (their values
    are ignored), model parameters stay symbols where the work stays bounded.
    """
    model_params, scheme_params = split_params(params)
    rg = regularized_game(model, reg, gamma, **model_params)
    method = resolve_scheme(scheme, len(rg.game.theta), rg.game.dim, scheme_params)
    return derive_closed_forms(rg, method)
