"""The kernel cache runs only code it generated: private directory, files checked before use."""

import errno
import os
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import jacobian_lab as jl
from jacobian_lab.dynamics import kernel_cache, numba_backend
from jacobian_lab.errors import JacobianLabError
from jacobian_lab.schemes import make_scheme

pytest.importorskip("numba")

STARTS = np.array([[1.0, 1.0], [0.5, -2.0]])
ARGS = ("dirac", "r1", 0.5, "simgd")


def run(backend="numba"):
    return jl.simulate(*ARGS, steps=40, x0=STARTS, lr=0.1, backend=backend, progress=False).final


def forget(monkeypatch):
    """Forget the loaded kernels, as a new process would."""
    for name in [n for n in sys.modules if n.startswith("jl_kernels_")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(numba_backend, "_LOADED", {})
    monkeypatch.setattr(numba_backend, "_COMPILED", set())
    monkeypatch.setattr(kernel_cache, "_WARNED", set())


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A cache holding the compiled kernel of ARGS (compiled once for the module) and its result."""
    mp = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("template") / "kernels"
    mp.setenv("JACOBIAN_LAB_CACHE", str(cache))
    forget(mp)
    final = run()
    mp.undo()
    return cache, final


@pytest.fixture
def fresh(template, tmp_path, monkeypatch):
    """A copy of the compiled cache (numba's files stay valid: times are kept) in a process without kernels."""
    cache = tmp_path / "kernels"
    shutil.copytree(template[0], cache)
    monkeypatch.setenv("JACOBIAN_LAB_CACHE", str(cache))
    forget(monkeypatch)
    return cache


def files(cache, suffix):
    return sorted(cache.rglob(f"jl_kernels_*{suffix}"))


def load(monkeypatch):
    """Generate and import the kernel module of ARGS (without running it: no compile)."""
    forget(monkeypatch)
    rg = jl.regularized_game(*ARGS[:3])
    scheme = make_scheme(ARGS[3], len(rg.game.theta), rg.game.dim, lr=0.1)
    return numba_backend.load_kernels(rg, scheme)[0]


def test_created_private_and_refused_when_others_can_write(tmp_path, monkeypatch):
    cache = tmp_path / "new" / "kernels"
    monkeypatch.setenv("JACOBIAN_LAB_CACHE", str(cache))
    assert kernel_cache.kernel_dir() == cache and cache.stat().st_mode & 0o777 == 0o700
    cache.chmod(0o777)  # e.g. a shared folder: anybody could plant a kernel in it
    with pytest.raises(JacobianLabError, match="writable by group and others"):
        kernel_cache.kernel_dir()


@pytest.mark.skipif(os.getuid() != 0, reason="chown to another user needs root")
def test_refused_when_owned_by_another_user(tmp_path, monkeypatch):
    planted = tmp_path / "theirs"
    planted.mkdir(mode=0o700)
    os.chown(planted, 65534, 65534)
    monkeypatch.setenv("JACOBIAN_LAB_CACHE", str(planted))
    with pytest.raises(JacobianLabError, match="owned by uid 65534"):
        kernel_cache.kernel_dir()


def test_default_location_follows_xdg_and_falls_back_to_a_private_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("JACOBIAN_LAB_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(kernel_cache, "_WARNED", set())
    assert kernel_cache.kernel_dir() == tmp_path / "xdg" / "jacobian_lab" / "kernels"
    (tmp_path / "xdg" / "jacobian_lab" / "kernels").chmod(0o777)
    monkeypatch.setattr(kernel_cache, "fallback_dir", lambda: tmp_path / "fallback")
    with pytest.warns(RuntimeWarning, match="writable by group and others"):
        assert kernel_cache.kernel_dir() == tmp_path / "fallback"
    assert (tmp_path / "fallback").stat().st_mode & 0o777 == 0o700
    (tmp_path / "fallback").chmod(0o757)  # a fallback pre-created by someone else is refused the same way
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert kernel_cache.kernel_dir() is None
    assert "writable by others" in str(caught[-2].message) and "in memory" in str(caught[-1].message)


def test_planted_or_truncated_module_is_replaced_never_executed(fresh, monkeypatch, tmp_path):
    (module,) = files(fresh, ".py")
    source = module.read_text()
    marker = tmp_path / "pwned"
    module.write_text(f"open({str(marker)!r}, 'w').close()\n" + source)
    assert load(monkeypatch).run is not None and not marker.exists()
    assert module.read_text() == source
    module.write_text(source[: source.rindex("\n", 0, len(source) // 2) + 1])  # cut at a line boundary
    load(monkeypatch)
    assert module.read_text() == source


def test_damaged_compiled_files_are_deleted_and_rebuilt(fresh, template, monkeypatch):
    (nbi,) = files(fresh, ".nbi")
    (nbc,) = files(fresh, ".nbc")
    nbc.write_bytes(bytes(b ^ 0x5A for b in nbc.read_bytes()))  # garbled: numba would crash on it
    nbi.write_bytes(nbi.read_bytes()[:100])  # truncated: an UnpicklingError on every run
    np.testing.assert_allclose(run(), template[1], rtol=1e-12)
    manifest = kernel_cache._read_manifest(files(fresh, ".sha256")[0])
    assert manifest == {p.name: kernel_cache.sha256(p) for p in (nbi, nbc)}


def test_unwritable_cache_compiles_in_memory(tmp_path, template, monkeypatch):
    monkeypatch.setenv("JACOBIAN_LAB_CACHE", str(tmp_path / "kernels"))
    forget(monkeypatch)

    def full(path, write):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(kernel_cache, "atomic_write", full)
    with pytest.warns(RuntimeWarning, match="No space left on device"):
        np.testing.assert_allclose(run(), template[1], rtol=1e-12)
    assert files(tmp_path / "kernels", ".py") == []
    np.testing.assert_allclose(template[1], run("numpy"), rtol=1e-12)


def test_numba_failing_to_save_keeps_the_kernel_in_memory(fresh):
    calls = []

    def call():
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")

    module = type(sys)("jl_kernels_none")
    module.__file__ = str(Path(fresh) / "absent.py")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kernel_cache.compile_kernel(module, call)
    assert len(calls) == 2 and "No space left" in str(caught[0].message)
