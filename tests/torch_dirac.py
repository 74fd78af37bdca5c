"""The Dirac-GAN's generator as a torch module, shared by the torch tests."""

import torch


class DiracGenerator(torch.nn.Module):
    """``G(z) = theta`` for every latent sample: one parameter."""

    def __init__(self, theta):
        super().__init__()
        self.theta = torch.nn.Parameter(torch.tensor([float(theta)], dtype=torch.float64))

    def forward(self, z):
        return self.theta.expand(z.shape[0], 1)
