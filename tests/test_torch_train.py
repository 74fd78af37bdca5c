"""Torch bridge training loop: one step against the update formulas, records, constraints."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from jacobian_lab.errors import JacobianLabError  # noqa: E402
from jacobian_lab.torch_bridge.examples import mog_game  # noqa: E402
from jacobian_lab.torch_bridge.train import train  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def small():
    return mog_game("mog8", width=4, batch=16, seed=1)


@pytest.mark.parametrize("method", ["simgd", "altgd", "extragradient"])
def test_one_step_matches_formula(method):
    game = small()
    x = game.parameters().numpy()
    v = lambda y: game.field("jare", 0.5, at=y)  # noqa: E731
    h, n = 0.05, game.n_theta
    if method == "simgd":
        expected = x + h * v(x)
    elif method == "extragradient":
        expected = x + h * v(x + h * v(x))
    else:
        half = np.concatenate([x[:n] + h * v(x)[:n], x[n:]])
        expected = np.concatenate([half[:n], half[n:] + h * v(half)[n:]])
    train(game, method, lr=h, steps=1, reg="jare", gamma=0.5, k=0, progress=False)
    np.testing.assert_allclose(game.parameters().numpy(), expected, atol=1e-13)


def test_records_spectra_factors_losses():
    game = small()
    rec = train(game, "adam", lr=1e-3, steps=20, every=10, k=4, reg="r1", gamma=1.0, progress=False)
    assert rec.steps == [0, 10, 20]
    assert all(len(e) == 4 for e in rec.eigenvalues)
    assert np.all(np.isfinite(rec.loss_g)) and np.all(np.isfinite(rec.phase_factor))
    assert rec.loss_g[0] == pytest.approx(-rec.loss_d[0])  # zero-sum gan


@pytest.mark.parametrize("constraint", ["svd", "bjorck"])
def test_orthogonality_constraints(constraint):
    game = small()
    train(game, "simgd", lr=0.01, steps=30 if constraint == "bjorck" else 1, k=0, constraint=constraint,
          progress=False)
    w = game.discriminator[2].weight.detach()  # 4 x 4 hidden layer
    np.testing.assert_allclose((w.T @ w).numpy(), np.eye(4), atol=1e-3 if constraint == "bjorck" else 1e-12)


def test_bad_method():
    with pytest.raises(JacobianLabError, match="unknown training method"):
        train(small(), "sgd", progress=False)


def test_example_script_fast(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "examples" / "torch_spectra.py"
    spec = importlib.util.spec_from_file_location("torch_spectra", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    records = module.compute(fast=True)
    assert set(records) == {"simgd", "consensus", "JARE"}
    # consensus and JARE lower the phase factor of simultaneous GD at initialisation (Nie & Patel 2019)
    assert records["JARE"].phase_factor[0] < records["simgd"].phase_factor[0]
    assert records["consensus"].phase_factor[0] < records["simgd"].phase_factor[0]
    assert module.draw(records) is not None


def test_lazy_top_level_name():
    import jacobian_lab as jl
    from jacobian_lab.torch_bridge import TorchGame

    assert jl.TorchGame is TorchGame
