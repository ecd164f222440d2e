"""One writer per run folder: an OS file lock on ``RUN/.lock``, held while training.

The operating system drops the lock when the process ends, however it ends (kill -9,
a crash, a power cut), so a crashed run never blocks its own resume; a PID file would.
POSIX uses ``fcntl.flock``, Windows ``msvcrt.locking``.
"""
import os
from pathlib import Path
from typing import Optional

from ..errors import SqzError
from ..io_utils import os_error_cause

LOCK = ".lock"

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class RunLock:
    """``with RunLock(folder):`` holds the folder's lock or refuses with one line."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK
        self._fd: Optional[int] = None

    @classmethod
    def unlocked(cls) -> "RunLock":
        """A stand-in for processes that do not write the folder (ranks other than 0)."""
        return cls(Path(os.devnull).parent)

    def acquire(self) -> "RunLock":
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise SqzError(f"{self.path.parent}: cannot write in this run folder ({os_error_cause(exc)})") from None
        try:
            _lock(fd)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise SqzError(f"{self.path.parent}: in use by another training or resume{holder}; wait for it "
                           "to finish or stop it (one writer per run folder)") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)


def _read_holder(fd: int) -> str:
    """`` (process N)`` from the lock file, for the message only; the lock itself decides."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip() if hasattr(os, "pread") else ""
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""
