"""The benchmark scripts (``make bench``) are not run by the tests (timings belong to ``make bench``),
but they must stay valid Python 3.11 and import what exists."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).parent.parent / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_compiles_and_imports(path):
    compile(path.read_text(), str(path), "exec", flags=0, dont_inherit=True)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jacobian_lab"):
            if node.module.startswith("jacobian_lab.torch_bridge"):
                pytest.importorskip("torch")
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name):  # a submodule, imported by name
                    importlib.import_module(f"{node.module}.{alias.name}")
                assert hasattr(module, alias.name), f"{path.name}: {node.module} has no {alias.name}"


def test_benchmarks_found():
    assert {p.name for p in BENCHMARKS} >= {"run.py", "bench_core.py", "bench_dynamics.py", "bench_torch.py"}


def load_benchmark(name):
    """The module ``benchmarks/NAME.py``, loaded from its file."""
    path = Path(__file__).parent.parent / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_torch_benchmark_fast_mode_runs(capsys):
    """``bench_torch.py --fast``: tiny sizes, every table printed (timings are not checked)."""
    pytest.importorskip("torch")
    load_benchmark("bench_torch").main(["--fast", "--threads", "1"])
    out = capsys.readouterr().out
    assert "LR, operator's route" in out and "LI, real operator" in out and "J t (double vjp)" in out


def test_network_factors_report_fast_mode_runs(capsys):
    """``bench_network_factors.py --fast``: the rtol, float32 and batch columns of one small network."""
    pytest.importorskip("torch")
    load_benchmark("bench_network_factors").main(["--fast"])
    out = capsys.readouterr().out
    assert "rtol spread" in out and "f32 diff" in out and "batches" in out and "(n=2)" in out
