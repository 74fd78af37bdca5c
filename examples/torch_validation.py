"""
Validating the theory on MLP GANs
=================================

The papers' claims about regularizers, tested on real networks with the well-posed factors of
:mod:`jacobian_lab.spectra.robust`, side by side with the toy games' predictions.

MLP GANs (two tanh layers of 14 or 20 units per player, 549 or 1023 parameters) on 8 and 25
Gaussians, 5 seeds each, are trained towards an equilibrium (Adam, then simultaneous GD, both with R1
of strength 1), and how near the point is to rest in its dominant modes is measured. At that point the
dense spectrum of every regularized field is taken: unregularized, consensus, JARE, grad-g, grad-d, R1
and zero-GP (and, for an MLP WGAN, the soft orthogonal penalty and WGAN-GP). For each we report the
conditioning factor :math:`\\kappa_{0.9}`, the phase angle :math:`\\varphi_{0.9}`, the best-step rate on
the dominant eigenvalues, the players' curvature and the interaction, with bootstrap error bars across
seeds; the rate predicted for the binding eigenvalue against the contraction of training restarted
from small perturbations; and a perturbation in the dominant modes under unregularized and R1
simultaneous GD. Claims tested: Nie & Patel 2019 (JARE lowers both factors; consensus lowers the phase
factor and raises the conditioning factor; grad-g and grad-d each help one factor), Mescheder et al.
2018 (R1 converges where unregularized GD does not) and Mescheder et al. 2017 (consensus pulls
eigenvalues left).

Regenerate (9 minutes on two cores)::

    OMP_NUM_THREADS=1 python examples/torch_validation.py          # full study, into docs/gallery
    OMP_NUM_THREADS=1 python examples/torch_validation.py --fast   # seconds, small networks
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

import jacobian_lab as jl
from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.io import gallery_fast
from jacobian_lab.plotting.style import style_context
from jacobian_lab.spectra.uncertainty import error_bar
from jacobian_lab.torch_bridge import validation as val
from jacobian_lab.torch_bridge.equilibrium import realizable_equilibrium
from jacobian_lab.torch_bridge.examples import mog_game
from jacobian_lab.torch_bridge.training import train

#: (label, regularizer, strength) of the GAN study: gradient-norm penalties at 0.1, input-gradient ones at 1.
METHODS = (("none", None, None), ("consensus", "consensus", 0.1), ("jare", "jare", 0.1),
           ("grad-g", "grad-g", 0.1), ("grad-d", "grad-d", 0.1), ("r1", "r1", 1.0), ("zero-gp", "zero-gp", 1.0))
#: The WGAN study: an MLP critic, no penalty, the soft orthogonal penalty, WGAN-GP.
WGAN_METHODS = (("none", None, None), ("orthogonal", "orthogonal", 0.1), ("wgan-gp", "wgan-gp", 1.0))
#: One colour per method (Okabe-Ito), the same in every figure.
COLORS = {"none": "#000000", "consensus": "#D55E00", "jare": "#0072B2", "grad-g": "#009E73", "grad-d": "#E69F00",
          "r1": "#CC79A7", "zero-gp": "#56B4E9", "orthogonal": "#0072B2", "wgan-gp": "#009E73"}
#: Strength of every regularizer in the toy predictions (Nie & Patel's Gaussian game, the Dirac-GAN).
TOY_GAMMA = 1.0
FULL = {"mixtures": ("mog8", "mog25"), "widths": (14, 20), "seeds": 5, "depth": 2, "batch": 32,
        "adam": 3000, "gd": 1000, "restart": 25, "run_on": 150, "wgan_seeds": 5, "wgan_adam": 400, "wgan_gd": 100}
FAST = {"mixtures": ("mog8",), "widths": (6,), "seeds": 2, "depth": 1, "batch": 8,
        "adam": 20, "gd": 5, "restart": 4, "run_on": 6, "wgan_seeds": 2, "wgan_adam": 20, "wgan_gd": 5}
#: Base training: Adam (lr) then simultaneous GD (lr), both with R1 of this strength; the WGAN's GD step.
BASE = {"adam_lr": 3e-3, "gd_lr": 0.1, "r1": 1.0, "wgan_gd_lr": 0.05}
#: Simultaneous GD step of the perturbation experiment (unregularized against R1).
RUN_ON_LR = 0.05
#: Relative size of the perturbation in the dominant modes.
RUN_ON_SIZE = 1e-4


# -- the networks at a near-equilibrium --------------------------------------------------------
def base_game(mixture, width, seed, size, loss="gan", reg="r1", gamma=BASE["r1"], wgan=False):
    """An MLP GAN trained towards an equilibrium: Adam, then simultaneous GD, both with ``reg``."""
    game = mog_game(mixture, width=width, depth=size["depth"], batch=size["batch"], loss=loss, seed=seed)
    adam, gd = (size["wgan_adam"], size["wgan_gd"]) if wgan else (size["adam"], size["gd"])
    train(game, adam, method="adam", lr=BASE["adam_lr"], reg=reg, gamma=gamma, record_every=10**9, k=0,
          progress=False)
    train(game, gd, method="simgd", lr=BASE["wgan_gd_lr" if wgan else "gd_lr"], reg=reg, gamma=gamma,
          record_every=10**9, k=0, progress=False)
    return game


def analyse(game, reg, gamma, modes=False, at=None) -> tuple:
    """``(spectrum, row)``: the dense spectrum and its summaries, block extremes included; with
    ``modes``, how far the dominant modes are from rest (:func:`.validation.fast_residual`)."""
    s = jl.spectrum(game, reg=reg, gamma=gamma, at=at, progress=False)
    row = {k: _num(v) for k, v in val.summaries(s).items()}
    row["stability"] = s.stability
    if modes:
        rest = val.fast_residual(s.jacobian, game.field(reg, gamma, at=s.point), s.network.dominant)
        row.update(fast_share=rest["fast_share"], fast_distance=rest["fast_distance"])
    blocks = s.blocks().summary()
    row.update(h_gen_min=blocks["hessian_generator"][0], h_gen_max=blocks["hessian_generator"][1],
               h_dis_min=blocks["hessian_discriminator"][0], h_dis_max=blocks["hessian_discriminator"][1],
               interaction=blocks["interaction_theta_psi"], n_params=game.n_params)
    return s, row


def restart(game, s, reg, gamma, n_steps) -> dict:
    """Predicted rate for the binding dominant eigenvalue against restarted training along it."""
    f = s.network
    step = f.rate.step if f.rate is not None and f.rate.rate < 1 else 0.5 / s.spectral_radius
    lam = s.eigenvalues[np.argsort(-np.abs(s.eigenvalues), kind="stable")][:f.dominant]
    binding, u = val.binding_mode(s.jacobian, lam, step)
    ratios = val.contraction(game, reg, gamma, s.point, u, step, n_steps, size=1e-5)
    return {"step": step, "predicted": val.predicted_rate(binding, step), "measured": val.measured_rate(ratios)}


def perturbed(game, reg, gamma, direction, n_steps, at=None) -> list:
    """:math:`\\|d_k\\| / \\|d_0\\|` of simultaneous GD with ``reg`` (step :data:`RUN_ON_LR`) from the point
    displaced along ``direction`` against the run from the point itself."""
    ratios = val.contraction(game, reg, gamma, game.point(at), direction, RUN_ON_LR, n_steps, size=RUN_ON_SIZE)
    return [float(r) for r in ratios]


# -- toy predictions ----------------------------------------------------------------------------
def toy_predictions() -> dict:
    """Paper factors and abscissa of Nie & Patel's Gaussian game and of the Dirac-GAN per method."""
    out = {}
    for model in ("gaussian", "dirac"):
        out[model] = {}
        for label, reg, _ in METHODS:
            s = jl.spectrum(model, reg=reg, gamma=None if reg is None else TOY_GAMMA, exact=False)
            out[model][label] = {"phase_factor": _num(s.paper_phase_factor),
                                 "condition_factor": _num(s.paper_condition_factor),
                                 "phase_angle": _num(s.network.summary()["phase_angle"]),
                                 "abscissa": _num(s.abscissa), "stable": s.is_stable,
                                 "eigenvalues": [[float(z.real), float(z.imag)] for z in s.eigenvalues]}
    return out


