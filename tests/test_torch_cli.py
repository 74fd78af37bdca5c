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
])
def test_errors_are_one_line_exit_2(target, capsys, argv, message):
    argv = [a.replace("{target}", target) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
