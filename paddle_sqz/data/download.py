"""Resumable downloads of Quick Draw ``numpy_bitmap`` files (urllib; no Paddle import,
so the download tool starts fast).

A file is written to ``<dest>.part`` and renamed to ``dest`` only once its size is
checked, so an existing ``dest`` is always complete; an interrupted download
resumes from its ``.part`` with an HTTP ``Range`` request.

With ``max_rows`` only the first rows of a class file are fetched (the tutorial uses
the first 4000 drawings of each class, 3.1 MB instead of 80-250 MB): a bounded
``Range`` request for the ``.npy`` header plus those rows, then the header is
rewritten to the new shape. A server that ignores ``Range`` sends the whole file;
the download then stops reading once it has the rows it needs.
"""
import contextlib
import http.client
import io
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Union

import numpy as np

from ..errors import SqzError
from ..io_utils import atomic_path

PathLike = Union[str, Path]
DEFAULT_BASE = "https://storage.googleapis.com/quickdraw_dataset/full/numpy_bitmap/"


@contextlib.contextmanager
def _download_errors(url: str) -> Iterator[None]:
    """An HTTP or network failure becomes one line naming the URL (a rerun resumes the .part file)."""
    try:
        yield
    except urllib.error.HTTPError as exc:
        raise SqzError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise SqzError(f"{url}: download failed ({reason}); rerun to resume") from None


def quickdraw_url(class_name: str, base: str = DEFAULT_BASE) -> str:
    """One class file's URL, the name URL-encoded (``house plant`` -> ``house%20plant.npy``)."""
    return base.rstrip("/") + "/" + urllib.parse.quote(class_name, safe="") + ".npy"


