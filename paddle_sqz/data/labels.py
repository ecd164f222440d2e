"""``labels.txt``: one class name per line, line index = label.

Kept next to the lists and copied into every run folder, so predictions are named from
the same file the labels came from (the tutorial hard-codes a name list in another
order). Names may contain spaces and any Unicode; the file is UTF-8 (another encoding,
e.g. GBK from a Windows editor, only when named: ``data.encoding``).
"""
from pathlib import Path
from typing import Callable, List, Sequence

from ..errors import SqzError
from ..io_utils import PathLike, atomic_write_text
from .text import read_text


def read_labels(path: PathLike, encoding: str = "utf-8") -> List[str]:
    """The class names of ``path``; blank lines at the end are ignored, elsewhere they are errors."""
    path = Path(path)
    text = read_text(path, "labels file", encoding)
    names = [line.strip() for line in text.split("\n")]  # not splitlines(): it also splits on \x1c, \x85...
    while names and not names[-1]:
        names.pop()
    _check(names, lambda index: f"{path}:{index + 1}")
    if not names:
        raise SqzError(f"{path}: no class names (expected one per line)")
    return names


def write_labels(path: PathLike, names: Sequence[str]) -> None:
    """Write ``names`` atomically, one per line, after the same checks as :func:`read_labels`."""
    names = list(names)
    _check(names, lambda index: f"{path}: class {index}")
    if not names:
        raise SqzError(f"{path}: no class names to write")
    atomic_write_text(path, "".join(name + "\n" for name in names))


def _check(names: List[str], where: Callable[[int], str]) -> None:
    seen = {}
    for index, name in enumerate(names):
        if not name:
            raise SqzError(f"{where(index)}: empty class name")
        if name != name.strip() or "\n" in name or "\r" in name:
            raise SqzError(f"{where(index)}: class name {name!r} has leading/trailing spaces or a line break")
        if name in seen:
            raise SqzError(f"{where(index)}: duplicate class name {name!r} (also label {seen[name]})")
        seen[name] = index
