"""Bounding sympy's work: a wall-clock limit that turns a slow derivation into a fallback."""

from __future__ import annotations

import contextlib
import signal
import threading


class SymbolicTimeout(Exception):
    """Raised inside :func:`time_limit` when the symbolic work takes too long."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`SymbolicTimeout` after ``seconds`` (main thread on POSIX; else unbounded).

    Off the main thread, the callers bound the work by problem size instead.
    """
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable or seconds is None:
        yield
        return

    def _raise(signum, frame):
        raise SymbolicTimeout(f"symbolic work exceeded {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