def read_classes_file(path: PathLike) -> List[str]:
    """One class name per line (spaces kept, ``#`` comments and blank lines skipped)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SqzError(f"{path}: cannot read classes file ({exc.strerror or exc})") from None
    names: List[str] = []
    for number, line in enumerate(lines, start=1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if name in names:
            raise SqzError(f"{path}:{number}: class {name!r} is listed twice")
        names.append(name)
    if not names:
        raise SqzError(f"{path}: no class names in this file")
    return names


class _Progress:
    """One ``\\r`` line on stderr: bytes, percent, MB/s and ETA, at most 5 updates a second."""

    def __init__(self, label: str, start: int, total: Optional[int], enabled: bool):
        self.label, self.start, self.total, self.enabled = label, start, total, enabled
        self.t0 = self.last = time.monotonic()

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self.last < 0.2):
            return
        self.last = now
        speed = (done - self.start) / max(now - self.t0, 1e-6)
        line = f"{self.label}: {done / 1e6:.1f}"
        if self.total:
            eta = (self.total - done) / speed if speed > 0 else float("inf")
            eta_text = f"{int(eta) // 60}:{int(eta) % 60:02d}" if math.isfinite(eta) else "?"
            line += f"/{self.total / 1e6:.1f} MB {100 * done / self.total:5.1f}% ETA {eta_text}"
        else:
            line += " MB"
        print(f"\r{line} {speed / 1e6:.2f} MB/s ", end="\n" if final else "",
              file=sys.stderr, flush=True)


def _open(url: str, offset: int, timeout: float):
    """Open ``url``, asking for bytes from ``offset`` on when resuming."""
    request = urllib.request.Request(url)
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    return urllib.request.urlopen(request, timeout=timeout)


def _total_size(response, offset: int) -> Optional[int]:
    """Full file size from ``Content-Range`` (206) or ``Content-Length`` (200), if sent."""
    content_range = response.headers.get("Content-Range", "")
    if response.status == 206 and "/" in content_range and not content_range.endswith("*"):
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    return int(length) + (offset if response.status == 206 else 0) if length else None


def download_file(url: str, dest: PathLike, expected_size: Optional[int] = None,
                  progress: bool = True, chunk: int = 1 << 20, timeout: float = 60.0,
                  label: Optional[str] = None) -> Path:
    """Stream ``url`` to ``dest`` via ``dest.part``, resuming a partial ``.part``.

    A server that ignores ``Range`` (200 instead of 206) restarts from zero. The size
    is checked against ``Content-Length`` and ``expected_size`` before the rename; on
    a mismatch the ``.part`` stays (rerun to resume) and :class:`SqzError` names the URL.
    """
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    offset = part.stat().st_size if part.exists() else 0
    with _download_errors(url):
        try:
            response = _open(url, offset, timeout)
        except urllib.error.HTTPError as exc:
            if exc.code != 416 or not offset:  # 416: the .part is not a prefix; start over
                raise
            part.unlink()
            offset = 0
            response = _open(url, 0, timeout)
        with response:
            if offset and response.status != 206:
                offset = 0  # Range ignored: the body is the whole file
            elif offset and not response.headers.get("Content-Range", "").startswith(
                    f"bytes {offset}-"):
                raise SqzError(f"{url}: server resumed at the wrong offset ("
                               f"{response.headers.get('Content-Range')!r}); delete {part}, rerun")
            total = _total_size(response, offset)
            bar = _Progress(label or dest.name, offset, total or expected_size, progress)
            done = offset
            with open(part, "ab" if offset else "wb") as out:
                while True:
                    block = response.read(chunk)
                    if not block:
                        break
                    out.write(block)
                    done += len(block)
                    bar.update(done)
            bar.update(done, final=True)
    size = part.stat().st_size
    for what, wanted in (("server size", total), ("expected size", expected_size)):
        if wanted is not None and size != wanted:
            raise SqzError(f"{url}: got {size} bytes, {what} is {wanted}; "
                           f"partial file kept at {part}, rerun to resume")
    os.replace(part, dest)
    return dest


HEADER_GUESS = 128  # numpy pads a v1.0 header to 64 bytes; Quick Draw's files have 128


def _parse_npy_header(prefix: bytes):
    """``(header_bytes, shape, dtype)`` from the start of a ``.npy`` file, or ``None``
    while ``prefix`` is too short to hold the whole header."""
    if len(prefix) >= 6 and prefix[:6] != b"\x93NUMPY":
        raise SqzError("not a .npy file (no NUMPY magic at its start)")
    if len(prefix) < 10:
        return None
    size_bytes = 2 if prefix[6] == 1 else 4
    header_len = 8 + size_bytes + int.from_bytes(prefix[8:8 + size_bytes], "little")
    if len(prefix) < header_len:
        return None
    stream = io.BytesIO(prefix[:header_len])
    try:
        version = np.lib.format.read_magic(stream)
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read(stream)
    except ValueError as exc:
        raise SqzError(f"not a readable .npy header ({exc})") from None
    if fortran or len(shape) < 1:
        raise SqzError(f"unexpected .npy layout (shape {shape}, fortran_order {fortran})")
    return header_len, shape, dtype


def _header_for_rows(shape, dtype, rows: int) -> bytes:
    """A fresh ``.npy`` header describing ``rows`` rows of the original row shape."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {
        "descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
        "shape": (rows,) + tuple(shape[1:])})
    return out.getvalue()


class _FirstRows:
    """Where the wanted bytes of a ``.npy`` end: guessed from Quick Draw's layout until
    the file's own header has arrived, then exact."""

    def __init__(self, max_rows: int):
        self.max_rows, self.header, self.rows = max_rows, None, None
        self.stop = HEADER_GUESS + max_rows * 784

    def update(self, part: Path) -> int:
        """Read the header from ``part`` if not yet known; return the end offset."""
        if self.header is None:
            with open(part, "rb") as fh:
                self.header = _parse_npy_header(fh.read(1 << 16))
            if self.header is not None:
                header_len, shape, dtype = self.header
                row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
                self.rows = min(self.max_rows, shape[0])
                self.stop = header_len + self.rows * row_bytes
        return self.stop


