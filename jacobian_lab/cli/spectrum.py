"""``jacobian-lab spectrum``: the game Jacobian spectrum of real torch networks (the torch bridge).

torch is imported only when the command runs, so the other commands start fast. The TARGET file is
executed as Python (that is what the user asks for); errors in it are reported as one line with the
file and line (``--traceback`` for the whole trace). A recorded trajectory file (``.npz``/``.json``
from :class:`jacobian_lab.torch_bridge.recorder.SpectrumRecorder`) as TARGET is plotted instead.
"""

from __future__ import annotations

import ast
import runpy
import sys
import traceback
from pathlib import Path

from ..schemes import is_discrete
from ._common import (
    UsageError,
    add_json_argument,
    add_scheme_arguments,
    atomic_write,
    eigenvalue_text,
    fmt,
    print_json,
    reg_spec,
    scheme_params,
)

EXAMPLES = ("mog8", "mog25")
LOSSES = ("gan", "nsgan", "wgan")
SHOWN = 12  # eigenvalues printed in the human-readable report
#: Networks above this many parameters get the matrix-free top-k by default (dense with --dense).
DENSE_DEFAULT_MAX = 3000
#: Eigenvalues of that default.
DEFAULT_K = 20
RECORD_SUFFIXES = (".npz", ".json")


def register(subparsers):
    parser = subparsers.add_parser(
        "spectrum", help="game Jacobian spectrum of torch generator/discriminator networks",
        description="Eigenvalues of the game Jacobian J = dv/dx of a GAN written in torch (dense, every "
                    "eigenvalue; or the top k by ARPACK). TARGET is FILE.py:FACTORY: the file is EXECUTED "
                    "as Python code with your permissions (only run files you trust), then "
                    "FACTORY(**args) must return a jacobian_lab.torch_bridge.TorchGame. Or use a built-in "
                    f"--example. Networks over {DENSE_DEFAULT_MAX} parameters get the top {DEFAULT_K} by "
                    "default (--dense for every eigenvalue). TARGET may also be a spectrum record "
                    "(.npz/.json written by SpectrumRecorder): with --plot, its eigenvalue trajectories "
                    "are drawn.")
    parser.add_argument("target", nargs="?", metavar="TARGET",
                        help="FILE.py:FACTORY (the file is executed as Python), or a record .npz/.json")
    parser.add_argument("--example", choices=EXAMPLES, default=None,
                        help="built-in MLP GAN on 8 Gaussians on a circle or 25 on a grid")
    parser.add_argument("--arg", action="append", default=[], metavar="KEY=VALUE",
                        help="keyword argument of FACTORY (repeatable); VALUE is a Python literal "
                             "(3, 0.5, True, 'x', [1, 2]) or else taken as a string")
    parser.add_argument("--checkpoint", default=None, metavar="PATH",
                        help="torch file with {'generator': state_dict, 'discriminator': state_dict}, loaded "
                             "with torch.load(weights_only=True) into the players")
    parser.add_argument("--loss", choices=LOSSES, default=None, help="replace the game's loss")
    parser.add_argument("--reg", default="none",
                        help="regularizer name, or several as NAME=STRENGTH,NAME=STRENGTH")
    parser.add_argument("--gamma", type=float, default=None, help="strength of a single regularizer (default 1)")
    add_scheme_arguments(parser)
    parser.add_argument("--k", type=int, default=None, help="top-k eigenvalues by ARPACK (default: dense, all, "
                                                            f"up to {DENSE_DEFAULT_MAX} parameters)")
    parser.add_argument("--which", default="LM", choices=("LM", "LR", "LI"),
                        help="with --k: largest magnitude, real part (rightmost) or |imaginary part|")
    parser.add_argument("--dense", action="store_true", help="every eigenvalue even for a large network")
    parser.add_argument("--force", action="store_true",
                        help="go ahead with a dense spectrum estimated over the time budget")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default torch's, one per core; 1 is often fastest for "
                             "small networks on a busy machine)")
    parser.add_argument("--rtol", type=float, default=1e-10,
                        help="cutoff of the papers' extreme-ratio factors (in --json: paper_phase_factor, "
                             "paper_condition_factor): eigenvalues below rtol*max|lambda| are left out; the "
                             "default network factors do not use it")
    parser.add_argument("--error-bars", type=int, default=None, metavar="N",
                        help="also take the spectrum on N fresh data batches (the game's Dataset, DataLoader or "
                             "sampler; every eigenvalue each) and report each factor's mean and 90%% bootstrap "
                             "interval")
    add_json_argument(parser, "print one JSON object (without the matrix)")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="write the spectrum to FILE (.npz: arrays; .json: as --json), atomically")
    parser.add_argument("--plot", default=None, metavar="FIG",
                        help="draw the eigenvalues (or a record's trajectories) to FIG (.png, .pdf, .svg)")
    parser.add_argument("--traceback", action="store_true",
                        help="on an error in TARGET's code, print the whole traceback")
    parser.set_defaults(func=run)


