"""``jacobian-lab simulate``: integrate the training dynamics; report final state, rate, divergence."""

from __future__ import annotations

import re

import numpy as np

from .._io import atomic_write, check_writable
from ..errors import JacobianLabError
from ._common import (
    add_json_argument,
    add_model_arguments,
    add_scheme_arguments,
    fmt,
    model_params,
    print_json,
    reg_spec,
    scheme_params,
)


def register(subparsers):
    parser = subparsers.add_parser(
        "simulate", help="simulate training from one start or a grid of starts",
        description="Iterate a scheme on a game's regularized field; compare the empirical rate with "
                    "the spectral radius predicted by the update map at the equilibrium.")
    add_model_arguments(parser)
    add_scheme_arguments(parser, default_scheme="simgd")
    parser.add_argument("--steps", type=int, default=500, help="iterations (default 500)")
    parser.add_argument("--x0", default=None, help="start theta..,psi.. (default: equilibrium + 1)")
    parser.add_argument("--grid", default=None, metavar="NXxNY", help="a grid of starts, e.g. 100x100")
    parser.add_argument("--box", default=None, help="grid extent xmin,xmax,ymin,ymax (default -2,2,-2,2)")
    parser.add_argument("--record-every", type=int, default=None, help="keep every k-th state")
    parser.add_argument("--backend", default="auto", help="auto, numpy or numba")
    parser.add_argument("--noise", type=float, default=0.0, help="std of Gaussian gradient noise")
    parser.add_argument("--seed", type=int, default=None, help="seed of the gradient noise")
    parser.add_argument("--tol", type=float, default=1e-6, help="convergence tolerance on the distance")
    parser.add_argument("--out", default=None, help="save arrays to this .npz file (atomic)")
    add_json_argument(parser)
    # values such as "--box -2,2,-2,2" or "--x0 -1,1" start with a minus sign: argparse takes them for
    # options unless they match its negative-number pattern, which only knows plain numbers
    parser._negative_number_matcher = re.compile(r"^-\.?\d")
    parser.set_defaults(func=run)


def _grid(text):
    try:
        nx, ny = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise JacobianLabError(f"--grid must look like 100x100, got {text!r}") from None
    return nx, ny


def run(args) -> int:
    from ..dynamics import convergence_map, simulate

    if args.out is not None and not args.out.endswith(".npz"):
        raise JacobianLabError(f"--out must name a .npz file, got {args.out!r}")
    if args.out is not None:
        check_writable(args.out)
    if args.grid and args.x0 is not None:
        raise JacobianLabError("--grid starts from every grid point; give --grid or --x0, not both")
    if args.box is not None and not args.grid:
        raise JacobianLabError("--box is the extent of --grid; give it with --grid")
    reg, gamma = reg_spec(args)
    common = dict(steps=args.steps, backend=args.backend, noise=args.noise, seed=args.seed, tol=args.tol,
                  **model_params(args), **scheme_params(args))
    predicted = _predicted(args, reg, gamma)
    if args.grid:
        result = convergence_map(args.model, reg, gamma, args.scheme, grid=_grid(args.grid),
                                  box=args.box or "-2,2,-2,2", **common)
        summary = _map_summary(result)
        arrays = {k: getattr(result, k) for k in ("x", "y", "converged_at", "diverged_at", "final_distance")}
    else:
        x0 = None if args.x0 is None else args.x0.split(",")
        result = simulate(args.model, reg, gamma, args.scheme, x0=x0, record_every=args.record_every, **common)
        summary = _trajectory_summary(result)
        arrays = {k: getattr(result, k) for k in ("final", "states", "distance", "diverged", "diverged_at",
                                                  "converged", "rate", "equilibrium")}
    summary["predicted_spectral_radius"] = predicted
    if args.out:
        atomic_write(args.out, lambda tmp: np.savez(tmp, **arrays))
        summary["out"] = args.out
    print_json(summary) if args.json else print(_text(summary))
    return 0


def _predicted(args, reg, gamma):
    from ..dynamics.simulate import predicted_rate

    return predicted_rate(args.model, reg, gamma, args.scheme, **model_params(args), **scheme_params(args))


def _trajectory_summary(tr):
    i = 0
    return {
        "model": tr.info["model"], "reg": tr.info["reg"], "scheme": tr.info["scheme"],
        "backend": tr.info["backend"], "steps": tr.info["steps"], **tr.summary(),
        "final": tr.final[i].tolist(), "final_distance": float(tr.distance[i, -1]) if not tr.diverged[i] else None,
        "diverged_at": int(tr.diverged_at[i]), "converged_at": int(tr.converged_at[i]),
        "rate": None if not np.isfinite(tr.rate[i]) else float(tr.rate[i]), "variables": tr.info["variables"],
    }


def _map_summary(m):
    return {"model": m.info["model"], "reg": m.info["reg"], "scheme": m.info["scheme"], **m.summary()}


def _text(s) -> str:
    lines = [f"model {s['model']}, reg {s['reg']}, scheme {s['scheme']}"]
    if "grid" in s:
        lines += [f"grid {s['grid'][0]}x{s['grid'][1]}: {s['converged']} converged, {s['diverged']} diverged, "
                  f"{s['neither']} neither", f"median steps to converge {s['median_steps_to_converge']}"]
    else:
        final = ", ".join(f"{v} = {fmt(x)}" for v, x in zip(s["variables"], s["final"]))
        status = (f"DIVERGED at step {s['diverged_at']}" if s["diverged_at"] >= 0 else
                  f"converged at step {s['converged_at']}" if s["converged_at"] >= 0 else "not converged")
        lines += [f"final state        {final}", f"distance to eq.    {fmt(s['final_distance'] or float('nan'))}",
                  f"status             {status} ({s['steps']} steps, backend {s['backend']})",
                  f"empirical rate     {fmt(s['rate']) if s['rate'] is not None else 'n/a'} per step"]
    predicted = s["predicted_spectral_radius"]
    lines.append(f"predicted rate     {fmt(predicted) if predicted is not None else 'n/a'}"
                 " (spectral radius of the update map at the equilibrium)")
    if s.get("out"):
        lines.append(f"arrays saved to    {s['out']}")
    return "\n".join(lines)
