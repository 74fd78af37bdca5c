"""Gallery 4: update schemes on the bilinear game :math:`\\min_\\theta\\max_\\psi \\theta\\psi`.

The field is a pure rotation (eigenvalues :math:`\\pm i`). Simultaneous GD multiplies the distance by
:math:`\\sqrt{1 + h^2}` per step and spirals out; alternating GD's update map has eigenvalues on the
unit circle and cycles; extragradient (Korpelevich 1976; Gidel et al. 2019), optimistic GD
(Daskalakis et al. 2018) and competitive gradient descent (Schaefer & Anandkumar 2019) have spectral
radius below one and converge. Top: phase portraits; bottom: the update maps' eigenvalues against
the unit circle.
"""

from __future__ import annotations

from pathlib import Path

import jacobian_lab as jl
from jacobian_lab.plotting import eigenvalue_plot, phase_portrait, portrait_data, save_figure
from jacobian_lab.plotting.portrait import legend_handles
from jacobian_lab.plotting.style import new_grid

SCHEMES = ("simgd", "altgd", "extragradient", "optimistic", "cgd")
LR = 0.2


def main(out_dir, fast=False):
    """Write ``bilinear_schemes.png`` to ``out_dir``; returns the written paths."""
    fig, axes = new_grid(2, len(SCHEMES), panel=(2.7, 2.7))
    for col, scheme in enumerate(SCHEMES):
        data = portrait_data("bilinear", scheme=scheme, lr=LR, steps=60 if fast else 250,
                             x0=[[1.0, 1.0]], n=11 if fast else 21)
        phase_portrait(data, ax=axes[0, col], legend=False, nullclines=False,
                       title=f"{scheme}, h = {LR:g}")
        s = jl.spectrum("bilinear", scheme=scheme, lr=LR)
        eigenvalue_plot(s, ax=axes[1, col], legend=col == 0, extent=(-1.3, 1.3, -1.3, 1.3),
                        title=f"{scheme}: $\\rho$ = {s.spectral_radius:.4f}")
    fig.legend(handles=legend_handles(nullclines=False), loc="outside lower center", ncols=3)
    fig.suptitle("bilinear game $\\theta\\psi$: simgd spirals out, altgd cycles, "
                 "extragradient / optimistic / CGD converge")
    return [save_figure(fig, Path(out_dir) / "bilinear_schemes.png", dpi=110, compact=True)]


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
