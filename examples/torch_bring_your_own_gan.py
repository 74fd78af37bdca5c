"""Bring your own GAN: your networks, your DataLoader, your training loop, and their Jacobian spectra.

Run ``python examples/torch_bring_your_own_gan.py [OUT_DIR] [--fast]``. It

1. defines a generator and a discriminator (plain ``torch.nn``, with batch norm) and a DataLoader of
   2-D data (8 Gaussians on a circle);
2. builds the game on a fixed, seeded minibatch and asks for the eigenvalues that matter, matrix-free:
   the largest in magnitude, the rightmost (stability) and the most rotational;
3. trains with its own Adam loop, recording spectra every few steps with a ``SpectrumRecorder``, and
   draws the eigenvalue trajectories;
4. saves a checkpoint that the command line analyses with this file's ``make_game`` factory::

       jacobian-lab spectrum examples/torch_bring_your_own_gan.py:make_game \\
           --arg width=32 --checkpoint OUT_DIR/checkpoint.pt --k 6 --which LR
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

import jacobian_lab as jl
from jacobian_lab.plotting import save_figure
from jacobian_lab.plotting.training import spectrum_record_plot
from jacobian_lab.torch_bridge import SpectrumRecorder, TorchGame
from jacobian_lab.torch_bridge.examples import sample_mixture
from jacobian_lab.torch_bridge.operator import most_rotational

LATENT_DIM = 4


def networks(width=32):
    """A generator with batch norm and a discriminator, float64, initialised from a fixed seed."""
    torch.manual_seed(0)
    generator = torch.nn.Sequential(
        torch.nn.Linear(LATENT_DIM, width), torch.nn.BatchNorm1d(width), torch.nn.ReLU(),
        torch.nn.Linear(width, width), torch.nn.Tanh(), torch.nn.Linear(width, 2)).double()
    discriminator = torch.nn.Sequential(
        torch.nn.Linear(2, width), torch.nn.LeakyReLU(0.2),
        torch.nn.Linear(width, width), torch.nn.LeakyReLU(0.2), torch.nn.Linear(width, 1)).double()
    return generator, discriminator


def data_loader(n=2048, batch_size=64):
    """Real data as a researcher has it: a shuffling DataLoader of (sample, label) pairs."""
    x = sample_mixture("mog8", n, seed=1)
    return DataLoader(TensorDataset(x, torch.zeros(n)), batch_size=batch_size, shuffle=True)


def make_game(width=32):
    """The factory the command line calls (``--arg width=32``; ``--checkpoint`` then loads the weights)."""
    generator, discriminator = networks(width)
    # One fixed, seeded minibatch: the loader's first batch (64 real samples) and 64 standard normal
    # latent samples of the shape of the generator's first layer.
    return TorchGame(generator, discriminator, real=data_loader(), latent=64, loss="nsgan")


def eigenvalues_that_matter(game, k=6):
    """Top-k by magnitude, the k rightmost and the most rotational, each one ARPACK run on products."""
    top = jl.spectrum(game, k=k, which="LM")
    right = jl.spectrum(game, k=k, which="LR")
    rotating = jl.spectrum(game, k=k, which="LI")
    print(f"{game.n_params} parameters")
    print(f"  largest |lambda|   {abs(top.eigenvalues).max():.4g}   ({top.info['n_matvec']} products)")
    print(f"  rightmost Re       {right.eigenvalues.real.max():+.4g}   ({right.info['n_matvec']} products)")
    print(f"  most rotational    {most_rotational(rotating.eigenvalues):.4g}   ({rotating.info['n_matvec']} products)")
    return top, right, rotating


def train(game, steps, out_dir, every):
    """A plain Adam loop on fresh minibatches; the recorder only reads the modules every ``every`` steps."""
    generator, discriminator = game.generator, game.discriminator
    recorder = SpectrumRecorder(game, out_dir / "spectra.npz", every=every, k=6, k_right=3, budget_s=30)
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    batches = iter(())
    for step in range(steps + 1):
        recorder(step)                     # records at step 0, every, 2 every, ...
        real = next(batches, None)
        if real is None:                   # a new epoch of the shuffling loader
            batches = (x for x, _ in data_loader())
            real = next(batches)
        z = torch.randn(real.shape[0], LATENT_DIM, dtype=torch.float64)
        l_g, l_d = game.loss(discriminator(real), discriminator(generator(z)))
        opt_g.zero_grad()
        opt_d.zero_grad()
        l_g.backward(inputs=list(generator.parameters()), retain_graph=True)
        l_d.backward(inputs=list(discriminator.parameters()))
        opt_g.step()                       # simultaneous updates
        opt_d.step()
    return recorder.history


def main(out_dir=".", fast=False):
    out_dir = Path(out_dir)
    game = make_game(width=8 if fast else 32)
    eigenvalues_that_matter(game, k=4 if fast else 6)
    history = train(game, steps=4 if fast else 400, out_dir=out_dir, every=2 if fast else 40)
    figure = save_figure(spectrum_record_plot(history, title="spectra along training"), out_dir / "trajectories.png")
    checkpoint = out_dir / "checkpoint.pt"
    torch.save({"generator": game.generator.state_dict(), "discriminator": game.discriminator.state_dict()},
               checkpoint)
    return [out_dir / "spectra.npz", figure, checkpoint]


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--fast"]
    main(args[0] if args else ".", fast="--fast" in sys.argv)
