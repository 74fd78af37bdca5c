"""Bifurcation analysis of training dynamics: continuation in one parameter (eigenvalues followed,
critical points located) and stability charts in two."""

from .chart import StabilityChart, stability_chart
from .continuation import Continuation, continuation
from .critical import KINDS, CriticalPoint
from .family import ParameterFamily

__all__ = ["continuation", "Continuation", "stability_chart", "StabilityChart", "CriticalPoint", "ParameterFamily",
           "KINDS"]
