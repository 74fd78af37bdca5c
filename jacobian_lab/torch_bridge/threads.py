"""How many CPU threads torch and the BLAS behind scipy use, for one block of work.

Small networks run fastest on one thread when the machine is busy: torch's default of one thread
per core lets tiny kernels wait on each other (docs/torch_examples.rst measured a field evaluation
50 times slower on a loaded two-core machine).

ARPACK alternates torch products with its own vector work in scipy's OpenBLAS; both thread pools
spin while they wait, so on a small machine they take the cores from each other. The top-20 benchmark
(102 819 parameters, 2 cores) took 31.7 s with both pools at 2 threads, 8.2 s with OpenBLAS at one
(``benchmarks/bench_torch.py``): :func:`one_blas_thread` runs ARPACK so.
"""

from __future__ import annotations

import contextlib

import torch
from threadpoolctl import threadpool_limits

from ..errors import check_int


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Run the block with ``torch.set_num_threads(n)`` (``None``: leave torch's setting), then restore it."""
    if n is None:
        yield torch.get_num_threads()
        return
    n = check_int("threads", n)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def one_blas_thread():
    """Run the block with the BLAS libraries (OpenBLAS, MKL) on one thread, then restore them."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
