"""``jacobian-lab list``: every model, regularizer and scheme with its parameters."""

from __future__ import annotations

from ..games import GAMES
from ..regularizers import REGULARIZERS
from ..schemes import SCHEMES


def register(subparsers):
    parser = subparsers.add_parser("list", help="models, regularizers and schemes with their parameters")
    parser.set_defaults(func=run)


def _params(parameters) -> str:
    return "; ".join(f"{p.name}={p.default!r}: {p.doc}" for p in parameters.values()) or "none"


def run(args) -> int:
    print("MODELS (model parameters with --param NAME=VALUE)")
    for name, cls in GAMES.items():
        print(f"  {name:15s} {cls.description}\n  {'':15s} parameters: {_params(cls.parameters)}")
    print("\nREGULARIZERS (--reg NAME --gamma S, or --reg NAME=S,NAME=S)")
    print(f"  {'none':15s} the plain game")
    for name, reg in REGULARIZERS.items():
        print(f"  {name:15s} {reg.description}  [strength: {reg.strength_symbol}]")
    print("\nSCHEMES (--scheme NAME; default: continuous time)")
    for name, cls in SCHEMES.items():
        print(f"  {name:15s} {cls.description}\n  {'':15s} parameters: {_params(cls.parameters)}")
    return 0
