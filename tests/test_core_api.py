"""The Python API's contract, user games, symbolic derivations and errors."""

import json

import numpy as np
import pytest
import sympy as sp

import jacobian_lab as jl
from jacobian_lab.cli import main


def test_api_contract():
    s = jl.spectrum("dirac", reg="jare", gamma=1.0)
    for name in ("eigenvalues", "jacobian", "phase_factor", "condition_factor", "condition_number", "is_stable"):
        assert hasattr(s, name)
    h, rho, _ = s.optimal_step()
    assert 0 < h < s.max_stable_step() and 0 < rho < 1
    d = jl.spectrum("dirac", reg="r1", gamma=0.3, scheme="altgd", lr=0.2, n_d=5)
    assert d.kind == "discrete" and d.is_stable and d.spectral_radius < 1
    g = jl.spectrum("gaussian", reg="jare", gamma=10, sigma=0.7, mean=(0, 2))
    assert g.eigenvalues.shape == (4,)
    assert jl.spectrum("dirac", reg={"instance-noise": 0.7}).is_stable
    assert jl.jacobian("dirac", reg="jare", gamma=0.5, at=[0.7, -0.4]).shape == (2, 2)
    json.dumps(g.to_dict())


def test_to_dict_is_json_with_required_keys():
    from jacobian_lab._json import dumps

    out = json.loads(dumps(jl.spectrum("dirac").to_dict()))
    assert out["phase_factor"] is None and out["non_finite"]["phase_factor"] == "inf"
    assert out["stable"] is False
    assert out["eigenvalues"][0].keys() == {"real", "imag"}


def test_custom_game_with_numeric_equilibrium():
    game = jl.CustomGame(["x"], ["y"], "(x - 1)**2/2 + x*y - y**2/4", "y**2/2 - x*y + y")
    s = jl.spectrum(game)
    np.testing.assert_allclose(s.point, np.linalg.solve([[1, 1], [-1, 1]], [1, -1]), atol=1e-10)
    assert s.is_stable


def test_custom_game_errors():
    with pytest.raises(jl.JacobianLabError, match="unknown symbols"):
        jl.CustomGame(["x"], ["y"], "x*z")
    with pytest.raises(jl.JacobianLabError, match="equilibrium has 1 entries"):
        jl.CustomGame(["x"], ["y"], "x*y", equilibrium=[0])


def test_orthogonal_needs_weight_matrices():
    with pytest.raises(jl.NotApplicableError, match="weight matrices"):
        jl.spectrum("dirac", reg="orthogonal")
    a, b, c, d = sp.symbols("a b c d", real=True)
    game = jl.CustomGame(["t"], [a, b, c, d], "t*(a + d)", weight_matrices=[[[a, b], [c, d]]],
                         equilibrium=[0, 1, 0, 0, 1])
    s = jl.spectrum(game, reg="orthogonal", gamma=0.5)
    assert s.jacobian.shape == (5, 5) and s.jacobian[1, 1] < 0


@pytest.mark.parametrize("call,message", [
    (lambda: jl.spectrum("dirak"), "did you mean 'dirac'"),
    (lambda: jl.spectrum("dirac", reg="jaer"), "did you mean 'jare'"),
    (lambda: jl.spectrum("dirac", reg="r1", gamma=-1), "must be >= 0"),
    (lambda: jl.spectrum("dirac", reg="r1", gamma=float("nan")), "finite"),
    (lambda: jl.spectrum("dirac", scheme="simgd", lr=0), "must be > 0"),
    (lambda: jl.spectrum("dirac", scheme="simgd", lr=-0.1), "must be > 0"),
    (lambda: jl.spectrum("dirac", sigma=0.3), "unknown parameter 'sigma'"),
    (lambda: jl.spectrum("gaussian", mean="a,b"), "vector"),
    (lambda: jl.spectrum("dirac", lr=0.1), "without a scheme"),
    (lambda: jl.spectrum("dirac", scheme="altgd", order="xy"), "accepted: dg, gd"),
    (lambda: jl.spectrum("bilinear", reg="r1"), "discriminator of the data"),
    (lambda: jl.spectrum("dirac", at=[1, 2, 3]), "'at' must be 2"),
    (lambda: jl.spectrum("dirac", at=["a", 2]), "'at' must be 2"),
    (lambda: jl.spectrum("dirac", rtol=-1), "rtol must be in"),
    (lambda: jl.spectrum("gaussian", loss="gan", reg="r1", gamma=1.0, scheme="simgdd"), "did you mean 'simgd'"),
])
def test_errors_name_the_problem(call, message):
    with pytest.raises(jl.JacobianLabError, match=message):
        call()


def test_derive_gaussian_per_mode():
    d = jl.derive("gaussian", reg="jare")
    assert len(d.blocks) == 2 and all(b.matrix.shape == (2, 2) for b in d.blocks)
    text = d.to_text()
    assert "sigma" in text and "gamma" in text and "Jordan" in text
    assert "\\frac" in d.to_text(latex=True)


def test_derive_discrete_in_the_step_size():
    d = jl.derive("dirac", reg="r1", scheme="simgd")
    h, gamma = sp.Symbol("h", positive=True), sp.Symbol("gamma", nonnegative=True)
    assert sp.simplify(d.update_matrix - sp.Matrix([[1, -h / 2], [h / 2, 1 - gamma * h]])) == sp.zeros(2, 2)


# -- CLI, in process ---------------------------------------------------------------------------

def test_cli_analyze_text(capsys):
    assert main(["analyze", "--model", "dirac", "--reg", "jare"]) == 0
    out = capsys.readouterr().out
    for needle in ("phase factor", "conditioning factor", "SVD condition number", "stable", "optimal step",
                   "-1/4 + I/2"):
        assert needle in out


def test_cli_analyze_json(capsys):
    assert main(["analyze", "--model", "gaussian", "--reg", "jare", "--gamma", "10", "--param", "sigma=0.7",
                 "--param", "mean=0,2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"eigenvalues", "phase_factor", "condition_factor", "stable"} <= out.keys()
    assert len(out["eigenvalues"]) == 4


def test_cli_analyze_scheme_and_several_regularizers(capsys):
    assert main(["analyze", "--reg", "r1=0.3,jare=1", "--scheme", "altgd", "--lr", "0.2", "--n-d", "5"]) == 0
    assert "spectral radius" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["analyze", "--model", "nope"], ["analyze", "--reg", "jare", "--gamma", "-1"],
    ["analyze", "--reg", "jare", "--gamma", "nan"], ["analyze", "--scheme", "simgd", "--lr", "0"],
    ["analyze", "--param", "sigma"], ["analyze", "--param", "sigma=1"], ["analyze", "--gamma", "x"],
    ["analyze", "--reg", "r1=x"], ["derive", "--model", "nope"], ["frobnicate"],
])
def test_cli_bad_input_exits_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("jacobian-lab") and "Traceback" not in err and len(err.splitlines()) == 1


def test_cli_list_and_derive(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in list(jl.GAMES) + list(jl.REGULARIZERS) + list(jl.SCHEMES):
        assert name in out
    assert main(["derive", "--model", "dirac", "--reg", "r1"]) == 0
    assert "gamma = 1" in capsys.readouterr().out
