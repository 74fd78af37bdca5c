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
