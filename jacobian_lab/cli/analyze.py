"""``jacobian-lab analyze``: the spectrum of one game, regularizer and scheme, explained."""

from __future__ import annotations

import sympy as sp

from ..analysis import spectrum
from ..spectra.spectrum import TRANSIENT_MAX
from ._common import (
    add_json_argument,
    add_model_arguments,
    add_scheme_arguments,
    eigenvalue_text,
    fmt,
    model_params,
    print_json,
    reg_spec,
    scheme_params,
    verdict_text,
)


def register(subparsers):
    parser = subparsers.add_parser(
        "analyze", help="Jacobian spectrum, phase/conditioning factors, stability and step sizes",
        description="Analyse the Jacobian of a game's gradient field at its equilibrium "
                    "(continuous time, or the update map of a scheme).")
    add_model_arguments(parser)
    add_scheme_arguments(parser)
    parser.add_argument("--at", default=None, help="point theta..,psi.. (default: the equilibrium)")
    parser.add_argument("--rtol", type=float, default=1e-10,
                        help="eigenvalues below rtol*max|lambda| are left out of the factors")
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    reg, gamma = reg_spec(args)
    at = None if args.at is None else args.at.split(",")
    result = spectrum(args.model, reg=reg, gamma=gamma, scheme=args.scheme, at=at, rtol=args.rtol,
                      **model_params(args), **scheme_params(args))
    if args.json:
        print_json(result.to_dict())
    else:
        print(report(result))
    return 0


def report(s) -> str:
    """The human-readable analysis of a :class:`~jacobian_lab.Spectrum`."""
    info = s.info
    params = ", ".join(f"{k}={v}" for k, v in info["parameters"].items()) or "no parameters"
    flow = s.continuous if s.kind == "discrete" else s
    lines = [
        f"model        {info['model']} ({params})",
        f"regularizer  {info['reg']}",
        "point        " + ", ".join(f"{v} = {fmt(p)}" for v, p in zip(info["variables"], info["point"])),
        "",
        *_matrix_lines("Jacobian J = dv/dx (field convention; H = -J in the loss convention)", flow),
        *_eigen_lines("eigenvalues of J", flow),
        f"phase factor         {fmt(s.phase_factor)}   (max |Im| / |Re|)",
        f"conditioning factor  {fmt(s.condition_factor)}   (max |lambda| / min |lambda|);"
        f" SVD condition number {fmt(s.condition_number)}",
    ]
    if s.n_excluded:
        lines.append(f"                     ({s.n_excluded} eigenvalue(s) below rtol={s.rtol:g} left out)")
    if s.kind == "discrete":
        sp_info = ", ".join(f"{k}={v}" for k, v in info.get("scheme_parameters", {}).items() if v is not None)
        lines += ["", f"scheme       {info['scheme']} ({sp_info})",
                  *_matrix_lines("update-map Jacobian", s),
                  *_eigen_lines("eigenvalues of the update map", s),
                  f"spectral radius      {fmt(s.spectral_radius)}",
                  *_transient_lines(s),
                  f"verdict              {verdict_text(s)}"]
        return "\n".join(lines)
    return "\n".join(lines + [*_transient_lines(s), f"verdict              {verdict_text(s)}", *step_lines(s)])


def step_lines(s) -> list[str]:
    """Largest stable and optimal simultaneous-GD steps, or why there is none."""
    h_max, step = s.max_stable_step(), s.optimal_step()
    if not h_max > 0:
        return ["largest stable step  none: some Re lambda >= 0, so no step of simultaneous GD contracts",
                "optimal step         none: no step size makes simultaneous GD converge"]
    lines = [f"largest stable step  {fmt(h_max)}   (simultaneous GD contracts for h < min 2 alpha/|lambda|^2)"]
    if step.rate == 0:
        after = f" after {fmt(step.iterations)} iterations" if step.iterations > 0 else " after finitely many steps"
        lines.append(f"optimal step         {fmt(step.step)}   rate 0: the update map is nilpotent, the error "
                     f"vanishes exactly{after}")
    elif step.rate < 1:
        lines.append(f"optimal step         {fmt(step.step)}   rate {fmt(step.rate)} per step,"
                     f" {fmt(step.iterations)} iterations to shrink the error by 1e6")
    else:
        lines.append("optimal step         none: no step size makes simultaneous GD converge")
    return lines


def _transient_lines(s):
    """Non-normality: kappa(V), the peak of ||M^k|| or ||exp(tJ)||, the Kreiss lower bound."""
    if s.jacobian is None or s.jacobian.shape[0] > TRANSIENT_MAX:
        return []
    t = s.transient
    what, when = ("max_k ||M^k||", "k") if s.kind == "discrete" else ("max_t ||exp(tJ)||", "t")
    peak = (f"{fmt(t.peak)} at {when} = {fmt(float(t.at))}" if t.peak < float("inf")
            else "unbounded (unstable)")
    lines = [f"eigenvector cond.    {fmt(t.kappa)}   (kappa(V), unit eigenvectors; 1 if normal)",
             f"transient growth     {what} = {peak}",
             f"Kreiss lower bound   {fmt(t.kreiss)}   (<= the transient peak; from the pseudospectra)"]
    if t.note:
        lines.append(f"                     ({t.note})")
    return lines


def _matrix_lines(title, s):
    exact = s.symbolic_jacobian is not None and all(
        len(sp.sstr(e)) <= 16 for e in s.symbolic_jacobian)
    rows = s.symbolic_jacobian.tolist() if exact else s.jacobian.tolist()
    kind = "exact" if exact else "numeric"
    cells = [[sp.sstr(e) if exact else fmt(e) for e in row] for row in rows]
    width = max(len(c) for row in cells for c in row)
    return [f"{title} ({kind}):"] + ["  [ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells]


MAX_CLOSED_FORM = 50  # characters; longer exact forms are left to --json and `derive`


def _eigen_lines(title, s):
    lines = []
    short = s.symbolic_eigenvalues and all(len(sp.sstr(v)) <= MAX_CLOSED_FORM for v in s.symbolic_eigenvalues)
    if s.symbolic_eigenvalues and not short:
        lines.append(f"{title} (closed form): exact, see --json or `jacobian-lab derive`")
    if short:
        exact = ", ".join(sp.sstr(v) + (f" (x{m})" if m > 1 else "") for v, m in s.symbolic_eigenvalues.items())
        lines.append(f"{title} (closed form): {exact}")
        if s.defective:
            lines.append("  Jordan block: repeated eigenvalue " + ", ".join(map(sp.sstr, s.defective))
                         + " has a single eigenvector")
    lines.append(f"{title} (numeric):     " + eigenvalue_text(s.eigenvalues, s.rtol))
    return lines
