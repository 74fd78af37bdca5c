"""``jacobian-lab list``: every model, regularizer and scheme with its parameters."""

from __future__ import annotations

from ..games import GAMES
from ..regularizers import REGULARIZERS
from ..schemes import REGISTRY
from ._common import add_json_argument, print_json


def register(subparsers):
    parser = subparsers.add_parser("list", help="models, regularizers and schemes with their parameters")
    add_json_argument(parser)
    parser.set_defaults(func=run)


def catalogue() -> dict:
    """Every model, regularizer and scheme with its description, parameters and capabilities, as data."""
    def game_params(parameters):
        return [{"name": p.name, "default": p.default, "doc": p.doc} for p in parameters.values()]

    def scheme_params(parameters):
        return [{"name": p.name, "default": p.default, "per_player": p.per_player, "range": p.range_text,
                 "doc": p.doc} for p in parameters]

    return {
        "models": [{"name": n, "description": c.description, "parameters": game_params(c.parameters)}
                   for n, c in GAMES.items()],
        "regularizers": [{"name": n, "description": r.description, "strength": str(r.strength_symbol)}
                         for n, r in REGULARIZERS.items()],
        "schemes": [{"name": n, "description": c.description, "capabilities": _capabilities(c.capabilities),
                     "parameters": scheme_params(c.parameters)} for n, c in sorted(REGISTRY.items())],
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
        print(f"  {name:15s} {reg.description}  [strength: {reg.strength_symbol}]")
    print("\nSCHEMES (--scheme NAME; default: continuous time; parameters --NAME VALUE, per player --NAME-g/-d)")
    for name, cls in sorted(REGISTRY.items()):
        print(f"  {name:15s} {cls.description}\n  {'':15s} {_capabilities(cls.capabilities)}")
        print(f"  {'':15s} parameters: {_scheme_params(cls.parameters)}")
    return 0


def _capabilities(c) -> str:
    time = "continuous time" if c.continuous else "discrete"
    spectrum = ("exact update matrix" if c.exact else "numeric update matrix") if c.has_update_matrix \
        else "no update matrix (not differentiable at a fixed point)"
    backends = "numpy, numba, torch" if c.compiles else "numpy only (linear solve)"
    players = "players as the base scheme" if c.players == "base" else f"players {c.players}"
    return f"{time}; {players}; state {', '.join(c.state)}; {spectrum}; {backends}"


def _scheme_params(parameters) -> str:
    return "; ".join(f"{p.name}{'[_g|_d]' if p.per_player else ''}={p.default!r} in {p.range_text}: {p.doc}"
                     for p in parameters) or "none"
