"""Scheme declarations: the CLI, ``list`` and parameter validation are generated from them; the new
schemes' spectra against closed forms derived from their update rules, and against simulated rates."""

import argparse

import numpy as np
import pytest

import jacobian_lab as jl
from jacobian_lab.cli import build_parser, main
from jacobian_lab.cli._common import scheme_params
from jacobian_lab.schemes import REGISTRY, make_scheme, scheme_parameters, update_matrix

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
    for p in scheme_parameters().values():
        assert p.range_text in out and p.doc in out
    assert "state x, x_prev" in out and "no update matrix" in out


# -- the new schemes against closed forms derived from their update rules (docs/schemes.rst) ----
def _close(found, expected, atol=1e-10):
    """The two multisets of eigenvalues agree (each value near one of the other, both ways)."""
    found, expected = np.asarray(found, dtype=complex), np.asarray(expected, dtype=complex)
    assert found.size == expected.size
    assert np.abs(found[:, None] - expected[None, :]).min(axis=1).max() < atol
    assert np.abs(expected[:, None] - found[None, :]).min(axis=1).max() < atol


GAMES = {  # J = [[p, q], [s, t]] (rows theta, psi) of each closed-form game
    "bilinear": (("bilinear", None, None, {"A": "1.5"}), (0.0, -1.5, 1.5, 0.0)),
    "dirac-r1": (("dirac", "r1", 0.3, {}), (0.0, -0.5, 0.5, -0.3)),
}


def _spectrum(game, scheme, **params):
    model, reg, gamma, model_params = GAMES[game][0]
    return jl.spectrum(model, reg, gamma, scheme, **model_params, **params)


def _eigenvalues_of_j(game):
    p, q, s, t = GAMES[game][1]
    return np.linalg.eigvals(np.array([[p, q], [s, t]]))


def _polynomial(*factors):
    out = np.array([1.0 + 0j])
    for f in factors:
        out = np.polymul(out, f)
    return out


@pytest.mark.parametrize("game", GAMES)
def test_extragradient_with_its_own_extrapolation_step(game):
    a, g = 0.3, 0.7
    lam = _eigenvalues_of_j(game)
    _close(_spectrum(game, "extragradient", lr=a, lr_extra=g).eigenvalues, 1 + a * lam + a * g * lam**2)


@pytest.mark.parametrize("game", GAMES)
def test_alternating_extragradient(game):
    a, g = 0.3, 0.7
    p, q, s, t = GAMES[game][1]
    P, T, Q, S = a * p * (1 + g * p), a * t * (1 + g * t), a * q * (1 + g * p), a * s * (1 + g * t)
    roots = np.roots([1, -(2 + P + T + Q * S), (1 + P) * (1 + T)])
    _close(_spectrum(game, "extragradient", lr=a, lr_extra=g, alternating=True).eigenvalues, roots)


@pytest.mark.parametrize("game", GAMES)
def test_optimistic_general_two_step(game):
    h, r = 0.2, 0.4
    a, b = (1 + r) * h, r * h
    expected = np.concatenate([np.roots([1, -(1 + a * lam), b * lam]) for lam in _eigenvalues_of_j(game)])
    _close(_spectrum(game, "optimistic", lr=h, optimism=r).eigenvalues, expected)


def test_optimistic_default_is_daskalakis():
    h = 0.2
    lam = _eigenvalues_of_j("dirac-r1")
    expected = np.concatenate([np.roots([1, -(1 + 2 * h * l), h * l]) for l in lam])  # a = 2h, b = h
    _close(_spectrum("dirac-r1", "optimistic", lr=h).eigenvalues, expected)


@pytest.mark.parametrize("game", GAMES)
def test_alternating_optimistic(game):
    h, r = 0.2, 0.6
    p, q, s, t = GAMES[game][1]
    # mu^2 (mu - 1 - phi p)(mu - 1 - phi t) - mu^3 phi^2 q s, phi = h (1 + r - r / mu)
    lead = [h * (1 + r), -h * r]  # mu * phi
    first = np.polysub([1, -1, 0], np.polymul([p], lead))
    second = np.polysub([1, -1, 0], np.polymul([t], lead))
    poly = np.polysub(_polynomial(first, second), np.polymul([q * s, 0], np.polymul(lead, lead)))
    _close(_spectrum(game, "optimistic", lr=h, optimism=r, alternating=True).eigenvalues, np.roots(poly), 1e-8)