# -- the study ----------------------------------------------------------------------------------
def study_point(game, net, size, at=None, first=False) -> dict:
    """Every method's spectrum at one point of one network, restarts along the binding mode, and a
    perturbation in the unregularized dominant modes under GD without and with R1."""
    rows, restarts, runs, example = [], [], [], {}
    for label, reg, gamma in METHODS:
        s, row = analyse(game, reg, gamma, modes=at is None and label in ("none", "r1"), at=at)
        rows.append({**net, "method": label, **row})
        if label == "none":
            plain = s
        restarts.append({**net, "method": label, **restart(game, s, reg, gamma, size["restart"])})
        if first:
            example[label] = [[float(z.real), float(z.imag)] for z in s.eigenvalues]
    # one random direction in the unregularized dominant modes, the same for both fields
    u = val.dominant_direction(val.dominant_modes(plain.jacobian, plain.network.dominant)[1], net["seed"])
    for label, reg, gamma in (("none", None, None), ("r1", "r1", 1.0)):
        runs.append({**net, "method": label, "distance": perturbed(game, reg, gamma, u, size["run_on"], at=at)})
    return {"rows": rows, "restarts": restarts, "runs": runs, "example": example}


def compute(fast=False) -> dict:
    """Every number of the study (JSON-ready): at the trained points and at their realizable equilibria."""
    size = FAST if fast else FULL
    configs = [(m, w, seed) for m in size["mixtures"] for w in size["widths"] for seed in range(size["seeds"])]
    trained = {"rows": [], "restarts": [], "runs": [], "example": {}}
    exact = {"rows": [], "restarts": [], "runs": [], "example": {}, "equilibria": []}
    start = time.perf_counter()
    with threadpool_limits(1), tqdm(configs, desc="GAN study", unit="network", disable=fast) as bar:
        for mixture, width, seed in bar:
            net = {"mixture": mixture, "width": width, "seed": seed}
            game = base_game(mixture, width, seed, size)
            for where, at in ((trained, None), (exact, "equilibrium")):
                if at is not None:
                    eq = realizable_equilibrium(game)
                    exact["equilibria"].append({**net, **eq.to_dict()})
                    at = eq.point
                part = study_point(game, net, size, at=at, first=(mixture, width, seed) == configs[0])
                for key in ("rows", "restarts", "runs"):
                    where[key] += part[key]
                where["example"].update(part["example"])
        wgan = []
        for seed in tqdm(range(size["wgan_seeds"]), desc="WGAN study", unit="network", disable=fast):
            game = base_game("mog8", size["widths"][0], seed, size, loss="wgan", reg="wgan-gp", gamma=1.0, wgan=True)
            for label, reg, gamma in WGAN_METHODS:
                wgan.append({"seed": seed, "method": label, **analyse(game, reg, gamma)[1]})
    return {"size": {k: list(v) if isinstance(v, tuple) else v for k, v in size.items()}, "fast": fast,
            "methods": [[m, r, g] for m, r, g in METHODS], **trained, "exact": exact, "wgan": wgan,
            "toy": toy_predictions(), "claims": [], "seconds": time.perf_counter() - start}


