"""A warning where torch's third derivatives are wrong (layer norm; batch norm in train mode)."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.regularizers import REGULARIZERS  # noqa: E402
from jacobian_lab.torch_bridge import TorchGame  # noqa: E402


def _game(norm, mode="eval"):
    torch.manual_seed(0)
    g = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    d = torch.nn.Sequential(torch.nn.Linear(2, 4), norm(4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    return TorchGame(g.double(), d.double(), real=torch.randn(8, 2), latent=torch.randn(8, 2), mode=mode)


def test_penalties_that_differentiate_the_network_are_traced():
    assert REGULARIZERS["r1"].differentiates_network and REGULARIZERS["jare"].differentiates_network
    assert REGULARIZERS["consensus"].differentiates_network
    assert not REGULARIZERS["orthogonal"].differentiates_network


@pytest.mark.parametrize("norm, mode", [(torch.nn.LayerNorm, "eval"), (torch.nn.BatchNorm1d, "train")])
def test_gradient_penalty_through_an_unsafe_layer_warns(norm, mode):
    with pytest.warns(RuntimeWarning, match="third derivatives"):
        jl.jacobian(_game(norm, mode), reg="r1", gamma=1.0)


@pytest.mark.parametrize("norm, mode, reg", [
    (torch.nn.LayerNorm, "eval", None),             # second derivatives only
    (torch.nn.LayerNorm, "eval", "orthogonal"),     # reads the weights, not a gradient
    (torch.nn.BatchNorm1d, "eval", "r1"),           # running statistics: an affine layer
    (lambda n: torch.nn.GroupNorm(1, n), "train", "r1"),
])
def test_no_warning_where_the_derivatives_are_right(norm, mode, reg):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        jl.jacobian(_game(norm, mode), reg=reg, gamma=0.5 if reg else None)


def test_the_field_itself_does_not_warn_and_the_operator_does():
    """The field needs second derivatives only (right); products with J need the third."""
    game = _game(torch.nn.LayerNorm)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        game.field("r1", 0.5)
    with pytest.warns(RuntimeWarning, match="third derivatives"):
        jl.spectrum(game, reg="r1", gamma=0.5, k=2, progress=False)
