"""Atomic file writes: a reader (or a crash, or kill -9) never sees a half-written file.

Each helper writes to a temporary file in the target's own folder (so the final
``os.replace`` stays on one file system and is atomic), flushes it to disk, then
renames it over the target. The temporary name starts with ``.`` so folder scans
that skip hidden entries ignore it. A failed write (disk full, read-only folder,
permission denied) leaves the old file as it was and raises one :class:`SqzError`
naming the file and the cause.
"""
import contextlib
import os
import secrets
from pathlib import Path
from typing import Iterator, Optional, Union

from .errors import SqzError

PathLike = Union[str, "os.PathLike[str]"]  # what every paddle_sqz function taking a path accepts


@contextlib.contextmanager
def atomic_path(path: PathLike, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``path`` on success and is removed on error.

    The parent folder is created if needed. The temporary file already exists (empty,
    with the usual umask permissions) when yielded; writers may overwrite it.
    ``durable=False`` skips the fsyncs (still atomic, but a power cut may lose the new
    file): for files that are cheap to make again.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    except OSError as exc:
        raise SqzError(f"{os_error_path(exc, target, tmp)}: cannot write ({os_error_cause(exc)})") from None
    try:
        yield tmp
        if durable:
            _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise SqzError(f"{os_error_path(exc, target, tmp)}: cannot write ({os_error_cause(exc)})") from None
        raise
    if durable:
        _fsync_dir(target.parent)


def os_error_cause(exc: OSError) -> str:
    """``No space left on device`` and the like: the cause of an OS error in words."""
    return exc.strerror or str(exc) or type(exc).__name__


def os_error_path(exc: OSError, default: PathLike, hidden: Optional[PathLike] = None) -> str:
    """The file an OS error is about: its own file name unless that is ``hidden`` (a temporary file)."""
    name = exc.filename
    if name is None or (hidden is not None and os.fspath(name) == os.fspath(hidden)):
        return str(default)
    return os.fsdecode(name)


def atomic_write_bytes(path: PathLike, data: bytes, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_path` for ``durable``)."""
    with atomic_path(path, durable) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def atomic_write_text(path: PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically; ``\\n`` is written as is on every platform."""
    atomic_write_bytes(path, text.encode(encoding))


def _fsync_file(path: Path) -> None:
    with open(path, "r+b") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on Windows."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
