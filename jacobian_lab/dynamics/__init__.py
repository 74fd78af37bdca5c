"""The dynamics engine: simulations of training for one or many initial states, convergence maps
and sweeps over strengths and step sizes."""

from .simulate import simulate
from .trajectory import Trajectory

__all__ = ["simulate", "Trajectory"]
