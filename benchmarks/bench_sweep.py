"""A sweep with simulations from the CLI: serial against a local Dask cluster, in the same run.

``jacobian-lab sweep`` over 100 strengths x 100 step sizes (10^4 cells, each simulated for 100
steps of simgd on the Dirac-GAN with R1) runs twice in fresh processes: ``--workers 1`` (this
process) and ``--workers N`` (an embedded LocalCluster of N = all cores worker processes, its
start-up included). Reports both wall times, their ratio, and checks that the two Parquet tables
are equal. ``--fast``: 20 x 20 cells.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_cli(args):
    exe = Path(sys.executable).with_name("jacobian-lab")
    start = time.perf_counter()
    subprocess.run([str(exe), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast", action="store_true", help="20 x 20 cells instead of 100 x 100")
    parser.add_argument("--steps", type=int, default=100)
    options = parser.parse_args()
    import pandas as pd

    n = 20 if options.fast else 100
    workers = os.cpu_count() or 1
    base = ["sweep", "--model", "dirac", "--reg", "r1", "--gammas", f"0.05,2,{n}", "--lrs", f"0.01,1,{n}",
            "--simulate", "--steps", str(options.steps)]
    print(f"jacobian-lab {' '.join(base)} --workers W --out T.parquet  ({n * n} cells)")
    with tempfile.TemporaryDirectory() as tmp:
        serial = run_cli([*base, "--workers", "1", "--out", f"{tmp}/serial.parquet"])
        print(f"  serial (--workers 1):               {serial:8.1f} s", flush=True)
        dask = run_cli([*base, "--workers", str(workers), "--out", f"{tmp}/dask.parquet"])
        print(f"  local Dask cluster (--workers {workers}):  {dask:8.1f} s (start-up included)")
        same = pd.read_parquet(f"{tmp}/serial.parquet").equals(pd.read_parquet(f"{tmp}/dask.parquet"))
    print(f"  speed-up serial / Dask: {serial / dask:.2f}x on {workers} cores; tables equal: {same}")


if __name__ == "__main__":
    main()
