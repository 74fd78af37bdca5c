"""Torch bridge training loop and constraints: each method against its update written out by hand on
the game's own field, the Dirac-GAN against the core's numeric field, constraints against the SVD,
divergence reported, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from torch_dirac import DiracGenerator  # noqa: E402

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.errors import JacobianLabError  # noqa: E402
from jacobian_lab.torch_bridge import TorchGame  # noqa: E402
from jacobian_lab.torch_bridge.constraints import (  # noqa: E402
    bjorck,
    constrain,
    svd_projection,
    weight_singular_values,
)
from jacobian_lab.torch_bridge.examples import mog_game  # noqa: E402
from jacobian_lab.torch_bridge.training import train  # noqa: E402

FLIP = np.array([1.0, -1.0])  # core psi = -torch psi (the core's D(x) = -psi x)


pytestmark = pytest.mark.usefixtures("torch_one_thread")



def dirac_game(theta, psi, loss="gan", n=4):
    disc = torch.nn.Linear(1, 1, bias=False).double()
    with torch.no_grad():
        disc.weight.fill_(psi)
    return TorchGame(DiracGenerator(theta), disc, real=torch.zeros(n, 1), latent=torch.zeros(n, 1), loss=loss)


def small(loss="gan", seed=1):
    return mog_game("mog8", width=4, depth=1, batch=16, loss=loss, seed=seed)


def field_at(game, x, reg=None, gamma=None):
    return game.field(reg, gamma, at=x)


# -- one step of each method against its formula -------------------------------------------------
@pytest.mark.parametrize("reg", [None, "jare", "sga"])
def test_simgd_and_extragradient_steps(reg):
    for method in ("simgd", "extragradient"):
        game = small()
        x0 = game.parameters().numpy()
        h = train(game, 1, method=method, lr=0.1, reg=reg, gamma=0.5, progress=False)
        if method == "simgd":
            expected = x0 + 0.1 * field_at(game, x0, reg, 0.5)
        else:
            expected = x0 + 0.1 * field_at(game, x0 + 0.1 * field_at(game, x0, reg, 0.5), reg, 0.5)
        np.testing.assert_allclose(h.x, expected, atol=1e-13)


@pytest.mark.parametrize("order", ["gd", "dg"])
def test_altgd_step_moves_one_player_then_the_other(order):
    game = small()
    n = game.n_theta
    x = game.parameters().numpy()
    h = train(game, 1, method="altgd", lr_g=0.1, lr_d=0.2, lr=1.0, order=order, progress=False)
    first, second = (slice(0, n), slice(n, None)) if order == "gd" else (slice(n, None), slice(0, n))
    steps = np.r_[np.full(n, 0.1), np.full(x.size - n, 0.2)]
    y = x.copy()
    y[first] += steps[first] * field_at(game, x)[first]
    y[second] += steps[second] * field_at(game, y)[second]
    np.testing.assert_allclose(h.x, y, atol=1e-13)


def test_adam_first_step_is_a_signed_step():
    """Bias-corrected Adam: the first step is lr * v / (|v| + eps) (Kingma & Ba 2015)."""
    game = small()
    x = game.parameters().numpy()
    v = field_at(game, x)
    h = train(game, 1, method="adam", lr=1e-3, eps=1e-12, progress=False)
    np.testing.assert_allclose(h.x, x + 1e-3 * v / (np.abs(v) + 1e-12), atol=1e-12)


# -- the Dirac-GAN trajectory and recorded spectra against the core ------------------------------
@pytest.mark.parametrize("reg", [None, "consensus", "r1"])
def test_dirac_training_matches_core_field(reg):
    game = dirac_game(0.8, -0.3)
    h = train(game, 30, method="simgd", lr=0.2, reg=reg, gamma=0.6, record_every=10, progress=False)
    core = jl.regularized_game("dirac", reg, 0.6 if reg else None)
    z = np.array([0.8, 0.3])  # the core's coordinates
    for n in range(1, 31):
        z = z + 0.2 * core.numeric_field(z)
        if n % 10 == 0:
            s = jl.spectrum("dirac", reg=reg, gamma=0.6 if reg else None, at=z)
            ours = h.eigenvalues[h.steps.index(n)]
            np.testing.assert_allclose(np.sort_complex(ours), np.sort_complex(s.eigenvalues), atol=1e-10)
    np.testing.assert_allclose(h.x * FLIP, z, atol=1e-12)
    assert h.steps == [0, 10, 20, 30] and len(h.loss_g) == 4
    # the modules hold the final parameters
    np.testing.assert_allclose(game.parameters().numpy(), h.x, atol=0)


@pytest.mark.parametrize("method,params", [
    ("altgd", {"lr_g": 0.1, "lr_d": 0.2, "n_d": 3, "order": "dg"}), ("extragradient", {"lr_extra": 0.4}),
    ("extragradient", {"alternating": True}), ("optimistic", {"optimism": 0.5, "alternating": True}),
    ("momentum", {"beta_g": 0.3, "beta_d": -0.2}), ("adam", {"lr": 0.05, "beta2": 0.9}),
    ("lookahead", {"base": "momentum", "inner_steps": 3, "alpha": 0.4, "alternating": True}),
])
def test_training_steps_the_core_schemes(method, params):
    """train() runs the schemes' own update functions: the Dirac-GAN trajectory is the core's."""
    params = {"lr": 0.2, **params}
    h = train(dirac_game(0.8, -0.3), 12, method=method, reg="r1", gamma=0.6, k=0, progress=False, **params)
    core = jl.simulate("dirac", "r1", 0.6, method, x0=[0.8, 0.3], steps=12, backend="numpy", **params)
    np.testing.assert_allclose(h.x * FLIP, core.final[0], rtol=1e-12, atol=1e-14)
    assert h.info["method"] == method


def test_training_refuses_linear_solves():
    with pytest.raises(JacobianLabError, match="linear system"):
        train(small(), 1, method="cgd")


def test_history_records_top_k_factors_and_losses():
    game = small()
    h = train(game, 4, lr=0.05, reg="jare", record_every=2, k=3, which="LM", progress=False)
    assert h.steps == [0, 2, 4]
    assert all(e.size == 3 for e in h.eigenvalues)
    s = jl.spectrum(game, reg="jare", k=3)  # the modules now hold the final point
    np.testing.assert_allclose(np.sort(np.abs(h.eigenvalues[-1])), np.sort(np.abs(s.eigenvalues)), rtol=1e-8)
    assert h.condition_factor[-1] == pytest.approx(s.condition_factor, rel=1e-8)
    with torch.no_grad():
        l_g, l_d = game.losses(*game.split(game.parameters()))
    assert h.loss_g[-1] == pytest.approx(float(l_g)) and h.loss_d[-1] == pytest.approx(float(l_d))


def test_every_regularizer_trains():
    for reg in ["consensus", "grad-g", "grad-d", "r2", "zero-gp", "wgan-gp", "instance-noise", "orthogonal"]:
        h = train(small(), 2, lr=0.01, reg=reg, gamma=0.3, record_every=2, progress=False)
        assert not h.diverged and np.all(np.isfinite(h.x)) and len(h.eigenvalues) == 2


# -- constraints ---------------------------------------------------------------------------------
def test_svd_projection_and_bjorck_reach_the_polar_factor():
    gen = torch.Generator().manual_seed(0)
    for shape in ((6, 3), (3, 6), (4, 4)):
        w = torch.randn(shape, generator=gen, dtype=torch.float64)
        q = svd_projection(w)
        np.testing.assert_allclose(torch.linalg.svdvals(q).numpy(), 1.0, atol=1e-12)
        u, s, vh = np.linalg.svd(w.numpy(), full_matrices=False)
        np.testing.assert_allclose(q.numpy(), u @ vh, atol=1e-12)
        np.testing.assert_allclose(bjorck(w, iterations=80).numpy(), u @ vh, atol=1e-8)


@pytest.mark.parametrize("constraint", ["svd", "bjorck"])
def test_constrained_training_keeps_weights_orthogonal(constraint):
    game = small("wgan")
    h = train(game, 3, method="adam", lr=0.01, constraint=constraint, record_every=3, progress=False)
    values = weight_singular_values(game, torch.as_tensor(h.x))
    assert values and all(np.allclose(v, 1.0, atol=1e-6) for v in values.values())
    theta = torch.as_tensor(h.x)[:game.n_theta]
    np.testing.assert_array_equal(constrain(game, torch.as_tensor(h.x), None).numpy(), h.x)
    assert theta.numel() == game.n_theta


# -- divergence and errors -----------------------------------------------------------------------
def test_divergence_is_flagged_never_silent():
    def explode(d_real, d_fake):  # both players climb (d_fake)^4: the step grows without bound
        value = -(d_fake**4).mean()
        return value, value

    base = small()
    game = TorchGame(base.generator, base.discriminator, real=base.real, latent=base.latent, loss=explode)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = train(game, 200, lr=10.0, record_every=1000, progress=False, write_back=False)
    assert h.diverged and np.all(np.isfinite(h.x))
    assert any("diverged" in str(w.message) for w in caught)


def test_training_errors():
    game = small()
    with pytest.raises(JacobianLabError, match="unknown method"):
        train(game, 1, method="sgd")
    with pytest.raises(JacobianLabError, match="unknown constraint"):
        train(game, 1, constraint="stiefel")
    with pytest.raises(JacobianLabError, match="order"):
        train(game, 1, method="altgd", order="x")
    with pytest.raises(JacobianLabError, match="'lr' must be > 0"):
        train(game, 1, lr=0.0)
    with pytest.raises(JacobianLabError, match="unknown regularizer"):
        train(game, 1, reg="r3")
    with pytest.raises(JacobianLabError, match="steps"):
        train(game, -1)


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(1, 6), cols=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_projections_are_idempotent_and_semi_orthogonal(rows, cols, seed):
    w = torch.randn((rows, cols), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    q = svd_projection(w)
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram.numpy(), np.eye(min(rows, cols)), atol=1e-10)
    np.testing.assert_allclose(svd_projection(q).numpy(), q.numpy(), atol=1e-10)
    np.testing.assert_allclose(bjorck(q).numpy(), q.numpy(), atol=1e-10)  # a fixed point


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_training_on_cuda_matches_cpu():
    cpu = train(small(), 3, method="adam", lr=0.01, reg="jare", record_every=3, progress=False)
    gpu = train(mog_game("mog8", width=4, depth=1, batch=16, seed=1, device="cuda"), 3, method="adam", lr=0.01,
                reg="jare", record_every=3, progress=False)
    np.testing.assert_allclose(gpu.x, cpu.x, atol=1e-10)
    np.testing.assert_allclose(np.sort_complex(gpu.eigenvalues[-1]), np.sort_complex(cpu.eigenvalues[-1]), atol=1e-8)


def test_k_zero_records_losses_only():
    h = train(small(), 2, lr=0.01, record_every=1, k=0, progress=False)
    assert h.steps == [0, 1, 2] and len(h.loss_d) == 3
    assert all(e.size == 0 for e in h.eigenvalues) and np.isnan(h.phase_factor).all()
