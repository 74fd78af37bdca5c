"""Bifurcation analysis of training dynamics: continuation in one parameter (eigenvalues followed,
critical points located) and stability charts in two."""

from .continuation import Continuation, continuation
from .critical import KINDS, CriticalPoint
from .family import ParameterFamily

__all__ = ["continuation", "Continuation", "CriticalPoint", "ParameterFamily", "KINDS"]
