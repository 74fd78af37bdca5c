"""Bring your own GAN: data inputs, shape checks, the dense budget, the recorder, the CLI with a factory."""

from __future__ import annotations

import json
import time
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.cli import main  # noqa: E402
from jacobian_lab.errors import JacobianLabError  # noqa: E402
from jacobian_lab.torch_bridge import TorchGame, train  # noqa: E402
from jacobian_lab.torch_bridge.dense import check_budget, dense_cost  # noqa: E402
from jacobian_lab.torch_bridge.examples import mlp  # noqa: E402
from jacobian_lab.torch_bridge.operator import most_rotational  # noqa: E402
from jacobian_lab.torch_bridge.recorder import SpectrumRecorder, load  # noqa: E402

pytestmark = pytest.mark.usefixtures("torch_one_thread")
DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset


def players(width=5, latent_dim=3, seed=0):
    torch.manual_seed(seed)
    return mlp(latent_dim, 2, width, 1).double(), mlp(2, 1, width, 1).double()


def data(n=40, seed=1):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_dataloader_and_int_latent_through_spectrum():
    """The issue's sentence: TorchGame(G, D, real=loader, latent=128), dense and top-k agree."""
    g, d = players()
    loader = DataLoader(TensorDataset(data(100), torch.zeros(100)), batch_size=16, shuffle=True)
    game = TorchGame(g, d, real=loader, latent=128)
    assert game.real.shape == (16, 2) and game.latent.shape == (128, 3)  # shape from G's first Linear
    again = TorchGame(g, d, real=loader, latent=128)  # seeded: the same shuffled batch, the same latent draw
    assert torch.equal(game.real, again.real) and torch.equal(game.latent, again.latent)
    assert not torch.equal(TorchGame(g, d, real=loader, latent=128, seed=1).real, game.real)
    dense = jl.spectrum(game).eigenvalues
    top = jl.spectrum(game, k=4).eigenvalues
    assert all(np.abs(dense - z).min() < 1e-9 for z in top)
    two = TorchGame(g, d, real=loader, latent=8, batches=2)
    assert two.real.shape == (32, 2) and two.latent.shape == (16, 3)


def test_dataset_sampler_and_callable_latent_are_the_fixed_samples_they_claim():
    g, d = players()
    x = data(50)
    game = TorchGame(g, d, real=TensorDataset(x), latent=lambda n: torch.randn(n, 3), batch=10)
    order = np.random.default_rng(0).permutation(50)[:10]
    assert torch.equal(game.real, x[order]) and game.latent.shape == (10, 3)
    torch.manual_seed(5)
    expected = torch.randn(12, 2)
    sampled = TorchGame(g, d, real=lambda n: torch.randn(n, 2), latent=12, batch=12, seed=5)
    assert torch.allclose(sampled.real, expected.double())  # the sampler ran under torch.manual_seed(seed)
    uniform = TorchGame(g, d, real=x, latent=20, latent_dist="uniform", latent_shape=(3,))
    assert uniform.latent.shape == (20, 3) and float(uniform.latent.abs().max()) <= 1


class BatchNormDropout(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.BatchNorm1d(6), torch.nn.Tanh(),
                                       torch.nn.Dropout(0.3), torch.nn.Linear(6, 1))

    def forward(self, x):
        return self.net(x)


def test_train_mode_is_deterministic_batch_statistics_and_leaves_the_module_alone():
    g, _ = players()
    torch.manual_seed(3)
    d = BatchNormDropout().double()
    before = {k: v.clone() for k, v in d.state_dict().items()}
    game = TorchGame(g, d, real=data(24), latent=24, mode="train", batches=2)
    jac = jl.jacobian(game)
    np.testing.assert_array_equal(jac, jl.jacobian(game))  # fixed dropout masks
    v = np.random.default_rng(0).standard_normal(game.n_params)
    op = game.operator()
    np.testing.assert_allclose(op.matvec(v), jac @ v, atol=1e-11)
    np.testing.assert_allclose(op.rmatvec(v), jac.T @ v, atol=1e-11)
    assert all(torch.equal(before[k], w) for k, w in d.state_dict().items()) and d.training
    evaluated = jl.jacobian(TorchGame(g, d, real=data(24), latent=24))
    assert np.abs(evaluated - jac).max() > 1e-3  # batch statistics and dropout change J


