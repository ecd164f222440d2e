"""Quick Draw ``numpy_bitmap`` files: class lists, memory-mapped loading, seeded splits.

A folder holds one ``<class>.npy`` per class (names may contain spaces), each
``(N, 784)`` uint8. Arrays are memory-mapped, never copied, so 100 classes x 4000
drawings cost no more memory than the batches actually gathered.

The tutorial does not list its 100 classes (it loads whatever ``os.listdir``
returns, in that unsorted order): users pick their classes (``--classes`` or a
classes file, see ``download.read_classes_file``); here classes are always sorted.
"""
import math
import zlib
from collections import Counter
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import numpy as np
import paddle

from ..errors import SqzError
from .resize import resize_batch

PathLike = Union[str, Path]
PIXELS = 28 * 28
SPLITS = ("train", "val", "test")


def list_classes(folder: PathLike) -> List[str]:
    """Class names from the ``*.npy`` file names in ``folder``, sorted (so labels never
    depend on file-system order, unlike the tutorial's ``os.listdir``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SqzError(f"{folder}: Quick Draw folder not found")
    names = sorted(p.stem for p in folder.glob("*.npy") if not p.name.startswith("."))
    if not names:
        raise SqzError(f"{folder}: no <class>.npy files in this folder")
    return names


def load_class_array(path: PathLike, mmap: bool = True) -> np.ndarray:
    """The ``(N, 784)`` uint8 drawings of one class file, memory-mapped by default.

    ``(N, 1, 784)`` and ``(N, 28, 28)`` files are accepted as a reshaped view.
    """
    path = Path(path)
    if not path.is_file():
        raise SqzError(f"{path}: file not found")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic != b"\x93NUMPY":
        raise SqzError(f"{path}: not a .npy file (starts with {magic!r}, not b'\\x93NUMPY')")
    try:
        arr = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise SqzError(f"{path}: corrupt or truncated .npy file ({exc})") from None
    if arr.dtype != np.uint8:
        raise SqzError(f"{path}: expected uint8 pixels, found dtype {arr.dtype}")
    if arr.ndim < 2 or arr.shape[1:] not in ((PIXELS,), (1, PIXELS), (28, 28)):
        raise SqzError(f"{path}: expected shape (N, 784), (N, 1, 784) or (N, 28, 28), "
                       f"found {arr.shape}")
    if arr.shape[0] == 0:
        raise SqzError(f"{path}: the file holds no drawings")
    return arr.reshape(arr.shape[0], PIXELS)


def _floor_fraction(n: int, fraction: float) -> int:
    """``floor(n * fraction)``, robust to float error (0.2 * 15 is 3.0000000000000004)."""
    return math.floor(n * fraction + 1e-9)


def _class_rng(seed: int, name: str) -> np.random.Generator:
    """A class's own stream: its split depends on (seed, name), not on the other classes."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def make_splits(folder: PathLike, classes: Optional[Sequence[str]] = None,
                max_items_per_class: int = 4000, test_fraction: float = 0.2,
                val_fraction: float = 0.2, seed: int = 0) -> Dict[str, np.ndarray]:
    """Seeded ``train``/``val``/``test`` sets of ``(class_index, row_index)`` int32 pairs.

    Per class, as the tutorial: the FIRST ``max_items_per_class`` rows (``data[0:4000]``),
    ``test_fraction`` of them to test, then ``val_fraction`` of the rest to validation
    (the tutorial's Keras ``validation_split=0.2``). Stratified per class with floor
    rounding, where the tutorial shuffles all classes together; each set is then
    shuffled with ``seed``. ``class_index`` indexes ``classes`` (default: ``list_classes``).
    """
    if not 0 <= test_fraction < 1 or not 0 <= val_fraction < 1:
        raise SqzError(f"test_fraction and val_fraction must be in [0, 1), got "
                       f"{test_fraction} and {val_fraction}")
    if max_items_per_class < 1:
        raise SqzError(f"max_items_per_class must be at least 1, got {max_items_per_class}")
    folder = Path(folder)
    classes = list_classes(folder) if classes is None else list(classes)
    match_classes(classes, folder)
    parts: Dict[str, List[np.ndarray]] = {name: [] for name in SPLITS}
    for index, name in enumerate(classes):
        n = min(len(load_class_array(folder / f"{name}.npy")), max_items_per_class)
        rows = _class_rng(seed, name).permutation(n).astype(np.int32)
        n_test = _floor_fraction(n, test_fraction)
        n_val = _floor_fraction(n - n_test, val_fraction)
        chunks = {"test": rows[:n_test], "val": rows[n_test:n_test + n_val],
                  "train": rows[n_test + n_val:]}
        for split, split_rows in chunks.items():
            parts[split].append(np.stack([np.full_like(split_rows, index), split_rows], axis=1))
    rng = np.random.default_rng(seed)
    out = {}
    for split in SPLITS:
        pairs = np.concatenate(parts[split]) if parts[split] else np.empty((0, 2), np.int32)
        out[split] = pairs[rng.permutation(len(pairs))]
    return out


