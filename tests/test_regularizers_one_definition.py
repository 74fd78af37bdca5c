"""Every regularizer and loss is defined once: the symbolic core and the torch bridge evaluate the
same definition, so their fields agree on the Dirac-GAN to rounding, and the torch Jacobian of an MLP
GAN equals finite differences of its field, for every regularizer x loss.

The comparison fails when one backend's operations are changed alone (a test perturbs each)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_lab as jl
from jacobian_lab.errors import NotApplicableError
from jacobian_lab.games.dirac import DiracGAN
from jacobian_lab.losses import LOSSES
from jacobian_lab.regularizers import REGULARIZERS, Penalty, parse_reg
from jacobian_lab.regularizers.ops import Ops
from jacobian_lab.symbolic.ops import SympyOps

torch = pytest.importorskip("torch")

from torch_dirac import DiracGenerator  # noqa: E402

from jacobian_lab.torch_bridge import TorchGame  # noqa: E402
from jacobian_lab.torch_bridge.examples import mog_game  # noqa: E402
from jacobian_lab.torch_bridge.ops import TorchOps  # noqa: E402

pytestmark = pytest.mark.usefixtures("torch_one_thread")

FLIP = np.diag([1.0, -1.0])  # core psi = -torch weight (the core's D(x) = -psi x)
POINTS = [(0.3, 0.2), (-0.7, 0.45)]  # (theta, torch weight); psi != 0 keeps wgan-gp away from its kink
GAMMA = 0.7


class DiracWithWeight(DiracGAN):
    """The Dirac-GAN with its discriminator's weight ``[[-psi]]`` declared (for ``orthogonal``)."""

    @property
    def weight_matrices(self):
        return (sp.Matrix([[-self.psi[0]]]),)


def dirac_network(theta, weight, loss, batch=4):
    disc = torch.nn.Linear(1, 1, bias=False).double()
    with torch.no_grad():
        disc.weight.fill_(weight)
    return TorchGame(DiracGenerator(theta), disc, real=torch.zeros(batch, 1), latent=torch.zeros(batch, 1),
                     loss=loss)


def compare_dirac_fields(reg, loss, theta, weight):
    core = jl.regularized_game(DiracWithWeight(loss=loss), reg, GAMMA)
    game = dirac_network(theta, weight, loss)
    ours = game.field(reg, GAMMA)
    theirs = FLIP @ core.numeric_field(np.array([theta, -weight]))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    return ours


#: Instance noise is left out: the torch bridge uses a finite noise sample, the core the exact
#: expectation; tests/test_torch_noise.py compares them through the sample's moments.
DIRAC_REGS = [name for name in REGULARIZERS if name != "instance-noise"]


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("reg", DIRAC_REGS)
def test_dirac_torch_field_equals_symbolic_field(reg, loss):
    fields = [compare_dirac_fields(reg, loss, *point) for point in POINTS]
    if reg != "none":
        plain = dirac_network(*POINTS[0], loss).field()
        assert np.abs(fields[0] - plain).max() > 1e-3  # the regularizer does something here


@pytest.mark.parametrize("backend,operation", [(SympyOps, "sq_norm"), (TorchOps, "sq_norm"),
                                               (SympyOps, "input_grad"), (TorchOps, "input_grad")])
def test_changing_one_backend_alone_is_caught(monkeypatch, backend, operation):
    original = getattr(backend, operation)
    monkeypatch.setattr(backend, operation, lambda self, x: 1.01 * original(self, x))
    reg = "jare" if operation == "sq_norm" else "r1"
    with pytest.raises(AssertionError):
        compare_dirac_fields(reg, "gan", *POINTS[0])


# -- the torch Jacobian of an MLP GAN against finite differences -------------------------------
@pytest.fixture(scope="module", params=list(LOSSES))
def small_mlp(request):
    return mog_game("mog8", width=3, depth=1, batch=6, seed=7, loss=request.param)


def central_differences(field, x, h=1e-6):
    """Column i is (v(x + h e_i) - v(x - h e_i)) / 2h; the 2n evaluations run as one vmap batch."""
    steps = h * torch.eye(x.numel(), dtype=x.dtype)
    values = torch.func.vmap(field)(torch.cat([x + steps, x - steps]))
    return ((values[: x.numel()] - values[x.numel():]) / (2 * h)).T.numpy()


@pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")  # torch, vmap of jvp (sga)
@pytest.mark.parametrize("reg", list(REGULARIZERS))
def test_mlp_jacobian_equals_finite_differences(small_mlp, reg):
    from jacobian_lab.torch_bridge.field import make_field

    jac = jl.jacobian(small_mlp, reg=reg, gamma=0.5)
    fd = central_differences(make_field(small_mlp, reg, 0.5), small_mlp.parameters())
    assert np.abs(jac).max() > 0.01
    np.testing.assert_allclose(jac, fd, atol=1e-7 * max(1.0, np.abs(jac).max()))


