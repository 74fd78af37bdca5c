"""``jacobian-lab list``: every model, regularizer and scheme with its parameters."""

from __future__ import annotations

from ..games import GAMES
from ..regularizers import REGULARIZERS
from ..schemes import REGISTRY


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
