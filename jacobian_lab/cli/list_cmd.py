"""``jacobian-lab list``: every model, regularizer and scheme with its parameters."""

from __future__ import annotations

from ..games import GAMES
from ..regularizers import REGULARIZERS
from ..schemes import SCHEMES
from ._common import add_json_argument, print_json


def register(subparsers):
    parser = subparsers.add_parser("list", help="models, regularizers and schemes with their parameters")
    add_json_argument(parser)
    parser.set_defaults(func=run)


def catalogue() -> dict:
    """Every model, regularizer and scheme with its description and parameters, as plain data."""
    def params(parameters):
        return [{"name": p.name, "default": p.default, "doc": p.doc} for p in parameters.values()]

    return {
        "models": [{"name": n, "description": c.description, "parameters": params(c.parameters)}
                   for n, c in GAMES.items()],
        "regularizers": [{"name": n, "description": r.description, "strength": str(r.strength)}
                         for n, r in REGULARIZERS.items()],
        "schemes": [{"name": n, "description": c.description, "parameters": params(c.parameters)}
                    for n, c in SCHEMES.items()],
    }


def _params(parameters) -> str:
    return "; ".join(f"{p.name}={p.default!r}: {p.doc}" for p in parameters.values()) or "none"


def run(args) -> int:
    if args.json:
        print_json(catalogue())
        return 0
    print("MODELS (model parameters with --param NAME=VALUE)")
    for name, cls in GAMES.items():
        print(f"  {name:15s} {cls.description}\n  {'':15s} parameters: {_params(cls.parameters)}")
    print("\nREGULARIZERS (--reg NAME --gamma S, or --reg NAME=S,NAME=S)")
    print(f"  {'none':15s} the plain game")
    for name, reg in REGULARIZERS.items():
        print(f"  {name:15s} {reg.description}  [strength: {reg.strength}]")
    print("\nSCHEMES (--scheme NAME; default: continuous time)")
    for name, cls in SCHEMES.items():
        print(f"  {name:15s} {cls.description}\n  {'':15s} parameters: {_params(cls.parameters)}")
    return 0
