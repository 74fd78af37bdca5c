"""Pseudospectra and transient growth: against brute-force SVDs, matrix powers and closed forms."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.cli import main  # noqa: E402
from jacobian_lab.plotting.pseudospectra import pseudospectrum_plot  # noqa: E402
from jacobian_lab.spectra.resolvent import Resolvent  # noqa: E402
from jacobian_lab.spectra.transient import kreiss_lower_bound, transient_growth  # noqa: E402


def brute_sigma_min(matrix, z):
    n = matrix.shape[0]
    return np.array([np.linalg.svd(w * np.eye(n) - matrix, compute_uv=False)[-1] for w in np.ravel(z)]
                    ).reshape(np.shape(z))


def nonnormal(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    return a + 4 * np.triu(rng.standard_normal((n, n)), 1)


@pytest.mark.parametrize("n", [2, 9, 70])  # 70 > BATCHED_MAX: one LAPACK solve pair per point
def test_inverse_lanczos_matches_svd_on_a_grid(n):
    matrix = nonnormal(n, n)
    side = 5 if n < 50 else 2
    z = np.add.outer(1j * np.linspace(-3, 3, side), np.linspace(-3, 3, side + 1))
    np.testing.assert_allclose(Resolvent.dense(matrix).sigma_min(z), brute_sigma_min(matrix, z), rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(arrays(float, (4, 4), elements=st.floats(-5, 5)), st.complex_numbers(max_magnitude=6))
def test_sigma_min_property(matrix, z):
    expected = brute_sigma_min(matrix, np.array([z]))[0]
    got = Resolvent.dense(matrix).sigma_min(np.array([z]))[0]
    assert got == pytest.approx(expected, rel=1e-7, abs=1e-12 * max(1, np.abs(matrix).max()))


def test_krylov_projection_full_space_is_exact_and_partial_is_inner():
    matrix = nonnormal(40, 1)
    z = np.array([0.5 + 1j, -2 + 0.3j, 4.0])
    true = brute_sigma_min(matrix, z)
    full = Resolvent.krylov(lambda v: matrix @ v, 40, 40).sigma_min(z)
    np.testing.assert_allclose(full, true, rtol=1e-8)
    part = Resolvent.krylov(lambda v: matrix @ v, 40, 12).sigma_min(z)
    assert np.all(part >= true * (1 - 1e-10))  # Lambda_eps(H) inside Lambda_eps(A)


def test_pseudospectrum_of_a_model_update_map_matches_brute_force():
    ps = jl.pseudospectrum("dirac", reg="r1", gamma=3.0, scheme="simgd", lr_g=4.0, lr_d=0.01, points=(9, 7))
    matrix = jl.spectrum("dirac", reg="r1", gamma=3.0, scheme="simgd", lr_g=4.0, lr_d=0.01).jacobian
    z = ps.real[None, :] + 1j * ps.imag[:, None]
    np.testing.assert_allclose(ps.sigma, brute_sigma_min(matrix, z), rtol=1e-9)
    assert ps.kind == "discrete" and ps.method == "dense Schur" and ps.sigma.shape == (7, 9)


def test_pseudospectrum_of_a_normal_matrix_is_the_distance_to_the_spectrum():
    ps = jl.pseudospectrum(np.diag([-1.0, -2.0]), bounds=(-3, 1, -1, 1), points=11)
    z = ps.real[None, :] + 1j * ps.imag[:, None]
    np.testing.assert_allclose(ps.sigma, np.minimum(abs(z + 1), abs(z + 2)), atol=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"points": 10**4}, "at most 500"), ({"points": 1}, "integer >= 2"),
    ({"bounds": (1, 0, 0, 1)}, "re_min < re_max"), ({"krylov": 5000}, "krylov must be at most"),
])
def test_pseudospectrum_refuses_bad_sizes(kwargs, message):
    with pytest.raises(jl.JacobianLabError, match=message):
        jl.pseudospectrum(np.eye(3), **kwargs)


def test_powers_against_closed_form_jordan_block():
    a, c = 0.8, 3.0  # M^k = [[a^k, k a^(k-1) c], [0, a^k]]
    growth = transient_growth(np.array([[a, c], [0, a]]), "discrete")
    norms = [np.linalg.norm([[a**k, k * a ** (k - 1) * c], [0, a**k]], 2) for k in range(1, 400)]
    assert growth.peak == pytest.approx(max(norms), rel=1e-12)
    assert growth.at == 1 + int(np.argmax(norms))
    assert 1 <= growth.kreiss <= growth.peak  # Kreiss <= sup ||M^k|| (Trefethen & Embree Thm 16.4)


def test_exponentials_against_a_fine_sampling():
    J = np.array([[-1.0, 10.0], [0.0, -2.0]])
    growth = transient_growth(J, "continuous")
    t = np.linspace(0, 4, 40001)[:, None, None]  # exp(tJ) in closed form: J is triangular
    exact = np.block([[np.exp(-t), 10 * (np.exp(-t) - np.exp(-2 * t))], [0 * t, np.exp(-2 * t)]])
    sampled = np.linalg.norm(exact, 2, axis=(1, 2)).max()
    assert growth.peak == pytest.approx(sampled, rel=1e-6) and growth.peak >= sampled - 1e-12
    assert growth.kappa == pytest.approx(np.linalg.cond(np.linalg.eig(J)[1]))
    assert 1 < growth.kreiss <= growth.peak <= math.e * 2 * growth.kreiss * 1.5


def test_normal_matrices_do_not_grow():
    for kind, matrix in [("discrete", np.diag([0.5, -0.3])), ("continuous", np.array([[-1.0, 2], [-2, -1]]))]:
        growth = transient_growth(matrix, kind)
        assert growth.peak == pytest.approx(1.0) and growth.kappa == pytest.approx(1.0)
        assert kreiss_lower_bound(matrix, kind) == pytest.approx(1.0, rel=1e-6)


def test_unstable_spectra_grow_without_bound():
    growth = transient_growth(np.diag([1.2, 0.5]), "discrete")
    assert growth.peak == math.inf and growth.kreiss == math.inf


def test_spectrum_transient_ttur_dirac_and_analyze_output(capsys):
    kwargs = {"reg": "r1", "gamma": 3.0, "scheme": "simgd", "lr_g": 4.0, "lr_d": 0.01}
    s = jl.spectrum("dirac", **kwargs)
    assert s.spectral_radius < 1 and s.transient.peak > 15  # stable, yet grows 17-fold first
    powers = [np.linalg.norm(np.linalg.matrix_power(s.jacobian, k), 2) for k in range(200)]
    assert s.transient.peak == pytest.approx(max(powers), rel=1e-12)
    assert s.to_dict()["transient"]["peak"] == pytest.approx(max(powers), rel=1e-12)
    assert main(["analyze", "--model", "dirac", "--reg", "r1", "--gamma", "3", "--scheme", "simgd",
                 "--lr-g", "4", "--lr-d", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "max_k ||M^k|| = 17.34" in out and "Kreiss lower bound" in out and "kappa(V)" in out


def test_pseudospectrum_plot_artists():
    ps = jl.pseudospectrum("dirac", reg="consensus", gamma=1.0, points=15)
    artists = pseudospectrum_plot(ps, levels=[-2, -1])
    assert len(artists["contours"].levels) == 2
    assert artists["eigenvalues"].get_offsets().shape == (2, 2)
    assert artists["region"] and artists["colorbar"] is not None
    plt.close("all")