def _num(x):
    """A float for JSON; ``None`` for a missing or non-finite value."""
    return None if x is None or not math.isfinite(float(x)) else float(x)


# -- claims -------------------------------------------------------------------------------------
def paired(rows, method, key, log=False, base="none") -> dict:
    """Per configuration: the per-seed differences ``method - base`` of ``key`` (log-ratios if ``log``)."""
    table = {}
    for r in rows:
        table.setdefault((r["mixture"], r["width"]), {}).setdefault(r["seed"], {})[r["method"]] = r[key]
    out = {}
    for config, seeds in table.items():
        diffs = []
        for values in seeds.values():
            a, b = values.get(method), values.get(base)
            if a is None or b is None:
                continue
            diffs.append(math.log(a / b) if log else a - b)
        out[config] = diffs
    return out


def judge(diffs_by_config, sign) -> dict:
    """``held`` / ``reversed`` / ``unclear`` per configuration from the bootstrap interval of the mean
    paired difference (``sign`` = -1: the claim predicts a decrease)."""
    verdicts = {}
    for config, diffs in diffs_by_config.items():
        bar = error_bar(diffs)
        lo, hi = sign * bar.low, sign * bar.high
        lo, hi = min(lo, hi), max(lo, hi)
        status = "held" if lo > 0 else "reversed" if hi < 0 else "unclear"
        agree = int(sum(sign * d > 0 for d in diffs))
        verdicts[f"{config[0]} w{config[1]}"] = {"status": status, "mean": bar.mean, "low": bar.low, "high": bar.high,
                                       "agree": agree, "n": bar.n}
    return verdicts


def toy_direction(toy, method, key, sign, base="none") -> str:
    """Whether the toy game moves ``key`` in the claimed direction (``sign``) relative to ``base``."""
    a, b = toy[method][key], toy[base][key]
    if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)):
        return "n/a"
    return "yes" if sign * (a - b) > 1e-12 else "no"


