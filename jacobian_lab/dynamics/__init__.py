"""The dynamics engine: simulations of training for one or many initial states, convergence maps
(basins) and sweeps over strengths and step sizes."""

from .basins import ConvergenceMap, convergence_map
from .simulate import simulate
from .sweep import SweepResult, sweep, sweep_table
from .trajectory import Trajectory

__all__ = ["simulate", "Trajectory", "convergence_map", "ConvergenceMap", "sweep", "sweep_table", "SweepResult"]
