"""Scheme declarations: the CLI, ``list`` and parameter validation are generated from them; the new
schemes' spectra against closed forms derived from their update rules, and against simulated rates."""

import argparse

import numpy as np
import pytest

import jacobian_lab as jl
from jacobian_lab.cli import build_parser, main
from jacobian_lab.cli._common import scheme_params
from jacobian_lab.schemes import REGISTRY, make_scheme, scheme_parameters

COMMANDS = ("analyze", "derive", "simulate", "sweep", "portrait", "eigenpath")


def _subparser(command):
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[command]


def _example(p):
    return {"positive": "0.25", "real": "0.5", "int": "2", "choice": str(p.choices[-1] if p.choices else ""),
            "scheme": "simgd"}.get(p.kind)


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_exposes_every_declared_scheme_parameter(command):
    parser = _subparser(command)
    options = {s: a for a in parser._actions for s in a.option_strings}
    for scheme, cls in REGISTRY.items():
        for p in cls.parameters:
            for name in p.names:
                flag = options.get(f"--{name.replace('_', '-')}")
                assert flag is not None, f"{command} lacks --{name} of {scheme}"
                assert p.doc in flag.help and p.range_text in flag.help and scheme in flag.help
                argv = [f"--{name.replace('_', '-')}"] + ([] if p.kind == "bool" else [_example(p)])
                parsed = scheme_params(parser.parse_args(argv + (["-o", "x.png"] if "portrait" in command
                                                                 or "eigenpath" in command else [])))
                assert list(parsed) == [name]
                make_scheme(scheme, 1, 2, **parsed)  # the scheme accepts what the flag gives


def test_declared_ranges_are_enforced():
    for cls in REGISTRY.values():
        for p in cls.parameters:
            if p.kind in ("positive", "int"):
                with pytest.raises(jl.JacobianLabError, match=p.name):
                    cls(1, 2, **{p.name: 0})
    with pytest.raises(jl.JacobianLabError, match=r"in \(0, 1\]"):
        make_scheme("lookahead", 1, 2, alpha=1.5)
    with pytest.raises(jl.JacobianLabError, match="accepted"):
        make_scheme("lookahead", 1, 2, base="flow")


def test_cli_bad_scheme_value_is_one_line(capsys):
    assert main(["analyze", "--scheme", "lookahead", "--alpha", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert "alpha" in err and "(0, 1]" in err and len(err.splitlines()) == 1


def test_list_shows_every_scheme_with_capabilities_and_ranges(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name, p in scheme_parameters().items():
        assert p.range_text in out and p.doc in out
    assert "state x, x_prev" in out and "no update matrix" in out
