"""``jacobian-lab portrait``, ``eigenpath`` and ``gallery``: figures written to files.

The format follows the file's suffix (``.png``, ``.pdf``, ``.svg``); files are written atomically.
Drawing uses matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from ._common import (
    UsageError,
    add_json_argument,
    add_model_arguments,
    add_scheme_arguments,
    model_params,
    number_list,
    print_json,
    reg_spec,
    scheme_params,
)

#: Where the gallery scripts live (``examples/gallery_*.py`` of the source tree).
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def register(subparsers):
    _register_portrait(subparsers)
    _register_eigenpath(subparsers)
    _register_gallery(subparsers)


def _register_portrait(subparsers):
    parser = subparsers.add_parser(
        "portrait", help="phase portrait: field, nullclines, equilibrium, trajectories",
        description="Draw the regularized vector field of a game with trajectories of a scheme.")
    add_model_arguments(parser)
    add_scheme_arguments(parser, default_scheme="simgd")
    parser.add_argument("--steps", type=int, default=300, help="iterations of each trajectory")
    parser.add_argument("--x0", default=None, metavar="A,B[;C,D...]",
                        help="starting points in the shown slice (default: equilibrium + (1, 1))")
    parser.add_argument("--extent", default=None, metavar="XMIN,XMAX,YMIN,YMAX",
                        help="window (default: equilibrium +- 2)")
    parser.add_argument("--slice", default=None, metavar="I,J",
                        help="indices of the two shown coordinates (games with more than 2)")
    parser.add_argument("--background", choices=("none", "distance"), default="none",
                        help="convergence map behind the field: log10 distance after --steps")
    _add_outputs(parser)
    parser.set_defaults(func=run_portrait)


def _register_eigenpath(subparsers):
    parser = subparsers.add_parser(
        "eigenpath", help="eigenvalues as a regularizer's strength goes from 0 to --gamma-max",
        description="Draw the path of the Jacobian's eigenvalues (or a scheme's update-map "
                    "eigenvalues) as the strength grows; critical strengths are marked.")
    add_model_arguments(parser, default_reg="r1")
    add_scheme_arguments(parser)
    parser.add_argument("--gamma-max", type=float, default=3.0, help="largest strength")
    parser.add_argument("--marks", default="", metavar="G1,G2", help="strengths to mark")
    parser.add_argument("--num", type=int, default=301, help="number of strengths")
    _add_outputs(parser)
    parser.set_defaults(func=run_eigenpath)


def _register_gallery(subparsers):
    parser = subparsers.add_parser(
        "gallery", help="regenerate every gallery figure (examples/gallery_*.py)",
        description="Run each gallery script of examples/ and write its PNG figures to DIR.")
    parser.add_argument("-o", "--output", default="docs/gallery", metavar="DIR", help="output folder")
    parser.add_argument("--fast", action="store_true", help="coarse grids and short runs")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this script (e.g. r1_path); repeatable")
    parser.add_argument("--examples", default=None, metavar="DIR", help="folder of the gallery scripts")
    add_json_argument(parser, "print the written files as one JSON object")
    parser.set_defaults(func=run_gallery)


def _add_outputs(parser):
    parser.add_argument("-o", "--output", default=None, help="output file (.png, .pdf or .svg)")
    add_json_argument(parser, "print the numbers behind the figure as one JSON object")


def _outputs(args):
    """The checked figure path (or None); at least one of -o and --json is needed."""
    if args.output is None and not args.json:
        raise UsageError("give -o FILE (.png, .pdf or .svg), --json, or both")
    return None if args.output is None else check_output(args.output)


# -- helpers --------------------------------------------------------------------------------
def _numbers(text, name, count=None):
    return number_list(text, name, count)


def _indices(text, name):
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise UsageError(f"{name} must be two coordinate indices I,J (integers >= 0), got {text!r}")
    return [int(p) for p in parts]


def check_output(path) -> Path:
    """Refuse an unknown suffix or an unwritable folder before any work is done."""
    from ..plotting.io import figure_format

    path = Path(path)
    figure_format(path)
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory; give a file name")
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise UsageError(f"cannot write {path}: directory {path.parent} does not exist or is not writable")
    return path


def _agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path, quiet=False):
    from ..plotting import save_figure

    plt = _agg()
    try:
        if path is not None:
            save_figure(fig, path)
    finally:
        plt.close(fig)
    if path is not None and not quiet:
        print(path)


# -- commands -------------------------------------------------------------------------------
def run_portrait(args) -> int:
    path = _outputs(args)
    _agg()
    from ..plotting import phase_portrait, portrait_data

    reg, gamma = reg_spec(args)
    x0 = None if args.x0 is None else [_numbers(p, "--x0", 2) for p in args.x0.split(";")]
    extent = None if args.extent is None else _numbers(args.extent, "--extent", 4)
    axes = None if args.slice is None else _indices(args.slice, "--slice")
    params = scheme_params(args)
    lr = params.pop("lr", None)
    data = portrait_data(args.model, reg, gamma, args.scheme if args.scheme != "none" else None, lr,
                         args.steps, x0, extent, axes=axes,
                         background=None if args.background == "none" else args.background,
                         **model_params(args), **params)
    if path is not None:
        _save(phase_portrait(data)["equilibrium"].figure, path, quiet=args.json)
    if args.json:
        print_json({"figure": None if path is None else str(path), **_fields(data)})
    return 0


def run_eigenpath(args) -> int:
    path = _outputs(args)
    _agg()
    from ..plotting import eigenvalue_path, eigenvalue_path_data

    reg, gamma = reg_spec(args)
    if not isinstance(reg, str) or gamma is not None:
        raise UsageError("eigenpath sweeps one regularizer: give --reg NAME and --gamma-max, not --gamma")
    data = eigenvalue_path_data(args.model, reg, args.gamma_max, n=args.num,
                                marks=_numbers(args.marks, "--marks"), scheme=args.scheme,
                                **model_params(args), **scheme_params(args))
    if path is not None:
        _save(eigenvalue_path(data)["path"].figure, path, quiet=args.json)
    if args.json:
        print_json({"figure": None if path is None else str(path), **_fields(data)})
    return 0


def _fields(data) -> dict:
    """A plotting dataclass's fields, one level deep (nested ones stay dataclasses for the encoder)."""
    import dataclasses

    return {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}


