r"""Several processes, one operator: the game Jacobian data-parallel over :mod:`torch.distributed`.

The losses are means over samples, so with :math:`W` equal shards of the real and latent samples
(one per process, "rank") the field and its Jacobian are averages of the ranks' own:

.. math:: v(x) = \frac1W \sum_{r=1}^{W} v_r(x), \qquad J t = \frac1W \sum_r J_r t, \qquad
          J^\top u = \frac1W \sum_r J_r^\top u .

Each product is one broadcast of the vector from rank 0, one local product per rank (on its own
device) and one all-reduce; ARPACK runs on rank 0's host while the other ranks serve products. The
point :math:`x` is rank 0's parameters, broadcast to all. This holds for the losses and for the
penalties that are means over samples or free of them (:attr:`~jacobian_lab.regularizers.Penalty.sample_mean`,
traced from each definition: R1, R2, the gradient penalties, orthogonality); penalties quadratic in a
full-batch gradient (consensus, JARE) and field transforms are not averages of shards and are refused. A custom
loss must be a mean over samples too. In ``mode="train"`` batch norm normalises over each rank's
shard: one process with ``batches=W`` gives the same objective.

Backends: gloo on CPU, NCCL when the game is on CUDA (one GPU per rank, ``cuda:LOCAL_RANK``);
:func:`init` picks it from the environment that ``torchrun`` sets, so a script runs unchanged on one
process, on several local ones or on a cluster::

    torchrun --nproc_per_node=4 my_spectrum.py                      # one machine
    torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d \
             --rdzv_endpoint=HOST:29500 my_spectrum.py              # two machines
"""

from __future__ import annotations

import os

import numpy as np
import torch
import torch.distributed as dist
from scipy.sparse.linalg import LinearOperator

from ..errors import JacobianLabError
from ..regularizers import REGULARIZERS, DataNoise, Penalty, parse_reg
from ..spectra.factors import DEFAULT_RTOL
from ..spectra.spectrum import Spectrum
from .operator import WHICH, _check_k, _check_which, operator, top_eigenvalues

_STOP, _FORWARD, _REVERSE = 0, 1, 2


def init(backend: str | None = None) -> None:
    """Join the process group that ``torchrun`` (or the caller's environment) describes, if not yet joined.

    ``backend``: default NCCL when CUDA is available, else gloo. Without ``WORLD_SIZE`` in the
    environment nothing happens (a single process).
    """
    if dist.is_initialized() or "WORLD_SIZE" not in os.environ:
        return
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group(backend)


def rank() -> int:
    """This process's rank (0 without a process group)."""
    return dist.get_rank() if dist.is_initialized() else 0


def world_size() -> int:
    """Number of processes (1 without a process group)."""
    return dist.get_world_size() if dist.is_initialized() else 1


def check_shardable(reg=None, gamma=None) -> None:
    """Refuse regularizers whose field is not the mean of the shards' fields."""
    for r, strength in parse_reg(reg, gamma):
        if strength == 0 or isinstance(r, DataNoise):
            continue
        if not (isinstance(r, Penalty) and r.sample_mean):
            shardable = sorted(n for n, p in REGULARIZERS.items() if isinstance(p, Penalty) and p.sample_mean)
            raise JacobianLabError(f"regularizer {r.name!r} is not a mean over samples, so it cannot be split "
                                   f"across processes; accepted: {', '.join(shardable)} (and instance noise)")