@pytest.mark.parametrize("case, message", [
    ("two_logits", "one logit per sample"),
    ("real_shape", "each generated sample must have the shape of one real sample"),
    ("g_output", "each generated sample must have the shape of one real sample"),
    ("latent_rank", "the generator failed on the latent batch of shape (8, 3, 1)"),
    ("bad_loss", "two scalar tensors"),
    ("no_shape", "cannot infer the latent shape"),
])
def test_shapes_are_checked_at_construction(case, message):
    g, d = players()
    kwargs = {"real": data(8), "latent": torch.randn(8, 3, dtype=torch.float64)}
    if case == "two_logits":
        d = mlp(2, 2, 5, 1).double()
    elif case == "real_shape":
        kwargs["real"] = torch.randn(4, 2, 2, dtype=torch.float64)
    elif case == "g_output":
        g = mlp(3, 5, 5, 1).double()
    elif case == "latent_rank":
        kwargs["latent"] = torch.randn(8, 3, 1, dtype=torch.float64)
    elif case == "bad_loss":
        kwargs["loss"] = lambda r, f: (r, f)
    else:
        g = torch.nn.Sequential(torch.nn.Unflatten(1, (3, 1)), torch.nn.Flatten(), torch.nn.Linear(3, 2)).double()
        kwargs["latent"] = 8
    with pytest.raises(JacobianLabError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        TorchGame(g, d, **kwargs)
    assert "\n" not in str(info.value)


def test_dense_request_over_budget_is_refused_at_once_with_the_estimate():
    """A 9k-parameter MLP GAN: refused in well under a second, estimate and alternatives in one line."""
    g, d = mlp(2, 2, 64, 2).double(), mlp(2, 1, 64, 2).double()
    game = TorchGame(g, d, real=data(16), latent=16)
    assert 8000 < game.n_params < 10000
    seconds, memory = dense_cost(game.n_params)
    start = time.perf_counter()
    with pytest.raises(JacobianLabError) as info:
        jl.spectrum(game, max_bytes=None)
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert elapsed < 1.0 and "\n" not in message and "k=20" in message and "force=True" in message
    assert f"{memory / 1024**3:.1f} GiB" in message
    assert check_budget(game.n_params, budget_s=10 * seconds) == pytest.approx(seconds)
    assert dense_cost(2000, rate=1e9)[0] == pytest.approx(2.0 * 10 * 2000**3 / 1e9)


def test_most_rotational_is_the_eigenvalue_of_the_phase_factor():
    values = np.array([-1.0, -0.1 + 2j, -0.1 - 2j, -3 + 3j, -3 - 3j, 1e-14 + 1e-13j])
    assert most_rotational(values) == -0.1 + 2j
    assert np.isnan(most_rotational(np.zeros(3)).real)


def test_recorder_in_a_plain_training_loop(tmp_path):
    """The user's own loop, optimizer and minibatches; the recorder only reads the modules."""
    g, d = players(width=4)
    game = TorchGame(g, d, real=data(32), latent=32)
    path = tmp_path / "spectra.npz"
    recorder = SpectrumRecorder(game, path, every=2, k=4, k_right=2)
    optimizer = torch.optim.SGD([*g.parameters(), *d.parameters()], lr=0.05)
    for step in range(5):
        recorder(step)
        l_g, l_d = game.loss(d(data(16, seed=step)), d(g(torch.randn(16, 3, dtype=torch.float64))))
        optimizer.zero_grad()
        grads = torch.autograd.grad(l_g, list(g.parameters()), retain_graph=True) + torch.autograd.grad(
            l_d, list(d.parameters()))
        for p, grad in zip([*g.parameters(), *d.parameters()], grads):
            p.grad = grad
        optimizer.step()
    record = load(path)
    assert list(record["steps"]) == [0, 2, 4] and record["complete"].all()
    recorder.record(5)  # at the parameters after the last step
    jac = jl.jacobian(game)
    dense = np.linalg.eigvals(jac)
    top = recorder.history["eigenvalues"][-1]
    np.testing.assert_allclose(np.sort(np.abs(top))[::-1], np.sort(np.abs(dense))[::-1][:4], atol=1e-7)
    assert all(np.abs(dense - z).min() < 1e-7 for z in top)
    n = game.n_theta
    h_d = np.linalg.eigvalsh(-jac[n:, n:])
    assert recorder.history["hessian_d_max"][-1] == pytest.approx(h_d.max(), abs=1e-6)
    assert recorder.history["hessian_d_min"][-1] == pytest.approx(h_d.min(), abs=1e-6)
    assert recorder.history["abscissa"][-1] == pytest.approx(np.linalg.eigvals(jac).real.max(), abs=1e-6)
    json_path = tmp_path / "spectra.json"
    recorder.save(json_path)
    np.testing.assert_allclose(load(json_path)["rightmost"], recorder.history["rightmost"], atol=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cut = SpectrumRecorder(game, k=4, budget_s=1e-6).record(0)
    assert cut["complete"] is False and any("budget" in str(w.message) for w in caught)
    figure = tmp_path / "trajectories.png"
    assert main(["spectrum", str(path), "--plot", str(figure)]) == 0 and figure.stat().st_size > 0


FACTORY = '''
import torch
from torch.utils.data import DataLoader, TensorDataset
from jacobian_lab.torch_bridge import TorchGame
from jacobian_lab.torch_bridge.examples import mlp

def make(width=4, fail=None):
    torch.manual_seed(0)
    g, d = mlp(3, 2, width, 1).double(), mlp(2, 1, width, 1).double()
    if fail == "raise":
        raise ValueError("no such width")
    if fail == "exit":
        import sys
        sys.exit(3)
    x = torch.randn(64, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    return TorchGame(g, d, real=DataLoader(TensorDataset(x), batch_size=16, shuffle=True), latent=16)
'''


@pytest.fixture
def factory(tmp_path):
    path = tmp_path / "my_gan.py"
    path.write_text(FACTORY)
    return path


def test_cli_factory_argument_and_checkpoint(factory, tmp_path, capsys):
    namespace = {}
    exec(compile(FACTORY, str(factory), "exec"), namespace)
    game = namespace["make"](width=6)
    with torch.no_grad():
        for p in [*game.generator.parameters(), *game.discriminator.parameters()]:
            p.mul_(1.5)
    checkpoint = tmp_path / "ckpt.pt"
    torch.save({"generator": game.generator.state_dict(), "discriminator": game.discriminator.state_dict()},
               checkpoint)
    out = tmp_path / "s.json"
    argv = ["spectrum", f"{factory}:make", "--arg", "width=6", "--checkpoint", str(checkpoint), "--loss", "nsgan",
            "--out", str(out), "--json"]
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = jl.spectrum(game.with_loss("nsgan")).eigenvalues
    got = np.array([complex(z["real"], z["imag"]) for z in printed["eigenvalues"]])
    np.testing.assert_allclose(got, expected, atol=1e-10)
    assert json.loads(out.read_text())["eigenvalues"] == printed["eigenvalues"]
    assert main(["spectrum", f"{factory}:make", "--scheme", "simgd", "--lr", "0.1", "--out",
                 str(tmp_path / "s.npz"), "--plot", str(tmp_path / "s.png")]) == 0
    saved = np.load(tmp_path / "s.npz")
    assert saved["eigenvalues"].size == namespace["make"]().n_params
    assert json.loads(str(saved["summary"]))["kind"] == "discrete"
    assert (tmp_path / "s.png").stat().st_size > 0


@pytest.mark.parametrize("source, arg, message", [
    (None, "fail='raise'", "my_gan.py:11: make() raised ValueError: no such width"),
    (None, "fail='exit'", "my_gan.py:14: make() called sys.exit(3)"),
    ("def make(:\n    pass\n", None, "my_gan.py:1: running the file raised SyntaxError"),
    ("import not_a_module_anywhere\n", None, "my_gan.py:1: running the file raised ModuleNotFoundError"),
    (None, "width", "--arg must be KEY=VALUE"),
])
def test_cli_errors_in_the_users_file_are_one_line(factory, capsys, source, arg, message):
    if source is not None:
        factory.write_text(source)
    argv = ["spectrum", f"{factory}:make"] + (["--arg", arg] if arg else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_train_records_through_the_recorder(tmp_path):
    g, d = players(width=3)
    game = TorchGame(g, d, real=data(16), latent=16)
    history = train(game, steps=4, lr=0.05, record_every=2, k=3, record_path=tmp_path / "t.json",
                                    write_back=False, progress=False)
    record = load(tmp_path / "t.json")
    assert history.steps == list(record["steps"]) == [0, 2, 4]
    np.testing.assert_allclose(record["eigenvalues"], np.array(history.eigenvalues), atol=0)
    np.testing.assert_allclose(record["loss_g"], history.loss_g, atol=0)


def test_bring_your_own_gan_tutorial_runs(tmp_path):
    """The tutorial page's script, in fast mode: spectra, a recorded training run, a figure, a checkpoint."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "torch_bring_your_own_gan.py"
    spec = importlib.util.spec_from_file_location("byog", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a record cut by its time budget on a loaded machine
        files = module.main(tmp_path, fast=True)
    assert all(Path(f).is_file() and Path(f).stat().st_size > 1000 for f in files)
    assert len(load(tmp_path / "spectra.npz")) == 3


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_paths_match_the_cpu(tmp_path):
    """Dense (torch.linalg.eigvals on the device), top-k (products on the device), the recorder."""
    g, d = players()
    cpu = TorchGame(g, d, real=data(32), latent=32, device="cpu")
    gpu = TorchGame(g, d, real=data(32), latent=32, device="cuda")  # the parameters are read onto the device
    assert gpu.real.is_cuda and jl.spectrum(gpu).info["device"].startswith("cuda")
    np.testing.assert_allclose(jl.spectrum(gpu).eigenvalues, jl.spectrum(cpu).eigenvalues, atol=1e-9)
    np.testing.assert_allclose(jl.spectrum(gpu, k=4, which="LR").eigenvalues,
                               jl.spectrum(cpu, k=4, which="LR").eigenvalues, atol=1e-9)
    entry = SpectrumRecorder(gpu, tmp_path / "r.npz", k=4).record(0)
    assert entry["complete"] and np.isfinite(entry["hessian_g_max"])


def test_cli_default_is_matrix_free_for_large_networks(capsys):
    assert main(["spectrum", "--example", "mog8", "--arg", "width=40", "--arg", "batch=16", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["info"]["n_params"] > 3000 and out["info"]["method"] == "arpack" and out["info"]["k"] == 20
    assert "--dense for every eigenvalue" in captured.err
