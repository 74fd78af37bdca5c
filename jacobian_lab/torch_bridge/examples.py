r"""Small MLP GANs on 2-D mixtures of Gaussians, generated in code from a seed.

* ``mog8``: 8 Gaussians with means on the circle of radius 2, std 0.02 (Metz et al. 2017;
  Mescheder et al. 2017);
* ``mog25``: 25 Gaussians on the grid :math:`\{-4,-2,0,2,4\}^2`, std 0.05 (Thanh-Tung et al. 2019).
"""

from __future__ import annotations

import math

import torch

from ..errors import JacobianLabError, check_int, unknown_name
from .game import TorchGame

MIXTURES = {"mog8": (2.0, 0.02), "mog25": (2.0, 0.05)}


def mixture_means(name: str) -> torch.Tensor:
    """The component means of ``mog8`` or ``mog25``, shape (K, 2)."""
    if name == "mog8":
        angles = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        return 2.0 * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    if name == "mog25":
        grid = torch.arange(-2, 3, dtype=torch.float64) * 2.0
        return torch.cartesian_prod(grid, grid)
    raise unknown_name("example", name, MIXTURES)


def sample_mixture(name: str, n: int, seed: int = 0) -> torch.Tensor:
    """``n`` samples of the mixture (equal weights), shape (n, 2), float64."""
    means = mixture_means(name)
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(len(means), (n,), generator=gen)
    return means[idx] + MIXTURES[name][1] * torch.randn(n, 2, generator=gen, dtype=torch.float64)


def mlp(n_in: int, n_out: int, width: int = 32, depth: int = 2, activation=torch.nn.Tanh) -> torch.nn.Sequential:
    """``depth`` hidden layers of ``width`` units with ``activation``."""
    layers, size = [], n_in
    for _ in range(depth):
        layers += [torch.nn.Linear(size, width), activation()]
        size = width
    layers.append(torch.nn.Linear(size, n_out))
    return torch.nn.Sequential(*layers)


def mog_game(name: str = "mog8", width: int = 32, depth: int = 2, batch: int = 256, latent_dim: int = 2,
             loss: str = "gan", activation=torch.nn.Tanh, seed: int = 0, **kwargs) -> TorchGame:
    """An MLP GAN on a 2-D mixture, initialised from ``seed``; ``kwargs`` go to :class:`TorchGame`."""
    if name not in MIXTURES:
        raise unknown_name("example", name, MIXTURES)
    for label, value in (("width", width), ("depth", depth), ("batch", batch), ("latent_dim", latent_dim)):
        check_int(label, value)
    if not callable(activation):
        raise JacobianLabError("activation must be a torch.nn.Module class")
    torch.manual_seed(seed)
    generator = mlp(latent_dim, 2, width, depth, activation).double()
    discriminator = mlp(2, 1, width, depth, activation).double()
    gen = torch.Generator().manual_seed(seed + 1)
    latent = torch.randn(batch, latent_dim, generator=gen, dtype=torch.float64)
    game = TorchGame(generator, discriminator, real=sample_mixture(name, batch, seed), latent=latent,
                     loss=loss, seed=seed, **kwargs)
    game.real_source = MixtureSampler(name)
    return game


class MixtureSampler:
    """Fresh samples of a mixture: ``sampler(n)`` draws ``n`` of them from torch's global random
    generator (seeded by the caller), the source of fresh batches for a :func:`mog_game`."""

    def __init__(self, name: str):
        if name not in MIXTURES:
            raise unknown_name("example", name, MIXTURES)
        self.name = name

    def __call__(self, n: int) -> torch.Tensor:
        return sample_mixture(self.name, n, seed=int(torch.randint(0, 2**31 - 1, (1,))))

    def __repr__(self):
        return f"MixtureSampler({self.name!r})"


def mog8(**kwargs) -> TorchGame:
    """:func:`mog_game` on 8 Gaussians (the CLI's ``--example mog8``)."""
    return mog_game("mog8", **kwargs)


def mog25(**kwargs) -> TorchGame:
    """:func:`mog_game` on 25 Gaussians (the CLI's ``--example mog25``)."""
    return mog_game("mog25", **kwargs)


EXAMPLES = {"mog8": mog8, "mog25": mog25}
