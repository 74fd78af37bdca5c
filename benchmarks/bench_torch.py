"""Torch bridge: dense Jacobian against a row-by-row autograd loop, dense eigenvalues, and ARPACK top-20.

1. Dense J of a 2.4k-parameter MLP GAN (two tanh MLPs of width 32, batch 256, 8 Gaussians):
   the bridge (vectorised reverse-over-reverse rows per player with the zero-sum shortcut,
   :mod:`jacobian_lab.torch_bridge.dense`) against two baselines measured in the same run: the field
   built with ``torch.autograd.grad(create_graph=True)`` and one ``torch.autograd.grad`` per row
   (goal: at least 5x faster), and ``torch.func.jacrev`` of the whole field with ``chunk_size=64``.
   Best of :data:`REPEATS` runs each; the matrices are compared.
2. ``scipy.linalg.eigvals`` of that J.
3. Top-20 eigenvalues (ARPACK, largest magnitude) of a game with over 1e5 parameters (width 224):
   goal under 30 s on 2 CPU cores.

Usage: ``python benchmarks/bench_torch.py [--threads N] [--device cuda]``. The machines are shared:
the load average is printed with the numbers.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import scipy.linalg
import torch

from jacobian_lab.torch_bridge.analysis import spectrum
from jacobian_lab.torch_bridge.dense import jacobian_torch
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.field import make_field

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default torch's)")
    parser.add_argument("--device", default=None, help="cpu or cuda (default cuda when available)")
    parser.add_argument("--skip-top-k", action="store_true")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, "
          f"load average {load:.1f}")
    dense_benchmark(args.device)
    if not args.skip_top_k:
        top_k_benchmark(args.device)


if __name__ == "__main__":
    main()
