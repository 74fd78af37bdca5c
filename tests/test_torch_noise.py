"""Instance noise on the torch Dirac-GAN against the core's exact expectation.

The core takes the expectation over the noise exactly (Gauss-Hermite); the torch bridge uses one
fixed sample of ``n`` standard normals per batch (drawn from the game's seed). At the equilibrium the
Jacobian depends on that sample only through its second moments, which gives an exact test; elsewhere
the entries are sample means with standard error below ``0.5 / sqrt(n)`` here (bounded sigmoid
derivatives times quadratics in noise of std 0.7), so eigenvalues agree to a few standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("torch_one_thread")

from torch_dirac import DiracGenerator  # noqa: E402

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.torch_bridge import TorchGame  # noqa: E402

FLIP = np.diag([1.0, -1.0])  # core psi = -torch psi
SIGMA = 0.7



def dirac_game(theta, psi, n):
    disc = torch.nn.Linear(1, 1, bias=False).double()
    with torch.no_grad():
        disc.weight.fill_(psi)
    return TorchGame(DiracGenerator(theta), disc, real=torch.zeros(n, 1), latent=torch.zeros(n, 1), loss="gan")


def test_equilibrium_jacobian_is_exact_in_the_sample_moments():
    """At (0, 0): J_psipsi = -(sigma^2/4)(m_real + m_fake) with the sample second moments m."""
    game = dirac_game(0.0, 0.0, n=64)
    ours = FLIP @ jl.jacobian(game, reg="instance-noise", gamma=SIGMA) @ FLIP
    core = jl.spectrum("dirac", reg="instance-noise", gamma=SIGMA).jacobian
    moments = sum(float((game.fixed_noise(name) ** 2).mean()) for name in ("real", "fake"))
    np.testing.assert_allclose(ours[1, 1] * 2 / moments, core[1, 1], atol=1e-14)
    np.testing.assert_allclose(ours[:, :1], core[:, :1], atol=1e-14)
    np.testing.assert_allclose(ours[0, 1], core[0, 1], atol=1e-14)
    assert abs(ours[1, 1] - core[1, 1]) > 1e-6  # a finite sample is not the expectation


@pytest.mark.parametrize("point", [(0.0, 0.0), (0.5, 0.4)])
def test_large_sample_eigenvalues_match_exact_expectation(point):
    n = 40_000
    ours = jl.spectrum(dirac_game(point[0], point[1], n), reg="instance-noise", gamma=SIGMA).eigenvalues
    core = jl.spectrum("dirac", reg="instance-noise", gamma=SIGMA, at=(point[0], -point[1])).eigenvalues
    tolerance = 5 * 0.5 / np.sqrt(n)  # five standard errors
    np.testing.assert_allclose(np.sort_complex(ours), np.sort_complex(core), atol=tolerance)
    # the tolerance separates sigma from a wrong noise level (sigma^2 in place of sigma)
    wrong = jl.spectrum("dirac", reg="instance-noise", gamma=SIGMA**2, at=(point[0], -point[1])).eigenvalues
    assert np.abs(np.sort_complex(wrong) - np.sort_complex(core)).max() > 4 * tolerance