CLAIMS = (
    ("Nie & Patel: JARE lowers the phase factor", "jare", "phase_angle", False, -1),
    ("Nie & Patel: JARE lowers the conditioning factor", "jare", "condition_factor", True, -1),
    ("Nie & Patel: JARE's conditioning factor is below consensus's", "jare", "condition_factor", True, -1,
     "consensus"),
    ("Nie & Patel: consensus lowers the phase factor", "consensus", "phase_angle", False, -1),
    ("Nie & Patel: consensus raises the conditioning factor", "consensus", "condition_factor", True, +1),
    ("Nie & Patel: grad-g lowers the phase factor", "grad-g", "phase_angle", False, -1),
    ("Nie & Patel: grad-g lowers the conditioning factor", "grad-g", "condition_factor", True, -1),
    ("Nie & Patel: grad-d lowers the phase factor", "grad-d", "phase_angle", False, -1),
    ("Nie & Patel: grad-d lowers the conditioning factor", "grad-d", "condition_factor", True, -1),
    ("Mescheder 2017: consensus pulls the dominant eigenvalues left", "consensus", "abscissa_dominant", False, -1),
    ("Mescheder 2017: consensus pulls the rightmost eigenvalues left", "consensus", "abscissa_nonnull", False, -1),
    ("Mescheder 2018: R1 pulls the dominant eigenvalues left", "r1", "abscissa_dominant", False, -1),
    ("Mescheder 2018: R1 pulls the rightmost eigenvalues left", "r1", "abscissa_nonnull", False, -1),
)
#: Which toy key stands for a network key in the side-by-side column.
TOY_KEY = {"phase_angle": ("gaussian", "phase_factor"), "condition_factor": ("gaussian", "condition_factor"),
           "abscissa_dominant": ("dirac", "abscissa"), "abscissa_nonnull": ("dirac", "abscissa")}


def claims(results, part=None) -> list:
    """Each claim: the toy's direction and the per-configuration verdicts on the networks, at the trained
    points (``part`` None) or at ``part`` (``results["exact"]``, the realizable equilibria)."""
    part = results if part is None else part
    out = []
    for text, method, key, log, sign, *rest in CLAIMS:
        base = rest[0] if rest else "none"
        model, toy_key = TOY_KEY[key]
        out.append({"claim": text, "method": method, "base": base, "key": key, "log": log, "sign": sign,
                    "toy": toy_direction(results["toy"][model], method, toy_key, sign, base),
                    "networks": judge(paired(part["rows"], method, key, log, base), sign)})
    out.extend(run_on_claims(results, part))
    return out


def run_on_claims(results, part) -> list:
    """Mescheder 2018 on a perturbation in the dominant modes: does it shrink more under GD with R1
    than without, and does it fail to shrink without R1 (the claim's "where unregularized GD does not")?"""
    final = {}
    for r in part["runs"]:
        config = (r["mixture"], r["width"])
        final.setdefault(config, {}).setdefault(r["seed"], {})[r["method"]] = r["distance"][-1]
    pairs = {config: [v for v in seeds.values() if "r1" in v and "none" in v] for config, seeds in final.items()}
    toy = results["toy"]["dirac"]
    steps = results["size"]["run_on"]
    faster = {"claim": f"Mescheder 2018: R1 contracts a perturbation in the dominant modes more than unregularized "
                       f"GD ({steps} steps)",
              "method": "r1", "key": "perturbation ratio", "log": True, "sign": -1,
              "toy": "yes" if toy["r1"]["stable"] and not toy["none"]["stable"] else "no",
              "networks": judge({c: [math.log(v["r1"] / v["none"]) for v in p] for c, p in pairs.items()}, -1)}
    stuck = {"claim": f"Mescheder 2018: unregularized GD does not contract it ({steps} steps)",
             "method": "none", "key": "perturbation ratio", "log": True, "sign": +1,
             "toy": "yes" if not toy["none"]["stable"] else "no",
             "networks": judge({c: [math.log(v["none"]) for v in p] for c, p in pairs.items()}, +1)}
    return [faster, stuck]


# -- figures ------------------------------------------------------------------------------------
def _configs(rows):
    return sorted({(r["mixture"], r["width"]) for r in rows})


