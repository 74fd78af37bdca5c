"""jacobian_lab: exact Jacobian spectra of GAN training dynamics.

>>> import jacobian_lab as jl
>>> s = jl.spectrum("dirac", reg="jare", gamma=1.0)
>>> float(s.phase_factor), s.is_stable
(2.0, True)

The dynamics engine (numba), the torch bridge, pseudospectra and continuation load on first use, so that ``import
jacobian_lab`` and the symbolic core stay fast.
"""

import importlib

from .analysis import derive, jacobian, regularized_game, spectrum
from .errors import DivergenceError, JacobianLabError, NotApplicableError
from .games import GAMES, CustomGame, Game, make_game
from .regularizers import REGULARIZERS
from .schemes import SCHEMES
from .spectra.spectrum import Spectrum

__version__ = "0.1.0"

#: Names loaded on first access: ``name -> module``.
_LAZY = {
    "simulate": "jacobian_lab.dynamics",
    "sweep": "jacobian_lab.dynamics",
    "sweep_table": "jacobian_lab.dynamics",
    "map_table": "jacobian_lab.tables",
    "convergence_map": "jacobian_lab.dynamics",
    "Trajectory": "jacobian_lab.dynamics",
    "TorchGame": "jacobian_lab.torch_bridge",
    "pseudospectrum": "jacobian_lab.spectra.pseudospectra",
    "Pseudospectrum": "jacobian_lab.spectra.pseudospectra",
    "transient_growth": "jacobian_lab.spectra.transient",
    "continuation": "jacobian_lab.bifurcation",
    "Continuation": "jacobian_lab.bifurcation",
    "stability_chart": "jacobian_lab.bifurcation",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jacobian_lab' has no attribute {name!r}")


__all__ = [
    "spectrum", "jacobian", "derive", "regularized_game", "Spectrum", "JacobianLabError",
    "NotApplicableError", "DivergenceError", "GAMES", "REGULARIZERS", "SCHEMES", "Game",
    "CustomGame", "make_game", *_LAZY,
]
