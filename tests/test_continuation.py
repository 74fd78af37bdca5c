"""Continuation: critical points root-found and checked against closed forms."""

import numpy as np
import pytest
import sympy as sp

import jacobian_lab as jl
from jacobian_lab.bifurcation.closed_forms import hurwitz_minor
from jacobian_lab.bifurcation.tracking import follow


def test_r1_critical_strength_on_the_dirac_gan():
    c = jl.continuation("dirac", reg="r1", values=(0, 3), num=61)
    meet, phase = c.of_kind("meet"), c.of_kind("phase-zero")
    assert len(meet) == 1 and abs(meet[0].value - 1.0) < 1e-10  # gamma = 2 |f'(0)| = 1
    assert meet[0].exact == 1 and phase[0].value == meet[0].value
    assert not c.of_kind("hopf", "fold")  # stable for every gamma > 0


@pytest.mark.parametrize("gamma", [0.5, 1.0, 3.0])
def test_simgd_stability_boundary_in_lr_under_consensus(gamma):
    # lambda = -gamma/4 +- i/2, so |1 + h lambda| = 1 at h = 8 gamma / (gamma^2 + 4)
    c = jl.continuation("dirac", reg="consensus", gamma=gamma, scheme="simgd", param="lr",
                        values=(0.05, 4), num=41)
    (point,) = c.of_kind("neimark-sacker")
    expected = 8 * gamma / (gamma**2 + 4)
    assert abs(point.value - expected) < 1e-10
    assert point.exact == sp.nsimplify(expected)
    assert np.abs(point.eigenvalues) == pytest.approx([1, 1], abs=1e-12)


def test_hopf_point_of_a_bilinear_game_with_self_terms():
    # J = [[-a, -1], [1, -b]]: trace -(a + b) = 0 at a = -b, det = 1 - b^2 > 0: lambda = +-i sqrt(1 - b^2)
    c = jl.continuation("bilinear", param="a", values=(-2, 1), num=31, b=0.5)
    (hopf,) = c.of_kind("hopf")
    assert abs(hopf.value + 0.5) < 1e-10 and hopf.exact == sp.Rational(-1, 2)
    assert sorted(hopf.eigenvalues.imag) == pytest.approx([-np.sqrt(0.75), np.sqrt(0.75)])
    (meet,) = c.of_kind("meet")  # tr^2 = 4 det: (a - b)^2 = 4, a = b - 2
    assert abs(meet.value + 1.5) < 1e-10


def test_eigenvalues_are_followed_not_sorted():
    values = np.linspace(-1, 1, 21)
    rows = np.stack([np.array([v, -v]) for v in values]).astype(complex)  # they cross at 0
    rows[:, :] = rows[:, ::-1] * (np.arange(21) % 2)[:, None] + rows * (1 - np.arange(21) % 2)[:, None]
    followed = follow(rows)
    assert np.allclose(np.abs(np.diff(followed, axis=0)), 0.1)


def test_scheme_parameter_without_closed_form_is_numeric_only():
    c = jl.continuation("dirac", reg="r1", gamma=3.0, scheme="momentum", param="beta", values=(-0.9, 0.9), num=19)
    flip = c.of_kind("flip")
    assert len(flip) == 1 and flip[0].exact is None
    spectrum = jl.spectrum("dirac", reg="r1", gamma=3.0, scheme="momentum", beta=flip[0].value, exact=False)
    assert spectrum.spectral_radius == pytest.approx(1.0, abs=1e-12)


def test_hurwitz_minor_of_a_cubic_is_orlando():
    x, a1, a2, a3 = sp.symbols("x a1 a2 a3")
    assert sp.expand(hurwitz_minor([1, a1, a2, a3], 2) - (a1 * a2 - a3)) == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"param": "gamma", "reg": None}, "needs one regularizer"),
    ({"param": "lr"}, "give a scheme"),
    ({"param": "loss", "reg": "r1"}, "cannot continue in 'loss'"),
    ({"param": "gamma", "reg": "r1", "values": (-1, 1)}, ">= 0"),
    ({"param": "gamma", "reg": "r1", "num": 10**6}, "at most"),
])
def test_bad_requests(kwargs, message):
    with pytest.raises(jl.JacobianLabError, match=message):
        jl.continuation("dirac", **kwargs)


def test_stability_chart_boundary_is_root_found():
    chart = jl.stability_chart("dirac", "consensus", scheme="simgd", x=("gamma", (0.5, 3)), y=("lr", (0.01, 4)),
                               num=(6, 9))
    g, h = chart.boundary.T
    np.testing.assert_allclose(h, 8 * g / (g**2 + 4), rtol=1e-12)  # exact although the lr grid is coarse
    assert np.array_equal(g, chart.x) and chart.margin.shape == (9, 6)


def test_cli_continue_table_json_and_figure(tmp_path, capsys):
    import json

    from jacobian_lab.cli import main

    fig = tmp_path / "path.png"
    assert main(["continue", "--model", "bilinear", "--param", "a", "-2:1", "--param", "b=0.5", "--num", "31",
                 "-o", str(fig)]) == 0
    out = capsys.readouterr().out
    assert "hopf" in out and "-1/2" in out and fig.stat().st_size > 0
    assert main(["continue", "--model", "dirac", "--reg", "consensus", "--gamma", "1", "--scheme", "simgd",
                 "--param", "lr", "0.01:3", "--num", "31", "--json"]) == 0
    (point,) = json.loads(capsys.readouterr().out)["points"]
    assert point["kind"] == "neimark-sacker" and point["exact"] == "8/5"


@pytest.mark.parametrize("argv", [[], ["--param", "gamma", "0:1:2"], ["--param", "gamma", "0:1", "--num", "99999999"],
                                  ["--param", "gamma", "0:1", "-o", "x.txt"]])
def test_cli_continue_refuses(argv, tmp_path, capsys, monkeypatch):
    from jacobian_lab.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["continue", "--reg", "r1", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and not any(tmp_path.iterdir())


def test_continuation_plot_marks_the_points():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jacobian_lab.plotting.continuation import continuation_plot, stability_chart_plot

    c = jl.continuation("bilinear", param="a", values=(-2, 1), num=31, b=0.5)
    artists = continuation_plot(c)
    assert set(artists["points"]) == {"hopf", "meet"} and len(artists["paths"]) == 2
    assert artists["points"]["hopf"].get_offsets().shape == (2, 2)
    chart = jl.stability_chart("dirac", "r1", scheme="simgd", x=("gamma", (0.2, 2)), y=("lr", (0.05, 5)), num=(4, 8))
    assert stability_chart_plot(chart)["boundary"].get_offsets().shape == chart.boundary.shape
    plt.close("all")


def test_marginal_family_has_no_spurious_crossings():
    # the unregularized LQ-GAN has purely imaginary eigenvalues for every sigma: a family on the
    # boundary throughout has no crossing (margins within 1e-12 of it count as on it)
    c = jl.continuation("lq", param="sigma", values=(0.5, 2.0), num=41)
    assert np.abs(c.eigenvalues.real).max() < 1e-12
    assert not c.of_kind("hopf", "fold")