def shard(game, rank_: int, world: int):
    """The same game on this rank's contiguous share of its real and latent samples (``W`` equal shares)."""
    for name, count in (("real", game.real.shape[0]), ("latent", game.latent.shape[0])):
        if count % world:
            raise JacobianLabError(f"{count} {name} samples do not split into {world} equal shards")
    if game.batches % world and game.batches != 1:
        raise JacobianLabError(f"batches={game.batches} does not split into {world} processes")
    other = type(game).__new__(type(game))
    other.__dict__.update(game.__dict__)
    other.real = torch.chunk(game.real, world)[rank_]
    other.latent = torch.chunk(game.latent, world)[rank_]
    other.batches = max(1, game.batches // world)
    other._noise = {}
    return other


class DistributedJacobianOperator(LinearOperator):
    """:math:`J` averaged over the ranks; its products are collective (call them on rank 0 only).

    Other ranks call :meth:`serve`, which answers products until rank 0 calls :meth:`stop`.
    """

    def __init__(self, local, group=None):
        super().__init__(dtype=np.float64, shape=local.shape)
        self.local, self.group, self.n_matvec = local, group, 0
        self.world = dist.get_world_size(group)
        self.device = local.x.device

    def _collective(self, command: int, vector: torch.Tensor | None) -> torch.Tensor | None:
        code = torch.tensor([command], dtype=torch.int64, device=self.device)
        dist.broadcast(code, src=0, group=self.group)
        if int(code) == _STOP:
            return None
        if vector is None:
            vector = torch.empty_like(self.local.x)
        dist.broadcast(vector, src=0, group=self.group)
        out = (self.local.forward if int(code) == _FORWARD else self.local.pullback)(vector).detach().contiguous()
        dist.all_reduce(out, op=dist.ReduceOp.SUM, group=self.group)
        return out / self.world

    def _product(self, command, array):
        self.n_matvec += 1
        vector = torch.as_tensor(np.ascontiguousarray(array, dtype=np.float64).ravel())
        out = self._collective(command, vector.to(self.local.x.dtype).to(self.device))
        return out.detach().to("cpu", torch.float64).numpy()

    def _matvec(self, t):
        return self._product(_FORWARD, t)

    def _rmatvec(self, u):
        return self._product(_REVERSE, u)

    def serve(self) -> None:
        """On ranks other than 0: answer rank 0's products until it stops."""
        while self._collective(_STOP, None) is not None:  # the command comes from rank 0
            self.n_matvec += 1

    def stop(self) -> None:
        """On rank 0: release the serving ranks."""
        self._collective(_STOP, None)


def distributed_operator(game, reg=None, gamma=None, at=None, sharded=False, group=None):
    """The data-parallel :math:`J` at rank 0's point (default its modules' parameters).

    ``sharded=False``: every rank built ``game`` on the same samples and keeps its own share
    (:func:`shard`); ``sharded=True``: each rank's game already holds only its own shard.
    Call on every rank.
    """
    check_shardable(reg, gamma)
    world, me = dist.get_world_size(group), dist.get_rank(group)
    local_game = game if sharded else shard(game, me, world)
    x = game.point(at).detach().clone().contiguous()
    dist.broadcast(x, src=0, group=group)
    counts = torch.tensor([local_game.real.shape[0], local_game.latent.shape[0], game.n_params],
                          dtype=torch.int64, device=x.device)
    gathered = [torch.empty_like(counts) for _ in range(world)]
    dist.all_gather(gathered, counts, group=group)
    if any(not torch.equal(g, gathered[0]) for g in gathered):
        raise JacobianLabError("every rank needs the same numbers of parameters and of real and latent samples; got "
                               + ", ".join(str(g.tolist()) for g in gathered))
    return DistributedJacobianOperator(operator(local_game, reg, gamma, x), group)


def spectrum(game, k: int = 20, which: str = "LM", reg=None, gamma=None, at=None, rtol=None, sharded=False,
             tol: float = 0.0, maxiter=None, ncv=None, progress=None, group=None) -> Spectrum:
    """Top-``k`` spectrum of the data-parallel :math:`J`; call on every rank, every rank gets the result.

    Without a process group (a single process) this is the one-process top-``k`` spectrum. ARPACK
    runs on rank 0 on :math:`J^\\top` (reverse products), as :func:`.analysis.spectrum` does.

    Parameters
    ----------
    game : TorchGame
        Built the same way on every rank (same seed, so the same samples), or with ``sharded=True``
        on each rank's own samples.
    k, which, reg, gamma, at, rtol, tol, maxiter, ncv, progress
        As :func:`jacobian_lab.torch_bridge.analysis.spectrum`.

    Returns
    -------
    Spectrum
        ``partial=True``; ``info["world_size"]`` and ``info["n_matvec"]`` (collective products).
    """
    rtol = DEFAULT_RTOL if rtol is None else rtol
    if not dist.is_initialized():
        from .analysis import spectrum as single

        return single(game, reg=reg, gamma=gamma, at=at, rtol=rtol, k=k, which=which, tol=tol, maxiter=maxiter,
                      ncv=ncv, progress=progress)
    _check_k(k, game.n_params, "a Jacobian")
    _check_which(which, WHICH)
    op = distributed_operator(game, reg, gamma, at, sharded, group)
    payload = [None]
    if dist.get_rank(group) == 0:
        try:
            values, _, converged = top_eigenvalues(op.H, k, which, tol=tol, maxiter=maxiter, ncv=ncv,
                                                   seed=game.seed, progress=progress)
            payload = [(values, converged, op.n_matvec)]
        except JacobianLabError as error:  # every rank raises it
            payload = [str(error)]
        finally:
            op.stop()
    else:
        op.serve()
    dist.broadcast_object_list(payload, src=0, group=group)
    if isinstance(payload[0], str):
        raise JacobianLabError(payload[0])
    values, converged, n_matvec = payload[0]
    info = {"model": "torch", "loss": game.loss_name, "method": "arpack (distributed)", "k": int(k),
            "which": which, "n_params": game.n_params, "n_theta": game.n_theta, "world_size": op.world,
            "n_converged": int(values.size), "converged": converged, "n_matvec": n_matvec,
            "device": str(op.device), "dtype": str(game.dtype).replace("torch.", "")}
    return Spectrum(values, None, "continuous", partial=True, rtol=rtol, point=op.local.x.cpu().numpy(), info=info)