def test_gradient_penalty_with_batch_norm_in_training_mode():
    """With mode="train" the samples of a batch interact through batch norm: the input gradient is that
    of the batch's summed logits, as a training step computes it (a batch of one would be refused)."""
    from jacobian_lab.regularizers.penalties import R1

    torch.manual_seed(1)
    layers = (torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    game = TorchGame(torch.nn.Linear(2, 2).double(), torch.nn.Sequential(*layers).double(),
                     real=torch.randn(8, 2), latent=8, mode="train", batches=2)
    theta, psi = game.split(game.parameters())
    ours = R1.discriminator(TorchOps(game, game.losses, theta, psi))
    real = game.real.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(game.discriminate(psi, real).sum(), real)
    torch.testing.assert_close(ours, 0.5 * (g * g).sum(1).mean(), rtol=1e-14, atol=0)
    assert np.abs(game.field("r1", 0.5) - game.field()).max() > 1e-3


# -- what a definition reads: the zero-sum shortcut -------------------------------------------
@pytest.mark.parametrize("model,params", [("dirac", {"dim": 2}), ("gaussian", {}), ("lq", {})])
def test_decoupled_penalties_have_no_mixed_term(model, params):
    """A penalty traced as decoupled adds nothing to d_theta grad_psi (l_G + l_D) in the core."""
    game = jl.make_game(model, **params)
    base = game.losses()
    for penalty in (r for r in REGULARIZERS.values() if isinstance(r, Penalty) and r.decoupled):
        if penalty.name == "orthogonal":
            continue  # the toy models declare no weight matrices
        total = sum(term(SympyOps(game, base, penalty.name)) for _, term in penalty.terms())
        mixed = sp.Matrix([[sp.diff(total, t, p) for p in game.psi] for t in game.theta])
        assert mixed.applyfunc(sp.simplify).is_zero_matrix


def test_decoupled_is_traced_from_the_definition():
    reads_psi = Penalty("d-only", "", "gamma", "", discriminator=lambda ops: ops.sq_norm(ops.weight_matrices()[0]))
    reads_fake = Penalty("fake", "", "gamma", "", discriminator=lambda ops: ops.expect("fake", lambda x: x))
    generator_on_psi = Penalty("g-psi", "", "gamma", "", generator=lambda ops: ops.sq_norm(ops.grad("D", "D")))
    assert reads_psi.decoupled and not reads_fake.decoupled and not generator_on_psi.decoupled
    assert [n for n, r in REGULARIZERS.items() if getattr(r, "decoupled", False)] == ["r1", "orthogonal"]


def test_sample_mean_is_traced_and_means_over_shards():
    """Penalty.sample_mean (traced) holds exactly for the penalties whose value on a batch is the mean of
    their values on its two halves (what splitting the samples across processes needs)."""
    game = mog_game("mog8", width=3, depth=1, batch=8, seed=7)
    game.fixed_noise("interp")
    halves = []
    for i in range(2):
        part = slice(4 * i, 4 * i + 4)
        half = TorchGame(game.generator, game.discriminator, real=game.real[part], latent=game.latent[part])
        half.fixed_noise("interp")
        half._noise["interp"] = game.fixed_noise("interp")[part]  # the same interpolation weights
        halves.append(half)
    theta, psi = game.split(game.parameters())
    for penalty in (r for r in REGULARIZERS.values() if isinstance(r, Penalty)):
        for _, term in penalty.terms():
            whole = term(TorchOps(game, game.losses, theta, psi))
            mean = sum(term(TorchOps(h, h.losses, theta, psi)) for h in halves) / 2
            assert bool(torch.isclose(whole, mean, rtol=1e-12, atol=1e-15)) == penalty.sample_mean, penalty.name


# -- repeated names: strengths add, in both backends ------------------------------------------
def test_repeated_names_add_their_strengths():
    assert parse_reg([("r1", 1.0), ("jare", 0.5), ("r1", 2.0)]) == parse_reg({"r1": 3.0, "jare": 0.5})
    assert jl.jacobian("dirac", reg=[("r1", 1.0), ("r1", 2.0)])[1, 1] == pytest.approx(-3.0)
    np.testing.assert_array_equal(jl.jacobian("dirac", reg=[("jare", 1.0), ("jare", 0.0)], at=(0.3, 0.1)),
                                  jl.jacobian("dirac", reg="jare", gamma=1.0, at=(0.3, 0.1)))
    game = dirac_network(0.0, 0.0, "gan")
    np.testing.assert_allclose(jl.jacobian(game, reg=[("r1", 1.0), ("r1", 2.0)])[1, 1], -3.0, atol=1e-14)
    game = dirac_network(0.3, 0.2, "gan")
    np.testing.assert_array_equal(game.field([("jare", 1.0), ("jare", 0.0)]), game.field("jare", 1.0))
    np.testing.assert_allclose(game.field([("sga", 1.0), ("sga", 0.5)]), game.field("sga", 1.5), atol=1e-15)


@settings(max_examples=6, deadline=None)
@given(a=st.floats(0, 3), b=st.floats(0, 3),
       name=st.sampled_from([n for n, r in REGULARIZERS.items() if isinstance(r, Penalty) and n != "orthogonal"]))
def test_penalties_are_linear_so_repeated_strengths_add(a, b, name):
    """J(s) - J(0) is linear in a penalty's strength, and a repeated name is the sum (Dirac-GAN, off equilibrium)."""
    at = (0.3, -0.2)
    plain = jl.jacobian("dirac", at=at)
    part = {s: jl.jacobian("dirac", reg=name, gamma=s, at=at) - plain for s in (a, b, a + b)}
    np.testing.assert_allclose(part[a + b], part[a] + part[b], atol=1e-9)
    np.testing.assert_allclose(jl.jacobian("dirac", reg=[(name, a), (name, b)], at=at) - plain, part[a + b], atol=1e-12)


def test_cli_repeated_reg_adds(capsys):
    from jacobian_lab.cli import main

    assert main(["analyze", "--model", "dirac", "--reg", "r1=1,r1=2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["info"]["reg"] == "r1=3" and np.array(out["jacobian"])[1, 1] == pytest.approx(-3.0)


# -- the new penalty: R1 and R2 together ------------------------------------------------------
@pytest.mark.parametrize("gamma", [sp.Rational(3, 10), sp.Rational(1, 4), 2])
def test_r1r2_dirac_closed_form(gamma):
    """Dirac-GAN: J = [[0, -f'(0)], [f'(0), -2 gamma]], lambda = -gamma +- sqrt(gamma^2 - f'(0)^2), f'(0) = 1/2."""
    s = jl.spectrum("dirac", reg="r1r2", gamma=float(gamma))
    root = sp.sqrt(sp.nsimplify(gamma) ** 2 - sp.Rational(1, 4))
    expected = {sp.nsimplify(-gamma + root), sp.nsimplify(-gamma - root)}
    assert {sp.nsimplify(sp.expand(v)) for v in s.symbolic_eigenvalues} == expected


def test_r1r2_is_r1_plus_r2_everywhere():
    np.testing.assert_allclose(jl.jacobian("lq", reg="r1r2", gamma=0.3, mu=0.5),
                               jl.jacobian("lq", reg={"r1": 0.3, "r2": 0.3}, mu=0.5), atol=1e-14)
    game = mog_game("mog8", width=3, depth=1, batch=6, seed=7)
    np.testing.assert_allclose(game.field("r1r2", 0.3), game.field({"r1": 0.3, "r2": 0.3}), atol=1e-14)
    for backend in ("numpy", "numba"):
        run = jl.simulate("dirac", reg="r1r2", gamma=0.5, lr=0.1, steps=400, backend=backend)
        assert run.converged.all()


# -- not applicable: a clear error naming the regularizer ------------------------------------
def test_not_applicable_names_the_regularizer():
    with pytest.raises(NotApplicableError, match="orthogonal needs discriminator weight matrices"):
        jl.spectrum("dirac", reg="orthogonal")
    with pytest.raises(NotApplicableError, match="r1r2 needs a discriminator of the data"):
        jl.spectrum("bilinear", reg="r1r2")

    class NoWeights(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))

        def forward(self, x):
            return self.scale * x

    game = TorchGame(DiracGenerator(0.1), NoWeights(), real=torch.zeros(2, 1), latent=torch.zeros(2, 1))
    with pytest.raises(NotApplicableError, match="orthogonal needs discriminator weight matrices"):
        game.field("orthogonal")
    with pytest.raises(NotApplicableError, match="my-penalty needs the gradient of D .* not provide"):
        Ops("my-penalty").input_grad(None)  # what a backend without the operation answers


# -- honest caches ------------------------------------------------------------------------------
def test_derivation_shared_across_strengths_and_nothing_mutable_shared():
    a = jl.regularized_game("dirac", "jare", 1.0)
    b = jl.regularized_game("dirac", "jare", 2.0)
    c = jl.regularized_game("dirac", "jare", 1.0)
    assert a is not c and a.game is not c.game and a.game.values is not c.game.values
    assert a.symbolic is b.symbolic is c.symbolic  # one symbolic derivation for every strength
    assert a.jacobian is b.jacobian and isinstance(a.jacobian, sp.ImmutableMatrix)
    assert a.with_strengths([3.0]).symbolic is a.symbolic
    with pytest.raises(AttributeError, match="shared by every strength"):
        a.symbolic.regularizers = ()
    np.testing.assert_allclose(b.numeric_jacobian(np.array([0.0, 0.0])), [[-0.5, -0.5], [0.5, -0.5]], atol=1e-14)
