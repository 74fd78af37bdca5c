"""The on-disk cache of generated kernels: a private directory, and files checked before use.

The model follows pip's and numba's own caches:

* The directory is ``$JACOBIAN_LAB_CACHE`` if set, else ``<user cache dir>/kernels`` from
  :func:`platformdirs.user_cache_dir` (``$XDG_CACHE_HOME/jacobian_lab/kernels`` on Linux, default
  ``~/.cache/jacobian_lab/kernels``). It is created private to the user (mode ``0700``) and refused
  when it is owned by another user or writable by group or others: then nobody else can plant a
  file that we would import. If the default directory cannot be created or is refused, a per-user
  fallback ``<tmp>/jacobian_lab_kernels_<uid>`` is used, verified the same way; a refused
  ``$JACOBIAN_LAB_CACHE`` is an error (the user asked for that directory).
* A kernel module is named after the SHA-256 of its source. The source is generated in memory
  every time, the file on disk is compared with it byte for byte, and the code that runs is the
  verified source, never re-read from disk. A file that differs (truncated, edited) is deleted
  and written again.
* numba's compiled machine code for the module (``.nbi`` index and ``.nbc`` data, pickles) is
  listed by name with its SHA-256 in a manifest ``<module>.sha256`` next to the module, written after the
  compile. Before numba may load them, every such file is checked against the manifest; any
  unknown or damaged file (and the manifest) is deleted, and numba compiles again.
* When no directory can be written (read-only, full disk), kernels are compiled in memory for this
  process only, with one warning.
"""

from __future__ import annotations

import errno
import hashlib
import json
import linecache
import os
import stat
import sys
import tempfile
import types
import warnings
from pathlib import Path

from .._io import atomic_write
from ..errors import JacobianLabError

#: ``errno`` values meaning "this cache cannot be written" (the run goes on without writing).
UNWRITABLE = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)
_WARNED: set = set()


def warn_once(message: str) -> None:
    """Warn about the cache once per process and message."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def default_dir() -> Path:
    """``<user cache dir>/kernels`` (platformdirs; honours ``$XDG_CACHE_HOME``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("jacobian_lab", appauthor=False)) / "kernels"


def fallback_dir() -> Path:
    """The per-user directory under the system's temporary folder."""
    return Path(tempfile.gettempdir()) / f"jacobian_lab_kernels_{os.getuid()}"


def insecurity(path: Path) -> str | None:
    """Why ``path`` must not hold kernels (another owner, writable by others, not a folder), or ``None``."""
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not by you (uid {os.getuid()})"
    if st.st_mode & 0o022:
        who = " and ".join(w for w, bit in (("group", 0o020), ("others", 0o002)) if st.st_mode & bit)
        return f"is writable by {who} (mode {st.st_mode & 0o777:04o})"
    return None


