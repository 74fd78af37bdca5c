"""Notebook displays: matrix and eigenvalues typeset, factors in a table, the stored numbers."""

from __future__ import annotations

import re

import jacobian_lab as jl


def test_spectrum_html_typesets_matrix_eigenvalues_and_factors():
    s = jl.spectrum("dirac", reg="r1", gamma=0.5)
    out = s._repr_html_()
    assert out.count('<span class="math">') == 2 + 4  # J, lambda, four factors
    assert r"\frac{\sqrt{3} i}{4}" in out and r"\begin{matrix}" in out
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td>(.*?)</td></tr>", out))
    assert rows["phase factor"] == r'<span class="math">\(1.73205\)</span>' and rows["stability"] == "stable"
    assert s._repr_latex_().startswith("$$J = ") and r"\lambda = " in s._repr_latex_()


def test_numeric_spectrum_hides_rounding_noise_only_in_the_display():
    s = jl.spectrum("dirac")  # +-i/2: no real part to show
    numeric = jl.Spectrum([complex(9.7e-17, 0.5), complex(9.7e-17, -0.5)], info={"model": "m"})
    assert r"\lambda = 0.5i, -0.5i" in numeric._repr_html_()
    assert numeric.eigenvalues[0].real == 9.7e-17  # stored value untouched
    assert "infty" in s._repr_html_()  # phase factor inf typeset


def test_trajectory_and_derivation_displays():
    t = jl.simulate("dirac", "r1", 0.5, "simgd", lr=0.2, steps=40, backend="numpy")
    out = t._repr_html_()
    assert "<b>Trajectory</b>" in out and "predicted rate (spectral radius)" in out and "0.953939" in out
    latex = jl.derive("dirac", reg="r1")._repr_latex_()
    assert latex.startswith(r"$$\begin{aligned}") and latex.endswith(r"\end{aligned}$$")
    assert r"\gamma &= 1" in latex
