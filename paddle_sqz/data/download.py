"""Resumable downloads of Quick Draw ``numpy_bitmap`` files (urllib; no Paddle import,
so the download tool starts fast).

A file is written to ``<dest>.part`` and renamed to ``dest`` only once its size is
checked, so an existing ``dest`` is always complete; an interrupted download
resumes from its ``.part`` with an HTTP ``Range`` request.
"""
import http.client
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np

from ..errors import SqzError

PathLike = Union[str, Path]
DEFAULT_BASE = "https://storage.googleapis.com/quickdraw_dataset/full/numpy_bitmap/"


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
                  progress: bool = True, chunk: int = 1 << 20, timeout: float = 60.0) -> Path:
    """Stream ``url`` to ``dest`` via ``dest.part``, resuming a partial ``.part``.

    A server that ignores ``Range`` (200 instead of 206) restarts from zero. The size
    is checked against ``Content-Length`` and ``expected_size`` before the rename; on
    a mismatch the ``.part`` stays (rerun to resume) and :class:`SqzError` names the URL.
    """
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    offset = part.stat().st_size if part.exists() else 0
    try:
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
            bar = _Progress(dest.name, offset, total or expected_size, progress)
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
    except urllib.error.HTTPError as exc:
        raise SqzError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise SqzError(f"{url}: download failed ({reason}); rerun to resume") from None
    size = part.stat().st_size
    for what, wanted in (("server size", total), ("expected size", expected_size)):
        if wanted is not None and size != wanted:
            raise SqzError(f"{url}: got {size} bytes, {what} is {wanted}; "
                           f"partial file kept at {part}, rerun to resume")
    os.replace(part, dest)
    return dest


def _is_complete(path: Path) -> bool:
    """Whether a .npy file's header and size agree (download_file renames only complete
    files, but a copied-in file may be truncated). Kept free of Paddle imports."""
    try:
        np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError):
        return False
    return True


def download_classes(classes: Sequence[str], out_dir: PathLike, base: str = DEFAULT_BASE,
                     progress: bool = True) -> List[Path]:
    """Download ``<class>.npy`` for each class into ``out_dir``, skipping complete files."""
    out_dir = Path(out_dir)
    paths = []
    for name in classes:
        if not name or "/" in name or name.startswith("."):
            raise SqzError(f"invalid class name {name!r}")
        dest = out_dir / f"{name}.npy"
        if dest.exists() and _is_complete(dest):
            if progress:
                print(f"{dest.name}: already complete, skipped", file=sys.stderr)
        else:
            download_file(quickdraw_url(name, base), dest, progress=progress)
        paths.append(dest)
    return paths
