"""The data-parallel operator on 2 local processes (gloo, a file store) against one process."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.errors import JacobianLabError  # noqa: E402
from jacobian_lab.torch_bridge import distributed  # noqa: E402
from jacobian_lab.torch_bridge.examples import mog_game  # noqa: E402


def _game():
    return mog_game("mog8", width=6, batch=32)


def _worker(rank, world, store, out):
    torch.set_num_threads(1)
    # A file store, not a TCP port: a port picked free can be taken by another test's server before
    # the group binds it.
    torch.distributed.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world)
    try:
        game = _game()
        results = {}
        for which, reg in (("LM", None), ("LR", "r1")):
            s = distributed.spectrum(game, k=4, which=which, reg=reg, gamma=0.5)
            results[which] = s.eigenvalues
        x = game.parameters()
        op = distributed.distributed_operator(game)
        t = np.random.default_rng(1).standard_normal(game.n_params)
        if rank == 0:
            results["Jt"], results["JTt"] = op.matvec(t), op.rmatvec(t)
            op.stop()
        else:
            op.serve()
        if rank == 0:
            np.savez(out, x=x.numpy(), **results)
    finally:
        torch.distributed.destroy_process_group()


def test_two_processes_match_one(tmp_path):
    out = tmp_path / "dist.npz"
    store = tmp_path / "store"
    torch.multiprocessing.spawn(_worker, args=(2, str(store), str(out)), nprocs=2, join=True)
    got = np.load(out)
    game = _game()
    jac = jl.jacobian(game)
    t = np.random.default_rng(1).standard_normal(game.n_params)
    np.testing.assert_allclose(got["Jt"], jac @ t, atol=1e-12)
    np.testing.assert_allclose(got["JTt"], jac.T @ t, atol=1e-12)
    for which, reg in (("LM", None), ("LR", "r1")):
        single = jl.spectrum(game, k=4, which=which, reg=reg, gamma=0.5).eigenvalues
        np.testing.assert_allclose(got[which], single, atol=1e-10)


def test_single_process_fallback_and_refusals():
    game = _game()
    s = distributed.spectrum(game, k=3)
    np.testing.assert_allclose(s.eigenvalues, jl.spectrum(game, k=3).eigenvalues, atol=1e-12)
    with pytest.raises(JacobianLabError, match="cannot be split"):
        distributed.check_shardable("jare", 1.0)
    distributed.check_shardable([("r1", 1.0), ("orthogonal", 0.1)])
    with pytest.raises(JacobianLabError, match="equal shards"):
        distributed.shard(mog_game("mog8", width=4, batch=33), 0, 2)
