"""Writing files atomically: a result appears whole or not at all.

The content is written to a hidden temporary file next to the target, ``.<name>.jl-<host>-<pid>-<random><suffix>``,
and renamed over the target when complete. A process killed while writing (``kill -9``) leaves its
temporary file behind; the next write into the same folder deletes every such file of this host
whose process is gone, so partial files never accumulate.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import tempfile
from pathlib import Path

from .errors import JacobianLabError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: ``errno`` values of a write that cannot succeed (reported in one line, not as a traceback).
WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"


def _temporary_prefix(path: Path, pid: int) -> str:
    return f".{path.name}.jl-{_host()}-{pid}-"


def clean_stale(folder: Path) -> list[Path]:
    """Delete this host's temporary files (of :func:`atomic_write`) whose writing process is gone."""
    pattern = re.compile(rf"^\..+\.jl-{re.escape(_host())}-(\d+)-[^/]*$")
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not _alive(int(match[1])) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def check_writable(path) -> Path:
    """Refuse early a path that is a directory, or whose directory is missing or not writable."""
    path = Path(path)
    if path.is_dir():
        raise JacobianLabError(f"cannot write {path}: it is a directory; give a file name")
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
    clean_stale(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temporary_prefix(path, os.getpid()), suffix=path.suffix)
        os.close(fd)
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as error:
        raise _write_error(path, error) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _write_error(path, error: OSError) -> Exception:
    if error.errno in WRITE_ERRORS:
        return JacobianLabError(f"cannot write {path}: {error.strerror or error}")
    return error
