"""The ``jacobian-lab`` command line: a thin parse, call, format layer over the Python API.

Each sub-command is a module of this package with ``register(subparsers)`` (adding its parser and
setting ``func``); :data:`COMMANDS` lists them. Errors from the API (:class:`JacobianLabError`)
print one line to stderr and exit with status 2, without a traceback.
"""

from __future__ import annotations

import importlib
import sys

from ..errors import JacobianLabError
from ._common import ArgumentParser

#: Sub-command modules, in the order ``--help`` lists them.
COMMANDS = ("analyze", "derive", "list_cmd", "simulate", "sweep", "continue_cmd", "figures", "spectrum")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="jacobian-lab",
                            description="Exact Jacobian spectra of GAN training dynamics.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"{__name__}.{name}":
                continue  # a sub-command not built yet
            raise
        module.register(sub)
    return parser


def _version() -> str:
    from .. import __version__

    return __version__


def main(argv=None) -> int:
    """Entry point of ``jacobian-lab``; returns the exit status."""
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --version and --help exit 0 from inside argparse
            return int(done.code or 0)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except JacobianLabError as error:
        print(f"jacobian-lab: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `jacobian-lab list | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("jacobian-lab: interrupted", file=sys.stderr)
        return 130