def draw_factors(results, axes, part=None) -> None:
    """kappa_0.9 and phase angle relative to no regularizer, per configuration (mean and bootstrap
    interval over seeds), with the toy's ratio as a black diamond."""
    part = results if part is None else part
    methods = [m for m, _, _ in METHODS if m != "none"]
    configs = _configs(part["rows"])
    toy = results["toy"]["gaussian"]
    for ax, (key, log, title) in zip(axes, (("condition_factor", True, "conditioning factor $\\kappa_{0.9}$ / none"),
                                            ("phase_angle", False, "phase angle $\\varphi_{0.9}$ $-$ none (deg)"))):
        for j, config in enumerate(configs):
            for i, method in enumerate(methods):
                diffs = paired([r for r in part["rows"] if (r["mixture"], r["width"]) == config], method, key, log)
                bar = error_bar(next(iter(diffs.values())))
                x = i + (j - (len(configs) - 1) / 2) * 0.15
                tr = (lambda v: math.exp(v)) if log else (lambda v: v)
                ax.errorbar(x, tr(bar.mean), yerr=[[tr(bar.mean) - tr(bar.low)], [tr(bar.high) - tr(bar.mean)]],
                            fmt="o", ms=4, color=f"C{j}", label=f"{config[0]}, width {config[1]}" if i == 0 else None)
        for i, method in enumerate(methods):
            toy_key = "condition_factor" if key == "condition_factor" else "phase_angle"
            a, b = toy[method][toy_key], toy["none"][toy_key]
            if a is not None and b is not None:
                ax.plot(i, a / b if log else a - b, marker="D", color="black", ms=6, mfc="none",
                        label="toy (Gaussian game)" if i == 0 else None)
        ax.axhline(1.0 if log else 0.0, color="grey", lw=0.8)
        if log:
            ax.set_yscale("log")
        ax.set_xticks(range(len(methods)), methods, rotation=30)
        ax.set_title(title)
    axes[0].legend(fontsize=7, loc="best")


def draw_eigenvalues(results, axes) -> None:
    """Every eigenvalue at one point for four methods (symlog, then a linear zoom at 0); block extremes."""
    shown = ("none", "consensus", "jare", "r1")
    size = results["size"]
    zoom = axes[1]
    for ax in axes[:2]:
        for method in shown:
            lam = np.array(results["example"].get(method, []), dtype=float).reshape(-1, 2)
            ax.scatter(lam[:, 0], lam[:, 1], s=8, alpha=0.6, color=COLORS[method], label=method)
        ax.axvline(0, color="black", lw=0.6)
    ax = axes[0]
    ax.set_xscale("symlog", linthresh=1e-2)
    ax.set_yscale("symlog", linthresh=1e-2)
    ax.set(xlabel="Re $\\lambda$ (symlog)", ylabel="Im $\\lambda$ (symlog)",
           title=f"{size['mixtures'][0]}, width {size['widths'][0]}, seed 0: eigenvalues of J")
    ax.legend(fontsize=7, loc="lower left")
    zoom.set(xlim=(-0.25, 0.05), ylim=(-0.3, 0.3), xlabel="Re $\\lambda$", ylabel="Im $\\lambda$",
             title="zoom at 0 (linear)")
    axes = axes[1:]
    ax = axes[1]
    methods = [m for m, _, _ in METHODS]
    keys = (("h_gen_max", "generator Hessian, largest"), ("h_dis_max", "discriminator Hessian, largest"),
            ("interaction", "interaction, largest singular value"))
    for k, (key, label) in enumerate(keys):
        for i, method in enumerate(methods):
            bar = error_bar([r[key] for r in results["rows"] if r["method"] == method])
            ax.errorbar(i + (k - 1) * 0.2, bar.mean, yerr=[[bar.mean - bar.low], [bar.high - bar.mean]], fmt="os^"[k],
                        ms=5, color=f"C{k}", label=label if i == 0 else None)
    ax.set_yscale("log")
    ax.set_xticks(range(len(methods)), methods, rotation=30)
    ax.set_title("blocks of J (mean over every network, bootstrap 90%)")
    ax.legend(fontsize=7)


def draw_contraction(results, axes) -> None:
    """Predicted against measured rate of restarted training; a perturbation in the dominant modes along
    simultaneous GD, none vs R1."""
    ax = axes[0]
    for method, _, _ in METHODS:
        pts = [(r["predicted"], r["measured"]) for r in results["restarts"] if r["method"] == method]
        if pts:
            p, m = np.array(pts).T
            ax.scatter(p, m, s=18, color=COLORS[method], label=method)
    lims = [min(ax.get_xlim()[0], ax.get_ylim()[0]), max(ax.get_xlim()[1], ax.get_ylim()[1])]
    ax.plot(lims, lims, color="black", lw=0.8)
    ax.set(xlabel="predicted $|1 + h\\lambda_b|$", ylabel="measured rate of restarted training",
           title="binding dominant mode: prediction vs training")
    ax.legend(fontsize=7)
    draw_perturbations(results["runs"], axes[1], "a perturbation in the dominant modes: none vs R1")