def _fetch_range(url: str, part: Path, start: int, want: _FirstRows, timeout: float,
                 bar: _Progress, chunk: int) -> int:
    """Write bytes ``start..want.stop-1`` of ``url`` into ``part`` with one request and
    return how many bytes ``part`` then holds. A 200 answer (Range ignored) restarts
    ``part`` from byte 0 and stops reading the whole file once enough has arrived."""
    request = urllib.request.Request(url, headers={"Range": f"bytes={start}-{want.stop - 1}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status != 206:
            start = 0  # the body is the whole file from its first byte
        elif not response.headers.get("Content-Range", "").startswith(f"bytes {start}-"):
            raise SqzError(f"{url}: server answered the wrong range "
                           f"({response.headers.get('Content-Range')!r}); delete {part}, rerun")
        done = start
        with open(part, "r+b" if start else "wb") as out:
            out.seek(start)
            out.truncate()
            while done < want.stop:
                block = response.read(min(chunk, want.stop - done))
                if not block:
                    break
                out.write(block)
                done += len(block)
                if want.header is None:
                    out.flush()
                    bar.total = want.update(part)
                bar.update(done)
    return done


def download_first_rows(url: str, dest: PathLike, max_rows: int, progress: bool = True,
                        chunk: int = 1 << 20, timeout: float = 60.0,
                        label: Optional[str] = None) -> Path:
    """The first ``max_rows`` rows of the ``.npy`` at ``url`` saved as ``dest`` (fewer if
    the file has fewer), fetched with a bounded ``Range`` request and resumable from
    ``<dest>.first<N>.part``; ``dest`` appears only when complete (atomic rename)."""
    if max_rows < 1:
        raise SqzError(f"--max-per-class must be at least 1, got {max_rows}")
    dest = Path(dest)
    part = dest.with_name(f"{dest.name}.first{max_rows}.part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    want = _FirstRows(max_rows)
    done = part.stat().st_size if part.exists() else 0
    if done:
        want.update(part)
    bar = _Progress(label or dest.name, done, want.stop, progress)
    with _download_errors(url):
        for _ in range(3):  # a header longer than the guess needs one more request
            if done >= want.stop:
                break
            try:
                got = _fetch_range(url, part, done, want, timeout, bar, chunk)
            except urllib.error.HTTPError as exc:
                if exc.code != 416 or not done:
                    raise
                part.unlink()  # the .part runs past the file's end: start over
                done, want = 0, _FirstRows(max_rows)
                continue
            if got == done:
                break  # nothing more arrived
            done = got
        bar.update(done, final=True)
    if want.header is None or done < want.stop:
        raise SqzError(f"{url}: got {done} of {want.stop} bytes for the first {max_rows} rows; "
                       f"partial file kept at {part}, rerun to resume")
    header_len, shape, dtype = want.header
    with open(part, "rb") as fh:
        fh.seek(header_len)
        rows = fh.read(want.stop - header_len)
    with atomic_path(dest) as tmp:
        with open(tmp, "wb") as out:
            out.write(_header_for_rows(shape, dtype, want.rows))
            out.write(rows)
    part.unlink()
    return dest


def _rows(path: Path) -> Optional[int]:
    """Rows of a complete ``.npy`` file, ``None`` when it is damaged or truncated."""
    try:
        return len(np.load(path, mmap_mode="r", allow_pickle=False))
    except (ValueError, OSError, EOFError):
        return None


def download_classes(classes: Sequence[str], out_dir: PathLike, base: str = DEFAULT_BASE,
                     progress: bool = True, max_per_class: Optional[int] = None) -> List[Path]:
    """Download ``<class>.npy`` for each class into ``out_dir``, skipping complete files;
    with ``max_per_class`` only each file's first rows (a file already holding at
    least that many rows is kept as it is)."""
    if max_per_class is not None and max_per_class < 1:
        raise SqzError(f"--max-per-class must be at least 1, got {max_per_class}")
    out_dir = Path(out_dir)
    paths = []
    for index, name in enumerate(classes, start=1):
        if not name or "/" in name or name.startswith("."):
            raise SqzError(f"invalid class name {name!r}")
        dest = out_dir / f"{name}.npy"
        rows = _rows(dest) if dest.exists() else None
        enough = rows is not None and (max_per_class is None or rows >= max_per_class)
        if enough:
            if progress:
                print(f"[{index}/{len(classes)}] {dest.name}: already complete ({rows} drawings), "
                      f"skipped", file=sys.stderr)
        elif max_per_class is not None:
            download_first_rows(quickdraw_url(name, base), dest, max_per_class,
                                progress=progress, label=f"[{index}/{len(classes)}] {dest.name}")
        else:
            download_file(quickdraw_url(name, base), dest, progress=progress,
                          label=f"[{index}/{len(classes)}] {dest.name}")
        paths.append(dest)
    return paths
