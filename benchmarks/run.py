"""Run every benchmark module ``benchmarks/bench_*.py`` (each defines ``main()``).

Usage: ``python benchmarks/run.py [NAME ...]`` (e.g. ``core``); ``make bench`` runs them all.
Benchmarks report ratios against a baseline measured in the same run: the machines are shared.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(names):
    modules = sorted(HERE.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.stem.removeprefix("bench_") in names]
    for path in modules:
        print(f"\n=== {path.stem} ===", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.argv = [str(path)]  # each benchmark parses its own options; run.py's names are not for it
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