@pytest.mark.parametrize("game", GAMES)
def test_momentum_with_a_coefficient_per_player(game):
    h, b_g, b_d = 0.2, 0.4, -0.3
    p, q, s, t = GAMES[game][1]
    first = np.polysub(_polynomial([1, -1], [1, -b_g]), [0, h * p, 0])
    second = np.polysub(_polynomial([1, -1], [1, -b_d]), [0, h * t, 0])
    poly = np.polysub(_polynomial(first, second), [h * h * q * s, 0, 0])
    _close(_spectrum(game, "momentum", lr=h, beta_g=b_g, beta_d=b_d).eigenvalues, np.roots(poly), 1e-8)


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("base,params", [("simgd", {}), ("extragradient", {"lr_extra": 0.5}),
                                         ("altgd", {"n_d": 2})])
def test_lookahead_over_one_step_bases(game, base, params):
    k, alpha = 4, 0.6
    inner = _spectrum(game, base, lr=0.1, **params).eigenvalues
    found = _spectrum(game, "lookahead", base=base, inner_steps=k, alpha=alpha, lr=0.1, **params)
    _close(found.eigenvalues, 1 - alpha + alpha * inner**k)


def test_lookahead_contracts_the_bilinear_spiral_of_simgd():
    """|1 + ihc| > 1 for simgd; 1 - alpha + alpha (1 + ihc)^k is inside the unit circle."""
    assert jl.spectrum("bilinear", scheme="simgd", lr=0.1).spectral_radius > 1
    s = jl.spectrum("bilinear", scheme="lookahead", lr=0.1, inner_steps=5, alpha=0.5)
    assert s.spectral_radius == pytest.approx(abs(0.5 + 0.5 * (1 + 0.1j) ** 5), rel=1e-12) and s.is_stable
    assert s.info["method"] == "exact"


@pytest.mark.parametrize("scheme,params", [
    ("extragradient", {"lr": 0.3, "lr_extra": 0.5}), ("extragradient", {"lr": 0.3, "alternating": True}),
    ("optimistic", {"lr": 0.2, "optimism": 0.5}), ("optimistic", {"lr": 0.2, "alternating": True}),
    ("momentum", {"lr": 0.1, "beta_g": 0.3, "beta_d": -0.2}),
    ("lookahead", {"base": "extragradient", "lr": 0.2, "inner_steps": 3, "alpha": 0.5}),
])
def test_empirical_rate_of_the_new_schemes(scheme, params):
    predicted = jl.spectrum("dirac", reg="r1", gamma=0.6, scheme=scheme, **params).spectral_radius
    tr = jl.simulate("dirac", reg="r1", gamma=0.6, scheme=scheme, steps=1400, x0=[1e-3, 1e-3], window=1000,
                     tol=1e-300, backend="numpy", **params)
    # non-normal eigenvectors leave a bounded factor in the norm ratio: |error| <~ log(kappa) / window
    assert tr.rate[0] == pytest.approx(predicted, rel=3e-3)


