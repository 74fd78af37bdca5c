"""The realizable equilibrium: an exact fixed point of every gradient-based regularizer, found from a
trained point; its spectrum gets a verdict, and its rank is what the construction allows."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.torch_bridge import TorchGame  # noqa: E402
from jacobian_lab.torch_bridge.equilibrium import match_samples, realizable_equilibrium  # noqa: E402
from jacobian_lab.torch_bridge.examples import mlp, mog_game  # noqa: E402
from jacobian_lab.torch_bridge.training import train  # noqa: E402

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def game():
    g = mog_game("mog25", width=6, depth=1, batch=10, loss="nsgan", seed=4)
    train(g, 150, method="adam", lr=5e-3, reg="r1", gamma=1.0, record_every=10**9, k=0, progress=False)
    return g


@pytest.fixture(scope="module")
def equilibrium(game):
    return realizable_equilibrium(game)


def test_the_generator_reproduces_the_batch_and_the_field_vanishes(game, equilibrium):
    theta, psi = game.split(game.point(equilibrium.point))
    with torch.no_grad():
        fake = game.generate(theta)
        assert torch.equal(game.discriminate(psi, game.real), torch.zeros_like(game.discriminate(psi, game.real)))
    assert sorted(equilibrium.matching) == list(range(10))  # a permutation
    err = (fake - game.real[torch.as_tensor(equilibrium.matching)]).norm(dim=1).max()
    assert float(err) <= 1e-12 and equilibrium.residual <= 1e-12
    for reg in (None, "r1", "r2", "zero-gp", "consensus", "jare", "grad-g", "grad-d"):
        gamma = None if reg is None else 0.7
        assert np.linalg.norm(game.field(reg, gamma, at=equilibrium.point)) < 1e-13, reg
    assert equilibrium.field_norm < 1e-13 and equilibrium.moved > 0


def test_its_spectrum_gets_a_verdict_and_has_the_rank_the_construction_allows(game, equilibrium):
    """With the output layer zero, rank J <= 2 m + 1 for m inputs to that layer (here m = width = 6)."""
    for reg, gamma in ((None, None), ("r1", 1.0)):
        s = jl.spectrum(game, reg=reg, gamma=gamma, at=equilibrium.point, progress=False)
        assert s.fixed_point is True and s.stability in ("stable", "marginal", "unstable")
        nonnull = np.abs(s.eigenvalues) > s.network.null_threshold
        assert 0 < nonnull.sum() <= 2 * 6 + 1
        assert np.linalg.matrix_rank(s.jacobian, tol=s.network.null_threshold) <= 2 * 6 + 1


def test_matching_is_the_least_squares_assignment(game):
    """Brute force over every permutation of a 5-sample game."""
    from itertools import permutations

    small = mog_game("mog8", width=4, depth=1, batch=5, seed=2)
    theta = small.split(small.parameters())[0]
    with torch.no_grad():
        fake = small.generate(theta)
    costs = {p: float(sum(((fake[i] - small.real[p[i]]) ** 2).sum() for i in range(5))) for p in permutations(range(5))}
    best = min(costs, key=costs.get)
    assert tuple(match_samples(small, theta)) == best


def test_refuses_what_it_cannot_construct():
    torch.manual_seed(0)
    real = torch.randn(8, 2, dtype=torch.float64)
    gen = mlp(2, 2, 5, 1).double()
    sigmoid_d = torch.nn.Sequential(mlp(2, 1, 5, 1), torch.nn.Sigmoid()).double()
    with pytest.raises(jl.JacobianLabError, match="does not give D = 0"):
        realizable_equilibrium(TorchGame(gen, sigmoid_d, real=real, latent=8))
    d = mlp(2, 1, 5, 1).double()
    with pytest.raises(jl.JacobianLabError, match="latent and 8 real"):
        realizable_equilibrium(TorchGame(gen, d, real=real, latent=torch.randn(6, 2, dtype=torch.float64)))
    tiny = torch.nn.Linear(2, 2).double()  # 6 parameters cannot interpolate 8 points in 2-D
    with pytest.raises(jl.JacobianLabError, match="reproduces the batch only"):
        realizable_equilibrium(TorchGame(tiny, d, real=real, latent=8), max_iter=20)
    with pytest.raises(jl.JacobianLabError, match="tol"):
        realizable_equilibrium(TorchGame(gen, d, real=real, latent=8), tol=0)


def test_a_marginal_network_verdict_says_what_it_is_made_of(game, equilibrium):
    s = jl.spectrum(game, at=equilibrium.point, progress=False)
    lam = s.eigenvalues
    nonnull = lam[np.abs(lam) > s.network.null_threshold]
    assert (nonnull.real < 0).all()  # these networks: every direction normal to the equilibria is damped
    n_null = int((np.abs(lam) <= s.network.null_threshold).sum())
    assert f"{n_null} eigenvalue(s) are zero" in s.verdict.reason and "every other one has Re lambda < 0" in \
        s.verdict.reason
    # a pure rotation besides the zeros is a different finding, and says so
    rotation = jl.Spectrum(np.array([0.0, 0.0, 1j, -1j, -1.0]), factors="network", field_norm=0.0,
                           point=np.zeros(5), jacobian=np.zeros((5, 5)))
    assert rotation.stability == "marginal" and "2 non-zero eigenvalue(s) lie on the imaginary axis" in \
        rotation.verdict.reason