def draw_perturbations(runs, ax, title) -> None:
    """:math:`\\|d_k\\| / \\|d_0\\|` of every perturbation run, one colour per method."""
    labelled = set()
    for r in runs:
        ax.plot(r["distance"], color=COLORS[r["method"]], lw=0.8, alpha=0.6,
                label=None if r["method"] in labelled else f"{r['method']} ({len(runs) // 2} networks)")
        labelled.add(r["method"])
    ax.set_yscale("log")
    ax.set(xlabel=f"simultaneous GD step (h = {RUN_ON_LR:g})", ylabel="$\\|d_k\\| / \\|d_0\\|$", title=title)
    ax.legend(fontsize=7)


def draw_exact(results, axes) -> None:
    """At the realizable equilibria: the factors relative to none, the non-null eigenvalues of one
    network (decay rate -Re on a log axis), and a perturbation under GD without and with R1."""
    exact = results["exact"]
    draw_factors(results, axes[:2], exact)
    ax = axes[2]
    for method in ("none", "consensus", "r1"):
        lam = np.array(exact["example"].get(method, []), dtype=float).reshape(-1, 2)
        if lam.size == 0:
            continue
        keep = np.hypot(lam[:, 0], lam[:, 1]) > 1e-10 * np.hypot(lam[:, 0], lam[:, 1]).max()
        ax.scatter(np.maximum(-lam[keep, 0], 1e-12), lam[keep, 1], s=12, alpha=0.7, color=COLORS[method],
                   label=f"{method} ({int(keep.sum())} non-null)")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-2)
    size = results["size"]
    ax.set(xlabel="decay rate $-$Re $\\lambda$ (log)", ylabel="Im $\\lambda$ (symlog)",
           title=f"{size['mixtures'][0]}, width {size['widths'][0]}, seed 0: non-null eigenvalues")
    ax.legend(fontsize=7)
    draw_perturbations(exact["runs"], axes[3], "a perturbation in the dominant modes")


def draw_wgan(results, axes) -> None:
    """WGAN: kappa_0.9, phase angle and dominant abscissa per method (every seed, mean and interval)."""
    methods = [m for m, _, _ in WGAN_METHODS]
    for ax, (key, title, log) in zip(axes, (("condition_factor", "$\\kappa_{0.9}$", True),
                                             ("phase_angle", "phase angle $\\varphi_{0.9}$ (deg)", False),
                                             ("abscissa_dominant", "largest Re over $S_{0.9}$", False))):
        for i, method in enumerate(methods):
            values = [r[key] for r in results["wgan"] if r["method"] == method and r[key] is not None]
            bar = error_bar(values)
            ax.scatter(np.full(len(values), i) + 0.12, values, s=10, color="grey")
            ax.errorbar(i, bar.mean, yerr=[[bar.mean - bar.low], [bar.high - bar.mean]], fmt="o", color=COLORS[method])
        ax.set_xticks(range(len(methods)), methods)
        ax.set_title(title)
        if log:
            ax.set_yscale("log")


# -- outputs ------------------------------------------------------------------------------------
def headline_table(results, part=None, where="at the trained points") -> str:
    """RST list-table: method x factor (mean [90% bootstrap interval] over every network)."""
    part = results if part is None else part
    lines = [f".. list-table:: Default factors {where} (mean and 90% bootstrap interval over "
             f"{len({(r['mixture'], r['width'], r['seed']) for r in part['rows']})} networks)",
             "   :header-rows: 1", "",
             "   * - method", "     - :math:`\\kappa_{0.9}`", "     - :math:`\\varphi_{0.9}` (deg)",
             "     - rate :math:`\\rho^*_{0.9}`", "     - :math:`m_{0.9}`", "     - max Re (non-null)",
             "     - rotational share", "     - toy :math:`\\kappa` / :math:`\\xi` (Gaussian)"]
    toy = results["toy"]["gaussian"]
    for method, _, _ in METHODS:
        rows = [r for r in part["rows"] if r["method"] == method]
        cells = []
        for key, fmt in (("condition_factor", ".3g"), ("phase_angle", ".3g"), ("rate", ".4f"),
                         ("n_dominant", ".3g"), ("abscissa_nonnull", ".2g"), ("rotational_share", ".2f")):
            bar = error_bar([r[key] for r in rows if r.get(key) is not None])
            cells.append(f"{bar.mean:{fmt}} [{bar.low:{fmt}}, {bar.high:{fmt}}]")
        t = toy[method]
        cells.append(f"{t['condition_factor']:.3g} / {t['phase_factor']:.3g}")
        lines += [f"   * - {method}"] + [f"     - {c}" for c in cells]
    return "\n".join(lines) + "\n"


