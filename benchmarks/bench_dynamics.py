"""Dynamics engine throughput, against a plain numpy-vectorised Dirac-GAN loop in the same run.

Reports trajectory-steps per second (N trajectories x steps / seconds, best of 3) for:
the plain numpy loop written by hand (the baseline), the numpy twin (the schemes' own step on the
generated field) and the numba backend (warm); then every (regularizer, scheme) of the catalog at
10^4 trajectories; then the start of a cached kernel in a fresh process and the compilation of a
new field, each in a subprocess with its own cache directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from functools import partial

import numpy as np

import jacobian_lab as jl


def plain_numpy(theta, psi, steps, h):
    """Dirac-GAN simultaneous GD, the obvious numpy way: v = (-psi s, theta s), s = sigmoid(-psi theta)."""
    for _ in range(steps):
        s = 1.0 / (1.0 + np.exp(psi * theta))
        theta, psi = theta - h * psi * s, psi + h * theta * s
    return theta, psi


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def throughput():
    print("Dirac-GAN (gan loss), simultaneous GD, h = 0.2; trajectory-steps per second (best of 3):")
    print(f"  {'N':>6} {'steps':>6} {'plain numpy':>12} {'numpy twin':>12} {'numba':>12} {'numba/plain':>12}")
    for n, steps in ((10_000, 500), (16, 20_000)):
        x0 = np.random.default_rng(0).uniform(-2, 2, (n, 2))
        plain = best(partial(plain_numpy, x0[:, 0].copy(), x0[:, 1].copy(), steps, 0.2))
        kwargs = dict(scheme="simgd", lr=0.2, steps=steps, x0=x0, progress=False)
        jl.simulate("dirac", backend="numba", **{**kwargs, "steps": 2})  # load / compile the kernel
        twin = best(partial(jl.simulate, "dirac", backend="numpy", **kwargs), repeat=1 if n < 100 else 3)
        numba = best(partial(jl.simulate, "dirac", backend="numba", **kwargs))
        rates = [n * steps / t for t in (plain, twin, numba)]
        print(f"  {n:>6} {steps:>6} {rates[0]:>12.3g} {rates[1]:>12.3g} {rates[2]:>12.3g} {plain / numba:>11.2f}x")


def catalog():
    print("\nEvery regularizer x scheme at 10^4 trajectories, 200 steps: numba (warm) vs the numpy twin")
    x0 = np.random.default_rng(1).uniform(-1, 1, (10_000, 2))
    worst = np.inf
    for reg in ("none", "consensus", "jare", "grad-g", "grad-d", "r1", "instance-noise", "sga"):
        cells = []
        for scheme in ("simgd", "altgd", "extragradient", "optimistic", "momentum", "flow"):
            kwargs = dict(reg=reg, gamma=0.5, scheme=scheme, lr=0.1, steps=200, x0=x0, progress=False)
            jl.simulate("dirac", backend="numba", **{**kwargs, "steps": 2})
            ratio = best(partial(jl.simulate, "dirac", backend="numpy", **kwargs), 1) / best(
                partial(jl.simulate, "dirac", backend="numba", **kwargs), 2)
            worst = min(worst, ratio)
            cells.append(f"{scheme} {ratio:5.1f}x")
        print(f"  {reg:15s} " + "  ".join(cells))
    print(f"  slowest numba/numpy-twin ratio: {worst:.1f}x (goal >= 1)")


SNIPPET = """
import time; t0 = time.perf_counter()
import numpy as np, jacobian_lab as jl
jl.simulate('dirac', reg='{reg}', gamma=0.5, scheme='simgd', lr=0.2, steps=10, x0=np.ones((4, 2)), backend='numba')
print(time.perf_counter() - t0)
"""


def startup():
    print("\nKernel start in a fresh process (import + symbolic field + kernel + 10 steps):")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "JACOBIAN_LAB_CACHE": cache}

        def run(reg):
            out = subprocess.run([sys.executable, "-c", SNIPPET.format(reg=reg)], env=env, capture_output=True,
                                 text=True, check=True)
            return float(out.stdout.strip().splitlines()[-1])

        baseline = best(lambda: subprocess.run([sys.executable, "-c", "import numpy, sympy, numba"], check=True), 3)
        compile_new = run("grad-d")
        cached = min(run("grad-d") for _ in range(3))
    print(f"  python -c 'import numpy, sympy, numba': {baseline:.2f} s")
    print(f"  new field, compiled and cached:          {compile_new:.2f} s (goal < 3 s)")
    print(f"  same field, cached kernel:               {cached:.2f} s (goal < 0.5 s)")


def main():
    throughput()
    catalog()
    startup()


if __name__ == "__main__":
    main()
