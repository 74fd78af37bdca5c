"""Gallery 1: the Dirac-GAN under every method, with simultaneous and alternating GD.

Reproduces the argument of Mescheder, Geiger & Nowozin (2018), "Which training methods for GANs do
actually converge?", Figures 1 and 3: unregularized GAN and WGAN training circle (or spiral out)
around the equilibrium, WGAN-GP does not converge to it, instance noise and R1 do, R1 fastest at
its critical strength; consensus and JARE converge as well.
"""

from __future__ import annotations

from pathlib import Path

from jacobian_lab.plotting import Method, method_grid, save_figure

METHODS = [
    Method("unregularized GAN"),
    Method("WGAN", params={"loss": "wgan"}),
    Method("WGAN-GP, $\\gamma$ = 1", "wgan-gp", 1.0, {"loss": "wgan"}),
    Method("instance noise, $\\sigma$ = 0.7", "instance-noise", 0.7),
    Method("R1, $\\gamma$ = 0.3 (below critical)", "r1", 0.3),
    Method("R1, $\\gamma$ = 1 (critical)", "r1", 1.0),
    Method("R1, $\\gamma$ = 3 (above critical)", "r1", 3.0),
    Method("consensus, $\\gamma$ = 1", "consensus", 1.0),
    Method("JARE, $\\gamma$ = 1", "jare", 1.0),
]


def main(out_dir, fast=False):
    """Write ``dirac_methods.png`` to ``out_dir``; returns the written paths."""
    result = method_grid(METHODS, schemes=("simgd", "altgd"), model="dirac", lr=0.2,
                         steps=100 if fast else 400, x0=[[1.0, 1.0]], n=11 if fast else 25, wrap=3)
    fig = result["figure"]
    fig.suptitle("Dirac-GAN: training methods (columns: simultaneous / alternating GD, h = 0.2)")
    path = save_figure(fig, Path(out_dir) / "dirac_methods.png", dpi=100, compact=True)
    return [path]


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    print(*main(Path(__file__).resolve().parents[1] / "docs" / "gallery"), sep="\n")
