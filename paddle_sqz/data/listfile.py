"""List files: one ``<image path> <label>`` per line, the format the tutorial's split writes.

The tutorial splits each line on a single space, which breaks on its own class folders
(``Black Skimmer/001.jpg 1``). Here the label is whatever follows the *last* run of
whitespace, so paths may contain spaces. Every error names ``file:line``.
"""
import os
import re
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

from ..errors import SqzError
from ..io_utils import PathLike, atomic_write_text
from .text import read_text

Item = Tuple[str, int]

_LINE = re.compile(r"(?P<path>.*\S)\s+(?P<label>\S+)")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def read_list(path: PathLike, root: Optional[PathLike] = None, num_classes: Optional[int] = None,
              check_exists: bool = False, encoding: str = "utf-8") -> List[Item]:
    """``(absolute image path, label)`` for every entry of the list file ``path``.

    Relative image paths are resolved against ``root`` if given, else against the list
    file's folder (so a data folder can be moved as a whole). Blank lines and lines
    starting with ``#`` are skipped. Images are not opened; ``check_exists`` only checks
    that each file is there. The file is UTF-8 unless ``encoding`` says otherwise.
    """
    list_path = Path(path)
    text = read_text(list_path, "list file", encoding)
    base = Path(root).expanduser() if root is not None else list_path.parent
    items: List[Item] = []
    for number, line in enumerate(text.split("\n"), start=1):  # splitlines() also splits on \x85 etc.
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{list_path}:{number}"
        match = _LINE.fullmatch(stripped)
        if match is None:
            raise SqzError(f"{where}: expected '<path> <label>', got {_shorten(stripped)}")
        label = _parse_label(match["label"], num_classes, where)
        image = os.path.abspath(os.path.join(base, match["path"]))
        if check_exists and not os.path.isfile(image):
            hint = "" if os.path.isabs(match["path"]) else f" (relative paths resolve against {_origin(root, base)})"
            raise SqzError(f"{where}: image not found: {image}{hint}")
        items.append((image, label))
    if not items:
        raise SqzError(f"{list_path}: no '<path> <label>' lines (the list is empty)")
    return items


def write_list(path: PathLike, items: Iterable[Item], relative_to: Optional[PathLike] = None) -> None:
    """Write ``items`` atomically, paths relative to ``relative_to`` (with ``/``) when given."""
    lines = []
    for image, label in items:
        text = _relative(image, relative_to) if relative_to is not None else str(image)
        if text != text.strip() or "\n" in text or "\r" in text:
            raise SqzError(f"{image}: a path with leading/trailing spaces or a line break "
                           "cannot be stored in a list file; rename it")
        if text.startswith("#"):
            text = "./" + text  # would read back as a comment
        lines.append(f"{text} {int(label)}\n")
    atomic_write_text(path, "".join(lines))


def _parse_label(text: str, num_classes: Optional[int], where: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise SqzError(f"{where}: label {text!r} is not an integer (expected '<path> <label>')")
    label = int(text)
    if num_classes is not None and not 0 <= label < num_classes:
        raise SqzError(f"{where}: label {label} outside 0..{num_classes - 1} (num_classes={num_classes})")
    if label < 0:
        raise SqzError(f"{where}: label {label} is negative")
    return label


def _origin(root: Optional[PathLike], base: Path) -> str:
    return f"data.root {base}" if root is not None else f"the list file's folder {base}"


def _relative(image: PathLike, start: PathLike) -> str:
    try:
        return Path(os.path.relpath(image, start)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return Path(os.path.abspath(image)).as_posix()


def _shorten(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