# -- the new schemes work everywhere, with no edit outside their modules -----------------------
def test_composite_scheme_compiles_and_matches_numpy():
    pytest.importorskip("numba")
    params = dict(base="momentum", alternating=True, beta_g=0.3, beta_d=-0.2, inner_steps=2, alpha=0.6,
                  lr_g=0.1, lr_d=0.15)
    x0 = np.random.default_rng(3).uniform(-2, 2, (40, 2))
    a, b = (jl.simulate("dirac", "jare", 0.5, "lookahead", x0=x0, steps=150, record_every=15, backend=backend,
                        progress=False, **params) for backend in ("numpy", "numba"))
    np.testing.assert_allclose(b.states, a.states, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(b.converged_at, a.converged_at)


def test_stateful_scheme_kernel_carries_every_array():
    from jacobian_lab.dynamics.codegen import module_source

    source = module_source(jl.regularized_game("dirac", "r1", 0.5), make_scheme("adam", 1, 2, lr=0.01))
    assert all(f"s{a}_1[i] = X[{a}, b0 + i, 1]" in source for a in range(4))  # x, m, s, t


def test_adam_simulates_but_has_no_spectrum():
    tr = jl.simulate("dirac", "r1", 1.0, "adam", lr=0.05, steps=400, backend="numpy")
    assert tr.distance[0, -1] < 0.1 * tr.distance[0, 0] and tr.predicted_rate is None
    with pytest.raises(jl.NotApplicableError, match="not differentiable"):
        jl.spectrum("dirac", "r1", 1.0, scheme="adam")


def test_new_schemes_from_the_cli(capsys):
    argv = ["--model", "dirac", "--reg", "r1", "--gamma", "0.6", "--scheme", "lookahead", "--base", "optimistic",
            "--alternating", "--inner-steps", "3", "--lr", "0.2", "--optimism", "0.5"]
    assert main(["simulate", *argv, "--steps", "50", "--json"]) == 0
    assert '"scheme": "lookahead"' in capsys.readouterr().out
    assert main(["analyze", *argv]) == 0
    assert "spectral radius" in capsys.readouterr().out


def test_new_schemes_in_the_plots():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jacobian_lab import plotting as jp

    grid = jp.stability_map("extragradient", 0.4, extent=(-4, 1, -3, 3), n=21, lr_extra=0.8)
    hl = grid.real[None, :] + 1j * grid.imag[:, None]
    np.testing.assert_allclose(grid.radius, np.abs(1 + 0.4 * hl + 0.32 * hl**2), rtol=1e-10)
    assert grid.exact and not jp.stability_map("momentum", 0.4, n=5, beta_g=0.1, beta_d=0.2).exact
    path = jp.eigenvalue_path_data("dirac", "r1", 2.0, n=5, scheme="optimistic", lr=0.2, alternating=True)
    assert path.kind == "discrete" and path.eigenvalues.shape == (path.strengths.size, 4)
    data = jp.step_size_map("dirac", "r1", 2.0, 1.0, "lookahead", n_gamma=3, n_lr=4, base="extragradient")
    assert data.radius.shape == (4, 3) and data.best["spectral_radius"] == np.nanmin(data.radius)
    plt.close("all")


class _Field:
    def __init__(self, rg):
        self.v, self.jac = rg.numeric_field, rg.numeric_jacobian


@pytest.mark.parametrize("scheme,params", [
    ("extragradient", {"lr_g": 0.2, "lr_d": 0.3, "lr_extra": 0.5, "alternating": True}),
    ("optimistic", {"lr_g": 0.1, "lr_d": 0.2, "optimism": 0.7, "alternating": True}),
    ("momentum", {"lr": 0.2, "beta_g": 0.4, "beta_d": -0.3}),
    ("lookahead", {"base": "optimistic", "lr": 0.1, "inner_steps": 3, "alpha": 0.3, "alternating": True}),
])
def test_update_matrix_of_the_new_schemes_is_the_derivative_of_their_step(scheme, params):
    """On the LQ-GAN (two coordinates per player, a nonlinear field, per-player parameters): the update
    matrix on the stacked state against central differences of the nonlinear step (the chain rule)."""
    rg = jl.regularized_game("lq", "jare", 0.5)
    d = rg.game.dim
    method = make_scheme(scheme, len(rg.game.theta), d, **params)
    x_star = np.array([float(e) for e in rg.equilibrium])
    field = _Field(rg)

    def step(z):
        states = tuple(z[None, i * d:(i + 1) * d] for i in range(method.memory))
        return np.concatenate(method.step(field, states), axis=-1)[0]

    z, eps = np.tile(x_star, method.memory), 1e-6
    columns = [(step(z + eps * e) - step(z - eps * e)) / (2 * eps) for e in np.eye(z.size)]
    np.testing.assert_allclose(update_matrix(method, rg.numeric_jacobian(x_star)), np.stack(columns, axis=-1),
                               atol=1e-7)
