"""``jacobian-lab derive``: closed-form Jacobian and eigenvalues at the equilibrium."""

from __future__ import annotations

from ..analysis import derive
from ._common import (
    add_json_argument,
    add_model_arguments,
    add_scheme_arguments,
    model_params,
    print_json,
    reg_spec,
    scheme_params,
)


def register(subparsers):
    parser = subparsers.add_parser(
        "derive", help="closed-form Jacobian, eigenvalues and critical strengths",
        description="Derive the Jacobian at the equilibrium and its eigenvalues as functions of "
                    "the strength, the model parameters and (with --scheme) the step size h.")
    add_model_arguments(parser)
    add_scheme_arguments(parser)
    parser.add_argument("--latex", action="store_true", help="the report as a LaTeX align* environment")
    add_json_argument(parser, "print one JSON object (each formula in sympy syntax and in LaTeX)")
    parser.set_defaults(func=run)


def run(args) -> int:
    reg, gamma = reg_spec(args)
    result = derive(args.model, reg=reg, gamma=gamma, scheme=args.scheme,
                    **model_params(args), **scheme_params(args))
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.to_text(latex=args.latex))
    return 0
