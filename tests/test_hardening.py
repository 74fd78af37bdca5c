"""Regression tests of the hardening audit: numbers never snapped, formulas never evaluated, bad input refused."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_lab as jl
from jacobian_lab.exact import ExactFloat, display, exact, number
from jacobian_lab.symbolic.parse import parse_formula

# -- numbers are never snapped to a nearby simple rational ----------------------------------------


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=200, deadline=None)
def test_a_float_is_the_binary_number_it_stores(value):
    assert Fraction(int(exact(value).p), int(exact(value).q)) == Fraction(value)


def test_strings_and_rationals_are_what_they_spell():
    assert exact(0.3) == sp.Rational(5404319552844595, 2**54) != sp.Rational(3, 10)
    assert exact("0.3") == sp.Rational(3, 10) and exact("-1e-3") == sp.Rational(-1, 1000)
    assert exact("1/3") == exact(sp.Rational(1, 3)) == exact(Fraction(1, 3)) == sp.Rational(1, 3)
    third = number(sp.Rational(1, 3))
    assert isinstance(third, ExactFloat) and third == 1 / 3 and display(third) == "1/3"
    assert display(number("1.00000002")) == "1.00000002" and display(0.1) == "0.1"


@pytest.mark.parametrize("gamma", [1.00000002, "1.00000002", 0.99999998])
def test_near_critical_strength_is_not_a_jordan_block(gamma):
    """J = [[0, -1/2], [1/2, -gamma]]: eigenvalues (-gamma +- sqrt(gamma^2 - 1)) / 2, split by ~1e-4."""
    s = jl.spectrum("dirac", reg="r1", gamma=gamma)
    g = float(gamma)
    expected = (-g + np.array([1, -1]) * np.sqrt(complex(g * g - 1))) / 2
    np.testing.assert_allclose(np.sort_complex(s.eigenvalues), np.sort_complex(expected), rtol=1e-12)
    assert not s.defective and abs(s.eigenvalues[0] - s.eigenvalues[1]) > 1e-4
    assert "1.00000002" in s.info["reg"] or "0.99999998" in s.info["reg"]


def test_spectrum_and_jacobian_agree_at_a_point_near_a_simple_rational():
    at = [0.5 + 3e-9, -0.25]
    s = jl.spectrum("dirac", reg="r1", gamma=0.5, at=at)
    np.testing.assert_allclose(s.jacobian, jl.jacobian("dirac", reg="r1", gamma=0.5, at=at), rtol=1e-14)


def test_exactly_representable_inputs_keep_their_exact_results():
    s = jl.spectrum("dirac", reg="r1", gamma=1.0)
    assert s.symbolic_eigenvalues == {sp.Rational(-1, 2): 2} and s.defective
    assert jl.spectrum("dirac", reg="r1", gamma="1").symbolic_eigenvalues == {sp.Rational(-1, 2): 2}


def test_cached_derivations_tell_an_exact_decimal_from_its_float():
    by_string = jl.spectrum("dirac", reg="r1", gamma="0.3", scheme="simgd", lr="0.1")
    by_float = jl.spectrum("dirac", reg="r1", gamma=0.3, scheme="simgd", lr=0.1)
    assert by_string.symbolic_jacobian != by_float.symbolic_jacobian
    half, tenth = sp.Rational(1, 2), sp.Rational(1, 10)  # I + h J with J = [[0, -1/2], [1/2, -3/10]]
    assert by_string.symbolic_jacobian == sp.Matrix([[1, -tenth * half], [tenth * half, 1 - tenth * 3 * tenth]])
    np.testing.assert_allclose(by_string.eigenvalues, by_float.eigenvalues, rtol=1e-14)


# -- custom-game strings are parsed by an allow-list, never evaluated ------------------------------

def test_code_in_a_loss_string_is_refused_not_run(tmp_path):
    marker = tmp_path / "ran"
    attack = f"__import__('os').system('touch {marker}') and x*y"
    for build in (lambda: jl.CustomGame(["x"], ["y"], attack, equilibrium=[0, 0]),
                  lambda: jl.CustomGame(["x"], ["y"], "x*y", attack),
                  lambda: jl.CustomGame(["x"], ["y"], "x*y", weight_matrices=[[[attack]]])):
        with pytest.raises(jl.JacobianLabError, match="is not allowed"):
            build()
    assert not marker.exists()


@pytest.mark.parametrize("text,message", [
    ("x.__class__", "not allowed"), ("f(x)", "function 'f'"), ("z*x", "unknown symbols \\['z'\\]"),
    ("x +", "cannot read"),
    ("'a'*x", "constant"), ("exp(x, evaluate=False)", "one argument"), ("2**10**10", "exponent"),
    ("1/0*x", "not finite"), ("+".join(["x"] * 5000), "nested too deeply"),
])
def test_formula_errors_name_the_problem(text, message):
    with pytest.raises(jl.JacobianLabError, match=message):
        parse_formula(text, {"x": sp.Symbol("x", real=True)})


def test_formulas_mean_what_sympy_means():
    x, y = sp.symbols("x y", real=True)
    names = {"x": x, "y": y}
    assert parse_formula("x**2/2 + 10*x*y", names) == x**2 / 2 + 10 * x * y
    assert parse_formula("exp(x)*y^2 - 0.3*pi", names) == sp.exp(x) * y**2 - sp.Rational(3, 10) * sp.pi
    assert parse_formula("log_sigmoid(-x) + Abs(y)", names) == jl.symbolic.functions.log_sigmoid(-x) + sp.Abs(y)


def test_callables_and_expressions_stay_the_way_for_arbitrary_code():
    x, y = sp.symbols("x y", real=True)
    game = jl.CustomGame([x], [y], x**2 / 2 + 10 * x * y, lambda x, y: y**2 / 2 - 10 * x * y, equilibrium=[0, 0])
    reference = jl.CustomGame(["x"], ["y"], "x**2/2 + 10*x*y", "y**2/2 - 10*x*y", equilibrium=[0, 0])
    np.testing.assert_array_equal(jl.jacobian(game), jl.jacobian(reference))
    with pytest.raises(jl.JacobianLabError, match="NoneType"):
        jl.CustomGame(["x"], ["y"], None)


# -- bad input: a JacobianLabError in Python, one line and exit 2 on the command line ---------------

@pytest.mark.parametrize("call", [
    lambda: jl.spectrum("dirac", reg=5), lambda: jl.spectrum("dirac", reg=[("r1",)]),
    lambda: jl.spectrum("dirac", rtol="x"), lambda: jl.spectrum("dirac", rtol=None),
    lambda: jl.spectrum("gaussian", mean={"a": 1}), lambda: jl.spectrum("gaussian", sigma=True),
    lambda: jl.spectrum("gaussian", mean="0,2;1,3"), lambda: jl.spectrum("dirac", dim=100000),
    lambda: jl.spectrum("dirac", scheme="altgd", n_d=10**9), lambda: jl.spectrum("dirac", scheme="cgd", lr=1e308),
    lambda: jl.simulate("dirac", noise="x"), lambda: jl.simulate("dirac", noise=0.1, seed="abc"),
    lambda: jl.simulate("dirac", noise=0.1, seed=-1), lambda: jl.simulate("dirac", steps=10**10),
    lambda: jl.convergence_map("dirac", grid=(10,)), lambda: jl.convergence_map("dirac", grid=(10**5, 10**5)),
    lambda: jl.sweep("dirac", "r1", [0, 1], [0.1], workers="x"), lambda: jl.sweep("dirac", "r1", "x", [0.1]),
    lambda: jl.sweep("dirac", "r1", range(3000), np.linspace(0.1, 1, 1000)),
    lambda: jl.sweep("dirac", "r1", [1], [1], lr=1),
    lambda: jl.CustomGame(["x"], ["y"], "x*(y"), lambda: jl.CustomGame(["x"], ["y"], None),
], ids=lambda call: "")
def test_bad_api_input_is_a_jacobian_lab_error(call):
    with pytest.raises(jl.JacobianLabError):
        call()


def cli(argv, cwd):
    import contextlib
    import io
    import os

    from jacobian_lab.cli import main

    err, before = io.StringIO(), set(os.listdir(cwd))
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(argv)
    return status, err.getvalue(), set(os.listdir(cwd)) - before


@pytest.mark.parametrize("argv", [
    ["simulate", "--out", "d.npz"], ["portrait", "-o", "d.png"], ["portrait", "--extent", "1,0,0,1", "-o", "p.png"],
    ["portrait", "--extent", "nan,1,0,1", "-o", "p.png"], ["portrait", "--slice", "0,1.5", "-o", "p.png"],
    ["simulate", "--seed", "-1", "--noise", "0.1"], ["simulate", "--grid", "100000x100000"],
    ["simulate", "--grid", "3x3", "--x0", "1,1"], ["simulate", "--steps", "10000000000", "--backend", "numpy"],
    ["analyze", "--reg", "none", "--gamma", "2"], ["analyze", "--param", "dim=100000"],
    ["sweep", "--lr", "0.5"], ["sweep", "--workers", "-1"], ["sweep", "--gammas", "0,1,100000000"],
    ["sweep", "--gammas", "0,nan,3"],
    ["eigenpath", "--num", "0", "-o", "p.png"], ["eigenpath", "--marks", "-1", "-o", "p.png"],
])
def test_cli_refuses_in_one_line(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.npz").mkdir()
    (tmp_path / "d.png").mkdir()
    status, err, new = cli(argv, tmp_path)
    assert status == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err and not new, err


def test_leading_minus_signs_are_values(tmp_path):
    status, err, _ = cli(["analyze", "--at", "-0.5,0.2"], tmp_path)
    assert status == 0, err


# -- numerics --------------------------------------------------------------------------------------

@pytest.mark.parametrize("gamma", [1e100, 1e308])
def test_huge_strength_keeps_the_small_eigenvalue(gamma):
    """det J = 1/4 and tr J = -gamma: the small eigenvalue is -1/(4 gamma) to relative 1/gamma^2."""
    small = min(jl.spectrum("dirac", reg="r1", gamma=gamma).eigenvalues, key=abs)
    assert small.imag == 0 and small.real == pytest.approx(-0.25 / gamma, rel=1e-12)


def test_kink_of_a_custom_game_is_refused_where_it_is():
    game = jl.CustomGame(["x"], ["y"], "Abs(x)*y", equilibrium=[0, 0])
    for call in (lambda: jl.spectrum(game), lambda: jl.jacobian(game)):
        with pytest.raises(jl.NotApplicableError, match="kink"):
            call()
    np.testing.assert_array_equal(jl.jacobian(game, at=[1, 0]), [[0, -1], [1, 0]])


def test_nilpotent_update_map_takes_its_index_in_iterations():
    """J = [[0, -1/2], [1/2, -1]] is a Jordan block at -1/2: (I + 2J)^2 = 0 but I + 2J != 0."""
    step = jl.spectrum("dirac", reg="r1", gamma=1.0).optimal_step()
    assert (step.step, step.rate, step.iterations) == (2.0, 0.0, 2.0)
    assert jl.spectrum("bilinear", a=1, b=1, A=[[0]]).optimal_step().iterations == 1.0  # J = -I


@pytest.mark.parametrize("x0", [1e154, 1e200])
def test_far_starts_diverge(x0):
    t = jl.simulate("gaussian", "r1", 0.5, "extragradient", x0=[[x0, 1, 1, 1]], steps=5, backend="numpy",
                    progress=False)
    assert t.diverged[0]


def test_smoothing_quadrature_is_bounded_far_out():
    from jacobian_lab.symbolic.functions import QUADRATURE_MAX_COUNT, quadrature_rule

    assert len(quadrature_rule(1e154)[0]) == 2 * QUADRATURE_MAX_COUNT + 1
    assert np.isnan(quadrature_rule(np.inf)[1]).all()


# -- faults and determinism --------------------------------------------------------------------------

def test_next_write_removes_partial_files_of_killed_writers(tmp_path):
    import subprocess

    from jacobian_lab._io import _temporary_prefix, atomic_write

    dead = subprocess.Popen(["true"])
    dead.wait()  # a writer killed while writing leaves its temporary file
    (tmp_path / f"{_temporary_prefix(tmp_path / 'r.npz', dead.pid)}x1y2.npz").write_text("partial")
    running = tmp_path / f"{_temporary_prefix(tmp_path / 'q.npz', 1)}x1y2.npz"  # pid 1 is alive: kept
    running.write_text("being written")
    atomic_write(tmp_path / "p.png", lambda tmp: open(tmp, "w").write("whole"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["p.png", running.name])


def test_each_start_has_its_own_noise_stream():
    common = dict(noise=0.01, seed=3, steps=50, backend="numpy", progress=False)
    a = jl.simulate("dirac", "r1", 0.5, x0=[[1, 1], [0.5, 0.5]], **common)
    b = jl.simulate("dirac", "r1", 0.5, x0=[[1e5, 1e5], [0.5, 0.5]], bound=1e3, **common)
    assert b.diverged.tolist() == [True, False]
    np.testing.assert_array_equal(a.final[1], b.final[1])
