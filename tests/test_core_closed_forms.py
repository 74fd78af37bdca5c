"""The core against closed forms of the literature (Mescheder 2017/2018, Nie & Patel 2019)."""

import numpy as np
import pytest
import sympy as sp

import jacobian_lab as jl

F1 = 0.5  # f'(0) of the standard GAN's f(t) = -log(1 + exp(-t))


def sorted_eigs(values):
    values = np.asarray(values, dtype=complex)
    return values[np.lexsort((values.imag, values.real))]


def assert_eigs(spectrum, expected, tol=1e-12):
    np.testing.assert_allclose(sorted_eigs(spectrum.eigenvalues), sorted_eigs(expected), atol=tol)


def test_dirac_unregularized_is_a_centre():
    s = jl.spectrum("dirac")
    assert_eigs(s, [1j * F1, -1j * F1])
    assert s.phase_factor == np.inf and s.stability == "marginal" and not s.is_stable


@pytest.mark.parametrize("loss,slope", [("gan", F1), ("nsgan", F1), ("wgan", 1.0)])
def test_dirac_losses_share_the_rotation(loss, slope):
    np.testing.assert_allclose(jl.jacobian("dirac", loss=loss), [[0, -slope], [slope, 0]], atol=1e-15)


@pytest.mark.parametrize("gamma", [0.1, 0.3, 0.7, 1.5, 4.0])
def test_dirac_r1_eigenvalues(gamma):
    # Mescheder et al. 2018, Lemma: lambda = -gamma/2 +- sqrt(gamma^2/4 - f'(0)^2)
    root = np.sqrt(complex(gamma**2 / 4 - F1**2))
    s = jl.spectrum("dirac", reg="r1", gamma=gamma)
    assert_eigs(s, [-gamma / 2 + root, -gamma / 2 - root])
    assert s.is_stable


def test_dirac_r1_critical_strength_is_an_exact_jordan_block():
    s = jl.spectrum("dirac", reg="r1", gamma=1.0)
    assert s.symbolic_eigenvalues == {sp.Rational(-1, 2): 2}
    assert s.defective == (sp.Rational(-1, 2),)
    assert np.all(s.eigenvalues == -0.5)  # exactly, not two nearly equal numbers
    assert jl.spectrum("dirac", reg="r1", gamma=0.9).defective == ()
    derivation = jl.derive("dirac", reg="r1")
    assert derivation.blocks[0].critical == {sp.Symbol("gamma", nonnegative=True): [1]}


def test_r1_and_r2_coincide_on_the_dirac_gan():
    np.testing.assert_array_equal(jl.jacobian("dirac", reg="r1", gamma=0.4),
                                  jl.jacobian("dirac", reg="r2", gamma=0.4))


@pytest.mark.parametrize("reg", ["consensus", "jare", "sga"])
@pytest.mark.parametrize("gamma", [0.2, 1.0, 3.0])
def test_consensus_jare_sga_coincide_on_the_1d_dirac_gan(reg, gamma):
    # lambda = -gamma f'(0)^2 +- i f'(0) (Mescheder et al. 2017 / METHODS.md section 2)
    assert_eigs(jl.spectrum("dirac", reg=reg, gamma=gamma), [-gamma * F1**2 + 1j * F1, -gamma * F1**2 - 1j * F1])


@pytest.mark.parametrize("sigma", [0.3, 0.7, 1.2])
def test_instance_noise_acts_like_r1_with_gamma_sigma_squared_over_two(sigma):
    noisy = jl.jacobian("dirac", reg="instance-noise", gamma=sigma)
    r1 = jl.jacobian("dirac", reg="r1", gamma=sigma**2 / 2)
    np.testing.assert_allclose(noisy, r1, atol=1e-14)


def test_wgan_gp_has_no_differentiable_equilibrium_on_the_dirac_gan():
    with pytest.raises(jl.NotApplicableError, match="not differentiable"):
        jl.spectrum("dirac", reg="wgan-gp")


def test_sga_example_of_balduzzi():
    # l1 = x^2/2 + 10xy, l2 = y^2/2 - 10xy: J = [[-1, -10], [10, -1]]
    s = jl.spectrum("sga-example")
    np.testing.assert_array_equal(s.jacobian, [[-1, -10], [10, -1]])
    assert_eigs(s, [-1 + 10j, -1 - 10j])
    assert s.phase_factor == pytest.approx(10)


def test_gaussian_example_modes_and_nie_patel_claim():
    # the code's defaults: mean (0, 2), sigma 0.7, gamma 10
    con = jl.spectrum("gaussian", reg="consensus", gamma=10)
    jare = jl.spectrum("gaussian", reg="jare", gamma=10)
    plain = jl.spectrum("gaussian")
    assert plain.phase_factor > 1 and jare.phase_factor <= plain.phase_factor
    # consensus squares the conditioning (H + gamma H^T H); JARE drops the own-curvature terms
    assert con.condition_factor > 40 * jare.condition_factor
    con_path = [jl.spectrum("gaussian", reg="consensus", gamma=g).condition_factor for g in (1, 10, 100)]
    jare_path = [jl.spectrum("gaussian", reg="jare", gamma=g).condition_factor for g in (1, 10, 100)]
    assert con_path == sorted(con_path) and con_path[-1] > 400
    assert jare_path == sorted(jare_path, reverse=True) and jare_path[-1] < 2
    for s in (con, jare, plain):
        np.testing.assert_allclose(sorted_eigs(s.eigenvalues), sorted_eigs(np.linalg.eigvals(s.jacobian)),
                                   atol=1e-9)


@pytest.mark.parametrize("mean", [(0.0, 2.0), (1.0, 2.0), (0.5, -0.3, 0.8)])
def test_gaussian_per_mode_closed_form(mean, monkeypatch):
    # the 3-D case takes about 1 s; a loaded CI machine must not turn the closed form into a fallback
    monkeypatch.setattr("jacobian_lab.analysis.SYMBOLIC_TIME_LIMIT", 60.0)
    # JARE, orthogonal modes (Sigma eigenvalue s = sigma^2): lambda = -(gamma + s)/4 +- sqrt(2 gamma s + s^2 - 4)/4
    gamma, sigma = 2.0, 0.7
    s = jl.spectrum("gaussian", reg="jare", gamma=gamma, sigma=sigma, mean=mean)
    assert s.info["method"] == "exact"
    for var in (sigma**2, sigma**2 + np.dot(mean, mean)):
        root = np.sqrt(complex(2 * gamma * var + var**2 - 4)) / 4
        for lam in (-(gamma + var) / 4 + root, -(gamma + var) / 4 - root):
            assert np.min(np.abs(s.eigenvalues - lam)) < 1e-12


def test_lq_gan_unregularized_is_purely_imaginary_and_grad_g_stabilises():
    plain = jl.spectrum("lq")
    np.testing.assert_allclose(plain.eigenvalues.real, 0, atol=1e-14)
    assert not plain.is_stable
    assert jl.spectrum("lq", reg="grad-g", gamma=0.5).is_stable
