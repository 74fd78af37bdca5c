r"""Where many independent tasks run: in this process, on a local Dask cluster, or on a remote one.

:func:`executor` gives one object with ``submit``/``map`` for every case:

- ``workers=None`` or ``1`` (and no scheduler): this process, one task after the other;
- ``workers=N``: an embedded :class:`dask.distributed.LocalCluster` of ``N`` single-threaded
  worker processes on the loopback interface (no set-up, shut down afterwards);
- ``scheduler="tcp://host:port"``: an existing Dask scheduler (a cluster started by hand, or by
  ``dask-jobqueue`` on Slurm: see the documentation's *Sweeps on a cluster*);
- ``scheduler=`` any :class:`concurrent.futures.Executor` or :class:`dask.distributed.Client`,
  used as given and left open.

:func:`map_tasks` submits the tasks and collects the results as they complete (with a progress
bar), returning them in task order, so the same inputs give the same table wherever they ran.
Dask is imported only here and only when a cluster is asked for.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import os
from contextlib import contextmanager

from tqdm.auto import tqdm

from .errors import JacobianLabError, check_int


class SerialExecutor(cf.Executor):
    """A :class:`concurrent.futures.Executor` that runs each task at once, in this process."""

    def submit(self, fn, /, *args, **kwargs):
        """Run ``fn(*args, **kwargs)`` now; the returned future holds its result or its exception."""
        future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(error)
        return future


def max_workers() -> int:
    """The most local workers allowed: the number of cores."""
    return os.cpu_count() or 1


def check_workers(workers) -> int:
    """``workers`` as an int from 1 to the number of cores (``None``: 1)."""
    workers = 1 if workers is None else check_int("workers", workers, minimum=1)
    if workers > max_workers():
        raise JacobianLabError(f"workers must be 1 to the number of cores ({max_workers()}), got {workers}")
    return workers


def _is_client(obj) -> bool:
    return type(obj).__name__ == "Client" and type(obj).__module__.startswith("distributed")


@contextmanager
def executor(scheduler=None, workers=None, processes=True):
    """An executor for :func:`map_tasks` (see the module docstring); closes what it opened.

    Parameters
    ----------
    scheduler : None, str or Executor
        ``"tcp://host:port"`` of a running Dask scheduler, or an executor/client to use as is.
    workers : int, optional
        Local worker processes (1 to the number of cores); ``None`` or 1 runs serially.
    processes : bool
        Local workers as processes (default) or as threads of this process.
    """
    if scheduler is not None and workers is not None:
        raise JacobianLabError("give either a scheduler or a number of local workers, not both")
    if isinstance(scheduler, cf.Executor) or _is_client(scheduler):
        yield scheduler
        return
    if scheduler is not None:
        with _remote(scheduler) as client:
            yield client
        return
    workers = check_workers(workers)
    if workers == 1:
        yield SerialExecutor()
        return
    with _local(workers, processes) as client:
        yield client


@contextmanager
def _remote(address):
    if not isinstance(address, str) or "://" not in address:
        raise JacobianLabError(f"scheduler must be an address such as tcp://host:8786, got {address!r}")
    from distributed import Client

    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise JacobianLabError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    try:
        yield client
    finally:
        client.close()


@contextmanager
def _local(workers, processes):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                           host="127.0.0.1" if processes else None, dashboard_address=None,
                           silence_logs=logging.ERROR)
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def map_tasks(function, tasks, pool, progress=None, desc="tasks") -> list:
    """``[function(t) for t in tasks]`` on ``pool``, collected as they complete, in task order.

    ``function`` must be importable (a module-level function) for worker processes to run it.
    The first failure cancels the remaining tasks and is raised here.
    """
    tasks = list(tasks)
    bar = tqdm(total=len(tasks), desc=desc, unit="task", delay=1.0, disable=progress is False)
    results = [None] * len(tasks)
    with bar:
        for index, result in _completed(function, tasks, pool):
            results[index] = result
            bar.update()
    return results


def _completed(function, tasks, pool):
    if _is_client(pool):
        from distributed import as_completed

        futures = pool.map(function, tasks, pure=False)
        where = {f.key: i for i, f in enumerate(futures)}
        try:
            for future, result in as_completed(futures, with_results=True):
                yield where[future.key], result
        finally:
            pool.cancel(futures)
        return
    futures = {pool.submit(function, task): i for i, task in enumerate(tasks)}
    try:
        for future in cf.as_completed(futures):
            yield futures[future], future.result()
    finally:
        for future in futures:
            future.cancel()
