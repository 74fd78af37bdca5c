r"""The fixed samples a :class:`~jacobian_lab.torch_bridge.game.TorchGame` is analysed on.

The object studied is the Jacobian of the *minibatch* objective: the losses are means over a fixed
set of real samples :math:`x_1..x_N` and latent samples :math:`z_1..z_M`, so :math:`J` is a
deterministic function of the parameters, and every product, eigenvalue and factor is reproducible.
These samples are drawn once, when the game is built, from the game's ``seed``:

* ``real``: a tensor or array (used as given); a :class:`torch.utils.data.Dataset` (``batch`` items
  at indices from a seeded permutation; the first element of a tuple item such as ``(image, label)``);
  a :class:`torch.utils.data.DataLoader` (its first ``batches`` batches, iterated under the seeded
  global RNG, so a shuffling loader gives the same batches every time); or a callable ``real(n)``
  returning ``n`` samples (called under the seeded global RNG).
* ``latent``: a tensor or array; an int, the number of latent samples per batch, drawn from
  ``latent_dist`` (``"normal"``, standard normal, by default, or ``"uniform"`` on [-1, 1]) with the
  shape ``latent_shape`` or, when not given, ``(in_features,)`` of the generator's first
  :class:`~torch.nn.Linear` layer; or a callable ``latent(n)``.

Without a count from the data, ``batch`` is :data:`DEFAULT_BATCH` = 256: a common GAN minibatch size,
large enough that the top eigenvalues of a small MLP GAN move by a few percent between independent
draws, small enough for a dense Jacobian's forward passes. ``batches > 1`` analyses the mean of the
objective over that many minibatches (the sample counts multiply); with batch norm in train mode the
batch statistics are then those of each minibatch.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from ..errors import JacobianLabError, check_int, unknown_name

#: Samples per batch when neither the data nor ``batch`` gives a count.
DEFAULT_BATCH = 256
#: Distributions of an int ``latent``.
LATENT_DISTRIBUTIONS = ("normal", "uniform")
#: Largest number of samples drawn per input (a bound checked before drawing).
MAX_SAMPLES = 10_000_000


@contextlib.contextmanager
def seeded(seed: int, device=None):
    """Run the block under torch's global RNG seeded with ``seed``, then restore the RNG state.

    ``device``: a CUDA device whose generator is forked too (the CPU one always is).
    """
    cuda = [] if device is None or torch.device(device).type != "cuda" else [torch.device(device)]
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        yield


def as_tensor(name: str, value) -> torch.Tensor:
    """``value`` (tensor or array) as a detached tensor with a non-empty batch dimension."""
    try:
        tensor = torch.as_tensor(value) if not isinstance(value, torch.Tensor) else value
    except (TypeError, ValueError, RuntimeError):
        raise JacobianLabError(f"{name} must be a tensor, an array, a Dataset, a DataLoader or a callable, "
                               f"got {type(value).__name__}") from None
    if tensor.ndim == 0 or tensor.shape[0] == 0:
        raise JacobianLabError(f"{name} must be a non-empty batch (N, ...), got shape {tuple(tensor.shape)}")
    if not (tensor.is_floating_point() or tensor.dtype in (torch.int64, torch.int32, torch.uint8)):
        raise JacobianLabError(f"{name} must hold numbers, got dtype {tensor.dtype}")
    return tensor.detach()


def _first(item):
    """The sample of a dataset item: the first element of a tuple or list such as ``(x, label)``."""
    return item[0] if isinstance(item, tuple | list) else item


def _count(name, batch, batches):
    n = DEFAULT_BATCH if batch is None else check_int(f"{name} batch", batch)
    if n * batches > MAX_SAMPLES:
        raise JacobianLabError(f"{n} x {batches} {name} samples is over the limit of {MAX_SAMPLES}")
    return n


def real_samples(real, batch=None, batches: int = 1, seed: int = 0) -> torch.Tensor:
    """The fixed real samples, ``batches`` minibatches concatenated along the first axis.

    Parameters
    ----------
    real : tensor, array, Dataset, DataLoader or callable
        See the module docstring.
    batch : int, optional
        Samples per batch for a Dataset or a callable (default :data:`DEFAULT_BATCH`); a DataLoader
        brings its own batch size, a tensor its own length.
    batches : int
        Number of minibatches.
    seed : int

    Returns
    -------
    tensor, shape (batches * N, ...)
    """
    from torch.utils.data import DataLoader, Dataset

    if isinstance(real, DataLoader):
        if batch is not None:
            raise JacobianLabError("batch= does not apply to a DataLoader (it brings its own batch size)")
        return _from_loader(real, batches, seed)
    if isinstance(real, Dataset):
        n = _count("real", batch, batches)
        try:
            size = len(real)
        except TypeError:
            raise JacobianLabError("a Dataset for real= needs a length (an iterable dataset goes in a DataLoader)") \
                from None
        if size < n * batches:
            raise JacobianLabError(f"the Dataset has {size} items, fewer than {n} x {batches} requested "
                                   "(lower batch= or batches=)")
        order = np.random.default_rng(seed).permutation(size)[:n * batches]
        return _stack("real", [_first(real[int(i)]) for i in order])
    if callable(real) and not isinstance(real, torch.Tensor | np.ndarray):
        n = _count("real", batch, batches)
        return _call("real", real, n, batches, seed)
    tensor = as_tensor("real", real)
    if batch is not None:
        raise JacobianLabError("batch= does not apply to a tensor real= (it brings its own samples)")
    _check_divides("real", tensor.shape[0], batches)
    return tensor


def latent_samples(latent, n_default: int, batches: int = 1, seed: int = 0, generator=None,
                   latent_shape=None, latent_dist="normal") -> torch.Tensor:
    """The fixed latent samples, ``batches`` minibatches concatenated.

    Parameters
    ----------
    latent : tensor, array, int or callable
    n_default : int
        Latent samples per batch of a callable ``latent`` (the real batch size).
    generator : torch.nn.Module
        Where an int ``latent`` infers its shape (first ``Linear`` layer's ``in_features``).
    latent_shape : tuple of int, optional
        Shape of one latent sample, when it cannot be inferred.
    latent_dist : {"normal", "uniform"}
    """
    if isinstance(latent, bool):
        raise JacobianLabError(f"latent must be a tensor, an array, an int or a callable, got {latent!r}")
    if isinstance(latent, int | np.integer):
        n = _count("latent", int(latent), batches)
        if latent_dist not in LATENT_DISTRIBUTIONS:
            raise unknown_name("latent_dist", latent_dist, LATENT_DISTRIBUTIONS)
        shape = infer_latent_shape(generator) if latent_shape is None else _check_shape(latent_shape)
        gen = torch.Generator().manual_seed(seed + 1000)
        if latent_dist == "normal":
            return torch.randn((n * batches, *shape), generator=gen, dtype=torch.float64)
        return 2 * torch.rand((n * batches, *shape), generator=gen, dtype=torch.float64) - 1
    if callable(latent) and not isinstance(latent, torch.Tensor | np.ndarray):
        return _call("latent", latent, n_default, batches, seed + 1000)
    tensor = as_tensor("latent", latent)
    _check_divides("latent", tensor.shape[0], batches)
    return tensor


def infer_latent_shape(generator) -> tuple:
    """``(in_features,)`` when the generator's first layer (first leaf module) is a :class:`torch.nn.Linear`."""
    leaves = [m for m in generator.modules() if not any(True for _ in m.children())]
    if leaves and isinstance(leaves[0], torch.nn.Linear) and not isinstance(leaves[0], torch.nn.LazyLinear):
        return (leaves[0].in_features,)
    raise JacobianLabError("cannot infer the latent shape from the generator (its first layer is not Linear); "
                           "give latent_shape=, e.g. latent_shape=(100, 1, 1)")


def _check_shape(shape) -> tuple:
    try:
        shape = tuple(int(s) for s in (shape if isinstance(shape, tuple | list) else (shape,)))
    except (TypeError, ValueError):
        raise JacobianLabError(f"latent_shape must be a tuple of positive ints, got {shape!r}") from None
    if not shape or min(shape) < 1 or int(np.prod(shape)) > MAX_SAMPLES:
        raise JacobianLabError(f"latent_shape must be a tuple of positive ints, got {shape!r}")
    return shape


def _check_divides(name, count, batches):
    if count % batches:
        raise JacobianLabError(f"{name} has {count} samples, not a multiple of batches={batches}")


def _stack(name, items) -> torch.Tensor:
    try:
        tensors = [x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x)) for x in items]
        return as_tensor(name, torch.stack(tensors))
    except (RuntimeError, TypeError, ValueError) as error:
        raise JacobianLabError(f"{name} items must be tensors or arrays of one shape: {error}") from None


def _call(name, sampler, n, batches, seed) -> torch.Tensor:
    parts = []
    with seeded(seed):
        for _ in range(batches):
            try:
                out = sampler(n)
            except Exception as error:  # the user's sampler: report it in one line
                raise JacobianLabError(f"{name}({n}) raised {type(error).__name__}: {error}") from None
            out = as_tensor(f"{name}({n})", out)
            if out.shape[0] != n:
                raise JacobianLabError(f"{name}({n}) must return {n} samples, got shape {tuple(out.shape)}")
            parts.append(out)
    return torch.cat(parts)


def _from_loader(loader, batches, seed) -> torch.Tensor:
    parts = []
    with seeded(seed):
        for item in loader:
            part = as_tensor("real (DataLoader batch)", _first(item))
            if parts and part.shape[0] != parts[0].shape[0]:
                break  # a short last batch
            parts.append(part)
            if len(parts) == batches:
                break
    if len(parts) < batches:
        raise JacobianLabError(f"the DataLoader gave {len(parts)} full batch(es), fewer than batches={batches}")
    return torch.cat(parts)
