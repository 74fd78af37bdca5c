"""Shared CLI plumbing: argument types, ``--param`` parsing, output and error handling."""

from __future__ import annotations

import argparse
import math
import re
import sys

from .._io import atomic_write  # noqa: F401 - re-exported for the sub-commands
from ..errors import JacobianLabError
from ..exact import number as exact_number
from ..games.parameters import parse_assignment


def number(text: str):
    """argparse type: a number read exactly as typed (``0.3`` is 3/10; see :mod:`jacobian_lab.exact`)."""
    return exact_number(text)


#: A command-line word that is a value starting with a minus sign: a number or a list of numbers.
NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)


class UsageError(JacobianLabError):
    """A CLI mistake: printed as one line, exit status 2."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one line on stderr and exit status 2, without usage spam.

    Values that start with a minus sign (``--extent -3,3,-3,3``, ``--at -0.5,0.2``) are values, not
    options: argparse's own negative-number pattern knows only plain numbers.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_VALUE

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def add_model_arguments(parser, default_reg="none"):
    """``--model``, ``--reg``, ``--gamma`` and repeated ``--param NAME=VALUE``."""
    parser.add_argument("--model", default="dirac", help="model name (see `jacobian-lab list`)")
    parser.add_argument("--reg", default=default_reg,
                        help="regularizer name, or several as NAME=STRENGTH,NAME=STRENGTH")
    parser.add_argument("--gamma", type=number, default=None,
                        help="strength of a single regularizer (default 1)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="model parameter, e.g. sigma=0.7 or mean=0,2 (repeatable)")


def add_scheme_arguments(parser, default_scheme=None):
    """``--scheme`` and one flag per declared scheme parameter (:func:`jacobian_lab.schemes.scheme_parameters`).

    The flags hold strings (or booleans); the schemes parse and validate them, as for ``--param``.
    """
    from ..schemes import REGISTRY, scheme_parameters

    parser.add_argument("--scheme", default=default_scheme,
                        help=f"update scheme ({', '.join(sorted(REGISTRY))}; see `jacobian-lab list`)")
    group = parser.add_argument_group("scheme parameters (each scheme reads its own; see `jacobian-lab list`)")
    for name, p in scheme_parameters().items():
        group.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None, **_flag(name, p))


def _flag(name, p) -> dict:
    """argparse options of one scheme parameter: its help (with owner, player and range) and metavar."""
    player = {"g": " (generator)", "d": " (discriminator)"}.get(name[len(p.name) + 1:], "") if name != p.name else ""
    users = ", ".join(_users(p.name))
    help_text = f"{p.doc}{player}; range {p.range_text}; {users}".replace("%", "%%")
    if p.kind == "bool":
        return {"action": argparse.BooleanOptionalAction, "help": help_text}
    kind = {"positive": number, "real": number, "int": int}.get(p.kind, str)  # numbers exactly as typed
    metavar = "{" + ",".join(map(str, p.choices)) + "}" if p.kind == "choice" else p.kind.upper()
    return {"type": kind, "metavar": metavar, "help": help_text}


def _users(name) -> list[str]:
    from ..schemes import REGISTRY

    return sorted(scheme for scheme, cls in REGISTRY.items() if any(p.name == name for p in cls.parameters))


def number_list(text: str, name: str, count: int | None = None) -> list:
    """``"a,b,c"`` as numbers read exactly (finite; ``count`` of them if given), or a one-line error."""
    values = [exact_number(v, name) for v in text.split(",") if v.strip()] if text.strip() else []
    if count is not None and len(values) != count:
        raise UsageError(f"{name} needs {count} comma-separated numbers, got {text!r}")
    return values


def reg_spec(args):
    """``--reg jare`` or ``--reg r1=0.3,jare=1`` to the Python API's ``reg``/``gamma``."""
    if args.reg.strip() == "none" and args.gamma is not None:
        raise UsageError("--gamma is the strength of a regularizer; give --reg NAME with it")
    if "=" not in args.reg:
        return args.reg, args.gamma
    if args.gamma is not None:
        raise UsageError("--gamma goes with a single --reg name; give strengths as NAME=VALUE")
    pairs = []
    for item in args.reg.split(","):
        name, value = parse_assignment(item)
        pairs.append((name, exact_number(value, f"strength of {name!r}")))
    return pairs, None


def model_params(args) -> dict:
    """``--param`` assignments as a dict of strings (the games parse and validate them)."""
    return dict(parse_assignment(text) for text in args.param)


def scheme_params(args) -> dict:
    """Scheme options that were given on the command line (every declared parameter's flag)."""
    from ..schemes import scheme_parameter_names

    return {n: getattr(args, n) for n in sorted(scheme_parameter_names()) if getattr(args, n, None) is not None}


def add_json_argument(parser, what="print one JSON object instead of the text report"):
    """``--json``: strict JSON on stdout (non-finite numbers as ``null``, see :mod:`jacobian_lab._json`)."""
    parser.add_argument("--json", action="store_true", help=what)


def print_json(obj) -> None:
    """Strict JSON on stdout: numbers as numbers, a non-finite one as ``null`` listed in ``"non_finite"``."""
    from .._json import dumps

    sys.stdout.write(dumps(obj) + "\n")


def fmt(x: float) -> str:
    """A number for humans: 6 significant digits, 'inf' and 'nan' spelled out."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return f"{x:.6g}"


def fmt_complex(z: complex, tol: float = 0.0) -> str:
    """``a + bi`` with 6 digits; a part with ``|part| <= tol`` is left out of the text (not the data).

    ``tol`` is a display tolerance: ``9.7e-17 + 5.46i`` from floating-point rounding reads ``5.46i``
    when ``tol`` is ``1e-10 * max|lambda|``. The stored eigenvalue is unchanged.
    """
    re_part = "" if abs(z.real) <= tol and z.imag != 0 else fmt(z.real)
    if z.imag == 0 or abs(z.imag) <= tol:
        return re_part or "0"
    if not re_part:
        return ("-" if z.imag < 0 else "") + f"{fmt(abs(z.imag))}i"
    sign = "+" if z.imag > 0 else "-"
    return f"{re_part} {sign} {fmt(abs(z.imag))}i"


def eigenvalue_text(values, rtol: float) -> str:
    """Eigenvalues for humans, with parts below ``rtol * max|lambda|`` shown as zero (and said so)."""
    values = [complex(z) for z in values]
    tol = rtol * max((abs(z) for z in values), default=0.0)
    text = ", ".join(fmt_complex(z, tol) for z in values)
    hidden = any(fmt_complex(z, tol) != fmt_complex(z) for z in values)
    return text + (f"   (parts below {rtol:g} max|lambda| not shown)" if hidden else "")


#: What each verdict means, continuous time (field eigenvalues) and discrete time (update map).
VERDICTS = {
    ("continuous", "stable"): "every Re lambda < 0",
    ("continuous", "marginal"): "max Re lambda = 0 within the tolerance",
    ("continuous", "unstable"): "some Re lambda > 0",
    ("discrete", "stable"): "spectral radius < 1",
    ("discrete", "marginal"): "spectral radius = 1 within the tolerance",
    ("discrete", "unstable"): "spectral radius > 1",
}


def verdict_text(s, scope: str = "") -> str:
    """``stable (continuous: every Re lambda < 0)``: the verdict and the condition that holds."""
    return f"{s.stability} ({scope or s.kind}: {VERDICTS[(s.kind, s.stability)]})"
