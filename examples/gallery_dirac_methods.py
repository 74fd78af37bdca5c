r"""
The Dirac-GAN under every training method
=========================================

Phase portraits of the Dirac-GAN (data at 0, :math:`G = \theta`, :math:`D(x) = \psi x`) for nine
training methods, each under simultaneous (left of a pair) and alternating gradient descent
(right), step :math:`h = 0.2`, 400 steps from :math:`(1, 1)`. Grey: the regularized field; dashed:
the nullclines :math:`v_\theta = 0` and :math:`v_\psi = 0`; red: the trajectory; star: the
equilibrium. The methods are drawn in three figures of three, so that each panel stays readable.

Unregularized GAN and WGAN training circle the equilibrium (simultaneous GD spirals out,
alternating GD stays on a closed orbit); WGAN-GP circles a set of points and does not reach the
equilibrium; instance noise and R1 converge, R1 fastest and without oscillation at its critical
strength :math:`\gamma = 1`, slowly along the flat direction when :math:`\gamma = 3`; consensus and
JARE converge. This reproduces Figures 1 and 3 of Mescheder, Geiger & Nowozin (2018), "Which
training methods for GANs do actually converge?" (their claim: unregularized GAN and WGAN training
is not locally convergent, WGAN-GP does not converge to the equilibrium, instance noise and
zero-centred gradient penalties do).
"""

from __future__ import annotations

from jacobian_lab.plotting import Method, gallery_fast, method_grid, save_figures

GROUPS = {
    "dirac_methods_unregularized.png": ("Unregularized, WGAN and WGAN-GP", [
        Method("unregularized GAN"),
        Method("WGAN", params={"loss": "wgan"}),
        Method("WGAN-GP, $\\gamma$ = 1", "wgan-gp", 1.0, {"loss": "wgan"}),
    ]),
    "dirac_methods_r1.png": ("R1 below, at and above its critical strength", [
        Method("R1, $\\gamma$ = 0.3 (below critical)", "r1", 0.3),
        Method("R1, $\\gamma$ = 1 (critical)", "r1", 1.0),
        Method("R1, $\\gamma$ = 3 (above critical)", "r1", 3.0),
    ]),
    "dirac_methods_others.png": ("Instance noise, consensus and JARE", [
        Method("instance noise, $\\sigma$ = 0.7", "instance-noise", 0.7),
        Method("consensus, $\\gamma$ = 1", "consensus", 1.0),
        Method("JARE, $\\gamma$ = 1", "jare", 1.0),
    ]),
}


def draw(fast=False) -> dict:
    """``{file name: figure}``: three figures of three methods, each under simgd and altgd."""
    figures = {}
    for name, (title, methods) in GROUPS.items():
        result = method_grid(methods, schemes=("simgd", "altgd"), model="dirac", lr=0.2,
                             steps=100 if fast else 400, x0=[[1.0, 1.0]], n=11 if fast else 25,
                             panel=(3.6, 3.3))
        result["figure"].suptitle(f"Dirac-GAN: {title}\n(left: simultaneous GD, right: alternating GD, h = 0.2)")
        figures[name] = result["figure"]
    return figures


def main(out_dir, fast=False):
    """Write the three ``dirac_methods_*.png`` to ``out_dir``; returns the written paths."""
    return save_figures(draw(fast), out_dir, dpi=100)


# %%
# Run as a script (as the documentation's gallery does) the figures are drawn here;
# ``JACOBIAN_LAB_FAST=1`` uses coarse grids and short runs.
if __name__ == "__main__":
    figures = draw(fast=gallery_fast())
