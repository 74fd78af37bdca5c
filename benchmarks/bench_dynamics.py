"""Dynamics engine throughput, against a plain numpy-vectorised Dirac-GAN loop in the same run.

Reports trajectory-steps per second (N trajectories x steps / seconds, best of 3) for:
the plain numpy loop written by hand (the baseline), the numpy twin (the schemes' own step on the
generated field) and the numba backend (warm; all cores, and one thread); then every (regularizer,
scheme) of the catalog at 10^4 trajectories against the numpy twin; then, in fresh processes with
their own cache directory, the compilation of a new field and the start of a cached kernel.
Everything goes through ``jl.simulate``, so its per-call overhead counts.
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
    print(f"  {'N':>6} {'steps':>6} {'plain numpy':>12} {'numpy twin':>12} {'numba':>12} {'numba 1 thr':>12}"
          f" {'numba/plain':>12}")
    for n, steps in ((10_000, 500), (16, 20_000)):
        x0 = np.random.default_rng(0).uniform(-2, 2, (n, 2))
        plain = best(partial(plain_numpy, x0[:, 0].copy(), x0[:, 1].copy(), steps, 0.2), repeat=5)
        kwargs = dict(scheme="simgd", lr=0.2, steps=steps, x0=x0, progress=False)
        jl.simulate("dirac", backend="numba", **{**kwargs, "steps": 2})  # load / compile the kernel
        twin = best(partial(jl.simulate, "dirac", backend="numpy", **kwargs), repeat=1 if n < 100 else 3)
        numba = best(partial(jl.simulate, "dirac", backend="numba", **kwargs), repeat=5)
        single = best(partial(jl.simulate, "dirac", backend="numba", threads=1, **kwargs), repeat=5)
        rates = [n * steps / t for t in (plain, twin, numba, single)]
        print(f"  {n:>6} {steps:>6} " + " ".join(f"{r:>12.3g}" for r in rates) + f" {plain / numba:>11.2f}x")
    print("  goals: >= 2x at N = 10^4, >= 50x at N = 16")


REGULARIZERS = ("none", "consensus", "jare", "grad-g", "grad-d", "r1", "r2", "zero-gp", "wgan-gp", "instance-noise",
                "sga")
SCHEMES = ("simgd", "altgd", "extragradient", "optimistic", "momentum", "flow")


def catalog():
    print("\nEvery regularizer x scheme on the Dirac-GAN, 10^4 trajectories, 100 steps: numpy twin time / numba time")
    print("(cgd runs on the numpy twin under every backend; 'orthogonal' has no Dirac-GAN field)")
    x0 = np.random.default_rng(1).uniform(-1, 1, (10_000, 2))
    worst = (np.inf, "")
    for reg in REGULARIZERS:
        cells = []
        for scheme in SCHEMES:
            kwargs = dict(reg=reg, gamma=0.5, scheme=scheme, lr=0.1, steps=100, x0=x0, progress=False)
            jl.simulate("dirac", backend="numba", **{**kwargs, "steps": 2})
            ratio = best(partial(jl.simulate, "dirac", backend="numpy", **kwargs), 1) / best(
                partial(jl.simulate, "dirac", backend="numba", **kwargs), 2)
            worst = min(worst, (ratio, f"{reg}/{scheme}"))
            cells.append(f"{scheme} {ratio:5.1f}x")
        print(f"  {reg:15s} " + "  ".join(cells))
    print(f"  slowest: {worst[0]:.1f}x ({worst[1]}); goal >= 1")


SNIPPET = """
import time; t0 = time.perf_counter()
import numpy as np, jacobian_lab as jl
t1 = time.perf_counter()
jl.simulate('dirac', reg='{reg}', gamma=0.5, scheme='simgd', lr=0.2, steps=10, x0=np.ones((4, 2)), backend='numba')
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def startup():
    print("\nFresh processes (own cache directory): 'import jacobian_lab', then the first simulate call")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "JACOBIAN_LAB_CACHE": cache}

        def run(reg):
            out = subprocess.run([sys.executable, "-c", SNIPPET.format(reg=reg)], env=env, capture_output=True,
                                 text=True, check=True)
            return [float(t) for t in out.stdout.split()]

        baseline = best(partial(subprocess.run, [sys.executable, "-c", "import numpy, sympy, numba"], check=True), 3)
        _, compile_new = run("grad-d")
        starts = [run("grad-d") for _ in range(3)]
        imports, cached = min(t[0] for t in starts), min(t[1] for t in starts)
    print(f"  python -c 'import numpy, sympy, numba' (whole process):  {baseline:.2f} s")
    print(f"  import jacobian_lab (the core, not this engine):         {imports:.2f} s")
    print(f"  first simulate, new field (derive, generate, compile):   {compile_new:.2f} s (goal < 3 s)")
    print(f"  first simulate, cached kernel (derive, import numba, load): {cached:.2f} s (goal < 0.5 s)")


def main():
    throughput()
    catalog()
    startup()


if __name__ == "__main__":
    main()
