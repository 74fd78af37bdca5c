r"""A GAN written as two ``torch.nn.Module`` players, seen as a differentiable game.

Conventions (the same as the core, ``docs/conventions.rst``): generator parameters :math:`\theta`
first, discriminator parameters :math:`\psi` second, flattened in ``named_parameters()`` order;
the losses :math:`(l_G, l_D)` of :mod:`jacobian_lab.losses`, each minimised by its
player; the field :math:`v = (-\nabla_\theta l_G, -\nabla_\psi l_D)` (for the zero-sum ``gan`` and
``wgan`` this is :math:`(-\nabla_\theta L, +\nabla_\psi L)`) and :math:`J = \partial v/\partial x`.

Determinism: the field is a function of the parameters only. It is taken on fixed samples
(:mod:`.samples`: drawn once from ``seed`` out of a tensor, a Dataset, a DataLoader or a sampler),
in ``dtype`` (float64 by default). ``mode="eval"`` (default) evaluates both modules in eval mode:
dropout off, batch norm on its running statistics (fixed buffers), every sample independent of the
others. ``mode="train"`` evaluates them as in a training step: batch norm normalises with each
minibatch's own statistics (so the samples of a batch interact, and :math:`J` is that of the
training-time objective) and dropout applies one fixed mask drawn from ``seed`` at every evaluation;
running statistics are never updated. Random quantities of the regularizers (instance noise,
interpolation weights) are drawn once from ``seed``. The modules themselves are not modified:
parameters are read when a method is called and substituted with :func:`torch.func.functional_call`.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import JacobianLabError, check_int
from .flat import FlatLayout, buffers
from .ops import is_zero_sum, make_loss
from .samples import latent_samples, real_samples, seeded

#: Evaluation modes of the modules (see the module docstring).
MODES = ("eval", "train")


def default_device(device=None) -> torch.device:
    """``device`` if given, else CUDA when available, else the CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise JacobianLabError(f"unknown device {device!r}; accepted: cpu, cuda, cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise JacobianLabError("device 'cuda' requested but CUDA is not available; use device='cpu'")
    return device


class TorchGame:
    """Generator and discriminator networks on fixed samples, as a game with a vector field.

    Parameters
    ----------
    generator, discriminator : torch.nn.Module
        ``generator(latent)`` gives samples shaped like the real ones; ``discriminator(samples)``
        gives the logit of "real", one per sample (shape ``(N,)`` or ``(N, 1)``).
    real : tensor, array, Dataset, DataLoader or callable
        Real samples (:func:`.samples.real_samples`): a batch ``(N, ...)``; ``batch`` items of a
        Dataset; the first ``batches`` batches of a DataLoader; or ``real(n)`` returning ``n`` samples.
    latent : tensor, array, int or callable
        Latent samples (:func:`.samples.latent_samples`): a batch ``(M, ...)``; an int ``M`` drawn
        from ``latent_dist`` with ``latent_shape`` (default: the generator's first ``Linear`` layer's
        input size); or ``latent(n)``.
    loss : {"gan", "nsgan", "wgan"} or callable
        A name, or ``loss(d_real, d_fake) -> (l_G, l_D)`` (each minimised by its player).
    dtype : torch.dtype
        Precision of every computation (default float64).
    device : str or torch.device, optional
        Default CUDA when available, else CPU.
    seed : int
        Seed of every fixed draw: samples from a Dataset, DataLoader or sampler, the latent batch,
        dropout masks (``mode="train"``), instance noise and interpolation weights.
    batch : int, optional
        Real samples per batch for a Dataset or a callable ``real`` (default 256, see :mod:`.samples`).
    batches : int
        Number of minibatches the objective is averaged over (default 1).
    latent_shape : tuple of int, optional
        Shape of one latent sample for an int ``latent``.
    latent_dist : {"normal", "uniform"}
        Distribution of an int ``latent``.
    mode : {"eval", "train"}
        How batch norm and dropout behave (see the module docstring).

    Raises
    ------
    JacobianLabError
        At construction, when the players do not fit the samples: the generator fails on the latent
        batch or gives samples of another shape than the real ones, the discriminator does not give
        one logit per sample, or the loss does not give two scalars.

    Examples
    --------
    >>> import jacobian_lab as jl
    >>> from jacobian_lab.torch_bridge.examples import mog_game
    >>> game = mog_game("mog8", width=8, batch=32)
    >>> s = jl.spectrum(game, reg="jare", gamma=1.0)   # dense, every eigenvalue
    >>> t = jl.spectrum(game, k=6, which="LM")          # ARPACK top-k
    """

    def __init__(self, generator, discriminator, real, latent, loss="gan", dtype=torch.float64,
                 device=None, seed=0, *, batch=None, batches=1, latent_shape=None, latent_dist="normal",
                 mode="eval"):
        for name, module in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(module, torch.nn.Module):
                raise JacobianLabError(f"{name} must be a torch.nn.Module, got {type(module).__name__}")
        if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
            raise JacobianLabError(f"dtype must be a torch floating dtype, got {dtype!r}")
        if mode not in MODES:
            raise JacobianLabError(f"mode must be 'eval' or 'train', got {mode!r}")
        self.generator, self.discriminator = generator, discriminator
        self.loss = make_loss(loss)
        self.loss_name = getattr(self.loss, "__name__", "custom")
        #: A named loss with :math:`l_D = -l_G` (:attr:`jacobian_lab.losses.GANLoss.zero_sum`):
        #: one gradient gives the field.
        self.zero_sum = is_zero_sum(loss)
        self.dtype, self.device, self.seed = dtype, default_device(device), check_int("seed", seed, minimum=0)
        self.mode, self.batches = mode, check_int("batches", batches)
        #: Where fresh real batches come from (:func:`.validation.over_batches`): the ``real`` given
        #: when it is a Dataset, a DataLoader or a sampler; ``None`` for a fixed tensor or array.
        self.real_source = None if isinstance(real, torch.Tensor | np.ndarray) else real
        real = real_samples(real, batch, self.batches, self.seed)
        self.real = self._data(real)
        latent = latent_samples(latent, real.shape[0] // self.batches, self.batches, self.seed, generator,
                                latent_shape, latent_dist)
        self.latent = self._data(latent)
        self.g_layout = FlatLayout.of(generator)
        self.d_layout = FlatLayout.of(discriminator)
        if self.g_layout.size == 0 or self.d_layout.size == 0:
            raise JacobianLabError("both players need at least one parameter")
        self._noise = {}
        self.check_shapes()

    def _data(self, tensor) -> torch.Tensor:
        return tensor.detach().to(dtype=self.dtype, device=self.device)

    def check_shapes(self) -> None:
        """Evaluate the players once on the samples; refuse, in one line, what they cannot use."""
        theta, psi = self.split(self.parameters())
        with torch.no_grad():
            fake = self._checked_fake(theta)
            d_real = self._checked_logits(psi, self.real, "real")
            d_fake = self._checked_logits(psi, fake, "generated")
            try:
                values = self.loss(d_real, d_fake)
                ok = len(values) == 2 and all(isinstance(v, torch.Tensor) and v.numel() == 1 for v in values)
            except Exception as error:  # the user's loss
                raise JacobianLabError(f"the loss failed on the logits ({_describe(error)})") from None
        if not ok:
            raise JacobianLabError("the loss must return two scalar tensors (l_G, l_D)")

    def _checked_fake(self, theta) -> torch.Tensor:
        try:
            fake = self.generate(theta)
        except Exception as error:  # the user's module: one line saying what was fed to it
            raise JacobianLabError(f"the generator failed on the latent batch of shape {tuple(self.latent.shape)} "
                                   f"({_describe(error)}); give latent= with the shape it takes") from None
        ok = isinstance(fake, torch.Tensor) and fake.shape[0] == self.latent.shape[0]
        if not ok or tuple(fake.shape[1:]) != tuple(self.real.shape[1:]):
            got = tuple(fake.shape) if isinstance(fake, torch.Tensor) else type(fake).__name__
            raise JacobianLabError(f"the generator gives samples of shape {got} for {self.latent.shape[0]} latent "
                                   f"samples, but the real samples have shape {tuple(self.real.shape)}: each "
                                   "generated sample must have the shape of one real sample")
        return fake

    def _checked_logits(self, psi, samples, name) -> torch.Tensor:
        try:
            out = self.discriminate(psi, samples)
        except Exception as error:
            raise JacobianLabError(f"the discriminator failed on the {name} samples of shape "
                                   f"{tuple(samples.shape)} ({_describe(error)})") from None
        n = samples.shape[0]
        if not isinstance(out, torch.Tensor) or out.ndim == 0 or out.numel() != n or out.shape[0] != n:
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise JacobianLabError(f"the discriminator must give one logit per sample, shape (N,) or (N, 1); "
                                   f"got {got} for {n} {name} samples")
        return out

    # -- sizes and points ------------------------------------------------------------------
    @property
    def n_theta(self) -> int:
        """Number of generator parameters."""
        return self.g_layout.size

    @property
    def n_params(self) -> int:
        """Total number of parameters :math:`d = n_\\theta + n_\\psi`."""
        return self.g_layout.size + self.d_layout.size

    def to(self, device) -> TorchGame:
        """The same game with its data on ``device`` (the modules are shared, not copied)."""
        device = default_device(device)
        if device == self.device:
            return self
        other = TorchGame.__new__(TorchGame)
        other.__dict__.update(self.__dict__)
        other.device, other._noise = device, {}
        other.real, other.latent = self.real.to(device), self.latent.to(device)
        return other

    def with_loss(self, loss) -> TorchGame:
        """The same game (modules and samples shared) with another loss, a name or a callable."""
        other = TorchGame.__new__(TorchGame)
        other.__dict__.update(self.__dict__)
        other.loss, other._noise = make_loss(loss), {}
        other.loss_name = getattr(other.loss, "__name__", "custom")
        other.zero_sum = is_zero_sum(loss)
        other.check_shapes()
        return other

    def parameters(self) -> torch.Tensor:
        """The modules' current parameters as one flat vector, generator first."""
        return torch.cat([self.g_layout.flatten(self.generator, self.dtype, self.device),
                          self.d_layout.flatten(self.discriminator, self.dtype, self.device)])

    def point(self, at=None) -> torch.Tensor:
        """``at`` (a flat vector of length :attr:`n_params`) as a tensor; default the current parameters."""
        if at is None:
            return self.parameters()
        if isinstance(at, torch.Tensor):  # possibly on a device: no round trip through numpy
            at = at.detach().to(dtype=self.dtype, device=self.device).reshape(-1)
            if at.numel() == self.n_params and bool(torch.isfinite(at).all()):
                return at
        try:
            x = torch.as_tensor(np.asarray(at, dtype=float).ravel(), dtype=self.dtype, device=self.device)
        except (TypeError, ValueError):
            raise JacobianLabError(f"'at' must be {self.n_params} finite numbers, got {type(at).__name__}") from None
        if x.numel() != self.n_params or not bool(torch.isfinite(x).all()):
            raise JacobianLabError(f"'at' must be {self.n_params} finite numbers (generator first), "
                                   f"got {x.numel()} values")
        return x

    def split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(theta, psi)`` of a flat vector."""
        return x[:self.n_theta], x[self.n_theta:]

    # -- the players as functions of their parameters --------------------------------------
    def generate(self, theta: torch.Tensor, latent=None) -> torch.Tensor:
        """:math:`G_\\theta(z)` on the latent samples (in :attr:`mode`)."""
        return self._call(self.generator, self.g_layout.unflatten(theta), self.latent if latent is None else latent, 1)

    def discriminate(self, psi: torch.Tensor, samples: torch.Tensor) -> torch.Tensor:
        """:math:`D_\\psi(x)`, the logit of "real" (in :attr:`mode`)."""
        return self._call(self.discriminator, self.d_layout.unflatten(psi), samples, 2)

    def _call(self, module, params, inputs, stream):
        """``module`` with ``params`` on ``inputs``: eval mode, or train mode one minibatch at a time."""
        state = buffers(module, self.dtype, self.device)
        training = self.mode == "train"
        if training:  # batch norm writes its running statistics in place: let it write to copies
            state = {name: b.clone() for name, b in state.items()}
        flags = [(m, m.training) for m in module.modules()]
        module.train(training)
        try:
            if not training:
                return torch.func.functional_call(module, {**params, **state}, (inputs,))
            parts = []
            with seeded(self.seed + 7 * stream, self.device):  # the same dropout masks at every evaluation
                for chunk in torch.chunk(inputs, self.batches):
                    parts.append(torch.func.functional_call(module, {**params, **state}, (chunk,)))
            return torch.cat(parts)
        finally:
            for m, flag in flags:
                m.training = flag

    def fixed_noise(self, name: str) -> torch.Tensor:
        """The fixed standard normal (``"real"``, ``"fake"``) or uniform (``"interp"``) sample.

        Drawn once from ``seed`` by :meth:`draw_noise` (random draws are not allowed inside
        :mod:`torch.func` transforms): shapes ``real.shape``, ``G(z).shape`` and ``(n, 1, ...)`` with
        ``n = min(N, M)``.
        """
        if not self._noise:
            self.draw_noise()
        return self._noise[name]

    def draw_noise(self) -> None:
        """Draw the fixed samples of :meth:`fixed_noise` (call outside any transform)."""
        with torch.no_grad():
            fake_shape = tuple(self.generate(self.parameters()).shape)
        n = min(self.real.shape[0], fake_shape[0])
        shapes = {"real": tuple(self.real.shape), "fake": fake_shape, "interp": (n,) + (1,) * (len(fake_shape) - 1)}
        for i, (name, shape) in enumerate(shapes.items()):
            gen = torch.Generator().manual_seed(self.seed + i)
            draw = torch.rand if name == "interp" else torch.randn
            self._noise[name] = draw(shape, generator=gen, dtype=self.dtype).to(self.device)

    def losses(self, theta, psi, noise_std: float = 0.0):
        """``(l_G, l_D)`` at ``(theta, psi)``; ``noise_std`` adds the fixed instance-noise sample."""
        fake = self.generate(theta)
        real = self.real
        if noise_std:
            real = real + noise_std * self.fixed_noise("real")
            fake = fake + noise_std * self.fixed_noise("fake")
        return self.loss(self.discriminate(psi, real), self.discriminate(psi, fake))

    # -- analysis (see dense.py and operator.py) -------------------------------------------
    def field(self, reg=None, gamma=None, at=None) -> np.ndarray:
        """The (regularized) field :math:`v(x)` as a numpy vector."""
        from .analysis import check_finite_field

        return check_finite_field(self, reg, gamma, self.point(at)).detach().cpu().numpy()

    def jacobian(self, reg=None, gamma=None, at=None, device=None, **params) -> np.ndarray:
        """Dense :math:`J = \\partial v/\\partial x` as a numpy array; see :func:`.dense.jacobian`."""
        from .dense import jacobian

        return jacobian(self, reg=reg, gamma=gamma, at=at, device=device, **params)

    def spectrum(self, reg=None, gamma=None, scheme=None, at=None, rtol=None, **params):
        """Dense (default) or top-k (``k=``) spectrum; see :func:`.analysis.spectrum`."""
        from .analysis import spectrum

        return spectrum(self, reg=reg, gamma=gamma, scheme=scheme, at=at, rtol=rtol, **params)

    def operator(self, reg=None, gamma=None, at=None):
        """:math:`J` as a :class:`scipy.sparse.linalg.LinearOperator`; see :func:`.operator.operator`."""
        from .operator import operator

        return operator(self, reg=reg, gamma=gamma, at=at)

    def hessian_eigenvalues(self, player="generator", k=20, which="LM", reg=None, gamma=None, at=None):
        """Top-k eigenvalues of one player's loss Hessian; see :func:`.operator.hessian_eigenvalues`."""
        from .operator import hessian_eigenvalues

        return hessian_eigenvalues(self, player, k=k, which=which, reg=reg, gamma=gamma, at=at)

    def block_norms(self, reg=None, gamma=None, at=None) -> dict:
        """Frobenius norms of :math:`J`'s four blocks; see :func:`.dense.block_norms`."""
        from .dense import block_norms

        return block_norms(self, reg=reg, gamma=gamma, at=at)

    def __repr__(self):
        return (f"TorchGame(n_theta={self.n_theta}, n_psi={self.d_layout.size}, loss={self.loss_name!r}, "
                f"real={self.real.shape[0]}, latent={self.latent.shape[0]}, batches={self.batches}, "
                f"mode={self.mode!r}, dtype={self.dtype}, device={self.device})")


def _describe(error: BaseException) -> str:
    """``"TypeName: first line of the message"``."""
    text = str(error).strip().splitlines()
    return type(error).__name__ + (f": {text[0]}" if text else "")
