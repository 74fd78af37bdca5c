"""Fuzzing the command line's argument parsing: any argv exits 0 or 2, never a traceback, and a failed
command leaves no file behind."""

import contextlib
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jacobian_lab.cli import main

NUMBERS = ["0", "1", "-1", "0.5", "-0.5", "2", "1e308", "-1e308", "1e-320", "nan", "inf", "-inf", "1e8", "3",
           "100000000", "1/3", "0x10", "1_0", "", " ", "abc", "1e", "--", "-", "1,2", "-3,3,-3,3", "0,1.5", "1;2",
           "mean=0,2;1,3", "dim=100000", "r1=1,r1=2", "none", "é", "\x00", "10000000000", "3x3", "100000x100000"]
FLAGS = {
    "analyze": ["--model", "--reg", "--gamma", "--param", "--scheme", "--lr", "--at", "--rtol", "--n-d", "--beta"],
    "derive": ["--model", "--reg", "--param", "--scheme"],
    "simulate": ["--model", "--reg", "--gamma", "--steps", "--x0", "--grid", "--box", "--backend", "--noise", "--seed",
                 "--tol", "--record-every", "--out", "--lr", "--scheme"],
    "sweep": ["--model", "--reg", "--gammas", "--lrs", "--workers", "--out", "--lr", "--steps", "--scheme"],
    "portrait": ["--model", "--reg", "--gamma", "--steps", "--x0", "--extent", "--slice", "--lr", "-o"],
    "eigenpath": ["--model", "--reg", "--gamma-max", "--num", "--marks", "--scheme", "-o"],
    "list": [],
}
VALUES = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(["dirac", "gaussian", "bilinear", "r1", "jare", "simgd",
                                                             "cgd", "altgd", "numpy", "numba", "out.npz", "p.png",
                                                             "missing/p.png", ".", "p.txt"]),
                   st.text(max_size=8))


@st.composite
def argvs(draw):
    command = draw(st.sampled_from(sorted(FLAGS)))
    argv = [command]
    for flag in draw(st.lists(st.sampled_from(FLAGS[command] or ["--help"]), max_size=4)):
        argv += [flag, draw(VALUES)] if flag != "--help" else [flag]
    if command in ("portrait", "eigenpath") and "-o" not in argv:
        argv += ["-o", "p.png"]
    if command in ("simulate", "portrait"):
        argv += ["--steps", "5"] if "--steps" not in argv else []
    if command == "eigenpath":
        argv += ["--num", "5"] if "--num" not in argv else []
    if command == "sweep":
        argv += ["--gammas", "0,1,3"] if "--gammas" not in argv else []
        argv += ["--lrs", "0.1,0.2,3"] if "--lrs" not in argv else []
    return argv


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:  # --help
            status = stop.code
    return status, err.getvalue()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@given(argv=argvs())
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_any_argv_exits_0_or_2_without_traceback_or_leftovers(argv, workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    for name in os.listdir(workdir):
        os.unlink(workdir / name)
    status, err = run(argv)
    assert status in (0, 2), (argv, status, err)
    assert "Traceback" not in err, (argv, err)
    if status == 2:
        lines = [line for line in err.splitlines() if line.startswith("jacobian-lab")]
        assert len(lines) == 1, (argv, err)
        assert os.listdir(workdir) == [], (argv, os.listdir(workdir))
