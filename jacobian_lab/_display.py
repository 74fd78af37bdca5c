"""Rich displays for Jupyter: the matrix and eigenvalues typeset, the factors in a small table.

:class:`~jacobian_lab.Spectrum` and :class:`~jacobian_lab.dynamics.trajectory.Trajectory` call these
from ``_repr_html_`` / ``_repr_latex_``. Formulas are LaTeX inside ``\\(...\\)`` in an element of class
``math``, which Jupyter's and Sphinx's MathJax both typeset; the numbers are the stored ones,
printed with 6 significant digits (parts below the spectrum's tolerance shown as 0 in the text only).
"""

from __future__ import annotations

import html
import math

import numpy as np

MAX_MATRIX = 8  # larger matrices are not typeset
MAX_EIGENVALUES = 12


def number(x: float) -> str:
    x = float(x)
    if not math.isfinite(x):
        return r"\infty" if x > 0 else (r"-\infty" if x < 0 else r"\mathrm{nan}")
    text = f"{x:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def complex_latex(z: complex, tol: float = 0.0) -> str:
    re_part = "" if abs(z.real) <= tol and z.imag != 0 else number(z.real)
    if abs(z.imag) <= tol:
        return re_part or "0"
    im = number(abs(z.imag)) + "i"
    if not re_part:
        return ("-" if z.imag < 0 else "") + im
    return f"{re_part} {'+' if z.imag > 0 else '-'} {im}"


def matrix_latex(m) -> str:
    rows = [" & ".join(number(v) for v in row) for row in np.asarray(m, dtype=float)]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


def _math(latex: str) -> str:
    return f'<span class="math">\\({html.escape(latex)}\\)</span>'


def _spectrum_formulas(s) -> tuple[str | None, str]:
    """LaTeX of the matrix (exact where known) and of the eigenvalues."""
    import sympy as sp

    jac = None
    if s.symbolic_jacobian is not None:
        jac = sp.latex(s.symbolic_jacobian, mat_delim="(")
    elif s.jacobian is not None and s.jacobian.shape[0] <= MAX_MATRIX:
        jac = matrix_latex(s.jacobian)
    if s.symbolic_eigenvalues:
        eig = ", ".join(sp.latex(v) + (rf"\ (\times {m})" if m > 1 else "") for v, m in s.symbolic_eigenvalues.items())
    else:
        lam = s.eigenvalues
        tol = s.rtol * (np.abs(lam).max() if lam.size else 0.0)
        eig = ", ".join(complex_latex(z, tol) for z in lam[:MAX_EIGENVALUES])
        eig += r", \ldots" if lam.size > MAX_EIGENVALUES else ""
    return jac, eig


def _symbol(s) -> str:
    if s.kind == "discrete":
        return r"\partial F/\partial x"
    return "J" if s.convention == "field" else "H = -J"


def spectrum_latex(s) -> str:
    jac, eig = _spectrum_formulas(s)
    parts = ([f"{_symbol(s)} = {jac}"] if jac else []) + [rf"\lambda = {eig}"]
    return "$$" + r",\qquad ".join(parts) + "$$"


def spectrum_html(s) -> str:
    jac, eig = _spectrum_formulas(s)
    info = s.info
    what = ", ".join(str(v) for v in (info.get("model"), f"reg {info.get('reg')}" if "reg" in info else None,
                                       info.get("scheme")) if v)
    rows = [("phase factor", s.phase_factor), ("conditioning factor", s.condition_factor),
            ("SVD condition number", s.condition_number), ("spectral radius", s.spectral_radius)]
    table = "".join(f"<tr><td>{name}</td><td>{_math(number(v))}</td></tr>" for name, v in rows)
    table += f"<tr><td>stability</td><td>{s.stability or s.verdict.reason}</td></tr>"
    if s.n_excluded:
        table += f"<tr><td>below tolerance</td><td>{s.n_excluded} of {s.eigenvalues.size}</td></tr>"
    kind = s.kind + (", partial" if s.partial else "") + (f"; {html.escape(what)}" if what else "")
    body = [f"<b>Spectrum</b> ({kind})"]
    if jac:
        body.append("<div>" + _math(f"{_symbol(s)} = {jac}") + "</div>")
    body.append("<div>" + _math(r"\lambda = " + eig) + "</div>")
    body.append(f'<table style="margin-left: 0">{table}</table>')
    return "<div class=\"jacobian-lab-spectrum\">" + "".join(body) + "</div>"


def trajectory_html(t) -> str:
    s = t.summary()
    info = t.info
    rows = [("trajectories", s["trajectories"]), ("converged", s["converged"]), ("diverged", s["diverged"]),
            ("median final distance", s["median_final_distance"]), ("median rate per step", s["median_rate"]),
            ("predicted rate (spectral radius)", t.predicted_rate)]
    cells = "".join(f"<tr><td>{name}</td><td>{'n/a' if v is None else _math(number(v))}</td></tr>"
                    for name, v in rows)
    what = ", ".join(f"{k} {html.escape(str(info[k]))}" for k in ("model", "reg", "scheme", "backend") if k in info)
    return (f'<div class="jacobian-lab-trajectory"><b>Trajectory</b> ({what})'
            f'<table style="margin-left: 0">{cells}</table></div>')
