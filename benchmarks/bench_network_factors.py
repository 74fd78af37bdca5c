"""Stability of the default network factors on MoG MLP GANs near a trained point (a report, not a timing).

For each network (8 and 25 Gaussians, widths 14 and 20, one seed each): the largest relative spread
of each default summary (kappa_0.9, phase angle phi_0.9, best-step rate on S_0.9) over rtol 1e-10..1e-4,
its relative float32 - float64 difference against the float32 noise floor, and the mean with a
90% bootstrap interval over 5 independent data batches at the same parameters; the paper's
conditioning factor over the same rtol range for contrast.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_network_factors.py [--fast]``
"""

from __future__ import annotations

import argparse

import torch
from threadpoolctl import threadpool_limits

import jacobian_lab as jl
from jacobian_lab.torch_bridge import validation as val
from jacobian_lab.torch_bridge.examples import mog_game, sample_mixture
from jacobian_lab.torch_bridge.training import train

KEYS = ("condition_factor", "phase_angle", "rate")


def network(mixture, width, size):
    """Trained as in the validation study (examples/torch_validation.py): Adam, then simultaneous GD, with R1 1."""
    game = mog_game(mixture, width=width, depth=size["depth"], batch=size["batch"], seed=11)
    for method, steps, lr in (("adam", size["adam"], 3e-3), ("simgd", size["gd"], 0.1)):
        train(game, steps, method=method, lr=lr, reg="r1", gamma=1.0, record_every=10**9, k=0, progress=False)
    return game


def report(mixture, width, size) -> str:
    game = network(mixture, width, size)
    s64 = jl.spectrum(game, progress=False)
    s32 = jl.spectrum(val.with_precision(game, torch.float32), progress=False)
    spread = val.rtol_spread(s64)
    floor = val.float32_noise_floor(s64, s32)
    a, b = s64.network.summary(), s32.network.summary()
    pool = sample_mixture(mixture, size["batches"] * size["batch"], seed=1000)
    batches = val.over_batches(game, pool, n_batches=size["batches"], keys=KEYS, progress=False)
    paper = [jl.Spectrum(s64.eigenvalues, rtol=r).paper_condition_factor for r in val.RTOLS]
    lines = [f"{mixture} width {width}: P = {game.n_params}, |v| = {s64.field_norm:.3g}, "
             f"n_null(f64) = {s64.network.n_null}, n_null(f32) = {s32.network.n_null}, m_0.9 = {a['n_dominant']}"]
    for key in KEYS:
        rel = abs(b[key] - a[key]) / abs(a[key])
        bar = batches.error_bars[key]
        lines.append(f"  {key:17s} {a[key]:10.4g}  rtol spread {spread[key]:.1e}  f32 diff {rel:.1e} "
                     f"(floor {floor:.1e})  batches {bar.mean:.4g} [{bar.low:.4g}, {bar.high:.4g}] (n={bar.n})")
    lines.append("  paper condition factor over rtol 1e-10..1e-4: " + ", ".join(f"{p:.3g}" for p in paper))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="one small network, few steps")
    args = parser.parse_args(argv)
    size = ({"depth": 1, "batch": 16, "adam": 20, "gd": 5, "batches": 2, "nets": (("mog8", 4),)} if args.fast else
            {"depth": 2, "batch": 32, "adam": 3000, "gd": 1000, "batches": 5,
             "nets": (("mog8", 14), ("mog8", 20), ("mog25", 14), ("mog25", 20))})
    torch.set_num_threads(1)
    with threadpool_limits(1):
        for mixture, width in size["nets"]:
            print(report(mixture, width, size), flush=True)


if __name__ == "__main__":
    main()
