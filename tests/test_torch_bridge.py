"""Torch bridge: Dirac-GAN against the symbolic core, MLP GANs against finite differences,
the matrix-free operator and ARPACK against the dense Jacobian, and the error cases."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from torch_dirac import DiracGenerator  # noqa: E402

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.errors import JacobianLabError, NotApplicableError  # noqa: E402
from jacobian_lab.regularizers import REGULARIZERS  # noqa: E402
from jacobian_lab.torch_bridge import TorchGame  # noqa: E402
from jacobian_lab.torch_bridge.dense import player_jacobian_tensor, rows  # noqa: E402
from jacobian_lab.torch_bridge.examples import mog_game  # noqa: E402
from jacobian_lab.torch_bridge.field import player_fields  # noqa: E402

DIRAC_REGS = ["none", "consensus", "jare", "grad-g", "grad-d", "r1", "r2", "zero-gp", "sga"]
FLIP = np.diag([1.0, -1.0])  # core psi = -torch psi (the core's D(x) = -psi x)



def dirac_game(theta=0.0, psi=0.0, loss="gan"):
    disc = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        disc.weight.fill_(psi)
    return TorchGame(DiracGenerator(theta), disc, real=torch.zeros(4, 1), latent=torch.zeros(4, 1), loss=loss)


pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def mlp():
    return mog_game("mog8", width=5, depth=2, batch=16, seed=3)


@pytest.fixture(scope="module")
def tiny():
    return mog_game("mog25", width=3, depth=2, batch=8, seed=5)


# -- Dirac-GAN against the core's symbolic spectra ---------------------------------------------
@pytest.mark.parametrize("reg", DIRAC_REGS)
@pytest.mark.parametrize("point", [(0.0, 0.0), (0.3, 0.2)])
def test_dirac_matches_core(reg, point):
    game = dirac_game(*point)
    theirs = jl.spectrum("dirac", reg=reg, gamma=0.7, at=(point[0], -point[1]))
    ours = jl.spectrum(game, reg=reg, gamma=0.7)
    np.testing.assert_allclose(ours.eigenvalues, theirs.eigenvalues, atol=1e-12)
    np.testing.assert_allclose(FLIP @ ours.jacobian @ FLIP, theirs.jacobian, atol=1e-12)
    assert ours.info["method"] == "dense" and ours.info["n_params"] == 2


@pytest.mark.parametrize("loss", ["nsgan", "wgan"])
@pytest.mark.parametrize("reg", ["none", "jare", "r1"])
def test_dirac_losses_match_core(loss, reg):
    theirs = jl.spectrum("dirac", reg=reg, gamma=0.4, at=(0.5, 0.25), loss=loss)
    ours = jl.spectrum(dirac_game(0.5, -0.25, loss), reg=reg, gamma=0.4)
    np.testing.assert_allclose(FLIP @ ours.jacobian @ FLIP, theirs.jacobian, atol=1e-12)


def test_dirac_wgan_gp_matches_core():
    # the core's exact path (its lambdified Jacobian of |psi| keeps a DiracDelta: reported to the lead)
    theirs = jl.spectrum("dirac", reg="wgan-gp", gamma=0.5, at=(0.2, 0.6), loss="wgan").jacobian
    ours = jl.jacobian(dirac_game(0.2, -0.6, "wgan"), reg="wgan-gp", gamma=0.5)
    np.testing.assert_allclose(FLIP @ ours @ FLIP, theirs, atol=1e-12)


def test_dirac_scheme_matches_core():
    theirs = jl.spectrum("dirac", reg="jare", gamma=1.0, scheme="simgd", lr=0.3)
    ours = jl.spectrum(dirac_game(), reg="jare", gamma=1.0, scheme="simgd", lr=0.3)
    assert ours.kind == "discrete" and ours.continuous.kind == "continuous"
    np.testing.assert_allclose(ours.eigenvalues, theirs.eigenvalues, atol=1e-12)


# -- a small MLP GAN (every regularizer x loss against finite differences:
#    tests/test_regularizers_one_definition.py) --------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(m=st.integers(1, 9), n1=st.integers(1, 6), n2=st.integers(1, 6), chunk=st.integers(1, 5),
       seed=st.integers(0, 2**16))
def test_rows_match_autograd_jacobian(m, n1, n2, chunk, seed):
    """The vectorised pullback rows against torch.autograd.functional.jacobian, any chunk size."""
    gen = torch.Generator().manual_seed(seed)
    a, b = torch.randn(n1, generator=gen, dtype=torch.float64), torch.randn(n2, generator=gen, dtype=torch.float64)
    w = torch.randn(m, n1 + n2, generator=gen, dtype=torch.float64)

    def fn(u, v):
        return torch.tanh(w @ torch.cat([u, v * u.sum()]))

    expected = torch.cat(torch.autograd.functional.jacobian(fn, (a, b)), dim=1)
    torch.testing.assert_close(rows(fn, (a, b), chunk), expected, rtol=1e-12, atol=1e-14)


def test_progress_bars_count_rows_and_products(mlp, monkeypatch):
    import importlib
    import io

    from tqdm import tqdm

    operator_module = importlib.import_module("jacobian_lab.torch_bridge.operator")  # the package exports a function

    theta, psi = mlp.split(mlp.parameters())
    fields = player_fields(mlp)
    with tqdm(file=io.StringIO()) as bar:
        rows(fields.theta, (theta, psi), 7, bar)
        assert bar.n == mlp.n_theta
    bars = []

    def recording_bar(desc, progress=None):
        bars.append(tqdm(desc=desc, file=io.StringIO()))
        return bars[-1]

    monkeypatch.setattr(operator_module, "product_bar", recording_bar)
    s = jl.spectrum(mlp, k=4, which="LR", progress=True)
    assert bars[0].n == s.info["n_matvec"] > 0 and bars[0].desc.startswith("ARPACK LR")
    quiet = jl.spectrum(mlp, k=4, which="LR", progress=False)
    np.testing.assert_allclose(quiet.eigenvalues, s.eigenvalues)


PENALTIES = ["consensus", "jare", "grad-g", "grad-d", "r1", "r2", "zero-gp", "wgan-gp", "orthogonal"]


@pytest.mark.parametrize("reg", PENALTIES)
def test_symmetric_shortcut_exactly_for_decoupled_penalties(tiny, reg):
    """J_psi_theta = -J_theta_psi^T holds for a zero-sum loss iff the penalty is traced as decoupled
    (r1 and orthogonal read only psi): the shortcut is taken exactly where it is right, and agrees
    with the general path there."""
    fields = player_fields(tiny, reg, 0.5)
    theta, psi = tiny.split(tiny.parameters())
    general = player_jacobian_tensor(fields._replace(symmetric=False), theta, psi).numpy()
    n = tiny.n_theta
    holds = np.allclose(general[n:, :n], -general[:n, n:].T, atol=1e-9)
    assert fields.symmetric == holds == REGULARIZERS[reg].decoupled == (reg in ("r1", "orthogonal"))
    np.testing.assert_allclose(jl.jacobian(tiny, reg=reg, gamma=0.5), general, atol=1e-13)


@pytest.mark.parametrize("loss,symmetric", [("gan", True), ("wgan", True), ("nsgan", False)])
def test_symmetric_shortcut_needs_a_zero_sum_loss(loss, symmetric):
    game = mog_game("mog8", width=3, depth=2, batch=8, seed=2, loss=loss)
    assert player_fields(game).symmetric is symmetric
    assert player_fields(game, "instance-noise", 0.3).symmetric is symmetric


def test_mlp_consensus_is_v_minus_gamma_jt_v(mlp):
    """ConOpt: the consensus field is w = v - gamma J^T v (Mescheder et al. 2017)."""
    v = mlp.field()
    jac = jl.jacobian(mlp)
    np.testing.assert_allclose(mlp.field("consensus", 0.3), v - 0.3 * jac.T @ v, atol=1e-12)


def test_operator_matches_dense(mlp):
    op = mlp.operator(reg="jare", gamma=1.0)
    jac = jl.jacobian(mlp, reg="jare", gamma=1.0)
    rng = np.random.default_rng(0)
    v = rng.standard_normal(mlp.n_params)
    np.testing.assert_allclose(op.matvec(v), jac @ v, atol=1e-12)
    np.testing.assert_allclose(op.rmatvec(v), jac.T @ v, atol=1e-12)
    np.testing.assert_allclose(op.H.matvec(v), jac.T @ v, atol=1e-12)
    block = rng.standard_normal((mlp.n_params, 3))
    np.testing.assert_allclose(op.matmat(block), jac @ block, atol=1e-12)


@pytest.mark.parametrize("which,reg,k", [("LM", "consensus", 6), ("LR", "r1", 6), ("LI", "none", 2)])
def test_top_k_matches_dense(mlp, which, reg, k):
    """LI ranks by |Im| and returns both members of a conjugate pair (real arithmetic on J^T)."""
    dense = jl.spectrum(mlp, reg=reg, gamma=0.5).eigenvalues
    top = jl.spectrum(mlp, reg=reg, gamma=0.5, k=k, which=which)
    assert top.partial and top.jacobian is None and top.info["method"] == "arpack"
    key = {"LM": np.abs, "LR": np.real, "LI": lambda z: np.abs(np.imag(z))}[which]
    expected = np.sort(key(dense))[::-1][:k]
    np.testing.assert_allclose(np.sort(key(top.eigenvalues))[::-1], expected, atol=1e-8)
    for z in top.eigenvalues:  # each one is an eigenvalue of the dense J
        assert np.abs(dense - z).min() < 1e-8


def test_top_k_right_eigenvectors(mlp):
    top = jl.spectrum(mlp, reg="r1", gamma=1.0, k=4, vectors=True)
    jac = jl.jacobian(mlp, reg="r1", gamma=1.0)
    vecs = top.info["eigenvectors"]
    for lam, vec in zip(top.eigenvalues, vecs.T):
        np.testing.assert_allclose(jac @ vec, lam * vec, atol=1e-8)


def test_arpack_no_convergence_warns_and_returns_partial(mlp):
    with pytest.warns(RuntimeWarning, match="ARPACK converged for only"):
        top = jl.spectrum(mlp, k=12, which="LR", maxiter=1, tol=1e-14, ncv=25)
    assert top.info["converged"] is False
    assert top.info["n_converged"] == top.eigenvalues.size < 12


def test_hessians_and_block_norms(mlp):
    jac = jl.jacobian(mlp, reg="r1", gamma=1.0)
    n = mlp.n_theta
    for player, block in (("generator", -jac[:n, :n]), ("discriminator", -jac[n:, n:])):
        dense = np.linalg.eigvalsh((block + block.T) / 2)
        top = mlp.hessian_eigenvalues(player, k=3, which="LA", reg="r1", gamma=1.0)
        np.testing.assert_allclose(top, np.sort(dense)[::-1][:3], atol=1e-9)
    norms = mlp.block_norms(reg="r1", gamma=1.0)
    assert norms["theta_psi"] == pytest.approx(np.linalg.norm(jac[:n, n:]))
    assert norms["psi_psi"] == pytest.approx(np.linalg.norm(jac[n:, n:]))


def test_custom_loss_callable_equals_named(mlp):
    def gan(d_real, d_fake):  # a user's own loss, written by hand
        value = torch.nn.functional.logsigmoid(d_real).mean() + torch.nn.functional.logsigmoid(-d_fake).mean()
        return value, -value

    custom = TorchGame(mlp.generator, mlp.discriminator, real=mlp.real, latent=mlp.latent, loss=gan)
    assert not custom.zero_sum and custom.loss_name == "gan"
    np.testing.assert_allclose(custom.field("jare", 1.0), mlp.field("jare", 1.0), atol=1e-14)


def test_train_mode_layers_are_deterministic_and_restored():
    torch.manual_seed(0)
    gen = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.BatchNorm1d(6), torch.nn.Tanh(), torch.nn.Linear(6, 2))
    disc = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Dropout(0.5), torch.nn.Tanh(), torch.nn.Linear(6, 1))
    gen.train(), disc.train()
    before = [p.detach().clone() for p in gen.parameters()]
    game = TorchGame(gen, disc, real=torch.randn(8, 2), latent=torch.randn(8, 2))
    a, b = jl.jacobian(game), jl.jacobian(game)
    np.testing.assert_array_equal(a, b)
    assert gen.training and disc.training
    assert all(torch.equal(p, q) for p, q in zip(before, gen.parameters()))


def test_spectrum_factors_finite_on_mlp(mlp):
    s = jl.spectrum(mlp)
    assert s.eigenvalues.size == mlp.n_params
    assert np.isfinite(s.condition_factor) and s.n_excluded >= 0
    assert s.info["dtype"] == "float64" and s.info["device"] == "cpu"


# -- errors ------------------------------------------------------------------------------------
def test_errors(mlp):
    with pytest.raises(JacobianLabError, match="unknown regularizer 'jar'"):
        jl.spectrum(mlp, reg="jar")
    with pytest.raises(JacobianLabError, match="unknown 'which'"):
        jl.spectrum(mlp, k=4, which="SM")
    with pytest.raises(JacobianLabError, match="k=20"):
        jl.spectrum(mlp, max_bytes=1000)
    with pytest.raises(JacobianLabError, match="unknown keyword"):
        jl.spectrum(mlp, lr_gen=0.1)
    with pytest.raises(JacobianLabError, match="without a scheme"):
        jl.spectrum(mlp, lr=0.1)
    with pytest.raises(JacobianLabError, match="k must be"):
        jl.spectrum(mlp, k=mlp.n_params)
    with pytest.raises(JacobianLabError, match="'at' must be"):
        jl.spectrum(mlp, at=[0.0, 1.0])
    with pytest.raises(JacobianLabError, match="give k"):
        jl.spectrum(mlp, which="LI")
    with pytest.raises(JacobianLabError, match="unknown loss"):
        TorchGame(mlp.generator, mlp.discriminator, real=mlp.real, latent=mlp.latent, loss="ls")
    with pytest.raises(NotApplicableError):
        mlp.hessian_eigenvalues("generator", k=2, reg="sga")
    with pytest.raises(JacobianLabError, match="unknown player"):
        mlp.hessian_eigenvalues("critic", k=2)
    with pytest.raises(JacobianLabError, match="unknown scheme"):
        jl.spectrum(mlp, scheme="adm")
    with pytest.raises(NotApplicableError, match="no update-map Jacobian"):
        jl.spectrum(mlp, scheme="adam")  # a scheme for training, not differentiable at a fixed point


def test_import_jacobian_lab_does_not_import_torch():
    code = "import sys, jacobian_lab; assert 'torch' not in sys.modules; jacobian_lab.spectrum('dirac')"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu(mlp):
    with warnings.catch_warnings():
        cpu = jl.jacobian(mlp, reg="jare", gamma=1.0, device="cpu")
        gpu = jl.jacobian(mlp, reg="jare", gamma=1.0, device="cuda")
    np.testing.assert_allclose(gpu, cpu, atol=1e-10)
    s = jl.spectrum(mlp, device="cuda")
    assert s.info["device"].startswith("cuda")
