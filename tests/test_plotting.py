"""The plotting API: data functions against closed forms, drawings by their artists."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

import jacobian_lab as jl  # noqa: E402
from jacobian_lab import plotting as jp  # noqa: E402
from jacobian_lab.schemes import SCHEMES, make_scheme, update_matrix  # noqa: E402
from jacobian_lab.strengths import StrengthFamily  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- data --------------------------------------------------------------------------------------
def test_strength_family_matches_core_jacobian():
    family = StrengthFamily("dirac", "r1")
    for g, jac in zip([0.0, 0.4, 2.5], family.jacobians([0.0, 0.4, 2.5])):
        np.testing.assert_allclose(jac, jl.jacobian("dirac", "r1", g), atol=1e-14)
    assert family.critical_strengths() == [1.0]


def test_gaussian_jare_critical_strength_closed_form():
    sigma2 = 0.49  # JARE block of the direction orthogonal to the mean: gamma = (4 - s^4) / (2 s^2)
    expected = (4 - sigma2**2) / (2 * sigma2)
    assert StrengthFamily("gaussian", "jare").critical_strengths() == pytest.approx([expected])


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_batched_update_matrices_match_the_core(name):
    rng = np.random.default_rng(0)
    jacobians = rng.normal(size=(3, 4, 4))
    scheme = make_scheme(name, 2, 4, lr=0.3)
    batched = update_matrix(scheme, jacobians)
    for jac, matrix in zip(jacobians, batched):
        np.testing.assert_allclose(matrix, update_matrix(scheme, jac), atol=1e-12)


def test_stability_map_simgd_is_the_disc():
    grid = jp.stability_map("simgd", 0.5, extent=(-5, 1, -3, 3), n=61)
    lam = grid.real[None, :] + 1j * grid.imag[:, None]
    np.testing.assert_allclose(grid.radius, np.abs(1 + 0.5 * lam), rtol=1e-12)
    assert grid.exact


def test_stability_map_extragradient_closed_form():
    grid = jp.stability_map("extragradient", 0.4, extent=(-4, 1, -3, 3), n=41)
    hl = 0.4 * (grid.real[None, :] + 1j * grid.imag[:, None])
    np.testing.assert_allclose(grid.radius, np.abs(1 + hl + hl**2), rtol=1e-10)
    assert not jp.stability_map("altgd", 0.4, n=5).exact


def test_eigenvalue_path_follows_r1_closed_form():
    data = jp.eigenvalue_path_data("dirac", "r1", gamma_max=3.0, n=31, marks=[0.5])
    g = data.strengths
    root = np.sqrt((g**2 - 1).astype(complex))
    expected = np.sort_complex(np.c_[-g / 2 + root / 2, -g / 2 - root / 2])
    np.testing.assert_allclose(np.sort_complex(data.eigenvalues), expected, atol=1e-7)
    assert list(data.critical) == [1.0] and list(data.marks) == [0.5, 1.0]


def test_factors_reproduce_nie_patel_argument():
    data = jp.factors_data("gaussian", ("consensus", "jare"), gamma_max=10.0, n=12)
    consensus_phase, jare_phase = data.phase[:, -1]
    consensus_cond, jare_cond = data.condition[:, -1]
    assert consensus_phase < data.phase[0, 0] and jare_phase < data.phase[1, 0]
    assert consensus_cond > 10 * data.condition[0, 0]  # consensus worsens the conditioning
    assert jare_cond < data.condition[1, 0]  # JARE keeps it small
    s = jl.spectrum("gaussian", "jare", 10.0)
    assert jare_cond == pytest.approx(s.condition_factor, rel=1e-9)


def test_step_size_map_edge_is_the_largest_stable_step():
    data = jp.step_size_map("dirac", "r1", gamma_max=3.0, lr_max=3.0, n_gamma=7, n_lr=30)
    for i, g in enumerate(data.strengths[1:], start=1):
        h_max = jl.spectrum("dirac", "r1", g).max_stable_step()
        away = np.abs(data.steps - h_max) > 0.05
        np.testing.assert_array_equal((data.radius[:, i] < 1)[away], (data.steps < h_max)[away])
    j, i = np.argmin(np.abs(data.steps - 2.0)), np.argmin(np.abs(data.strengths - 1.0))
    assert data.radius[j, i] < 1e-6  # I + 2J is nilpotent at the critical strength


def test_field_map_slice_of_a_higher_dimensional_game():
    fmap = jp.field_map("gaussian", "jare", 1.0, n=5, axes=(1, 3))
    assert fmap.axes == (1, 3) and fmap.u.shape == (5, 5)
    np.testing.assert_allclose(fmap.equilibrium, [2.0, 0.0])
    point = fmap.center.copy()
    point[[1, 3]] = fmap.x[4], fmap.y[2]
    v = jl.regularized_game("gaussian", "jare", 1.0).numeric_field(point)
    assert fmap.u[2, 4] == pytest.approx(v[1]) and fmap.w[2, 4] == pytest.approx(v[3])
    with pytest.raises(jl.JacobianLabError, match="slice"):
        jp.field_map("gaussian", n=5, axes=(1, 1))


# -- drawings ----------------------------------------------------------------------------------
def test_eigenvalue_plot_continuous_simgd_region():
    spectra = [jl.spectrum("dirac", "r1", g) for g in (0.5, 2.0)]
    artists = jp.eigenvalue_plot(spectra, scheme="simgd", lr=0.5, labels=["a", "b"])
    (disc,) = artists["region"]
    assert isinstance(disc, Circle) and disc.center == (-2.0, 0) and disc.radius == 2.0
    assert len(artists["eigenvalues"]) == 2
    np.testing.assert_allclose(artists["eigenvalues"][1].get_offsets()[:, 0], spectra[1].eigenvalues.real)
    ax = disc.axes
    assert ax.get_xlabel() == r"Re $\lambda$" and "h = 0.5" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == ["a", "b"]


def test_eigenvalue_plot_discrete_and_other_schemes():
    artists = jp.eigenvalue_plot(jl.spectrum("bilinear", scheme="altgd", lr=0.2))
    assert artists["region"][0].radius == 1 and artists["region"][0].axes.get_xlabel() == r"Re $\mu$"
    artists = jp.eigenvalue_plot(jl.spectrum("dirac", "r1", 1.0), scheme="altgd", lr=0.5, n=41)
    assert len(artists["region"]) == 2 and "normal blocks" in artists["region"][0].axes.get_title()
    assert artists["annotations"][0].get_text() == "×2"  # the double eigenvalue -1/2


def test_eigenvalue_path_plot_shows_the_critical_strength():
    data = jp.eigenvalue_path_data("dirac", "r1", gamma_max=3.0, n=21, marks=[0.5])
    artists = jp.eigenvalue_path(data)
    assert artists["path"].get_offsets().shape == (data.strengths.size * 2, 2)
    (star,) = artists["critical"]
    np.testing.assert_allclose(star.get_offsets(), [[-0.5, 0.0], [-0.5, 0.0]], atol=1e-6)
    assert any("critical" in a.get_text() for a in artists["annotations"])
    assert "r1" in artists["colorbar"].ax.get_ylabel()


def test_factors_plot_artists():
    data = jp.factors_data("dirac", ("consensus", "jare"), gamma_max=2.0, n=5)
    artists = jp.factors_plot(data, marks=[1.0])
    assert len(artists["phase"]) == len(artists["condition"]) == 2
    ax_phase, ax_cond = artists["phase"][0].axes, artists["condition"][0].axes
    assert ax_cond.get_yscale() == "log" and "phase factor" in ax_phase.get_ylabel()
    assert [t.get_text() for t in ax_phase.get_legend().get_texts()] == ["consensus", "jare"]
    assert len(artists["marks"]) == 2


def test_step_size_plot_artists():
    data = jp.step_size_map("dirac", "consensus", gamma_max=4.0, lr_max=3.0, n_gamma=21, n_lr=20)
    artists = jp.step_size_plot(data)
    assert artists["mesh"].get_array().shape == (20, 21)
    assert len(artists["edge"].allsegs[0]) >= 1  # the rho = 1 outline exists
    assert "consensus" in artists["mesh"].axes.get_xlabel()


def test_phase_portrait_artists():
    data = jp.portrait_data("dirac", "jare", 1.0, "simgd", lr=0.2, steps=40, x0=[[1, 1], [-1, 0.5]], n=9)
    artists = jp.phase_portrait(data)
    assert len(artists["trajectories"]) == 2 and len(artists["nullclines"]) == 2
    np.testing.assert_allclose(artists["trajectories"][0].get_xydata()[0], [1, 1])
    np.testing.assert_allclose(artists["equilibrium"].get_xydata(), [[0, 0]])
    ax = artists["equilibrium"].axes
    assert ax.get_xlim() == (-2, 2) and "generator" in ax.get_xlabel()
    assert "simgd, h = 0.2" in ax.get_title()
    final = np.linalg.norm(data.trajectories[:, -1], axis=-1)
    assert np.all(final < np.linalg.norm(data.trajectories[:, 0], axis=-1))


def test_phase_portrait_with_background_and_field_only():
    data = jp.portrait_data("bilinear", scheme="extragradient", lr=0.3, steps=20, n=7,
                            background="distance", background_n=6)
    artists = jp.phase_portrait(data)
    assert artists["background"].get_array().shape == (6, 6)
    field_only = jp.phase_portrait(jp.portrait_data("dirac", "wgan-gp", 1.0, None, loss="wgan", n=7))
    assert field_only["trajectories"] == []


def test_convergence_plot_predicted_rate():
    data = jp.convergence_data("dirac", "r1", 0.5, "simgd", lr=0.5, steps=60)
    assert data.rate == pytest.approx(jl.spectrum("dirac", "r1", 0.5, "simgd", lr=0.5).spectral_radius)
    observed = (data.distance[0, -1] / data.distance[0, 30]) ** (1 / 30)
    assert observed == pytest.approx(data.rate, rel=0.05)
    artists = jp.convergence_plot(data)
    assert len(artists["distance"]) == 1 and artists["predicted"].get_linestyle() == "--"
    assert artists["predicted"].axes.get_yscale() == "log"


def test_method_grid_panels():
    methods = [jp.Method("none"), jp.Method("R1", "r1", 1.0)]
    result = jp.method_grid(methods, schemes=("simgd", "altgd", "extragradient"), steps=10, n=7, wrap=2)
    assert len(result["panels"]) == 6 and result["axes"].shape == (1, 6)
    assert result["axes"][0, 3].get_title() == "R1\nsimgd"


def test_plot_functions_leave_global_style_alone():
    before = dict(matplotlib.rcParams)
    jp.eigenvalue_plot(jl.spectrum("dirac", "r1", 0.5))
    assert dict(matplotlib.rcParams) == before


def test_save_figure_formats_and_bad_suffix(tmp_path):
    fig = jp.eigenvalue_plot(jl.spectrum("dirac", "r1", 0.5))["region"][0].figure
    magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml"}
    for suffix, head in magic.items():
        path = jp.save_figure(fig, tmp_path / f"f{suffix}")
        assert path.read_bytes().startswith(head)
    jp.save_figure(fig, tmp_path / "compact.png", compact=True)
    with pytest.raises(jl.JacobianLabError, match="unknown figure suffix"):
        jp.save_figure(fig, tmp_path / "f.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compact.png", "f.pdf", "f.png", "f.svg"]
