"""The text reports say what holds: verdicts, missing steps, nilpotent maps, rounding noise, labels."""

from __future__ import annotations

import pytest

from jacobian_lab.cli import main
from jacobian_lab.cli._common import eigenvalue_text, fmt_complex


def text(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv, verdict", [
    (["--reg", "r1"], "stable (continuous: every Re lambda < 0)"),
    ([], "marginal (continuous: max Re lambda = 0 within the tolerance)"),
    (["--model", "bilinear", "--param", "a=-0.5"], "unstable (continuous: some Re lambda > 0)"),
    (["--scheme", "simgd", "--lr", "0.2"], "unstable (discrete: spectral radius > 1)"),
    (["--scheme", "altgd", "--lr", "0.1"], "marginal (discrete: spectral radius = 1 within the tolerance)"),
    (["--reg", "r1", "--scheme", "simgd", "--lr", "0.5"], "stable (discrete: spectral radius < 1)"),
])
def test_verdict_states_the_condition_that_holds(capsys, argv, verdict):
    out = text(capsys, "analyze", *argv)
    assert f"verdict              {verdict}" in out
    assert "< 0)" not in out.replace("every Re lambda < 0)", "")  # no failed condition printed as if held


def test_no_stable_step_is_said_not_printed_as_zero(capsys):
    out = text(capsys, "analyze")
    assert "largest stable step  none: some Re lambda >= 0" in out
    assert "largest stable step  0" not in out and "optimal step         none" in out


def test_nilpotent_update_map_reads_exact_convergence(capsys):
    out = text(capsys, "analyze", "--reg", "r1", "--gamma", "1")  # J = [[0,-1/2],[1/2,-1]], h* = 2: nilpotent
    line = next(s for s in out.splitlines() if s.startswith("optimal step"))
    assert "rate 0: the update map is nilpotent, the error vanishes exactly after" in line
    assert "0 iterations" not in line.replace("0 iterations to", "")


def test_rounding_noise_is_not_printed():
    assert fmt_complex(complex(9.71445e-17, 5.46499), tol=1e-9) == "5.46499i"
    assert fmt_complex(complex(9.71445e-17, -5.46499), tol=1e-9) == "-5.46499i"
    assert fmt_complex(complex(-0.25, 3e-18), tol=1e-9) == "-0.25"
    assert fmt_complex(complex(9.71445e-17, 5.46499)) == "9.71445e-17 + 5.46499i"  # no tolerance: as stored
    line = eigenvalue_text([complex(9.71445e-17, 5.46499), complex(-1, 0)], rtol=1e-10)
    assert line.startswith("5.46499i, -1") and "not shown" in line
    assert "not shown" not in eigenvalue_text([complex(-1, 0.5)], rtol=1e-10)


def test_derive_names_the_symbol_its_formulas_use(capsys):
    out = text(capsys, "derive", "--reg", "r1", "--gamma", "1")
    assert out.splitlines()[0] == "dirac (loss=gan, dim=1), reg r1 (strength gamma)"
    assert "r1=1" not in out
    several = text(capsys, "derive", "--reg", "r1=1,jare=2")
    assert "reg r1 (strength gamma_r1), jare (strength gamma_jare)" in several


def test_derive_latex_converts_labels_too(capsys):
    out = text(capsys, "derive", "--reg", "r1", "--latex")
    assert r"\begin{align*}" in out and r"\end{align*}" in out
    assert r"J = \frac{\partial v}{\partial x} &= " in out
    assert r"\left(\theta, \psi\right)^* &= \left(0, 0\right)" in out
    assert r"\gamma &= 1 \quad \text{(eigenvalues meet: Jordan block)}" in out
    body = [line for line in out.splitlines() if not line.startswith("%")]
    for plain in ("lambda =", "equilibrium:", "block (", "Jordan block) at"):
        assert not any(plain in line for line in body), plain


def test_without_torch_the_spectrum_command_names_the_extra():
    import subprocess
    import sys

    code = ("import sys; sys.modules['torch'] = None\n"
            "from jacobian_lab.cli import main\n"
            "sys.exit(main(['spectrum', '--example', 'mog8']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ('jacobian-lab: error: the torch bridge needs torch, which is not installed: '
                                   'pip install "jacobian-lab[torch]"')


def test_normal_jacobian_reads_no_transient_growth(capsys):
    """A normal J (JARE on the Dirac-GAN) has ||exp(tJ)|| <= 1: the peak is 1 at t = 0, not at t = 1e-16."""
    assert main(["analyze", "--model", "dirac", "--reg", "jare"]) == 0
    assert "max_t ||exp(tJ)|| = 1 at t = 0\n" in capsys.readouterr().out
