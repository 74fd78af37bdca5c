"""The torch example scripts run in fast mode and write their figure; their data helpers are checked."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: The torch experiments and the validation study.
SCRIPTS = ["torch_numerics_eigenvalues", "torch_validation", "torch_zero_gp_field"]


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_experiments_are_there():
    assert set(SCRIPTS) <= {p.stem for p in EXAMPLES.glob("torch_*.py")}
    replaced = {"torch_jare_training", "torch_berard_eigenvalues", "torch_orthogonal_wgan"}
    assert not replaced & {p.stem for p in EXAMPLES.glob("*.py")}


def test_validation_claims_are_judged_from_the_bootstrap_interval():
    study = load("torch_validation")
    diffs = {("mog8", 14): [-0.3, -0.2, -0.25, -0.35, -0.28], ("mog25", 14): [0.3, 0.2, 0.25, 0.35, 0.28],
             ("mog8", 20): [-0.3, 0.31, -0.1, 0.12, 0.0]}
    verdicts = study.judge(diffs, sign=-1)  # the claim predicts a decrease
    assert [v["status"] for v in verdicts.values()] == ["held", "reversed", "unclear"]
    assert verdicts["mog8 w14"]["agree"] == 5 and verdicts["mog25 w14"]["agree"] == 0
    rows = [{"mixture": "mog8", "width": 4, "seed": s, "method": m, "k": v}
            for s, (a, b) in enumerate([(2.0, 1.0), (4.0, 1.0)]) for m, v in (("none", b), ("jare", a))]
    assert study.paired(rows, "jare", "k", log=True) == {("mog8", 4): [np.log(2.0), np.log(4.0)]}


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs_fast(tmp_path, name):
    paths = load(name).main(tmp_path, fast=True)
    assert paths and all(Path(p).is_file() and Path(p).stat().st_size > 500 for p in paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(Path(p).name for p in paths)


def test_gradient_field_matches_finite_differences():
    from jacobian_lab.torch_bridge.examples import mog_game

    module = load("torch_zero_gp_field")
    game = mog_game("mog25", width=5, depth=1, batch=8)
    points = np.array([[0.3, -1.2], [2.0, 0.5]])
    field = module.gradient_field(game, points)
    _, psi = game.split(game.parameters())

    def d(p):
        with torch.no_grad():
            return game.discriminate(psi, torch.as_tensor(p[None], dtype=torch.float64)).item()

    h = 1e-6
    for point, g in zip(points, field):
        fd = [(d(point + h * e) - d(point - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(g, fd, atol=1e-8)
