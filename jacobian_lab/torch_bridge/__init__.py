"""Torch bridge: game Jacobian spectra of real generator and discriminator networks.

>>> from jacobian_lab.torch_bridge import TorchGame          # doctest: +SKIP
>>> game = TorchGame(generator, discriminator, real=x, latent=z, loss="gan")   # doctest: +SKIP
>>> jl.spectrum(game, reg="jare", gamma=1.0)                  # doctest: +SKIP

Importing this package imports torch; ``import jacobian_lab`` does not (``jl.TorchGame`` loads it lazily).
Without torch installed it raises :class:`~jacobian_lab.errors.MissingExtraError` naming the extra.
"""

from ..errors import MissingExtraError

try:
    import torch as _torch  # noqa: F401
except ModuleNotFoundError as _error:
    if _error.name != "torch":
        raise
    raise MissingExtraError('the torch bridge needs torch, which is not installed: '
                            'pip install "jacobian-lab[torch]"') from None

from ..losses import LOSSES
from .analysis import spectrum
from .dense import block_norms, jacobian
from .equilibrium import RealizableEquilibrium, realizable_equilibrium
from .game import TorchGame
from .operator import hessian_eigenvalues, most_rotational, operator, top_eigenvalues
from .recorder import SpectrumRecorder
from .recorder import load as load_record
from .threads import torch_threads
from .training import History, train

__all__ = ["TorchGame", "spectrum", "jacobian", "operator", "top_eigenvalues", "hessian_eigenvalues",
           "block_norms", "LOSSES", "train", "History", "torch_threads", "most_rotational", "SpectrumRecorder",
           "load_record", "realizable_equilibrium", "RealizableEquilibrium"]