def private_dir(path: Path) -> tuple[Path | None, str | None]:
    """``(path, None)`` if ``path`` is (now) a private directory of ours; ``(None, reason)`` if not.

    A missing directory is created with mode ``0700``; an existing one is verified, not changed.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        reason = insecurity(path)
    except OSError as error:
        return None, f"cannot be created ({error.strerror})"
    return (None, reason) if reason else (path, None)


def kernel_dir() -> Path | None:
    """The verified cache directory, or ``None`` (compile in memory)."""
    explicit = os.environ.get("JACOBIAN_LAB_CACHE")
    if explicit:
        path, reason = private_dir(Path(explicit).expanduser())
        if path is None and "cannot be created" not in reason:
            raise JacobianLabError(
                f"kernel cache $JACOBIAN_LAB_CACHE={explicit} {reason}; refusing to import code from it "
                "(make it a directory of yours with mode 700, or unset the variable)")
        if path is None:
            warn_once(f"kernel cache {explicit} {reason}; compiling kernels in memory")
        return path
    for candidate in (default_dir(), fallback_dir()):
        path, reason = private_dir(candidate)
        if path is not None:
            return path
        warn_once(f"kernel cache {candidate} {reason}; not used")
    warn_once("no private kernel cache directory; compiling kernels in memory")
    return None


# -- one module ----------------------------------------------------------------------------------

def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def store_source(directory: Path, name: str, source: str) -> Path | None:
    """The module file holding exactly ``source``: verified, else (re)written; ``None`` if unwritable."""
    path = directory / f"{name}.py"
    data = source.encode()
    try:
        if path.is_symlink() or (path.exists() and path.read_bytes() != data):
            path.unlink()  # damaged or foreign: never imported, written again
            _remove_compiled(directory, name)
        if not path.exists():
            atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    except JacobianLabError as error:  # not writable
        warn_once(f"kernel cache {directory}: {error}; compiling kernels in memory")
        return None
    except OSError as error:
        if error.errno not in UNWRITABLE:
            raise
        warn_once(f"kernel cache {directory} cannot be written ({error.strerror}); compiling kernels in memory")
        return None
    return path


def load_module(name: str, source: str, path: Path | None) -> types.ModuleType:
    """Execute the verified ``source`` as module ``name``; file-backed (numba caches) if ``path``."""
    if path is None:
        source = source.replace("cache=True", "cache=False")
    filename = str(path) if path is not None else f"<jacobian_lab kernel {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102 - our generated, verified source
    except BaseException:
        del sys.modules[name]
        raise
    if path is not None:
        check_compiled(path.parent, name, dispatchers(module))
    return module


def dispatchers(module) -> list:
    """The numba dispatchers of a kernel module."""
    return [f for f in vars(module).values() if hasattr(f, "py_func") and getattr(f, "_cache", None) is not None]


def _compiled_files(folders, name) -> list[Path]:
    files = []
    for folder in folders:
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir()
                            if p.name.startswith(f"{name}.") and p.suffix in (".nbi", ".nbc"))
    return files


def _folders(funcs) -> list[Path]:
    return sorted({Path(f._cache.cache_path) for f in funcs if hasattr(f._cache, "cache_path")})


def _manifest(directory, name) -> Path:
    return directory / f"{name}.sha256"


def check_compiled(directory: Path, name: str, funcs) -> None:
    """Delete numba's files of module ``name`` unless each matches the manifest (before numba reads them)."""
    manifest = _read_manifest(_manifest(directory, name))
    files = _compiled_files(_folders(funcs), name)
    if all(manifest.get(p.name) == sha256(p) for p in files):
        return
    for p in files:
        p.unlink(missing_ok=True)
    _manifest(directory, name).unlink(missing_ok=True)


def _remove_compiled(directory, name):
    for p in _compiled_files([directory / "__pycache__"], name):
        p.unlink(missing_ok=True)
    _manifest(directory, name).unlink(missing_ok=True)


def _read_manifest(path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_compiled(module) -> None:
    """After a compile: write the manifest of numba's files of ``module`` (if file-backed)."""
    path = Path(module.__file__)
    if not path.is_file():
        return
    funcs = dispatchers(module)
    entries = {p.name: sha256(p) for p in _compiled_files(_folders(funcs), module.__name__)}
    manifest = _manifest(path.parent, module.__name__)
    if entries == _read_manifest(manifest):
        return
    try:
        atomic_write(manifest, lambda tmp: Path(tmp).write_text(json.dumps(entries, indent=1)))
    except (OSError, JacobianLabError) as error:  # read-only or full: the entries stay unverified, hence unused
        warn_once(f"kernel cache {path.parent}: cannot record compiled kernels ({error})")


def compile_kernel(module, call) -> None:
    """Run ``call()`` (the first, compiling call); if numba cannot save to the cache, go on without it."""
    try:
        call()
    except OSError as error:
        if error.errno not in UNWRITABLE:
            raise
        warn_once(f"numba cannot write its cache ({error.strerror}); the compiled kernel is kept in memory")
        for f in dispatchers(module):
            f._cache.disable()
        call()
    record_compiled(module)