def gallery_scripts(folder=None) -> dict:
    """``{name: path}`` of the gallery scripts, in order."""
    folder = Path(folder) if folder else EXAMPLES
    if not folder.is_dir():
        raise UsageError(f"no gallery scripts: folder {folder} does not exist (give --examples DIR)")
    return {p.stem.removeprefix("gallery_"): p for p in sorted(folder.glob("gallery_*.py"))}


def _gallery_folder(text) -> Path:
    out = Path(text)
    if not out.exists() and out.parent.is_dir() and os.access(out.parent, os.W_OK):
        out.mkdir()
    if not out.is_dir() or not os.access(out, os.W_OK):
        raise UsageError(f"cannot write to {out}: not a writable directory")
    return out


def run_gallery(args) -> int:
    scripts = gallery_scripts(args.examples)
    unknown = [n for n in args.only if n not in scripts]
    if unknown:
        raise UsageError(f"unknown gallery script {unknown[0]!r}; accepted: {', '.join(scripts)}")
    out = _gallery_folder(args.output)
    plt = _agg()
    from tqdm import tqdm

    chosen = {n: p for n, p in scripts.items() if not args.only or n in args.only}
    files = {}
    for name, script in tqdm(chosen.items(), desc="gallery", unit="figure", file=sys.stderr):
        files[name] = [str(w) for w in _load(name, script).main(out, fast=args.fast)]
        if not args.json:
            print(*files[name], sep="\n")
        plt.close("all")
    if args.json:
        print_json({"folder": str(out), "fast": args.fast, "files": files})
    return 0


def _load(name, path):
    spec = importlib.util.spec_from_file_location(f"jacobian_lab_gallery_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
