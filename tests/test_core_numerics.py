"""Generated numeric fields and Jacobians against slow references (finite differences),
discrete maps against the nonlinear schemes, and step sizes against brute force."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import jacobian_lab as jl
from jacobian_lab.schemes import SCHEMES, make_scheme, update_matrix
from jacobian_lab.spectra import factors, steps

CASES = [
    ("dirac", "none", {}), ("dirac", "jare", {}), ("dirac", "consensus", {"loss": "nsgan"}),
    ("dirac", "r1", {"dim": 2}), ("dirac", "instance-noise", {}), ("dirac", "sga", {"loss": "wgan"}),
    ("gaussian", "jare", {}), ("gaussian", "consensus", {}), ("gaussian", "grad-d", {}),
    ("gaussian", "zero-gp", {}), ("gaussian", "instance-noise", {}), ("lq", "grad-g", {}),
    ("lq", "r1", {}), ("lq", "zero-gp", {}), ("bilinear", "sga", {"A": "1,2;0,1"}),
    ("dirac", "wgan-gp", {}), ("gaussian", "wgan-gp", {}),
]


def central_difference(f, x, eps=1e-6):
    columns = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        columns.append((f(x + e) - f(x - e)) / (2 * eps))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("model,reg,params", CASES)
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), gamma=st.floats(0.05, 2.0))
def test_jacobian_matches_finite_differences(model, reg, params, seed, gamma):
    rg = jl.regularized_game(model, reg, gamma, **params)
    x = np.random.default_rng(seed).uniform(-1, 1, rg.game.dim)
    expected = central_difference(rg.numeric_field, x)
    np.testing.assert_allclose(rg.numeric_jacobian(x), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(jl.jacobian(model, reg, gamma, at=x, **params), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("model,reg,params", CASES[:12])
def test_exact_and_numeric_jacobians_agree(model, reg, params):
    s = jl.spectrum(model, reg, 0.6, **params)
    np.testing.assert_allclose(s.jacobian, jl.jacobian(model, reg, 0.6, **params), atol=1e-12)


def test_numeric_field_batches():
    rg = jl.regularized_game("gaussian", "jare", 1.0)
    x = np.random.default_rng(0).normal(size=(5, 3, 4))
    batch = rg.numeric_field(x)
    assert batch.shape == (5, 3, 4)
    np.testing.assert_allclose(batch[2, 1], rg.numeric_field(x[2, 1]), atol=1e-15)
    assert rg.numeric_jacobian(x).shape == (5, 3, 4, 4)


class _Field:
    def __init__(self, rg):
        self.v, self.jac = rg.numeric_field, rg.numeric_jacobian


SCHEME_CASES = [
    ("simgd", {"lr": 0.3}), ("simgd", {"lr_g": 0.1, "lr_d": 0.4}), ("altgd", {"lr": 0.2, "n_d": 3}),
    ("altgd", {"lr": 0.2, "n_g": 2, "order": "dg"}), ("extragradient", {"lr": 0.3}),
    ("optimistic", {"lr": 0.2}), ("momentum", {"lr": 0.2, "beta": 0.4}),
    ("momentum", {"lr": 0.2, "beta": -0.3, "alternating": True}), ("cgd", {"lr": 0.3}), ("flow", {"lr": 0.1}),
]


@pytest.mark.parametrize("scheme,params", SCHEME_CASES)
@pytest.mark.parametrize("model,reg", [("dirac", "r1"), ("gaussian", "jare"), ("sga-example", "none")])
def test_update_matrix_is_the_derivative_of_the_nonlinear_step(scheme, params, model, reg):
    rg = jl.regularized_game(model, reg, 0.5)
    method = make_scheme(scheme, len(rg.game.theta), rg.game.dim, **params)
    x_star = np.array([float(e) for e in rg.equilibrium])
    field = _Field(rg)
    stacked = np.tile(x_star, method.memory)

    def step(z):
        states = tuple(z[..., i * rg.game.dim:(i + 1) * rg.game.dim] for i in range(method.memory))
        return np.concatenate(method.step(field, states), axis=-1)

    expected = central_difference(step, stacked)
    np.testing.assert_allclose(update_matrix(method, rg.numeric_jacobian(x_star)), expected, atol=1e-7)


def test_discrete_spectra_closed_forms():
    lam = jl.spectrum("dirac", reg="r1", gamma=0.3).eigenvalues
    h = 0.2
    simgd = jl.spectrum("dirac", reg="r1", gamma=0.3, scheme="simgd", lr=h)
    np.testing.assert_allclose(np.sort_complex(simgd.eigenvalues), np.sort_complex(1 + h * lam), atol=1e-12)
    extra = jl.spectrum("dirac", reg="r1", gamma=0.3, scheme="extragradient", lr=h)
    np.testing.assert_allclose(np.sort_complex(extra.eigenvalues),
                               np.sort_complex(1 + h * lam + (h * lam) ** 2), atol=1e-12)


def test_mescheder_dirac_discrete_results():
    # unregularized: simultaneous GD spirals out, alternating GD keeps |mu| = 1 (Mescheder 2018)
    assert jl.spectrum("dirac", scheme="simgd", lr=0.2).spectral_radius == pytest.approx(np.hypot(1, 0.1))
    alt = jl.spectrum("dirac", scheme="altgd", lr=0.2)
    assert alt.spectral_radius == pytest.approx(1.0, abs=1e-12) and alt.stability == "marginal"


@pytest.mark.parametrize("scheme,params", SCHEME_CASES)
def test_nonlinear_iterates_follow_the_linearised_map(scheme, params):
    """x_k from a tiny perturbation of the equilibrium equals M^k x_0 up to O(|x_0|) relative error."""
    rg = jl.regularized_game("gaussian", "jare", 1.0)
    method = make_scheme(scheme, 2, 4, **params)
    x_star = np.array([float(e) for e in rg.equilibrium])
    dx0 = 1e-7 * np.array([1.0, -0.5, 0.3, 0.8])
    matrix = update_matrix(method, rg.numeric_jacobian(x_star))
    states = method.initial_states((x_star + dx0)[None, :])
    linear = np.tile(dx0, method.memory)
    for _ in range(60):
        states = method.step(_Field(rg), states)
        linear = matrix @ linear
    np.testing.assert_allclose(states[0][0] - x_star, linear[:4], rtol=1e-5, atol=1e-9 * np.abs(linear).max())


def test_spectral_radius_is_the_asymptotic_rate():
    s = jl.spectrum("dirac", reg="r1", gamma=0.3, scheme="altgd", lr=0.2, n_d=5)
    method = make_scheme("altgd", 1, 2, lr=0.2, n_d=5)
    rg = jl.regularized_game("dirac", "r1", 0.3)
    x = np.array([[1e-6, 1e-6]])
    norms = []
    for _ in range(1500):
        (x,) = method.step(_Field(rg), (x,))
        norms.append(np.linalg.norm(x))
    # the eigenvector basis is not orthogonal: the norm ratio carries a bounded factor, hence rel 1e-2
    assert (norms[-1] / norms[-1001]) ** (1 / 1000) == pytest.approx(s.spectral_radius, rel=1e-2)


@pytest.mark.parametrize("gamma", [0.3, 1.0, 2.0])
def test_max_stable_step_is_where_simgd_loses_stability(gamma):
    s = jl.spectrum("dirac", reg="r1", gamma=gamma)
    h = s.max_stable_step()
    assert jl.spectrum("dirac", reg="r1", gamma=gamma, scheme="simgd", lr=h * 0.999).is_stable
    assert not jl.spectrum("dirac", reg="r1", gamma=gamma, scheme="simgd", lr=h * 1.001).is_stable


eigen_sets = st.lists(
    st.tuples(st.floats(0.05, 3.0), st.floats(-5.0, 5.0)), min_size=1, max_size=5
).map(lambda pairs: np.array([-a + 1j * b for a, b in pairs] + [-a - 1j * b for a, b in pairs]))


@settings(max_examples=60, deadline=None)
@given(eigen_sets)
# found by hypothesis in a fresh clone: rounding merged -1 with -1 +- 6e-8 i and the rate dropped them
@example(np.array([-1.0, -1.0 + 5.960464477539063e-08j, -1.0, -1.0 - 5.960464477539063e-08j]))
def test_optimal_step_against_brute_force(lam):
    best = steps.optimal_step(lam)
    grid = np.linspace(0, steps.max_stable_step(lam), 20001)[1:-1]
    rates = np.abs(1 + grid[:, None] * lam[None, :]).max(axis=1)
    assert best.rate <= rates.min() + 1e-9
    assert best.rate == pytest.approx(steps.rate(lam, best.step))


def test_optimal_step_refuses_unstable_spectra():
    assert np.isnan(steps.optimal_step([0.1 + 1j, 0.1 - 1j]).step)
    assert steps.max_stable_step([1j, -1j]) == 0


def test_factors_and_tolerance_rule():
    assert factors.phase_factor([-1.0, -2.0]) == 0
    assert factors.phase_factor([1j, -1j]) == np.inf
    assert factors.phase_factor([-1 + 3j, -1 - 3j, -2]) == 3
    lam = np.array([-1 + 2j, -1 - 2j, 1e-14 + 1e-13j, -4.0])
    assert factors.condition_factor(lam) == pytest.approx(4 / np.sqrt(5))
    spectrum = jl.Spectrum(lam, np.diag([1.0, 1.0, 0.0, 1.0]))
    assert spectrum.n_excluded == 1 and spectrum.condition_number == np.inf
    assert factors.phase_factor(lam) == 2


def test_condition_number_differs_from_condition_factor_for_non_normal_matrices():
    J = np.array([[-1.0, 100.0], [0.0, -1.0]])
    s = jl.Spectrum(np.linalg.eigvals(J), J)
    assert s.condition_factor == pytest.approx(1.0) and s.condition_number > 1e3


def test_loss_convention_flips_the_sign():
    s = jl.spectrum("dirac", reg="jare")
    h = s.in_convention("loss")
    np.testing.assert_allclose(np.sort_complex(h.eigenvalues), np.sort_complex(-s.eigenvalues))
    assert h.is_stable and h.phase_factor == s.phase_factor


def test_every_scheme_has_a_discrete_spectrum():
    for name in SCHEMES:
        s = jl.spectrum("gaussian", reg="jare", scheme=name, lr=0.05)
        assert s.kind == ("continuous" if name == "flow" else "discrete")
        assert np.isfinite(s.spectral_radius)


@pytest.mark.parametrize("model,reg,params", CASES[:12])
def test_spectrum_away_from_the_equilibrium(model, reg, params):
    rg = jl.regularized_game(model, reg, 0.7, **params)
    at = np.random.default_rng(1).uniform(-0.8, 0.8, rg.game.dim)
    s = jl.spectrum(model, reg, 0.7, at=at, **params)
    np.testing.assert_allclose(s.jacobian, jl.jacobian(model, reg, 0.7, at=at, **params), atol=1e-12)
    np.testing.assert_allclose(np.sort_complex(s.eigenvalues), np.sort_complex(np.linalg.eigvals(s.jacobian)),
                               atol=1e-9)
