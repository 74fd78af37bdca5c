"""Re-run the hardening audit's examples (bad input, numerical edge cases, faults, attacks) and count.

Each case runs in a fresh process, in an empty folder, with its own kernel cache, a 6 GiB address-space
limit and a time limit. A CLI case holds when it exits 0 or 2 as expected, prints at most one line on
stderr, no traceback, and leaves no file behind; a Python case holds when it prints ``OK``.

    python benchmarks/audit_hardening.py            # all cases, counts per category
    python benchmarks/audit_hardening.py --fast     # a few cases
    PYTHONPATH=/path/to/other/checkout python benchmarks/audit_hardening.py   # audit another version
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from pathlib import Path

TIMEOUT = 40
MEMORY = 6 * 2**30

CLI = "import sys; from jacobian_lab.cli import main; sys.exit(main(sys.argv[1:]))"
CATCH = """
import jacobian_lab as jl
def refused(call):
    try:
        call()
    except jl.JacobianLabError:
        return True
    except Exception as error:
        print(type(error).__name__, error)
        return False
    print("accepted")
    return False
"""


def cli(category, *argv, ok=(2,), setup="", files=()):
    """A command line that must exit with one of ``ok`` (one line on stderr, nothing left behind)."""
    return {"category": category, "label": "jacobian-lab " + " ".join(argv), "argv": list(argv), "ok": ok,
            "setup": setup, "files": list(files)}


def py(category, label, code, prefix=""):
    """Python code that prints OK when the case holds (``prefix``: shared set-up code)."""
    return {"category": category, "label": label, "code": CATCH + prefix + textwrap.dedent(code)}


def api(category, call):
    """A Python call that must raise a JacobianLabError."""
    return py(category, call, f"print('OK' if refused(lambda: {call}) else 'FAIL')")


PLANT = """
import os, pathlib
cache = pathlib.Path(os.environ['JACOBIAN_LAB_CACHE'])
"""
RUN_KERNEL = """
import numpy as np
def run():
    return jl.simulate("dirac", "r1", 0.5, "simgd", steps=40, x0=[[1.0, 1.0]], lr=0.1, backend="numba",
                       progress=False).final[0]
"""
DAMAGE = CATCH + RUN_KERNEL + PLANT + """
import subprocess, sys
expected = run()
module = sorted(cache.glob("jl_kernels_*.py"))[0]
files = {p.suffix: p for p in cache.rglob("jl_kernels_*") if p.suffix in (".nbi", ".nbc")}
{damage}
code = "import jacobian_lab as jl; print(*jl.simulate('dirac', 'r1', 0.5, 'simgd', steps=40, x0=[[1.0, 1.0]], " \\
       "lr=0.1, backend='numba', progress=False).final[0])"