class ClassMatch(NamedTuple):
    """Files for a run's classes in another folder, and that folder's unused classes."""
    files: List[Path]
    extra: List[str]


def match_classes(run_classes: Sequence[str], folder: PathLike) -> ClassMatch:
    """Find each of a trained run's classes in ``folder`` by exact file name.

    A missing class is an error (the model's labels would be wrong); extra classes in
    the folder are returned in ``extra`` and ignored, so a 14-class run can be
    evaluated on a full 345-class download.
    """
    folder = Path(folder)
    if not run_classes:
        raise SqzError(f"{folder}: no classes asked for")
    duplicates = sorted(name for name, count in Counter(run_classes).items() if count > 1)
    if duplicates:
        raise SqzError(f"classes listed twice: {', '.join(map(repr, duplicates))}")
    available = list_classes(folder)
    present = set(available)
    missing = [name for name in run_classes if name not in present]
    if missing:
        loose = {name.lower().replace("_", " "): name for name in available}
        hints = [f"{name!r} (found {loose[key]!r})" for name in missing
                 if (key := name.lower().replace("_", " ")) in loose]
        hint = f"; near matches: {', '.join(hints)}" if hints else ""
        raise SqzError(f"{folder}: missing {len(missing)} of the run's classes: "
                       f"{', '.join(map(repr, missing))}{hint}")
    wanted = set(run_classes)
    return ClassMatch([folder / f"{name}.npy" for name in run_classes],
                      [name for name in available if name not in wanted])


class QuickDrawDataset(paddle.io.Dataset):
    """Items ``(float32 (1, S, S) = pixels * scale, int64 label)`` for ``pairs``.

    Holds each class's memory-mapped array, opened once. ``as_arrays``/``batch``
    gather many items with one fancy index per class, avoiding per-item Python work.
    ``image_size`` S other than 28 resizes the drawings bilinearly, a whole batch at
    once (``resize.resize_batch``), e.g. to 64 px for SqueezeNet.
    """

    def __init__(self, folder: PathLike, pairs: np.ndarray, classes: Sequence[str],
                 scale: float = 1 / 255.0, image_size: int = 28):
        super().__init__()
        if image_size < 1:
            raise SqzError(f"data.image_size: must be at least 1, got {image_size}")
        self.image_size = int(image_size)
        self.classes = list(classes)
        self.arrays = [load_class_array(f) for f in match_classes(self.classes, folder).files]
        self.pairs = np.asarray(pairs, dtype=np.int32).reshape(-1, 2)
        self.scale = np.float32(scale)
        self._check_pairs(self.pairs)

    def _check_pairs(self, pairs: np.ndarray) -> None:
        if len(pairs) == 0:
            return
        cls = pairs[:, 0]
        if cls.min() < 0 or cls.max() >= len(self.arrays):
            raise SqzError(f"class index out of range 0..{len(self.arrays) - 1} in pairs")
        sizes = np.array([len(a) for a in self.arrays])
        bad = (pairs[:, 1] < 0) | (pairs[:, 1] >= sizes[cls])
        if bad.any():
            c, r = pairs[np.argmax(bad)]
            raise SqzError(f"row {r} out of range for class {self.classes[c]!r} "
                           f"({sizes[c]} drawings)")

    def __len__(self) -> int:
        return len(self.pairs)

    def set_epoch(self, epoch: int) -> None:
        """Nothing to do: items do not depend on the epoch (the trainer calls this on every data set;
        flips, when asked for, are drawn per batch by the loader)."""

    def __getitem__(self, idx: int):
        x, y = self.as_arrays(self.pairs[[idx]])
        return x[0], y[0]

    def as_arrays(self, pairs: np.ndarray):
        """``(x (M, 1, S, S) float32, y (M,) int64)`` for any ``(class, row)`` pairs (S = ``image_size``)."""
        pairs = np.asarray(pairs, dtype=np.int32).reshape(-1, 2)
        self._check_pairs(pairs)
        pixels = np.empty((len(pairs), PIXELS), dtype=np.uint8)
        for c in np.unique(pairs[:, 0]):
            where = np.flatnonzero(pairs[:, 0] == c)
            rows = pairs[where, 1]
            order = np.argsort(rows, kind="stable")  # sorted rows read the mmap in order
            pixels[where[order]] = self.arrays[c][rows[order]]
        x = pixels.reshape(-1, 1, 28, 28).astype(np.float32)
        x *= self.scale
        return resize_batch(x, self.image_size), pairs[:, 0].astype(np.int64)

    def batch(self, indices: Sequence[int]):
        """``as_arrays`` for positions in this dataset (a sampler's batch of indices)."""
        return self.as_arrays(self.pairs[np.asarray(indices, dtype=np.int64)])
