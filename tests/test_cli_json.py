"""Every sub-command's ``--json`` is strict JSON (no NaN/Infinity literals) with numbers as numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import jacobian_lab as jl
from jacobian_lab import _json
from jacobian_lab.cli import build_parser, main


def _reject(constant):
    raise AssertionError(f"non-standard JSON constant {constant!r}")


def strict(text: str) -> dict:
    return json.loads(text, parse_constant=_reject)


def run_json(capsys, argv) -> dict:
    assert main([*argv, "--json"]) == 0
    return strict(capsys.readouterr().out)


def _numbers_are_numbers(node, path=""):
    """No string that spells a number (``"inf"``, ``"0.5"``) anywhere but under ``non_finite``."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k != _json.NON_FINITE:
                _numbers_are_numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _numbers_are_numbers(v, f"{path}.{i}")
    elif isinstance(node, str):
        try:
            float(node)
        except ValueError:
            return
        assert node.lstrip("-").isdigit() or "/" in node, f"number as a string at {path}: {node!r}"


def test_every_subcommand_has_json():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name, p in sub.choices.items() if "--json" not in p._option_string_actions]
    assert missing == []


def test_analyze_non_finite_as_null_with_flag(capsys):
    out = run_json(capsys, ["analyze"])  # unregularized Dirac-GAN: eigenvalues +-i/2, phase factor inf
    assert out["phase_factor"] is None and out["non_finite"]["phase_factor"] == "inf"
    assert out["optimal_step"]["iterations"] is None and out["non_finite"]["optimal_step.iterations"] == "inf"
    assert isinstance(out["condition_factor"], float) and isinstance(out["stable"], bool)
    assert sorted(e["imag"] for e in out["eigenvalues"]) == pytest.approx([-0.5, 0.5], abs=1e-12)
    _numbers_are_numbers(out)
    finite = run_json(capsys, ["analyze", "--reg", "r1", "--gamma", "0.5"])
    assert "non_finite" not in finite and finite["phase_factor"] == pytest.approx(3 ** 0.5)


def test_list_and_derive(capsys):
    out = run_json(capsys, ["list"])
    assert {m["name"] for m in out["models"]} >= {"dirac", "gaussian"}
    assert all(isinstance(p["name"], str) for m in out["schemes"] for p in m["parameters"])
    d = run_json(capsys, ["derive", "--reg", "r1"])
    assert d["strengths"] == {"r1": "gamma"} and d["jacobian"] == [["0", "-1/2"], ["1/2", "-gamma"]]
    assert d["blocks"][0]["critical"]["gamma"][0]["sympy"] == "1"


def test_portrait_and_eigenpath_numbers_behind_the_figure(capsys, tmp_path):
    out = run_json(capsys, ["portrait", "--steps", "20"])
    assert out["figure"] is None
    assert np.asarray(out["field"]["u"]).shape == (len(out["field"]["y"]), len(out["field"]["x"]))
    assert np.asarray(out["trajectories"], dtype=float).shape == (1, 21, 2)
    path = run_json(capsys, ["eigenpath", "--num", "11", "-o", str(tmp_path / "p.png")])
    assert path["figure"].endswith("p.png") and (tmp_path / "p.png").exists()
    assert len(path["strengths"]) == len(path["eigenvalues"]) and path["critical"] == [1.0]
    assert path["eigenvalues"][0][0].keys() == {"real", "imag"}
    assert main(["portrait"]) == 2  # neither -o nor --json


def test_simulate_and_sweep(capsys):
    sim = run_json(capsys, ["simulate", "--steps", "50", "--backend", "numpy"])
    assert isinstance(sim["final"][0], float) and isinstance(sim["diverged_at"], int)
    sw = run_json(capsys, ["sweep", "--gammas", "0,1.2,5", "--lrs", "0.1,1,3", "--workers", "1"])
    rows = sw["schemes"]["simgd"]["largest_stable_lr"]
    assert [row["gamma"] for row in rows] == [0.0, 0.3, 0.6, 0.9, 1.2]  # the typed grid, not linspace's 0.8999...
    assert rows[0]["lr"] is None and all(isinstance(row["lr"], float) for row in rows[1:])
    assert sw["best"]["gamma"] == 0.9
    _numbers_are_numbers(sw)


def test_gallery_json(capsys, tmp_path):
    out = run_json(capsys, ["gallery", "--fast", "--only", "r1_path", "-o", str(tmp_path)])
    assert out["files"]["r1_path"][0].endswith("r1_path.png")


def test_spectrum_every_mode(capsys, tmp_path, torch_one_thread):
    pytest.importorskip("torch")
    target = tmp_path / "small.py"
    target.write_text("from jacobian_lab.torch_bridge.examples import mog_game\n\n"
                      "def small():\n    return mog_game('mog8', width=3, batch=8)\n")
    dense = run_json(capsys, ["spectrum", f"{target}:small"])
    top = run_json(capsys, ["spectrum", f"{target}:small", "--k", "3"])
    assert dense["partial"] is False and top["partial"] is True and len(top["eigenvalues"]) == 3
    for out in (dense, top):
        assert all(isinstance(e["real"], float) for e in out["eigenvalues"])
        assert isinstance(out["phase_factor"], float) or out["non_finite"]["phase_factor"] in ("inf", "nan")


def test_round_trip_restores_non_finite():
    data = {"a": math.inf, "b": [1.0, math.nan, {"c": -math.inf}], "z": complex(1, math.nan), "n": np.float64(2)}
    text = _json.dumps(data)
    back = _json.loads(strict(text) and text)
    assert back["a"] == math.inf and math.isnan(back["b"][1]) and back["b"][2]["c"] == -math.inf
    assert back["z"]["real"] == 1.0 and math.isnan(back["z"]["imag"]) and back["n"] == 2.0


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"jacobian-lab {jl.__version__}"


def test_spectrum_is_an_array_of_eigenvalues():
    s = jl.spectrum("dirac", reg="r1", gamma=0.5)
    arr = np.asarray(s)
    assert arr.dtype == complex and arr.shape == (2,)
    np.testing.assert_array_equal(arr, s.eigenvalues)
    assert np.abs(s).max() == pytest.approx(0.5)