def parse_args_kv(items) -> dict:
    """``--arg KEY=VALUE`` to keyword arguments: a Python literal, or else the string itself."""
    kwargs = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise UsageError(f"--arg must be KEY=VALUE with KEY a Python name, got {item!r}")
        if key in kwargs:
            raise UsageError(f"--arg {key} given twice")
        try:
            kwargs[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            kwargs[key] = text
    return kwargs


def user_code(path, what, call, show_traceback=False):
    """``call()`` running the user's code; any error (or ``sys.exit``) becomes one line with file and line."""
    try:
        return call()
    except UsageError:
        raise
    except (Exception, SystemExit) as error:
        if show_traceback:
            traceback.print_exc()
        raise UsageError(f"{_location(error, path)}: {what} {_describe(error)}"
                         + ("" if show_traceback else " (--traceback for the whole trace)")) from None


def _describe(error) -> str:
    if isinstance(error, SystemExit):
        return f"called sys.exit({error.code!r})"
    text = (error.msg if isinstance(error, SyntaxError) else str(error)).strip().splitlines()
    return f"raised {type(error).__name__}" + (f": {text[0]}" if text else "")


def _location(error, path) -> str:
    """``FILE:LINE`` of the deepest frame in the user's file (or of a syntax error), else the file."""
    target = str(Path(path).resolve())
    if isinstance(error, SyntaxError) and error.filename and Path(error.filename).resolve() == Path(target):
        return f"{path}:{error.lineno}"
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if str(Path(frame.f_code.co_filename).resolve()) == target:
            line = lineno
    return f"{path}:{line}" if line else str(path)


def load_game(target=None, example=None, kwargs=None, show_traceback=False):
    """The :class:`TorchGame` of ``FILE.py:FACTORY`` (executing the file) or of a built-in example."""
    if (target is None) == (example is None):
        raise UsageError("give exactly one of TARGET (FILE.py:FACTORY) or --example (mog8, mog25)")
    from ..torch_bridge import TorchGame
    from ..torch_bridge.examples import EXAMPLES as FACTORIES

    kwargs = kwargs or {}
    if example is not None:
        return FACTORIES[example](**kwargs)
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name.isidentifier():
        raise UsageError(f"TARGET must be FILE.py:FACTORY, got {target!r}")
    if not Path(path).is_file():
        raise UsageError(f"no such file: {path}")
    namespace = user_code(path, "running the file", lambda: runpy.run_path(path, run_name="__jacobian_lab_target__"),
                          show_traceback)
    factory = namespace.get(name)
    if not callable(factory):
        raise UsageError(f"{path} defines no callable {name!r}")
    game = user_code(path, f"{name}()", lambda: factory(**kwargs), show_traceback)
    if not isinstance(game, TorchGame):
        raise UsageError(f"{target}() returned {type(game).__name__}, not a TorchGame")
    return game


def load_checkpoint(game, path) -> None:
    """Load ``{'generator': state_dict, 'discriminator': state_dict}`` (``weights_only=True``) into the players."""
    import torch

    if not Path(path).is_file():
        raise UsageError(f"no such checkpoint: {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # a damaged file, or one holding more than tensors
        raise UsageError(f"cannot load checkpoint {path} with weights_only=True: {type(error).__name__}: "
                         f"{str(error).strip().splitlines()[0] if str(error).strip() else ''}") from None
    if not isinstance(state, dict) or not {"generator", "discriminator"} <= set(state):
        keys = sorted(map(str, state)) if isinstance(state, dict) else type(state).__name__
        raise UsageError(f"checkpoint {path} must be a dict with 'generator' and 'discriminator' state dicts, "
                         f"got {keys}")
    for name, module in (("generator", game.generator), ("discriminator", game.discriminator)):
        try:
            module.load_state_dict(state[name])
        except (RuntimeError, TypeError, AttributeError) as error:
            first = str(error).strip().splitlines()
            raise UsageError(f"checkpoint {path}: the {name}'s state dict does not fit: "
                             f"{' '.join(first[:2]) if first else type(error).__name__}") from None


def run(args) -> int:
    if args.target and Path(args.target).suffix in RECORD_SUFFIXES:
        return plot_record(args)
    from ..torch_bridge.analysis import spectrum
    from ..torch_bridge.threads import torch_threads

    if args.k is None and args.which != "LM":
        raise UsageError("--which needs --k")
    if args.error_bars is not None:
        from ..torch_bridge.validation import MAX_BATCHES

        if not 1 <= args.error_bars <= MAX_BATCHES:
            raise UsageError(f"--error-bars must be an integer from 1 to {MAX_BATCHES}, got {args.error_bars}")
    for flag in ("out", "plot"):
        path = getattr(args, flag)
        if path is not None:
            _check_output(flag, path)
    kwargs = parse_args_kv(args.arg)
    with torch_threads(args.threads):
        game = load_game(args.target, args.example, kwargs, args.traceback)
        if args.checkpoint:
            load_checkpoint(game, args.checkpoint)
        if args.loss:
            game = game.with_loss(args.loss)
        reg, gamma = reg_spec(args)
        options = {} if args.k is None else {"k": args.k, "which": args.which}
        note = None
        if args.k is None and not args.dense and not is_discrete(args.scheme) and game.n_params > DENSE_DEFAULT_MAX:
            options = {"k": DEFAULT_K, "which": "LM"}
            note = (f"{game.n_params} parameters: the top {DEFAULT_K} by magnitude, matrix-free "
                    "(--dense for every eigenvalue, --k/--which for others)")
        if args.scheme is not None:
            options.update(scheme=args.scheme, **scheme_params(args))
        elif scheme_params(args):
            raise UsageError("--lr, --lr-g, --lr-d, ... need --scheme")
        if args.error_bars is not None:
            from ..torch_bridge.validation import check_batches

            if options:
                raise UsageError("--error-bars needs every eigenvalue (dense): drop --k/--scheme, or add --dense")
            if game.real_source is None:
                raise UsageError("--error-bars needs a source of fresh batches: build the game's real samples "
                                 "from a Dataset, a DataLoader or a sampler, not a fixed tensor")
            check_batches(args.error_bars, game.n_params, args.force)
        result = spectrum(game, reg=reg, gamma=gamma, rtol=args.rtol, device=args.device, force=args.force,
                          **options)
        spread = None
        if args.error_bars is not None:
            from ..torch_bridge.validation import SUMMARY_KEYS, over_batches

            spread = over_batches(game, n_batches=args.error_bars, reg=reg, gamma=gamma,
                                  keys=tuple(k for k in SUMMARY_KEYS if k != "n_null"), force=args.force,
                                  reference=result, rtol=args.rtol)
    if note:
        print(f"jacobian-lab: {note}", file=sys.stderr)
    if args.out:
        save_spectrum(result, args.out)
    if args.plot:
        _plot_spectrum(result, args.plot)
    if args.json:
        out = result.to_dict()
        out.pop("jacobian", None)
        if spread is not None:
            out["fresh_batches"] = spread.to_dict()
        if result.jacobian is not None:
            out["blocks"] = result.blocks().summary()
        print_json(out)
    else:
        print(report(game, result))
        if spread is not None:
            print(spread)
    return 0


def _check_output(flag, path):
    from .._io import check_writable

    if Path(path).is_dir():
        raise UsageError(f"--{flag} {path} is a directory; give a file name")
    check_writable(path)
    if flag == "out" and Path(path).suffix not in (".npz", ".json"):
        raise UsageError(f"--out must end in .npz or .json, got {path!r}")
    if flag == "plot":
        from ..plotting.io import figure_format

        figure_format(path)


def save_spectrum(s, path) -> None:
    """Write a spectrum as ``.json`` (its ``to_dict`` without the matrix) or ``.npz`` (arrays), atomically.

    The JSON (the file, and the ``summary`` entry of the ``.npz``) is the strict form of every ``--json``
    output: non-finite numbers as ``null``, listed under ``"non_finite"`` (:mod:`jacobian_lab._json`).
    """
    import numpy as np

    from .._json import dumps

    summary = s.to_dict()
    summary.pop("jacobian", None)
    if Path(path).suffix == ".json":
        def write(tmp):
            with open(tmp, "w") as handle:
                handle.write(dumps(summary, indent=1))
    else:
        summary.pop("eigenvalues")

        def write(tmp):
            with open(tmp, "wb") as handle:
                np.savez(handle, eigenvalues=s.eigenvalues, summary=np.array(dumps(summary, indent=None)),
                         **({} if s.jacobian is None else {"jacobian": s.jacobian}))
    atomic_write(path, write)


def _plot_spectrum(s, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import eigenvalue_plot, save_figure

    artists = eigenvalue_plot(s)
    fig = artists["eigenvalues"][0].axes.figure
    save_figure(fig, path)
    plt.close(fig)


def plot_record(args) -> int:
    """``jacobian-lab spectrum RECORD.npz --plot FIG.png``: eigenvalue trajectories over training."""
    if not args.plot:
        raise UsageError(f"{args.target} is a spectrum record: give --plot FIG.png to draw it")
    _check_output("plot", args.plot)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import save_figure
    from ..plotting.training import spectrum_record_plot
    from ..torch_bridge.recorder import load

    record = load(args.target)
    if len(record) == 0:
        raise UsageError(f"{args.target} holds no records yet")
    fig = spectrum_record_plot(record, title=Path(args.target).name)
    save_figure(fig, args.plot)
    plt.close(fig)
    print(f"{len(record)} records, steps {int(record['steps'][0])}..{int(record['steps'][-1])} -> {args.plot}")
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
        "largest |lambda|: " + eigenvalue_text(shown, s.rtol) + (", ..." if s.eigenvalues.size > SHOWN else ""),
        f"|v| at the point     {fmt(s.field_norm)}" if s.field_norm is not None else "",
        *factor_lines(s.network),
        *block_lines(s),
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


def block_lines(s) -> list:
    """Each player's curvature and the interaction beside the game spectrum (dense only: :mod:`.spectra.blocks`)."""
    if s.jacobian is None or s.info.get("n_theta") is None:
        return []
    b = s.blocks().summary()
    (g_lo, g_hi), (d_lo, d_hi) = b["hessian_generator"], b["hessian_discriminator"]
    return [f"generator Hessian    eigenvalues {fmt(g_lo)} .. {fmt(g_hi)}   (own curvature, H = -J_theta,theta)",
            f"discrim. Hessian     eigenvalues {fmt(d_lo)} .. {fmt(d_hi)}   (own curvature, H = -J_psi,psi)",
            f"interaction          largest singular value {fmt(b['interaction_theta_psi'])} (J_theta,psi), "
            f"{fmt(b['interaction_psi_theta'])} (J_psi,theta)"]


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
                  f"the phase angle, {f.phase_angle[-1]:.3g} deg)",
                  f"rotation             {f.rotational_share:.1%} of sum |lambda| on complex eigenvalues"]
        return lines
    if f.conditioning is None:
        return ["factors              none: a top-k by real or imaginary part does not give them "
                "(use which='LM' or every eigenvalue)"]
    return [f"conditioning factor  {fmt(f.conditioning[0])}   (top-{f.m}: |lambda_1| / |lambda_{f.m}|)",
            f"phase factor         {fmt(f.phase[-1])}   (top-{f.m}: tan of the {q}% |lambda|-weighted "
            f"phase-angle quantile, {f.phase_angle[-1]:.3g} deg)",
            f"rotation             {f.rotational_share:.1%} of sum |lambda| of the top {f.m} on complex eigenvalues"]
