"""``jacobian-lab spectrum``: examples, FILE.py:factory targets, JSON, and one-line errors."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from jacobian_lab.cli import main  # noqa: E402

FACTORY = '''
from jacobian_lab.torch_bridge.examples import mog_game

def small():
    return mog_game("mog25", width=4, batch=16)

def not_a_game():
    return 3
'''


pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture
def target(tmp_path):
    path = tmp_path / "games.py"
    path.write_text(FACTORY)
    return str(path)


def test_example_top_k_json(capsys):
    assert main(["spectrum", "--example", "mog8", "--k", "4", "--which", "LR", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["partial"] is True and len(out["eigenvalues"]) == 4
    assert out["info"]["method"] == "arpack" and out["info"]["which"] == "LR"
    assert "jacobian" not in out


def test_factory_dense_report(target, capsys):
    assert main(["spectrum", f"{target}:small", "--reg", "jare", "--gamma", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "jare(0.5)" in out and "(dense)" in out and "phase factor" in out


def test_factory_dense_json_matches_api(target, capsys):
    import jacobian_lab as jl
    from jacobian_lab.torch_bridge.examples import mog_game

    assert main(["spectrum", f"{target}:small", "--reg", "r1=0.3,jare=1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = jl.spectrum(mog_game("mog25", width=4, batch=16), reg=[("r1", 0.3), ("jare", 1.0)])
    assert [e["real"] for e in out["eigenvalues"]] == pytest.approx(expected.eigenvalues.real.tolist(), abs=1e-12)


def test_threads_option_sets_and_restores_torch_threads(capsys):
    before = torch.get_num_threads()
    assert main(["spectrum", "--example", "mog8", "--k", "2", "--threads", "2", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["eigenvalues"]) == 2
    assert torch.get_num_threads() == before


def test_torch_threads_context_restores_after_an_error():
    from jacobian_lab.torch_bridge import torch_threads

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(2) as n:
        assert n == 2 and torch.get_num_threads() == 2
        raise RuntimeError("inside")
    assert torch.get_num_threads() == before
    with torch_threads(None) as n:
        assert n == before


def test_one_blas_thread_limits_and_restores_blas():
    from threadpoolctl import threadpool_info

    from jacobian_lab.torch_bridge.threads import one_blas_thread

    def blas_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    with one_blas_thread():
        assert blas_threads() and set(blas_threads()) == {1}
    assert blas_threads() == before


@pytest.mark.parametrize("argv, message", [
    (["spectrum"], "exactly one of TARGET"),
    (["spectrum", "--example", "mog8", "x.py:f"], "exactly one of TARGET"),
    (["spectrum", "nofile.py:f"], "no such file"),
    (["spectrum", "games.py"], "FILE.py:FACTORY"),
    (["spectrum", "{target}:missing"], "no callable 'missing'"),
    (["spectrum", "{target}:not_a_game"], "not a TorchGame"),
    (["spectrum", "--example", "mog8", "--reg", "jar"], "unknown regularizer"),
    (["spectrum", "--example", "mog8", "--which", "LI"], "--which needs --k"),
    (["spectrum", "--example", "mog8", "--k", "0"], "k must be"),
    (["spectrum", "--example", "mog9"], "invalid choice"),
    (["spectrum", "--example", "mog8", "--threads", "0"], "threads must be an integer >= 1"),
])
def test_errors_are_one_line_exit_2(target, capsys, argv, message):
    argv = [a.replace("{target}", target) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
