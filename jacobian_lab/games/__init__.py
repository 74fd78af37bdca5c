"""Games: every model written once in sympy. ``make_game(name, **params)`` builds one."""

from __future__ import annotations

from ..errors import JacobianLabError, unknown_name
from .base import Game, GANGame
from .bilinear import BilinearGame, SGAExample
from .custom import CustomGame
from .dirac import DiracGAN
from .gaussian import GaussianGAN
from .lq import LQGAN

GAMES: dict[str, type[Game]] = {
    cls.name: cls for cls in (DiracGAN, GaussianGAN, LQGAN, BilinearGame, SGAExample)
}


def make_game(model, **params) -> Game:
    """Return a :class:`Game` from a model name and its parameters, or pass a game through."""
    if isinstance(model, Game):
        if params:
            raise JacobianLabError(
                f"model parameters {sorted(params)} given with a game object; set them on the game"
            )
        return model
    if not isinstance(model, str) or model not in GAMES:
        raise unknown_name("model", model, GAMES)
    return GAMES[model](**params)


__all__ = ["GAMES", "Game", "GANGame", "CustomGame", "make_game"]