def rest_table(results) -> str:
    """RST list-table: how near the points are to an equilibrium, per configuration (median and range
    over seeds) -- the field, and how far the dominant modes are from rest."""
    lines = [".. list-table:: How near an equilibrium: the field :math:`\\|v\\|` at the point, the share of it in "
             "the dominant modes and their distance to rest :math:`\\delta_S` (median [min, max] over seeds)",
             "   :header-rows: 1", "", "   * - network", "     - P", "     - :math:`\\|v\\|`, unregularized",
             "     - share in :math:`S_{0.9}`", "     - :math:`\\delta_S`, unregularized",
             "     - :math:`\\|v\\|`, R1 (trained field)", "     - :math:`\\delta_S`, R1"]
    for config in _configs(results["rows"]):
        rows = {m: [r for r in results["rows"] if (r["mixture"], r["width"]) == config and r["method"] == m]
                for m in ("none", "r1")}
        cells = [str(rows["none"][0]["n_params"])]
        for method, key in (("none", "field_norm"), ("none", "fast_share"), ("none", "fast_distance"),
                            ("r1", "field_norm"), ("r1", "fast_distance")):
            values = [r[key] for r in rows[method] if r.get(key) is not None]
            cells.append(f"{np.median(values):.2g} [{min(values):.2g}, {max(values):.2g}]" if values else "n/a")
        lines += [f"   * - {config[0]}, width {config[1]}"] + [f"     - {c}" for c in cells]
    return "\n".join(lines) + "\n"


def exact_table(results) -> str:
    """RST list-table: the realizable equilibria per configuration, and what their spectra say."""
    exact = results["exact"]
    lines = [".. list-table:: The realizable equilibria (median [min, max] over seeds): distance from the trained "
             "point, how exactly the generator reproduces the batch, the field there, the non-null eigenvalues, "
             "the verdicts, and the slowest decay normal to the equilibria (largest Re over the non-null "
             "eigenvalues)",
             "   :header-rows: 1", "", "   * - network", "     - moved :math:`\\|x^*-x\\|/\\|x\\|`",
             "     - :math:`\\max_i\\|G(z_i)-x_{\\sigma(i)}\\|`", "     - :math:`\\|v\\|`",
             "     - non-null / P", "     - verdicts (none; R1)", "     - max Re non-null, none",
             "     - max Re non-null, R1"]
    for config in _configs(exact["rows"]):
        eqs = [e for e in exact["equilibria"] if (e["mixture"], e["width"]) == config]
        rows = {m: [r for r in exact["rows"] if (r["mixture"], r["width"]) == config and r["method"] == m]
                for m in ("none", "r1")}

        def spread(values, fmt=".2g"):
            return f"{np.median(values):{fmt}} [{min(values):{fmt}}, {max(values):{fmt}}]"

        verdicts = "; ".join(", ".join(f"{n} {v}" for v, n in sorted(Counter(r["stability"] for r in rows[m]).items()))
                             for m in ("none", "r1"))
        nonnull = [r["n_params"] - r["n_null"] for r in rows["none"]]
        cells = [spread([e["moved"] for e in eqs]), spread([e["residual"] for e in eqs]),
                 spread([e["field_norm"] for e in eqs]), f"{spread(nonnull, '.0f')} / {rows['none'][0]['n_params']}",
                 verdicts, spread([r["abscissa_nonnull"] for r in rows["none"]]),
                 spread([r["abscissa_nonnull"] for r in rows["r1"]])]
        lines += [f"   * - {config[0]}, width {config[1]}"] + [f"     - {c}" for c in cells]
    return "\n".join(lines) + "\n"


def claims_table(results, claims_list=None) -> str:
    """RST list-table of the claims: the toy's direction and the verdict per network configuration."""
    claims_list = results["claims"] if claims_list is None else claims_list
    configs = list(claims_list[0]["networks"])
    lines = [".. list-table:: Claims: does the toy game move the factor the claimed way, and on the networks "
             "(paired over seeds; held = the 90% bootstrap interval of the mean change is on the claimed side)",
             "   :header-rows: 1", "", "   * - claim", "     - toy"] + [f"     - {c}" for c in configs]
    for c in claims_list:
        cells = []
        for config in configs:
            v = c["networks"].get(config)
            if v is None:
                cells.append("not measured")
                continue
            change = f"{math.exp(v['mean']):.3g}x" if c["log"] else f"{v['mean']:+.3g}"
            cells.append(f"{v['status']} ({v['agree']}/{v['n']} seeds, {change})")
        lines += [f"   * - {c['claim']}", f"     - {c['toy']}"] + [f"     - {x}" for x in cells]
    return "\n".join(lines) + "\n"


