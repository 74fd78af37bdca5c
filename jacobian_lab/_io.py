"""Writing files atomically: a result appears whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import JacobianLabError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path) -> Path:
    """Refuse early a path whose directory is missing or not writable."""
    path = Path(path)
    if not path.parent.is_dir():
        raise JacobianLabError(f"cannot write {path}: directory {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise JacobianLabError(f"cannot write {path}: directory {path.parent} is not writable")
    return path


def atomic_write(path, write) -> Path:
    """Call ``write(tmp_path)`` next to ``path`` and rename the result over ``path`` if it succeeds.

    The parent directory must exist and be writable (a :class:`JacobianLabError` says which is
    wrong); on any failure the temporary file is removed, so nothing half-written is left. The file
    gets the usual permissions (``0o666`` less the umask), not ``mkstemp``'s ``0o600``.
    """
    path = check_writable(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
