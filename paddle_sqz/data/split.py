"""Split a one-folder-per-class image folder into ``train.txt``, ``test.txt`` and ``labels.txt``.

Fixes the tutorial's split: labels come from the *sorted* class names (not from
``os.walk`` order, which gave the root folder label -1), hidden folders such as
``.ipynb_checkpoints`` and non-image files are skipped instead of deleted by hand, and each
class is shuffled with a generator seeded by (seed, class name) before taking the training
share, instead of taking the first 70% in listing order and shuffling unseeded. The same
folder and seed always give byte-identical files.
"""
import math
import random
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..errors import SqzError
from ..io_utils import PathLike
from .labels import write_labels
from .listfile import Item, write_list

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})

# folders that never hold a class: hidden ones (.ipynb_checkpoints, .git, ...) and the
# resource-fork folder that zips made on macOS carry
_SKIPPED_FOLDERS = ("__MACOSX",)


def split_class_folders(root: PathLike, out_dir: Optional[PathLike] = None, train_ratio: float = 0.7,
                        seed: int = 0) -> Dict[str, Any]:
    """Write the three files into ``out_dir`` (default ``root``); return what was written.

    Per class, ``round(n * train_ratio)`` images (halves rounded up) go to training, but at
    least one to each side when the class has two or more. Both lists are sorted by
    (label, path) and hold paths relative to ``out_dir``. If ``root`` holds a single
    folder that holds the class folders (a zip's top folder), that folder is used.

    Returns ``{"root", "descended_into", "out_dir", "files": {"train", "test", "labels"},
    "classes": [{"name", "label", "train", "test"}, ...], "skipped": [paths relative to the
    data root of what was left out: hidden folders, stray files, files that are not images]}``.
    """
    if not 0.0 < train_ratio < 1.0:
        raise SqzError(f"train_ratio must be between 0 and 1 (exclusive), got {train_ratio}")
    root = Path(root)
    if not root.is_dir():
        raise SqzError(f"{root}: data folder not found (see datasets/README.md)")
    out = Path(out_dir) if out_dir is not None else root
    data_root = _class_root(root)
    class_dirs = _visible_folders(data_root)
    if not class_dirs:
        raise SqzError(f"{data_root}: no class folders (expected one sub-folder of images per class)")

    ours = {(out / name).resolve() for name in ("train.txt", "test.txt", "labels.txt")}
    skipped = [p for p in _skipped(data_root, class_dirs) if (data_root / p).resolve() not in ours]
    train: List[Item] = []
    test: List[Item] = []
    classes = []
    for label, folder in enumerate(class_dirs):
        images = _images(folder)
        if not images:
            raise SqzError(f"{folder}: class folder has no image files "
                           f"({', '.join(sorted(IMAGE_EXTENSIONS))})")
        random.Random(f"{seed}:{folder.name}").shuffle(images)
        n_train = _train_count(len(images), train_ratio)
        train += [(str(p), label) for p in images[:n_train]]
        test += [(str(p), label) for p in images[n_train:]]
        classes.append({"name": folder.name, "label": label, "train": n_train, "test": len(images) - n_train})

    files = {"train": out / "train.txt", "test": out / "test.txt", "labels": out / "labels.txt"}
    write_list(files["train"], sorted(train, key=_order), relative_to=out)
    write_list(files["test"], sorted(test, key=_order), relative_to=out)
    write_labels(files["labels"], [c["name"] for c in classes])
    return {
        "root": str(data_root),
        "descended_into": str(data_root) if data_root != root else None,
        "out_dir": str(out),
        "files": {k: str(v) for k, v in files.items()},
        "classes": classes,
        "skipped": skipped,
    }


def _skipped(data_root: Path, class_dirs: List[Path]) -> List[str]:
    """What the split leaves out, so that the user can see nothing was lost by mistake."""
    used = set(class_dirs)
    left_out = [p for p in data_root.iterdir() if p not in used]
    for folder in class_dirs:
        images = set(_images(folder))
        left_out += [p for p in folder.iterdir() if p not in images]
    return sorted(p.relative_to(data_root).as_posix() + ("/" if p.is_dir() else "") for p in left_out)


def _train_count(n: int, ratio: float) -> int:
    # half up, with a tolerance: 5 * 0.7 is 3.4999999999999996 in floating point
    count = math.floor(n * ratio + 0.5 + 1e-9)
    return count if n < 2 else min(max(count, 1), n - 1)


def _order(item: Item):
    return item[1], item[0]


def _class_root(root: Path) -> Path:
    """``root``, or its only sub-folder when that one holds no images but holds folders."""
    folders = _visible_folders(root)
    if len(folders) == 1 and not _images(folders[0]) and _visible_folders(folders[0]):
        return folders[0]
    return root


def _visible_folders(folder: Path) -> List[Path]:
    return sorted((p for p in folder.iterdir() if p.is_dir() and not _hidden(p.name)), key=lambda p: p.name)


def _images(folder: Path) -> List[Path]:
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in IMAGE_EXTENSIONS), key=lambda p: p.name)


def _hidden(name: str) -> bool:
    return name.startswith(".") or name in _SKIPPED_FOLDERS