out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
got = [float(t) for t in out.stdout.split()] if out.returncode == 0 else None
print("OK" if got is not None and np.allclose(got, expected, rtol=1e-12) else f"FAIL rc={out.returncode} {got}")
"""


def cases():
    c = []
    # -- the five critical defects --------------------------------------------------------------
    c.append(py("critical: cache code execution", "world-writable $JACOBIAN_LAB_CACHE with a planted kernel",
                """
        run()
        module = sorted(cache.glob("jl_kernels_*.py"))[0]
        marker = pathlib.Path("planted_ran")
        module.write_text(f"open({str(marker.resolve())!r}, 'w').close()\\n" + module.read_text())
        cache.chmod(0o777)
        import subprocess, sys
        out = subprocess.run([sys.executable, "-c", "import jacobian_lab as jl; jl.simulate('dirac', 'r1', 0.5, "
                              "'simgd', steps=40, lr=0.1, backend='numba', progress=False)"], capture_output=True)
        print("OK" if not marker.exists() and out.returncode != 0 else "FAIL")
        marker.unlink(missing_ok=True)
        """, prefix=RUN_KERNEL + PLANT))
    c.append(py("critical: cache code execution", "kernel cache owned by another user", """
        cache.mkdir(mode=0o700, exist_ok=True)
        os.chown(cache, 65534, 65534)
        from jacobian_lab.dynamics import numba_backend
        print("OK" if refused(numba_backend.cache_dir) else "FAIL")
        """, prefix=PLANT))
    for label, damage in [
        ("kernel .py cut at a line boundary", "s = module.read_text(); module.write_text(s[:s.index('def run')])"),
        ("kernel .py cut mid-line", "s = module.read_text(); module.write_text(s[:len(s) // 2])"),
        ("truncated .nbc", "files['.nbc'].write_bytes(files['.nbc'].read_bytes()[:200])"),
        ("truncated .nbi", "files['.nbi'].write_bytes(files['.nbi'].read_bytes()[:50])"),
        ("garbled .nbc", "b = bytearray(files['.nbc'].read_bytes()); b[len(b) // 3:len(b) // 3 + 4000] = bytes(4000); "
                         "files['.nbc'].write_bytes(bytes(b))"),
    ]:
        c.append({"category": "critical: cache not checked", "label": label,
                  "code": DAMAGE.replace("{damage}", damage)})
    c.append(py("critical: numbers snapped", "analyze --reg r1 --gamma 1.00000002: eigenvalues split by 1e-4", """
        s = jl.spectrum("dirac", reg="r1", gamma=1.00000002)
        print("OK" if abs(s.eigenvalues[0] - s.eigenvalues[1]) > 1e-4 and not s.defective else "FAIL")
        """))
    c.append(py("critical: numbers snapped", "spectrum(at=) and jacobian(at=) agree near 1/2", """
        import numpy as np
        at = [0.5 + 3e-9, -0.25]
        a = jl.spectrum("dirac", reg="r1", gamma=0.5, at=at).jacobian
        b = jl.jacobian("dirac", reg="r1", gamma=0.5, at=at)
        print("OK" if np.allclose(a, b, rtol=1e-14, atol=0) else "FAIL")
        """))
    c.append(py("critical: repeated regularizer", "--reg r1=1,r1=2 adds strengths (J22 = -3)", """
        import numpy as np
        j = jl.jacobian("dirac", reg=[("r1", 1), ("r1", 2)])
        print("OK" if np.isclose(j[1, 1], -3) else f"FAIL {j[1, 1]}")
        """))
    c.append(py("critical: repeated regularizer", "reg=[('jare', 1), ('jare', 0)] keeps JARE", """
        import numpy as np
        print("OK" if np.allclose(jl.jacobian("dirac", reg=[("jare", 1), ("jare", 0)]), jl.jacobian("dirac", reg="jare",
              gamma=1)) else "FAIL")
        """))
    attack = "__import__('pathlib').Path('pwned').touch() or x*y"
    c.append(py("critical: custom strings evaluated", "CustomGame(...).spectrum with code in the loss", f"""
        import pathlib
        refused(lambda: jl.spectrum(jl.CustomGame(["x"], ["y"], {attack!r}, equilibrium=[0, 0])))
        print("OK" if not pathlib.Path("pwned").exists() else "FAIL")
        """))
    c.append(py("critical: custom strings evaluated", "derive with code in the loss", f"""
        import pathlib
        refused(lambda: jl.derive(jl.CustomGame(["x"], ["y"], "x*y", {attack!r}, equilibrium=[0, 0]), "r1"))
        print("OK" if not pathlib.Path("pwned").exists() else "FAIL")
        """))
    # -- sizes -------------------------------------------------------------------------------------
    sizes = "sizes with no bound"
    c += [cli(sizes, "analyze", "--param", "dim=100000"),
          cli(sizes, "analyze", "--scheme", "altgd", "--n-d", "1000000000"),
          cli(sizes, "sweep", "--gammas", "0,1,100000000"),
          cli(sizes, "eigenpath", "--num", "100000000", "-o", "p.png"),
          cli(sizes, "eigenpath", "--num", "1e8", "-o", "p.png"),
          cli(sizes, "portrait", "--steps", "100000000", "-o", "p.png"),
          cli(sizes, "simulate", "--steps", "10000000000", "--backend", "numpy"),
          cli(sizes, "simulate", "--grid", "100000x100000"),
          cli(sizes, "sweep", "--jobs", "100000", "--gammas", "0,1,3", "--lrs", "0.1,0.2,2", ok=(0, 2)),
          cli(sizes, "sweep", "--workers", "100000", "--gammas", "0,1,3", "--lrs", "0.1,0.2,2", ok=(0, 2))]
    # -- tracebacks ------------------------------------------------------------------------------
    tb = "tracebacks instead of one line"
    c += [cli(tb, "simulate", "--out", "d.npz", setup="os.mkdir('d.npz')", files=["d.npz"]),
          cli(tb, "sweep", "--gammas", "0,1,3", "--lrs", "0.1,0.2,2", "--out", "d.npz", setup="os.mkdir('d.npz')",
              files=["d.npz"]),
          cli(tb, "portrait", "-o", "d.png", setup="os.mkdir('d.png')", files=["d.png"]),
          cli(tb, "portrait", "--extent", "1,0,0,1", "-o", "p.png"),
          cli(tb, "portrait", "--extent", "nan,1,0,1", "-o", "p.png"),
          cli(tb, "simulate", "--seed", "-1", "--noise", "0.1"),
          cli(tb, "simulate", "--scheme", "cgd", "--lr", "1e308"),
          cli(tb, "analyze", "--scheme", "cgd", "--lr", "1e308"),
          cli(tb, "spectrum", "--example", "mog8", "--reg", "instance-noise", "--gamma", "1e308"),
          cli(tb, "spectrum", "f.py:make",
              setup="open('f.py', 'w').write('def make():\\n    raise RuntimeError(1)\\n')",
              files=["f.py"]),
          cli(tb, "spectrum", "f.py:make", setup="open('f.py', 'w').write('def make(:\\n')", files=["f.py"]),
          cli(tb, "spectrum", "f.py:make", setup="open('f.py', 'w').write('import nonexistent_module_xyz\\n')",
              files=["f.py"]),
          cli(tb, "spectrum", "f.py:make", setup="open('f.py', 'w').write('import sys\\nsys.exit(0)\\n')",
              files=["f.py"])]
    c.append(py(tb, "full disk for the output (simulate --out)", """
        import errno, numpy as np, jacobian_lab._io as io
        from jacobian_lab.cli import main
        def full(*a, **k):
            raise OSError(errno.ENOSPC, "No space left on device")
        np.savez = full
        import contextlib, io as sio
        err = sio.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                rc = main(["simulate", "--out", "r.npz"])
        except BaseException as error:
            rc = repr(error)
        import os
        print("OK" if rc == 2 and not [f for f in os.listdir('.') if 'npz' in f] else f"FAIL {rc}")
        """))
    # -- values silently dropped or ignored ----------------------------------------------------------
    dropped = "values silently dropped"
    c += [cli(dropped, "analyze", "--model", "gaussian", "--param", "mean=0,2;1,3"),
          cli(dropped, "analyze", "--reg", "none", "--gamma", "2"),
          cli(dropped, "simulate", "--grid", "3x3", "--x0", "1,1"),
          cli(dropped, "sweep", "--lr", "0.5", "--gammas", "0,1,3", "--lrs", "0.1,0.2,2"),
          cli(dropped, "sweep", "--jobs", "-1", "--gammas", "0,1,3", "--lrs", "0.1,0.2,2"),
          cli(dropped, "sweep", "--workers", "-1", "--gammas", "0,1,3", "--lrs", "0.1,0.2,2"),
          cli(dropped, "portrait", "--model", "gaussian", "--slice", "0,1.5", "-o", "p.png"),
          cli(dropped, "eigenpath", "--num", "0", "-o", "p.png"),
          cli(dropped, "eigenpath", "--marks", "-1", "-o", "p.png"),
          cli(dropped, "portrait", "--extent", "-3,3,-3,3", "--steps", "10", "-o", "p.png", ok=(0,), files=["p.png"]),
          cli(dropped, "portrait", "--x0", "-1,1", "--steps", "10", "-o", "p.png", ok=(0,), files=["p.png"]),
          cli(dropped, "analyze", "--at", "-0.5,0.2", ok=(0,))]
    # -- API errors ----------------------------------------------------------------------------------
    a = "API errors not JacobianLabError"
    c += [api(a, 'jl.spectrum("dirac", reg=5)'), api(a, 'jl.spectrum("dirac", reg=[("r1",)])'),
          api(a, 'jl.spectrum("dirac", rtol="x")'), api(a, 'jl.spectrum("dirac", rtol=None)'),
          api(a, 'jl.spectrum("gaussian", mean={"a": 1})'), api(a, 'jl.spectrum("gaussian", sigma=True)'),
          api(a, 'jl.simulate("dirac", noise="x")'), api(a, 'jl.simulate("dirac", noise=0.1, seed="abc")'),
          api(a, 'jl.convergence_map("dirac", grid=(10,))'),
          api(a, 'jl.sweep("dirac", "r1", [0, 1], [0.1], n_jobs="x")'),
          api(a, 'jl.sweep("dirac", "r1", [0, 1], [0.1], workers="x")'),
          api(a, 'jl.CustomGame(["x"], ["y"], "x*(y")'), api(a, 'jl.CustomGame(["x"], ["y"], None)')]
    c.append(py(a, "custom torch loss returning the wrong shape", """
        import torch
        from jacobian_lab.torch_bridge import TorchGame
        torch.manual_seed(0)
        G, D = torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)
        def build():
            game = TorchGame(G, D, real=torch.randn(8, 1), latent=torch.randn(8, 1),
                             loss=lambda d_real, d_fake: (d_real - d_fake, d_fake))
            return game.jacobian()
        print("OK" if refused(build) else "FAIL")
        """))
    # -- TorchGame shapes -----------------------------------------------------------------------
    t = "TorchGame accepts what it cannot use"
    for label, g, d, real, latent in [
            ("discriminator with 2 outputs", "Linear(2, 2)", "Linear(2, 2)", "(16, 2)", "(16, 2)"),
            ("real (4,2,2) vs fakes (16,2)", "Linear(2, 2)", "Linear(2, 1)", "(4, 2, 2)", "(16, 2)"),
            ("G of the wrong dimension", "Linear(2, 3)", "Linear(2, 1)", "(16, 2)", "(16, 2)"),
            ("latent of the wrong rank", "Linear(2, 2)", "Linear(2, 1)", "(16, 2)", "(16,)")]:
        c.append(py(t, label, f"""
            import torch
            from jacobian_lab.torch_bridge import TorchGame
            print("OK" if refused(lambda: TorchGame(torch.nn.{g}, torch.nn.{d}, real=torch.randn{real},
                                                    latent=torch.randn{latent})) else "FAIL")
            """))
    # -- numerics --------------------------------------------------------------------------------
    n = "numerics"
    for gamma in ("1e100", "1e308"):
        c.append(py(n, f'spectrum("dirac", reg="r1", gamma={gamma}): negative eigenvalues', f"""
            s = jl.spectrum("dirac", reg="r1", gamma={gamma})
            small = min(s.eigenvalues, key=abs)
            good = small.real < 0 and abs(small.real * {gamma} / -0.25 - 1) < 1e-6
            print("OK" if good else f"FAIL {{s.eigenvalues}}")
            """))
    for x0 in ("1e154", "1e200"):
        c.append(py(n, f"numpy backend from x0={x0}: flags divergence", f"""
            t = jl.simulate("gaussian", "r1", 0.5, "extragradient", x0=[[{x0}, 1.0, 1.0, 1.0]], backend="numpy",
                            steps=10, progress=False)
            print("OK" if t.diverged[0] else "FAIL")
            """))
    c.append(api(n, 'jl.spectrum(jl.CustomGame(["x"], ["y"], "Abs(x)*y", equilibrium=[0, 0]))'))
    c.append(py(n, "optimal step at a nilpotent update map: 2 iterations", """
        import numpy as np
        from jacobian_lab.spectra.steps import optimal_step
        step = jl.spectrum("dirac", reg="r1", gamma=1.0).optimal_step()
        print("OK" if step.rate == 0 and step.iterations == 2 else f"FAIL rate={step.rate} it={step.iterations}")
        """))
    # -- faults ----------------------------------------------------------------------------------
    f = "faults"
    for base in ("r.npz", "p.png"):
        c.append(py(f, f"kill -9 while writing {base}, then a normal write: no hidden partial files", f"""
            import os, subprocess, sys
            from jacobian_lab._io import atomic_write
            killed = ("import os, signal; from jacobian_lab._io import atomic_write\\n"
                      "def write(tmp):\\n    open(tmp, 'w').write('partial')\\n"
                      "    os.kill(os.getpid(), signal.SIGKILL)\\n"
                      "atomic_write({base!r}, write)")
            assert subprocess.run([sys.executable, "-c", killed]).returncode == -9
            atomic_write({base!r}, lambda p: open(p, "w").write("whole"))
            left = [x for x in os.listdir(".") if x.startswith(".")]
            print("OK" if not left else f"FAIL {{left}}")
            """))
    c.append(py(f, "read-only empty cache: compiles in memory", """
        import errno, tempfile
        make = tempfile.mkstemp
        def readonly(*args, dir=None, **kwargs):  # nothing can be created in the cache
            if dir is not None and str(dir).startswith(str(cache)):
                raise OSError(errno.EROFS, "Read-only file system")
            return make(*args, dir=dir, **kwargs)
        tempfile.mkstemp = readonly
        import warnings
        warnings.simplefilter("ignore")
        try:
            run()
            print("OK")
        except Exception as error:
            print("FAIL", error)
        """, prefix=PLANT + RUN_KERNEL))
    c.append(py("determinism", "with gradient noise, a start's path does not depend on another diverging", """
        import numpy as np
        a = jl.simulate("dirac", "r1", 0.5, x0=[[1, 1], [0.5, 0.5]], noise=0.01, seed=3, steps=50, backend="numpy",
                        progress=False)
        b = jl.simulate("dirac", "r1", 0.5, x0=[[1e5, 1e5], [0.5, 0.5]], noise=0.01, seed=3, steps=50,
                        backend="numpy", bound=1e3, progress=False)
        print("OK" if np.array_equal(a.final[1], b.final[1]) and b.diverged[0] else "FAIL")
        """))
    # -- JSON --------------------------------------------------------------------------------------
    j = "JSON"
    c.append(py(j, "analyze --json: non-finite factors are numbers or null, never strings", """
        import contextlib, io, json
        from jacobian_lab.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["analyze", "--json"])
        d = json.loads(out.getvalue())
        bad = [k for k, v in d.items() if isinstance(v, str) and v in ("inf", "nan", "-inf")]
        print("OK" if not bad else f"FAIL {bad}")
        """))
    c.append(py(j, "sweep --json keys are numbers, not 0.6000000000000001", """
        import contextlib, io, json
        from jacobian_lab.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["sweep", "--gammas", "0,1.2,3", "--lrs", "0.1,0.2,2", "--json"])
        text = out.getvalue()
        print("OK" if "0000000001" not in text else "FAIL")
        """))
    return c


def run_case(case, python_path=None):
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "JACOBIAN_LAB_CACHE": str(Path(work) / "cache"), "MPLBACKEND": "Agg",
               "PYTHONWARNINGS": "ignore"}
        if python_path:
            env["PYTHONPATH"] = python_path
        cwd = Path(work) / "cwd"
        cwd.mkdir()
        if "argv" in case:
            code = f"import os\n{case['setup']}\n{CLI}"
            args = [sys.executable, "-c", code, *case["argv"]]
        else:
            args = [sys.executable, "-c", case["code"]]

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

        try:
            out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                                 preexec_fn=limit)
        except subprocess.TimeoutExpired:
            return False, f"no answer within {TIMEOUT} s"
        left = sorted(set(os.listdir(cwd)) - set(case.get("files", ())))
        if "argv" in case:
            lines = [line for line in out.stderr.splitlines() if line.strip() and "Warning" not in line
                     and not line.startswith("  ")]
            ok = out.returncode in case["ok"] and len(lines) <= 1 and "Traceback" not in out.stderr and not left
            return ok, f"exit {out.returncode}, stderr {out.stderr.strip()[-200:]!r}, left {left}"
        ok = out.stdout.strip().endswith("OK") and out.returncode == 0
        return ok, (out.stdout.strip() + " " + out.stderr.strip()[-300:])[-300:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="a few cases only")
    parser.add_argument("--json", default=None, help="write the results to this file")
    parser.add_argument("--only", default=None, help="cases whose category or label contains this text")
    args = parser.parse_args(argv)
    chosen = cases()
    if args.only:
        chosen = [c for c in chosen if args.only in c["category"] or args.only in c["label"]]
    if args.fast:
        chosen = chosen[7:9] + [c for c in chosen if c["category"] == "values silently dropped"][:2]
    held, failed, results = Counter(), Counter(), []
    for case in chosen:
        ok, detail = run_case(case)
        (held if ok else failed)[case["category"]] += 1
        results.append({"category": case["category"], "label": case["label"], "held": ok, "detail": detail})
        print(f"{'held' if ok else 'FAILED':7s} {case['category']:38s} {case['label'][:90]}", flush=True)
        if not ok:
            print(f"        {detail}", flush=True)
    print(f"\n{'category':40s} held  failed")
    for category in dict.fromkeys(c["category"] for c in chosen):
        print(f"{category:40s} {held[category]:4d}  {failed[category]:6d}")
    print(f"{'total':40s} {sum(held.values()):4d}  {sum(failed.values()):6d}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
