"""Figures of jacobian_lab: computing (``*_data``, ``*_map``) apart from drawing.

Every drawing function takes ``ax=None`` (a new figure when ``None``), returns its artists and
never calls ``show()``; the style (Okabe-Ito colours, cividis maps) lives in
:mod:`jacobian_lab.plotting.style` and is applied per call.

- phase portrait: :func:`portrait_data`, :func:`field_map` -> :func:`phase_portrait`
- eigenvalues: a :class:`~jacobian_lab.Spectrum`, :func:`stability_map` -> :func:`eigenvalue_plot`
- eigenvalue path: :func:`eigenvalue_path_data` -> :func:`eigenvalue_path`
- phase and conditioning factors: :func:`factors_data` -> :func:`factors_plot`
- convergence: :func:`convergence_data` -> :func:`convergence_plot`
- step sizes: :func:`step_size_map` -> :func:`step_size_plot`
- methods by schemes: :class:`Method` -> :func:`method_grid`
"""

from .convergence import ConvergenceData, convergence_data, convergence_plot
from .eigenvalues import StabilityMap, eigenvalue_plot, stability_map
from .factors import FactorsData, factors_data, factors_plot
from .grid import Method, method_grid
from .io import FORMATS, gallery_fast, save_figure, save_figures
from .paths import PathData, eigenvalue_path, eigenvalue_path_data
from .portrait import FieldMap, PortraitData, field_map, phase_portrait, portrait_data
from .stepsize import StepSizeMap, step_size_map, step_size_plot

__all__ = [
    "phase_portrait", "portrait_data", "field_map", "FieldMap", "PortraitData",
    "eigenvalue_plot", "stability_map", "StabilityMap",
    "eigenvalue_path", "eigenvalue_path_data", "PathData",
    "factors_plot", "factors_data", "FactorsData",
    "convergence_plot", "convergence_data", "ConvergenceData",
    "step_size_plot", "step_size_map", "StepSizeMap",
    "method_grid", "Method", "save_figure", "save_figures", "gallery_fast", "FORMATS",
]
