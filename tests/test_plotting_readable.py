"""Figures read right: windows, titles, slices, legends, unit circles, insets, colours (by their artists)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.plotting import (  # noqa: E402
    eigenvalue_path,
    eigenvalue_path_data,
    eigenvalue_plot,
    phase_portrait,
    portrait_data,
)
from jacobian_lab.plotting.portrait import NULLCLINE_N  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_default_window_holds_the_unregularized_spiral():
    data = portrait_data("dirac", scheme="simgd", lr=0.2, steps=300, n=11)
    ax = phase_portrait(data)["equilibrium"].axes
    path = data.trajectories[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= path[:, 0].min() and path[:, 0].max() <= x1 and y0 <= path[:, 1].min() and path[:, 1].max() <= y1
    assert x1 > 2.5  # grown beyond the old +-2
    converging = portrait_data("dirac", "r1", 1.0, scheme="simgd", lr=0.2, steps=50, n=11)
    assert converging.field.x[-1] == 2.0  # a trajectory inside the default window keeps it


def test_titles_space_the_strength_and_typeset_its_symbol():
    ax = phase_portrait(portrait_data("dirac", "jare", 1.0, scheme="simgd", lr=0.2, steps=20, n=11))["equilibrium"].axes
    title = ax.get_title()
    assert title.startswith("dirac, jare ($\\gamma$ = 1)") and "jare=1" not in title


def test_slice_names_each_nullcline_and_what_is_held():
    data = portrait_data("dirac", scheme=None, n=11, axes=(1, 2), dim=2)
    artists = phase_portrait(data)
    labels = [t.get_text() for t in artists["equilibrium"].axes.get_legend().get_texts()]
    assert "$v_{\\theta_{2}} = 0$" in labels and "$v_{\\psi_{1}} = 0$" in labels
    assert artists["held_note"].get_text() == "slice through the equilibrium; $\\theta_{1}$, $\\psi_{2}$ held there"
    assert data.field.nullclines[0].size == NULLCLINE_N  # traced on a fine grid, not the 11-point one
    assert "held_note" not in phase_portrait(portrait_data("dirac", scheme=None, n=11))


def test_eigenpath_marks_have_legend_entries_and_discrete_paths_a_unit_circle():
    marked = eigenvalue_path(eigenvalue_path_data("dirac", "r1", gamma_max=3, n=41, marks=[0.3, 3.0]))
    labels = [t.get_text() for t in marked["path"].axes.get_legend().get_texts()]
    assert len(marked["marks"]) == 2 and labels.count("eigenvalues at a marked $\\gamma$") == 1
    disc = eigenvalue_path(eigenvalue_path_data("dirac", "r1", gamma_max=3, n=41, scheme="simgd", lr=0.5))
    circle = disc["unit_circle"]
    assert np.allclose(np.hypot(*circle.get_data()), 1) and "unit circle" in circle.get_label()
    assert disc["path"].axes.get_title().endswith("\nsimgd, h = 0.5")
    assert eigenvalue_path(eigenvalue_path_data("dirac", "r1", n=21))["unit_circle"] is None


def test_unit_disc_panel_zooms_when_every_eigenvalue_is_on_the_circle():
    on_circle = jl.spectrum("bilinear", scheme="altgd", lr=0.2)  # |mu| = 1 exactly
    inset = eigenvalue_plot(on_circle)["inset"]
    assert inset is not None
    x0, x1 = inset.get_xlim()
    assert x1 - x0 < 0.05 and any("zoom" in t.get_text() for t in inset.texts)
    assert eigenvalue_plot(jl.spectrum("dirac", reg="r1", scheme="simgd", lr=0.5))["inset"] is None


def test_two_spectra_get_two_colours():
    a = jl.spectrum("dirac", reg="r1", gamma=0.5)
    b = jl.spectrum("dirac", reg="jare", gamma=1.0)
    first, second = eigenvalue_plot([a, b], labels=["r1", "jare"])["eigenvalues"]
    assert not np.allclose(first.get_facecolor()[0], second.get_facecolor()[0])
