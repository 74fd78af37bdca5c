"""Core latency: ``spectrum`` warm (same process) and ``jacobian-lab analyze`` cold (fresh process).

The cold time is compared with a bare ``python -c pass`` and with ``python -c "import numpy, sympy"``
measured in the same run, since the machine is shared and noisy. Goal: analyze well under 1.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import jacobian_lab as jl

BIN = Path(sys.executable).parent


def _best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def _process(argv):
    return lambda: subprocess.run(argv, check=True, capture_output=True)


def warm():
    cases = [("dirac", "jare", {}), ("dirac", "r1", {"scheme": "altgd", "lr": 0.2, "n_d": 5}),
             ("gaussian", "jare", {}), ("gaussian", "consensus", {"scheme": "simgd", "lr": 0.05})]
    print("spectrum, warm (symbolic field cached; a new strength value each call):")
    for model, reg, extra in cases:
        jl.spectrum(model, reg=reg, gamma=0.5, **extra)  # derive the symbolic field once
        strengths = iter(0.5 + 1e-3 * np.arange(1, 10**4))

        def call(model=model, reg=reg, extra=extra, strengths=strengths):
            return jl.spectrum(model, reg=reg, gamma=next(strengths), **extra)

        best, median = _best_of(call, 20)
        print(f"  {model:9s} {reg:10s} {str(extra):45s} best {best * 1e3:7.1f} ms  median {median * 1e3:7.1f} ms")


def cold():
    python = sys.executable
    baseline, _ = _best_of(_process([python, "-c", "pass"]), 5)
    imports, _ = _best_of(_process([python, "-c", "import numpy, scipy.linalg, sympy"]), 5)
    analyze, median = _best_of(_process([str(BIN / "jacobian-lab"), "analyze", "--model", "dirac", "--reg", "jare"]), 5)
    print("jacobian-lab analyze --model dirac --reg jare, cold (fresh process, best of 5):")
    print(f"  python -c pass                   {baseline * 1e3:7.0f} ms")
    print(f"  import numpy, scipy.linalg, sympy {imports * 1e3:6.0f} ms")
    print(f"  analyze                          {analyze * 1e3:7.0f} ms (median {median * 1e3:.0f} ms)"
          f"  = {analyze / imports:.2f}x the bare imports; goal < 1500 ms")
    loaded = subprocess.run([python, "-c", "import sys, jacobian_lab.cli as c; c.main(['analyze']);"
                             "print(sorted(m for m in ('numba', 'torch') if m in sys.modules))"],
                            capture_output=True, text=True).stdout.strip().splitlines()[-1]
    print(f"  heavy modules loaded by analyze: {loaded} (must be [])")


def main():
    warm()
    cold()


if __name__ == "__main__":
    main()
