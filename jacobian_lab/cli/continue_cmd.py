"""``jacobian-lab continue``: follow the spectrum along one parameter and locate its critical points."""

from __future__ import annotations

import argparse
import re

from ..errors import JacobianLabError
from ..games.parameters import parse_assignment
from ._common import add_json_argument, add_scheme_arguments, fmt, fmt_complex, print_json, scheme_params


class _ParamAction(argparse.Action):
    """``--param NAME START:STOP`` (the continuation parameter) or ``--param NAME=VALUE`` (fixed)."""

    def __call__(self, parser, namespace, values, option_string=None):
        if len(values) == 1 and "=" in values[0]:
            namespace.fixed.append(values[0])
        elif len(values) == 2 and namespace.vary is None:
            namespace.vary = tuple(values)
        else:
            raise JacobianLabError("--param takes NAME START:STOP (once) or NAME=VALUE, got "
                                   f"{' '.join(values)!r}")


def register(subparsers):
    parser = subparsers.add_parser(
        "continue", help="eigenvalues along a parameter; Hopf, unit-circle and meeting points located",
        description="Follow the eigenvalues of J (or of a scheme's update map) as one parameter varies; "
                    "locate where stability changes and where eigenvalues meet (root-found, with closed "
                    "forms where they exist).")
    parser.add_argument("--model", default="dirac", help="model name (see `jacobian-lab list`)")
    parser.add_argument("--reg", default="none", help="regularizer name")
    parser.add_argument("--gamma", type=float, default=None, help="fixed strength (when gamma is not varied)")
    parser.add_argument("--param", nargs="+", action=_ParamAction, metavar="NAME START:STOP | NAME=VALUE",
                        help="the parameter to vary and its range, e.g. gamma 0:10 or lr 0.01:2; "
                             "NAME=VALUE fixes a model parameter (repeatable)")
    add_scheme_arguments(parser)
    parser.add_argument("--num", type=int, default=401, help="grid values over the range (3 to 20000)")
    parser.add_argument("--no-exact", dest="exact", action="store_false", help="skip the closed forms")
    parser.add_argument("-o", "--output", default=None, help="draw the paths with the points to this figure")
    add_json_argument(parser)
    parser.set_defaults(func=run, fixed=[], vary=None)
    parser._negative_number_matcher = re.compile(r"^-\.?\d")  # ranges such as -2:1 are values


def _range(text):
    try:
        start, stop = (float(v) for v in text.split(":"))
    except ValueError:
        raise JacobianLabError(f"the range must be START:STOP, got {text!r}") from None
    return start, stop


def run(args) -> int:
    from ..bifurcation import continuation

    if args.vary is None:
        raise JacobianLabError("give the parameter to vary: --param NAME START:STOP (e.g. --param gamma 0:10)")
    if args.output:
        from .._io import check_writable
        from ..plotting.io import figure_format

        figure_format(args.output), check_writable(args.output)
    name, text = args.vary
    fixed = dict(parse_assignment(t) for t in args.fixed)
    result = continuation(args.model, None if args.reg == "none" else args.reg, args.gamma, args.scheme,
                          param=name, values=_range(text), num=args.num, exact=args.exact,
                          **fixed, **scheme_params(args))
    if args.output:
        _draw(result, args.output)
    print_json(result.to_dict()) if args.json else print(report(result))
    return 0


def report(c) -> str:
    """The table of critical points."""
    what = "the update map" if c.kind == "discrete" else "J"
    head = (f"continuation of {c.info['model']} (reg {c.info['reg'] or 'none'}) in {c.param} over "
            f"[{fmt(float(c.values[0]))}, {fmt(float(c.values[-1]))}], {c.values.size} values; eigenvalues of {what}")
    if not c.points:
        return head + "\nno critical points in the range"
    rows = [("kind", "value", "closed form", "eigenvalues")]
    rows += [(p.kind, repr(round(p.value, 14)), "-" if p.exact is None else str(p.exact),
              ", ".join(fmt_complex(complex(z)) for z in p.eigenvalues)) for p in c.points]
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [head] + ["  " + "  ".join(r[i].ljust(width[i]) for i in range(3)) + "  " + r[3] for r in rows]
    lines += ["", *(f"  {k}: {d}" for k, d in _kinds(c).items())]
    return "\n".join(lines)


def _kinds(c):
    from ..bifurcation import KINDS

    return {p.kind: KINDS[p.kind] for p in c.points}


def _draw(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting.continuation import continuation_plot
    from ..plotting.io import save_figure

    artists = continuation_plot(result)
    fig = artists["colour"].figure
    try:
        save_figure(fig, path)
    finally:
        plt.close(fig)
