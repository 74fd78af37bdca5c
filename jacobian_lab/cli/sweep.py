"""``jacobian-lab sweep``: spectral radii (and simulated rates) over strengths x step sizes x schemes x seeds."""

from __future__ import annotations

import re
import sys

import numpy as np

from ..errors import JacobianLabError, check_int
from ._common import (
    add_json_argument,
    add_model_arguments,
    add_scheme_arguments,
    model_params,
    print_json,
    scheme_params,
)

#: Most values of one --gammas or --lrs range.
MAX_RANGE = 10_000
#: Most seeds.
MAX_SEEDS = 1000


def register(subparsers):
    parser = subparsers.add_parser(
        "sweep", help="spectral radius over strengths x step sizes (optionally simulated rates, on Dask)",
        description="Sweep one regularizer's strength and the step size (and schemes and seeds); report "
                    "the stable region. Simulations run on a local Dask cluster for large grids, or on "
                    "an existing scheduler (--scheduler); --out writes the whole table.")
    add_model_arguments(parser, default_reg="r1")
    add_scheme_arguments(parser, default_scheme="simgd")
    parser.add_argument("--gammas", default="0,2,41", help="START,STOP,NUM of strengths (default 0,2,41)")
    parser.add_argument("--lrs", default="0.01,1,41", help="START,STOP,NUM of step sizes (default 0.01,1,41)")
    parser.add_argument("--simulate", action="store_true", help="also simulate and report empirical rates")
    parser.add_argument("--steps", type=int, default=300, help="iterations per simulated cell")
    parser.add_argument("--seeds", type=int, default=None, metavar="N",
                        help="simulate from N random starts (seeds 0..N-1) per cell")
    parser.add_argument("--workers", "--jobs", dest="workers", type=int, default=None,
                        help="local Dask worker processes, 1 to the number of cores (default: all cores "
                             "from 4000 simulated cells on; 1 runs in this process)")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="run the simulations on this Dask scheduler instead")
    parser.add_argument("--out", default=None,
                        help="write the table (one row per cell) to .parquet, .nc, .csv or .npz (atomic)")
    add_json_argument(parser)
    # values such as "--box -2,2,-2,2" or "--x0 -1,1" start with a minus sign: argparse takes them for
    # options unless they match its negative-number pattern, which only knows plain numbers
    parser._negative_number_matcher = re.compile(r"^-\.?\d")
    parser.set_defaults(func=run)


def _range(name, text):
    try:
        start, stop, num = text.split(",")
        start, stop, num = float(start), float(stop), int(num)
    except ValueError:
        raise JacobianLabError(f"--{name} must be START,STOP,NUM, got {text!r}") from None
    if not 1 <= num <= MAX_RANGE:
        raise JacobianLabError(f"--{name}: NUM must be 1 to {MAX_RANGE}, got {num}")
    if not (np.isfinite(start) and np.isfinite(stop)):
        raise JacobianLabError(f"--{name}: START and STOP must be finite, got {text!r}")
    return decimal_grid(*text.split(",")[:2], num)


def decimal_grid(start: str, stop: str, num: int) -> np.ndarray:
    """``num`` evenly spaced points from ``start`` to ``stop``, each the float nearest the exact value.

    The points are computed in exact rational arithmetic from the numbers as typed and rounded once,
    so ``0,1.2,5`` gives ``0.9``, not linspace's ``0.8999999999999999`` (which JSON would print).
    Ends that are not finite decimals (``inf``, ``nan``) fall back to ``numpy.linspace``.
    """
    from fractions import Fraction

    try:
        a, b = Fraction(start.strip()), Fraction(stop.strip())
        return np.array([float(a + (b - a) * i / max(num - 1, 1)) for i in range(num)])
    except (ValueError, OverflowError):  # inf, nan, or beyond the float range
        return np.linspace(float(start), float(stop), num)


def run(args) -> int:
    from ..dynamics import sweep_table
    from ..tables import check_table_path, write_table

    if args.gamma is not None or "=" in args.reg:
        raise JacobianLabError("sweep varies one regularizer's strength: give --reg NAME and --gammas")
    if args.out is not None:
        check_table_path(args.out)
    seeds = None
    if args.seeds is not None:
        if check_int("--seeds", args.seeds) > MAX_SEEDS:
            raise JacobianLabError(f"--seeds must be 1 to {MAX_SEEDS}, got {args.seeds}")
        seeds = range(args.seeds)
    schemes = args.scheme.split(",")
    gammas, lrs = _range("gammas", args.gammas), _range("lrs", args.lrs)
    if args.lr is not None:
        raise JacobianLabError("sweep varies the step size: give --lrs START,STOP,NUM, not --lr")
    params = scheme_params(args)
    _announce(args, gammas.size * lrs.size * len(schemes) * (args.seeds or 1))
    table = sweep_table(args.model, args.reg, gammas, lrs, schemes, seeds=seeds, simulate=args.simulate,
                        steps=args.steps, scheduler=args.scheduler, workers=args.workers,
                        **model_params(args), **params)
    if args.out:
        write_table(table, args.out)
    summary = _summary(table, args, gammas, lrs)
    print_json(summary) if args.json else print(_text(summary))
    return 0


def _announce(args, cells):
    """Say what a large simulated sweep will cost before it starts."""
    from ..dynamics.sweep import PARALLEL_THRESHOLD

    if args.simulate and cells >= PARALLEL_THRESHOLD:
        where = args.scheduler or (f"{args.workers} local worker(s)" if args.workers else "a local Dask cluster")
        print(f"sweep: {cells} cells x {args.steps} simulated steps on {where}", file=sys.stderr)


def _summary(table, args, gammas, lrs):
    from ..dynamics.sweep import results

    schemes = {}
    for name, r in results(table).items():
        best = r.best()
        schemes[name] = {
            "stable_fraction": float(r.stable.mean()),
            "best": {k: best[k] for k in ("gamma", "lr", "spectral_radius")},
            "largest_stable_lr": [{"gamma": float(g), "lr": None if np.isnan(h) else float(h)}
                                  for g, h in zip(r.gammas, r.largest_stable_lr())],
            "simulated_rate_at_best": best["simulated_rate"],
        }
    first = next(iter(schemes.values()))
    return {"model": args.model, "reg": args.reg, "scheme": args.scheme, "grid": [int(gammas.size), int(lrs.size)],
            "cells": int(len(table)), "stable_fraction": float((table["spectral_radius"] < 1).mean()),
            "best": first["best"], "simulated_rate_at_best": first["simulated_rate_at_best"], "schemes": schemes}


def _text(s) -> str:
    lines = [f"model {s['model']}, reg {s['reg']}: {s['grid'][0]} strengths x {s['grid'][1]} steps"
             f" ({s['cells']} cells)"]
    for name, part in s["schemes"].items():
        best = part["best"]
        rate = part["simulated_rate_at_best"]
        lines += [f"scheme {name}",
                  f"  stable fraction of the grid  {part['stable_fraction']:.3f}",
                  f"  best cell                    gamma = {best['gamma']:.4g}, lr = {best['lr']:.4g}: "
                  f"spectral radius {best['spectral_radius']:.6g}"
                  + (f", simulated rate {rate:.6g}" if rate is not None else "")]
    return "\n".join(lines)
