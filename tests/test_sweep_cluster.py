"""Sweeps on Dask: a local cluster gives the serial table bit for bit; tables are written whole."""

import json

import numpy as np
import pandas as pd
import pytest

import jacobian_lab as jl
from jacobian_lab.cli import main
from jacobian_lab.tables import write_table

SMALL = {"model": "dirac", "reg": "r1", "gammas": [0.3, 1.2], "lrs": [0.2, 0.7], "schemes": ["simgd", "extragradient"],
         "seeds": [0, 1], "simulate": True, "steps": 40, "progress": False}


def test_local_cluster_of_two_workers_equals_serial():
    distributed = pytest.importorskip("distributed")
    serial = jl.sweep_table(**SMALL, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        with distributed.Client(c) as client:
            clustered = jl.sweep_table(**SMALL, scheduler=client)
    assert clustered.equals(serial)  # same values, same order, same dtypes
    assert list(serial.columns) == ["scheme", "seed", "gamma", "lr", "spectral_radius", "simulated_rate"]
    assert len(serial) == 2 * 2 * 2 * 2
    one = serial[(serial.scheme == "simgd") & (serial.gamma == 1.2) & (serial.lr == 0.7)]
    expected = jl.spectrum("dirac", reg="r1", gamma=1.2, scheme="simgd", lr=0.7).spectral_radius
    assert one.spectral_radius.tolist() == pytest.approx([expected] * 2, rel=1e-12)


def test_seeds_start_from_different_points():
    table = jl.sweep_table("dirac", "r1", [0.0], [0.3], seeds=[0, 1], simulate=True, steps=30, progress=False)
    assert table.simulated_rate.iloc[0] != table.simulated_rate.iloc[1]


def _square(x):
    return {"square": x * x}


def test_map_table_has_the_parameters_as_columns():
    table = jl.map_table(_square, [{"x": 1.0}, {"x": 3.0}], progress=False)
    assert table.to_dict("list") == {"x": [1.0, 3.0], "square": [1.0, 9.0]}


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".npz"])
def test_cli_sweep_writes_the_table(tmp_path, capsys, suffix):
    out = tmp_path / f"sweep{suffix}"
    assert main(["sweep", "--gammas", "0,1,3", "--lrs", "0.1,0.5,2", "--scheme", "simgd,optimistic", "--simulate",
                 "--steps", "20", "--workers", "1", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["cells"] == 12 and set(summary["schemes"]) == {"simgd", "optimistic"}
    if suffix == ".parquet":
        table = pd.read_parquet(out)
    elif suffix == ".csv":
        table = pd.read_csv(out)
    else:
        table = pd.DataFrame(dict(np.load(out)))
    assert table.shape == (12, 5) and sorted(set(table.scheme)) == ["optimistic", "simgd"]
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("argv", [["--out", "t.txt"], ["--workers", "100000"], ["--seeds", "0"],
                                  ["--lrs", "0.1,1,1000000"], ["--scheduler", "nowhere"]])
def test_cli_sweep_refuses(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "--simulate", "--steps", "5", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_failed_write_leaves_nothing(tmp_path):
    class Broken(pd.DataFrame):
        def to_parquet(self, *args, **kwargs):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_table(Broken({"a": [1]}), tmp_path / "t.parquet")
    assert not any(tmp_path.iterdir())