FIGURES = (("torch_validation_factors.png", draw_factors, 2, (10.0, 3.8)),
           ("torch_validation_eigenvalues.png", draw_eigenvalues, 3, (14.0, 4.2)),
           ("torch_validation_contraction.png", draw_contraction, 2, (10.0, 3.8)),
           ("torch_validation_exact.png", draw_exact, (2, 2), (11.0, 7.6)),
           ("torch_validation_wgan.png", draw_wgan, 3, (10.0, 3.2)))
TITLES = {"torch_validation_factors.png": "Regularizers on MLP GANs: factors relative to none (paired over 5 seeds)",
          "torch_validation_eigenvalues.png": "Where the eigenvalues go, and the blocks each regularizer changes",
          "torch_validation_contraction.png": "Does the local spectrum predict training near the point?",
          "torch_validation_exact.png": "At the realizable equilibria (exact fixed points): factors relative to "
                                        "none, eigenvalues, and a perturbation",
          "torch_validation_wgan.png": "MLP WGAN on 8 Gaussians: critic penalties (every seed, mean and 90% interval)"}


def figures(results) -> dict:
    """``{file name: Figure}`` of the study's results (claims included)."""
    out = {}
    with style_context():
        for name, draw, n, figsize in FIGURES:
            fig = Figure(figsize=figsize, layout="constrained")
            axes = fig.subplots(*n) if isinstance(n, tuple) else fig.subplots(1, n)
            draw(results, np.ravel(axes))
            fig.suptitle(TITLES[name])
            out[name] = fig
    return out


def main(out_dir, fast=False, results=None):
    """Run the study; write its figures, ``torch_validation.json`` and the RST tables to ``out_dir``.

    ``results``: the contents of a ``torch_validation.json`` written before, to redraw without
    recomputing.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    if results is None:
        if not fast:
            size = FULL
            n = len(size["mixtures"]) * len(size["widths"]) * size["seeds"]
            print(f"GAN study: {n} networks x {len(METHODS)} regularizers, dense spectra, plus "
                  f"{size['wgan_seeds']} WGANs; about 9 minutes on two cores", flush=True)
        results = compute(fast)
        _write(out_dir / "torch_validation.json", json.dumps(results, indent=1, allow_nan=False, default=_json))
    results["claims"] = claims(results)
    results["exact"]["claims"] = claims(results, results["exact"])
    written = [save_figure(fig, out_dir / name, dpi=110, compact=True) for name, fig in figures(results).items()]
    for name, text in (("torch_validation.json", json.dumps(results, indent=1, allow_nan=False, default=_json)),
                       ("torch_validation_table.rst", headline_table(results)),
                       ("torch_validation_rest.rst", rest_table(results)),
                       ("torch_validation_claims.rst", claims_table(results)),
                       ("torch_validation_exact.rst", exact_table(results)),
                       ("torch_validation_exact_table.rst",
                        headline_table(results, results["exact"], "at the realizable equilibria")),
                       ("torch_validation_exact_claims.rst", claims_table(results, results["exact"]["claims"]))):
        written.append(_write(out_dir / name, text))
    return written


def _write(path, text) -> Path:
    """Write ``text`` to ``path`` atomically (a temporary file, then a rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def _json(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


# %%
# Run as a script: ``--fast`` for small networks, ``-o DIR`` for where to write. The documentation's
# gallery runs it without options under ``JACOBIAN_LAB_FAST``: then nothing is written and the figures
# are only drawn (``JACOBIAN_LAB_FAST=1``: the fast study).
if __name__ == "__main__" and "JACOBIAN_LAB_FAST" in os.environ and len(sys.argv) == 1:
    study = compute(fast=gallery_fast())
    study["claims"] = claims(study)
    study["exact"]["claims"] = claims(study, study["exact"])
    shown = figures(study)
elif __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="small networks, few steps: seconds")
    parser.add_argument("-o", "--output", default=str(Path(__file__).resolve().parents[1] / "docs" / "gallery"),
                        help="output folder (default docs/gallery)")
    parser.add_argument("--redraw", metavar="JSON", default=None,
                        help="redraw the figures and tables from a torch_validation.json (no computing)")
    args = parser.parse_args()
    stored = None if args.redraw is None else json.loads(Path(args.redraw).read_text())
    print(*main(args.output, fast=args.fast, results=stored), sep="\n")
