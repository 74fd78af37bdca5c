"""Tables of results with the parameters as columns: built from rows, written atomically.

A sweep or a batch of spectra is one :class:`pandas.DataFrame`, one row per task, its parameters
as columns beside the results. :func:`write_table` writes it to Parquet (``.parquet``), netCDF
(``.nc``, through xarray), CSV (``.csv``) or NumPy (``.npz``), whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from ._io import atomic_write, check_writable
from .errors import JacobianLabError

FORMATS = (".parquet", ".nc", ".csv", ".npz")


def map_table(function, rows, scheduler=None, workers=None, progress=None, desc="tasks"):
    """``function(**row)`` for every row (dicts of parameters), as one table with the rows' keys as
    columns and the keys of each returned dict beside them.

    Runs through :func:`jacobian_lab.parallel.executor` (``scheduler``, ``workers``); e.g. the
    spectra of many torch checkpoints, one task per checkpoint. ``function`` must be a
    module-level function returning a dict of scalars.
    """
    import pandas as pd

    from .parallel import executor, map_tasks

    rows = [dict(r) for r in rows]
    with executor(scheduler, workers) as pool:
        results = map_tasks(_Call(function), rows, pool, progress, desc)
    return pd.DataFrame([{**row, **result} for row, result in zip(rows, results)])


class _Call:
    """``row -> function(**row)``, picklable for worker processes."""

    def __init__(self, function):
        self.function = function

    def __call__(self, row):
        return self.function(**row)


def check_table_path(path) -> Path:
    """Refuse early an output path with an unknown suffix or an unwritable directory."""
    path = Path(path)
    if path.suffix not in FORMATS:
        raise JacobianLabError(f"--out must end in one of {', '.join(FORMATS)}, got {str(path)!r}")
    if path.suffix == ".nc":
        try:
            import xarray  # noqa: F401
        except ImportError:
            raise JacobianLabError("writing netCDF (.nc) needs xarray: pip install xarray netCDF4; "
                                   "or write .parquet") from None
    return check_writable(path)


def write_table(table, path) -> Path:
    """Write ``table`` to ``path`` (format from the suffix, see :data:`FORMATS`), atomically."""
    path = check_table_path(path)
    writers = {
        ".parquet": lambda tmp: table.to_parquet(tmp, index=False),
        ".csv": lambda tmp: table.to_csv(tmp, index=False),
        ".nc": lambda tmp: table.to_xarray().to_netcdf(tmp),
        ".npz": lambda tmp: _savez(tmp, table),
    }
    return atomic_write(path, writers[path.suffix])


def _savez(tmp, table):
    import numpy as np

    with open(tmp, "wb") as handle:
        np.savez(handle, **{str(c): _column(table[c]) for c in table.columns})


def _column(series):
    values = series.to_numpy()
    return values.astype(str) if values.dtype == object else values
