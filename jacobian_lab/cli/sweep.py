"""``jacobian-lab sweep``: spectral radius over a grid of strengths and step sizes."""

from __future__ import annotations

import re

import numpy as np

from .._io import atomic_write, check_writable
from ..errors import JacobianLabError
from ._common import add_model_arguments, add_scheme_arguments, model_params, print_json, scheme_params


def register(subparsers):
    parser = subparsers.add_parser(
        "sweep", help="spectral radius over strengths x step sizes (optionally simulated rates)",
        description="Sweep one regularizer's strength and the step size; report the stable region.")
    add_model_arguments(parser, default_reg="r1")
    add_scheme_arguments(parser, default_scheme="simgd")
    parser.add_argument("--gammas", default="0,2,41", help="START,STOP,NUM of strengths (default 0,2,41)")
    parser.add_argument("--lrs", default="0.01,1,41", help="START,STOP,NUM of step sizes (default 0.01,1,41)")
    parser.add_argument("--simulate", action="store_true", help="also simulate and report empirical rates")
    parser.add_argument("--steps", type=int, default=300, help="iterations per simulated cell")
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: all cores for large grids)")
    parser.add_argument("--out", default=None, help="save arrays to this .npz file (atomic)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    # values such as "--box -2,2,-2,2" or "--x0 -1,1" start with a minus sign: argparse takes them for
    # options unless they match its negative-number pattern, which only knows plain numbers
    parser._negative_number_matcher = re.compile(r"^-\.?\d")
    parser.set_defaults(func=run)


def _range(name, text):
    try:
        start, stop, num = text.split(",")
        return np.linspace(float(start), float(stop), int(num))
    except ValueError:
        raise JacobianLabError(f"--{name} must be START,STOP,NUM, got {text!r}") from None


def run(args) -> int:
    from ..dynamics import sweep

    if args.gamma is not None or "=" in args.reg:
        raise JacobianLabError("sweep varies one regularizer's strength: give --reg NAME and --gammas")
    if args.out is not None and not args.out.endswith(".npz"):
        raise JacobianLabError(f"--out must name a .npz file, got {args.out!r}")
    if args.out is not None:
        check_writable(args.out)
    params = {k: v for k, v in scheme_params(args).items() if k != "lr"}
    result = sweep(args.model, args.reg, _range("gammas", args.gammas), _range("lrs", args.lrs), args.scheme,
                   simulate=args.simulate, steps=args.steps, n_jobs=args.jobs, **model_params(args), **params)
    if args.out:
        arrays = {"gammas": result.gammas, "lrs": result.lrs, "spectral_radius": result.spectral_radius}
        if result.simulated_rate is not None:
            arrays["simulated_rate"] = result.simulated_rate
        atomic_write(args.out, lambda tmp: np.savez(tmp, **arrays))
    summary = _summary(result)
    print_json(summary) if args.json else print(_text(summary))
    return 0


def _summary(r):
    best = r.best()
    largest = [None if np.isnan(h) else float(h) for h in r.largest_stable_lr()]
    return {"model": r.info["model"], "reg": r.info["reg"], "scheme": r.info["scheme"],
            "grid": [int(r.gammas.size), int(r.lrs.size)], "stable_fraction": float(r.stable.mean()),
            "best": {k: best[k] for k in ("gamma", "lr", "spectral_radius")},
            "largest_stable_lr": dict(zip(map(float, r.gammas), largest)),
            "simulated_rate_at_best": best["simulated_rate"]}


def _text(s) -> str:
    best = s["best"]
    return "\n".join([
        f"model {s['model']}, reg {s['reg']}, scheme {s['scheme']}: {s['grid'][0]} strengths x {s['grid'][1]} steps",
        f"stable fraction of the grid  {s['stable_fraction']:.3f}",
        f"best cell                    gamma = {best['gamma']:.4g}, lr = {best['lr']:.4g}: "
        f"spectral radius {best['spectral_radius']:.6g}"
        + (f", simulated rate {s['simulated_rate_at_best']:.6g}" if s["simulated_rate_at_best"] is not None else ""),
    ])
