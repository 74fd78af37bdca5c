"""Small multiples of phase portraits: methods by schemes (Mescheder et al. 2018, Figure 3)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .portrait import phase_portrait, portrait_data
from .style import new_grid, styled


@dataclass(frozen=True)
class Method:
    """A panel's game set-up: a label, the regularizer and its strength, and model parameters."""

    label: str
    reg: object = None
    gamma: float | None = None
    params: dict = field(default_factory=dict)


@styled
def method_grid(methods, schemes=("simgd", "altgd"), model="dirac", lr=0.1, steps=300, x0=None,
                extent=None, n=25, wrap=None, panel=(2.5, 2.4), scheme_params=None, legend=True,
                density=0.7):
    """Phase portraits of each method under each scheme, in one figure.

    Parameters
    ----------
    methods : sequence of Method (or (label, reg, gamma[, params]) tuples)
    schemes : sequence of str
    model : str or Game
    lr, steps, x0, extent, n
        Passed to :func:`~jacobian_lab.plotting.portrait.portrait_data` for every panel.
    wrap : int, optional
        Methods per row of the figure (each method takes ``len(schemes)`` adjacent panels);
        default all methods in one column of rows (one row per method).
    scheme_params : dict, optional
        ``{scheme: {param: value}}`` for scheme-specific parameters.
    density : float
        Streamline density of each panel.

    Returns
    -------
    dict
        ``{"figure": Figure, "axes": 2-D array of Axes, "panels": {(label, scheme): artists}}``.
    """
    methods = [m if isinstance(m, Method) else Method(*m) for m in methods]
    wrap = wrap or 1
    rows, cols = math.ceil(len(methods) / wrap), wrap * len(schemes)
    fig, axes = new_grid(rows, cols, panel=panel)
    panels = {}
    for m_index, method in enumerate(methods):
        for s_index, scheme in enumerate(schemes):
            ax = axes[m_index // wrap, (m_index % wrap) * len(schemes) + s_index]
            extra = (scheme_params or {}).get(scheme, {})
            data = portrait_data(model, method.reg, method.gamma, scheme, lr, steps, x0, extent, n,
                                 **method.params, **extra)
            panels[(method.label, scheme)] = phase_portrait(data, ax=ax, legend=False, density=density,
                                                            title=f"{method.label}\n{scheme}")
    for ax in axes.flat[len(methods) * len(schemes):]:
        ax.set_visible(False)
    if legend:
        from .portrait import legend_handles

        fig.legend(handles=legend_handles(), loc="outside lower center", ncols=5)
    return {"figure": fig, "axes": axes, "panels": panels}
