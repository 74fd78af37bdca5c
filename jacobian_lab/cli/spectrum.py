"""``jacobian-lab spectrum``: the game Jacobian spectrum of real torch networks (the torch bridge).

torch is imported only when the command runs, so the other commands start fast.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from ._common import UsageError, fmt, fmt_complex, print_json, reg_spec

EXAMPLES = ("mog8", "mog25")
SHOWN = 12  # eigenvalues printed in the human-readable report


def register(subparsers):
    parser = subparsers.add_parser(
        "spectrum", help="game Jacobian spectrum of torch generator/discriminator networks",
        description="Eigenvalues of the game Jacobian J = dv/dx of a GAN written in torch (dense, every "
                    "eigenvalue; or the top k by ARPACK). TARGET is FILE.py:FACTORY: the file is EXECUTED "
                    "as Python code (only run files you trust), then FACTORY() must return a "
                    "jacobian_lab.torch_bridge.TorchGame. Or use a built-in --example.")
    parser.add_argument("target", nargs="?", metavar="TARGET",
                        help="FILE.py:FACTORY (the file is executed as Python)")
    parser.add_argument("--example", choices=EXAMPLES, default=None,
                        help="built-in MLP GAN on 8 Gaussians on a circle or 25 on a grid")
    parser.add_argument("--reg", default="none",
                        help="regularizer name, or several as NAME=STRENGTH,NAME=STRENGTH")
    parser.add_argument("--gamma", type=float, default=None, help="strength of a single regularizer (default 1)")
    parser.add_argument("--k", type=int, default=None, help="top-k eigenvalues by ARPACK (default: dense, all)")
    parser.add_argument("--which", default="LM", choices=("LM", "LR", "LI"),
                        help="with --k: largest magnitude, real part or imaginary part")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default torch's, one per core; 1 is often fastest for "
                             "small networks on a busy machine)")
    parser.add_argument("--rtol", type=float, default=1e-10,
                        help="eigenvalues below rtol*max|lambda| are left out of the factors")
    parser.add_argument("--json", action="store_true", help="print one JSON object (without the matrix)")
    parser.set_defaults(func=run)


def load_game(target=None, example=None):
    """The :class:`TorchGame` of ``FILE.py:FACTORY`` (executing the file) or of a built-in example."""
    if (target is None) == (example is None):
        raise UsageError("give exactly one of TARGET (FILE.py:FACTORY) or --example (mog8, mog25)")
    from ..torch_bridge import TorchGame
    from ..torch_bridge.examples import EXAMPLES as FACTORIES

    if example is not None:
        return FACTORIES[example]()
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name.isidentifier():
        raise UsageError(f"TARGET must be FILE.py:FACTORY, got {target!r}")
    if not Path(path).is_file():
        raise UsageError(f"no such file: {path}")
    namespace = runpy.run_path(path, run_name="__jacobian_lab_target__")
    factory = namespace.get(name)
    if not callable(factory):
        raise UsageError(f"{path} defines no callable {name!r}")
    game = factory()
    if not isinstance(game, TorchGame):
        raise UsageError(f"{target}() returned {type(game).__name__}, not a TorchGame")
    return game


def run(args) -> int:
    from ..torch_bridge.analysis import spectrum
    from ..torch_bridge.threads import torch_threads

    options = {} if args.k is None else {"k": args.k, "which": args.which}
    if args.k is None and args.which != "LM":
        raise UsageError("--which needs --k")
    with torch_threads(args.threads):
        game = load_game(args.target, args.example)
        reg, gamma = reg_spec(args)
        result = spectrum(game, reg=reg, gamma=gamma, rtol=args.rtol, device=args.device, **options)
    if args.json:
        out = result.to_dict()
        out.pop("jacobian", None)
        print_json(out)
    else:
        print(report(game, result))
    return 0


def report(game, s) -> str:
    """Human-readable summary of a torch game's spectrum (network factor definitions)."""
    info = s.info
    shown = sorted(s.eigenvalues, key=abs, reverse=True)[:SHOWN]
    what = (f"top {info['k']} by {info['which']} (ARPACK, {info['n_converged']} converged, "
            f"{info['n_matvec']} products)" if s.partial else f"all {s.eigenvalues.size} (dense)")
    lines = [
        f"game         {game!r}",
        f"regularizer  {info['reg']}",
        f"eigenvalues  {what}, {info['dtype']} on {info['device']}",
        "largest |lambda|: " + ", ".join(fmt_complex(complex(z)) for z in shown)
        + (", ..." if s.eigenvalues.size > SHOWN else ""),
        f"|v| at the point     {fmt(s.field_norm)}" if s.field_norm is not None else "",
        *factor_lines(s.network),
        f"verdict              {s.verdict.reason}",
    ]
    step = s.optimal_step()
    if step is None:
        lines.append("step size            none: the eigenvalues that bind it were not all computed")
    elif step.rate < 1:
        lines.append(f"best simgd step      {fmt(step.step)}, rate {fmt(step.rate)} per step "
                     f"(on the {s.network.dominant} dominant eigenvalues)")
    else:
        lines.append(f"best simgd step      none: a dominant eigenvalue has Re lambda >= 0 "
                     f"(among the {s.network.dominant} dominant eigenvalues)")
    return "\n".join(line for line in lines if line)


def factor_lines(f) -> list:
    """The network factors (:mod:`jacobian_lab.spectra.robust`) as report lines."""
    q = int(round(100 * f.quantiles[-1]))
    if f.complete:
        c = f.at()
        lines = [f"null space           {f.n_null} eigenvalue(s) <= {f.null_threshold:.3g} "
                 "(eps * sqrt(P) * ||J||_F)"]
        if f.conditioning is None:
            return lines + ["factors              none: every eigenvalue is numerically zero"]
        lines += [f"conditioning factor  {fmt(f.conditioning[c])}   (max |lambda| / min |lambda| over the "
                  f"{f.n_dominant[c]} largest, which carry {f.coverages[c]:.0%} of sum |lambda|)",
                  f"phase factor         {fmt(f.phase[-1])}   (tan of the {q}% |lambda|-weighted quantile of "
                  f"the phase angle, {f.phase_angle[-1]:.3g} deg)"]
        return lines
    if f.conditioning is None:
        return ["factors              none: a top-k by real or imaginary part does not give them "
                "(use which='LM' or every eigenvalue)"]
    return [f"conditioning factor  {fmt(f.conditioning[0])}   (top-{f.m}: |lambda_1| / |lambda_{f.m}|)",
            f"phase factor         {fmt(f.phase[-1])}   (top-{f.m}: tan of the {q}% |lambda|-weighted "
            f"phase-angle quantile, {f.phase_angle[-1]:.3g} deg)"]
