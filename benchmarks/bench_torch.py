r"""Torch bridge: dense Jacobian against a row-by-row autograd loop, dense eigenvalues, and ARPACK top-20.

1. Dense J of a 2.4k-parameter MLP GAN (two tanh MLPs of width 32, batch 256, 8 Gaussians):
   the bridge (vectorised reverse-over-reverse rows per player with the zero-sum shortcut,
   :mod:`jacobian_lab.torch_bridge.dense`) against two baselines measured in the same run: the field
   built with ``torch.autograd.grad(create_graph=True)`` and one ``torch.autograd.grad`` per row
   (goal: at least 5x faster), and ``torch.func.jacrev`` of the whole field with ``chunk_size=64``.
   Best of :data:`REPEATS` runs each; the matrices are compared.
2. ``scipy.linalg.eigvals`` of that J.
3. Top-20 eigenvalues (ARPACK, largest magnitude) of a game with over 1e5 parameters (width 224):
   goal under 30 s on 2 CPU cores.
4. Products: one forward product :math:`Jt` by the double-vjp trick (the operator's) against
   ``torch.func.jvp`` (forward-over-reverse, the former route) and the reverse product :math:`J^\top u`.
5. The eigenvalues that matter, the 10 rightmost (LR) and the most rotational (LI), against the
   products of an LM top-10 in the same run, at P = 2.4k (checked against the dense spectrum) and
   P ~ 1e5: scipy's default LR (ncv = 2k+1) against the operator's route (ncv = 60), and LI in complex
   arithmetic (the former route) against LI on the real operator :math:`J^\top` (goal: under 10x
   the products of LM, agreeing with dense to 1e-6). The complex-arithmetic LI runs at 2.4k only, with
   ``--with-complex-li`` (tens of times the products of LM).

Usage: ``python benchmarks/bench_torch.py [--threads N] [--device cuda] [--fast] [--skip-large] [--routes-only]
[--with-complex-li]``.
``--fast`` runs tiny sizes (a smoke test for the test suite). The machines are shared: the load
average is printed with the numbers.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import scipy.linalg
import torch
from scipy.sparse.linalg import LinearOperator

from jacobian_lab.torch_bridge.analysis import spectrum
from jacobian_lab.torch_bridge.dense import jacobian_torch
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.field import make_field
from jacobian_lab.torch_bridge.operator import LR_NCV, most_rotational, operator, top_eigenvalues

REPEATS = 2


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - start


def _best(fn, repeats=REPEATS):
    """``(output, best wall time)`` over ``repeats`` runs."""
    runs = [_timed(fn) for _ in range(repeats)]
    return runs[0][0], min(t for _, t in runs)


def autograd_field(game, x):
    """``v(x)`` with a plain autograd graph (the baseline's way)."""
    n = game.n_theta
    l_g, l_d = game.losses(x[:n], x[n:])
    g_theta = torch.autograd.grad(l_g, x, create_graph=True)[0][:n]
    g_psi = torch.autograd.grad(l_d, x, create_graph=True)[0][n:]
    return -torch.cat([g_theta, g_psi])


def row_loop_jacobian(game):
    """Baseline: one ``torch.autograd.grad`` call per row of J."""
    x = game.parameters().requires_grad_(True)
    v = autograd_field(game, x)
    rows = [torch.autograd.grad(v[i], x, retain_graph=True)[0] for i in range(v.numel())]
    return torch.stack(rows).detach()


def jacrev_jacobian(game):
    """Second baseline: ``torch.func.jacrev`` of the whole field, 64 rows at a time."""
    return torch.func.jacrev(make_field(game), chunk_size=64)(game.parameters()).detach()


def dense_benchmark(device):
    game = mog_game("mog8", width=32, depth=2, batch=256, device=device)
    jacobian_torch(game)  # warm-up (first-call dispatch)
    bridge, t_bridge = _best(lambda: jacobian_torch(game))
    loop, t_loop = _best(lambda: row_loop_jacobian(game))
    rev, t_rev = _best(lambda: jacrev_jacobian(game))
    error = max(float((bridge - loop).abs().max()), float((bridge - rev).abs().max()))
    print(f"dense J, {game.n_params} parameters, batch 256, {game.dtype}, {game.device} (best of {REPEATS}):")
    print(f"  row-by-row autograd.grad loop  {t_loop:8.3f} s")
    print(f"  torch.func.jacrev, chunk 64    {t_rev:8.3f} s")
    print(f"  torch_bridge (vmap vjp rows)   {t_bridge:8.3f} s   speed-up {t_loop / t_bridge:5.1f}x over the loop "
          f"(goal >= 5x), {t_rev / t_bridge:4.1f}x over jacrev")
    print(f"  max |J_bridge - J_baselines|   {error:.2e}")
    matrix = bridge.cpu().numpy()
    _, t_eig = _timed(lambda: scipy.linalg.eigvals(matrix, check_finite=False))
    print(f"  scipy.linalg.eigvals of J      {t_eig:8.3f} s")


def top_k_benchmark(device, width=224, k=20):
    game = mog_game("mog8", width=width, depth=2, batch=256, device=device)
    s, t = _timed(lambda: spectrum(game, k=k, which="LM"))
    print(f"top-{k} (ARPACK LM), {game.n_params} parameters, batch 256, {game.device}:")
    print(f"  {t:8.3f} s, {s.info['n_matvec']} products (J^T u), "
          f"{s.info['n_converged']} converged (goal < 30 s on 2 cores)")
    print(f"  largest |lambda| = {np.abs(s.eigenvalues).max():.4g}")


class Complexified(LinearOperator):
    """Baseline (the former LI route): a real operator on complex vectors, two real products each."""

    def __init__(self, op):
        super().__init__(dtype=np.complex128, shape=op.shape)
        self.op = op

    def _matvec(self, t):
        t = np.ravel(t)
        return self.op.matvec(t.real) + 1j * self.op.matvec(t.imag)


def product_benchmark(game, repeats=20):
    """Seconds per forward product (double-vjp, and torch.func.jvp) and per reverse product: best of ``repeats``
    (a loaded machine adds whole scheduler time slices to single runs)."""
    op = operator(game)
    x, field = op.x, op.field
    t = torch.randn_like(x)
    op.forward(t), op.pullback(t)  # record the graphs
    _, t_fwd = _best(lambda: op.forward(t), repeats)
    _, t_rev = _best(lambda: op.pullback(t), repeats)
    _, t_jvp = _best(lambda: torch.func.jvp(field, (x,), (t,))[1], max(1, repeats // 2))
    error = float((op.forward(t) - torch.func.jvp(field, (x,), (t,))[1]).abs().max())
    print(f"  products at P = {game.n_params}: J t (double vjp) {1e3 * t_fwd:8.2f} ms   J^T u {1e3 * t_rev:8.2f} ms   "
          f"ratio {t_fwd / t_rev:4.2f} (goal <= 2)   former J t (jvp) {1e3 * t_jvp:8.2f} ms "
          f"({t_jvp / t_fwd:4.1f}x slower)   max difference {error:.1e}")


def _arpack_run(game, k, which, ncv=None, complex_li=False):
    op = operator(game)
    target = Complexified(op.H) if complex_li else op.H
    start = time.perf_counter()
    values, _, converged = top_eigenvalues(target, k, which, ncv=ncv, seed=game.seed, progress=False)
    products = op.n_matvec
    return values, products, time.perf_counter() - start, converged


def eigen_routes_benchmark(game, k=10, dense=None, complex_li=True):
    """The LR/LI table: products and seconds against LM top-k in the same run; errors against dense."""
    print(f"  {k} eigenvalues at P = {game.n_params} ({game.device}):")
    print(f"    {'route':44s} {'products':>9s} {'x LM':>6s} {'seconds':>8s}  {'error vs dense':>15s}")
    rows = [("LM top-k (baseline)", "LM", None, False),
            ("LR, scipy default ncv = 2k+1", "LR", 2 * k + 1, False),
            (f"LR, operator's route (ncv = {max(2 * k + 1, LR_NCV)})", "LR", None, False),
            ("LI, real operator J^T (operator's route)", "LI", None, False)]
    if complex_li:
        rows.append(("LI, complex arithmetic (former route)", "LI", None, True))
    base = None
    for label, which, ncv, cplx in rows:
        values, products, seconds, converged = _arpack_run(game, k, which, ncv, cplx)
        base = base or products
        error = "" if dense is None else f"{_error(values, dense, which, k):15.1e}"
        flag = "" if converged else "  (not converged)"
        print(f"    {label:44s} {products:9d} {products / base:6.1f} {seconds:8.2f}  {error}{flag}")
        if which == "LI" and not cplx:
            print(f"    {'  most rotational found':44s} {most_rotational(values):.6g}")


def _error(values, dense, which, k):
    """Max distance of the values found to the dense ones that ``which`` asks for."""
    if which == "LR":
        expected = dense[np.argsort(-dense.real, kind="stable")][:k]
        return float(np.abs(np.sort(values.real)[::-1] - expected.real).max()
                     + max(np.abs(dense - z).min() for z in values))
    return float(max(np.abs(dense - z).min() for z in values))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default torch's)")
    parser.add_argument("--device", default=None, help="cpu or cuda (default cuda when available)")
    parser.add_argument("--skip-top-k", action="store_true")
    parser.add_argument("--skip-large", action="store_true", help="no P ~ 1e5 runs")
    parser.add_argument("--fast", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--routes-only", action="store_true", help="only parts 4 and 5 (products, LR/LI table)")
    parser.add_argument("--with-complex-li", action="store_true",
                        help="also the former complex-arithmetic LI at P = 2.4k (tens of times the products of LM)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, "
          f"load average {load:.1f}")
    if torch.cuda.is_available():
        print(f"device: {torch.cuda.get_device_name()} (products on the device, ARPACK on the host)")
    small, large = (4, None) if args.fast else (32, 224)
    if not (args.fast or args.routes_only):
        dense_benchmark(args.device)
    if not (args.skip_top_k or args.fast or args.routes_only):
        top_k_benchmark(args.device)
    print("the eigenvalues that matter (matrix-free):")
    game = mog_game("mog8", width=small, depth=2, batch=64 if args.fast else 256, device=args.device)
    product_benchmark(game)
    dense = np.linalg.eigvals(jacobian_torch(game, progress=False).cpu().numpy())
    eigen_routes_benchmark(game, k=4 if args.fast else 10, dense=dense, complex_li=args.with_complex_li)
    if not (args.skip_large or args.fast):
        game = mog_game("mog8", width=large, depth=2, batch=256, device=args.device)
        product_benchmark(game, repeats=5)
        eigen_routes_benchmark(game, k=10, complex_li=False)


if __name__ == "__main__":
    main()
