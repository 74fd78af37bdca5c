"""``jacobian-lab portrait / eigenpath / gallery`` in process, and every gallery script (fast)."""

import importlib.util
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from jacobian_lab.cli import main  # noqa: E402
from jacobian_lab.cli.figures import EXAMPLES, gallery_scripts  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_portrait_png(tmp_path, capsys):
    out = tmp_path / "portrait.png"
    argv = ["portrait", "--model", "dirac", "--reg", "jare", "--gamma", "1", "--scheme", "simgd",
            "--lr", "0.2", "--steps", "30", "-o", str(out)]
    assert main(argv) == 0
    assert out.read_bytes().startswith(b"\x89PNG") and str(out) in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["portrait.png"]  # no temporary left


def test_portrait_of_a_slice_as_pdf(tmp_path):
    out = tmp_path / "slice.pdf"
    argv = ["portrait", "--model", "gaussian", "--reg", "jare", "--slice", "1,3", "--steps", "10",
            "--x0", "1.5,0.5", "--lr", "0.05", "-o", str(out)]
    assert main(argv) == 0 and out.read_bytes().startswith(b"%PDF")


def test_eigenpath_svg(tmp_path):
    out = tmp_path / "path.svg"
    assert main(["eigenpath", "--model", "dirac", "--reg", "r1", "--gamma-max", "2", "--num", "21",
                 "--marks", "0.5", "-o", str(out)]) == 0
    assert b"<svg" in out.read_bytes()[:400]


@pytest.mark.parametrize("argv", [
    ["portrait", "-o", "{tmp}/figure.jpg"],
    ["eigenpath", "-o", "{tmp}/figure"],
    ["portrait", "-o", "{tmp}/missing/figure.png"],
    ["eigenpath", "--reg", "r1", "--gamma", "1", "-o", "{tmp}/figure.png"],
    ["portrait", "--x0", "1,2,3", "-o", "{tmp}/figure.png"],
])
def test_bad_output_or_arguments_exit_2_and_write_nothing(tmp_path, capsys, argv):
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("jacobian-lab: error:") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory_exit_2(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["portrait", "-o", str(locked / "p.png")]) == 2
        assert "not writable" in capsys.readouterr().err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_unwritable_path_exit_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["eigenpath", "-o", str(blocker / "p.png")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert main(["gallery", "--fast", "-o", str(blocker / "sub")]) == 2


def test_gallery_command_runs_one_script(tmp_path):
    out = tmp_path / "gallery"
    assert main(["gallery", "--fast", "--only", "r1_path", "-o", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["r1_path.png"]
    assert main(["gallery", "--only", "nope", "-o", str(out)]) == 2


def test_gallery_has_the_seven_figures():
    assert sorted(gallery_scripts()) == ["bilinear_schemes", "continuation", "dirac_methods", "gaussian_factors",
                                         "r1_path", "step_size_maps", "transient_growth"]


SCRIPTS = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("torch_"))


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_scripts_run_fast(tmp_path, name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path, fast=True)
    assert written and all(p.exists() and p.stat().st_size > 1000 for p in written)
