"""A module's parameters as one flat vector, and back."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class FlatLayout:
    """Names and shapes of a module's parameters, in ``named_parameters()`` order.

    Attributes
    ----------
    names : tuple of str
    shapes : tuple of torch.Size
    size : int
        Total number of scalars.
    """

    names: tuple
    shapes: tuple
    size: int

    @classmethod
    def of(cls, module: torch.nn.Module) -> FlatLayout:
        named = list(module.named_parameters())
        return cls(tuple(n for n, _ in named), tuple(p.shape for _, p in named),
                   sum(p.numel() for _, p in named))

    def unflatten(self, vector: torch.Tensor) -> dict:
        """``{name: view}`` of a flat vector (differentiable)."""
        out, start = {}, 0
        for name, shape in zip(self.names, self.shapes):
            count = shape.numel()
            out[name] = vector[start:start + count].view(shape)
            start += count
        return out

    def flatten(self, module: torch.nn.Module, dtype, device) -> torch.Tensor:
        """The module's current parameters as one detached vector."""
        params = [p.detach().to(dtype=dtype, device=device).reshape(-1) for p in module.parameters()]
        return torch.cat(params) if params else torch.zeros(0, dtype=dtype, device=device)


def buffers(module: torch.nn.Module, dtype, device) -> dict:
    """The module's buffers, floating ones cast to ``dtype``, all moved to ``device`` (detached)."""
    out = {}
    for name, buf in module.named_buffers():
        buf = buf.detach().to(device=device)
        out[name] = buf.to(dtype) if buf.is_floating_point() else buf
    return out


@contextlib.contextmanager
def eval_mode(module: torch.nn.Module):
    """Evaluate ``module`` in eval mode (no dropout, batch norm on its running statistics), then restore."""
    flags = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield module
    finally:
        for m, training in flags:
            m.training = training
