"""Memory bound of simulations: the estimate checked before work against the measured peak.

``jl.simulate`` and ``jl.convergence_map`` refuse, before allocating, a run whose estimate
(:func:`jacobian_lab.dynamics.simulate.memory_estimate`) exceeds ``max_memory``. The estimate must
match the measured peak (tracemalloc, which sees numpy's allocations) within a factor 2.

    python benchmarks/bench_memory.py [--fast]
"""

from __future__ import annotations

import argparse
import tracemalloc
from functools import partial

import numpy as np

import jacobian_lab as jl
from jacobian_lab.analysis import regularized_game
from jacobian_lab.dynamics.basins import grid_memory
from jacobian_lab.dynamics.simulate import memory_estimate

CASES = [  # model, reg, scheme, starts, steps, record_every, backend
    ("dirac", "r1", "simgd", 90_000, 20, None, "numpy"),
    ("dirac", "r1", "simgd", 20_000, 100, 1, "numpy"),
    ("dirac", "r1", "optimistic", 90_000, 20, None, "numpy"),
    ("gaussian", "r1", "simgd", 40_000, 10, None, "numpy"),
    ("gaussian", "jare", "extragradient", 20_000, 10, None, "numpy"),
    ("lq", "r1", "simgd", 50_000, 50, 5, "numpy"),
    ("dirac", "r1", "simgd", 200_000, 10, None, "numba"),
    ("gaussian", "r1", "simgd", 40_000, 10, None, "numba"),
]


def peak(call) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="ten times fewer starts")
    args = parser.parse_args(argv)
    print(f"{'model':9s} {'reg':5s} {'scheme':14s} {'starts':>8s} {'steps':>6s} {'rec':>4s} {'backend':7s} "
          f"{'estimate MB':>11s} {'peak MB':>8s} {'ratio':>6s}")
    worst = 1.0
    for model, reg, scheme, n, steps, every, backend in CASES:
        n = n // 10 if args.fast else n
        d = regularized_game(model, reg, 0.5).game.dim
        x0 = np.random.default_rng(0).uniform(-1, 1, (n, d)) * 0.1 + np.array(
            [float(e) for e in regularized_game(model, reg, 0.5).equilibrium])
        run = partial(jl.simulate, model, reg, 0.5, scheme, steps=steps, x0=x0, record_every=every,
                      backend=backend, lr=0.05, progress=False)
        run()  # compile and derive outside the measurement
        measured = peak(run)
        rg = regularized_game(model, reg, 0.5)
        estimate = memory_estimate(rg, n, steps, every, 2 if scheme == "optimistic" else 1, backend)
        ratio = estimate / measured
        worst = max(worst, ratio, 1 / ratio)
        print(f"{model:9s} {reg:5s} {scheme:14s} {n:8d} {steps:6d} {every or '-':>4} {backend:7s} "
              f"{estimate / 1e6:11.1f} {measured / 1e6:8.1f} {ratio:6.2f}")
    for model, side, backend in (("dirac", 300, "numpy"), ("gaussian", 200, "numpy"), ("dirac", 300, "numba")):
        side = side // 3 if args.fast else side
        run = partial(jl.convergence_map, model, "r1", 0.5, grid=(side, side), steps=20, backend=backend,
                      progress=False)
        run()
        measured = peak(run)
        rg = regularized_game(model, "r1", 0.5)
        estimate = memory_estimate(rg, side * side, 20, None, 1, backend) + grid_memory(rg, side * side)
        ratio = estimate / measured
        worst = max(worst, ratio, 1 / ratio)
        print(f"{model:9s} {'r1':5s} {'grid':14s} {side * side:8d} {20:6d} {'-':>4} {backend:7s} "
              f"{estimate / 1e6:11.1f} {measured / 1e6:8.1f} {ratio:6.2f}")
    print(f"largest factor between estimate and peak: {worst:.2f} (bound: 2)")
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
