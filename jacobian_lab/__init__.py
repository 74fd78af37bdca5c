"""jacobian_lab: exact Jacobian spectra of GAN training dynamics.

>>> import jacobian_lab as jl
>>> s = jl.spectrum("dirac", reg="jare", gamma=1.0)
>>> s.phase_factor, s.is_stable
(2.0, True)
"""

from .analysis import jacobian, regularized_game, spectrum
from .errors import JacobianLabError, NotApplicableError
from .games import GAMES, CustomGame, Game, make_game
from .regularizers import REGULARIZERS
from .schemes import SCHEMES
from .spectra.spectrum import Spectrum

__version__ = "0.1.0"

__all__ = [
    "spectrum", "jacobian", "regularized_game", "Spectrum", "JacobianLabError",
    "NotApplicableError", "GAMES", "REGULARIZERS", "SCHEMES", "Game", "CustomGame", "make_game",
]
