"""The list-file data set: ``(image, label)`` pairs from :func:`read_list`, decoded on demand."""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import paddle
from PIL import Image

from ..io_utils import PathLike
from .image import load_image
from .listfile import Item, read_list

Transform = Callable[[Image.Image, Optional[np.random.Generator]], np.ndarray]


class ListDataset(paddle.io.Dataset):
    """Images and labels of a list file, transformed for training or evaluation.

    When ``train`` is set, sample ``i`` of epoch ``e`` is augmented with the generator
    ``np.random.default_rng([seed, e, i])``: the same flips whatever the number of
    DataLoader workers, and again after a resume. Call :meth:`set_epoch` before each
    epoch (worker processes are started per epoch, so they see the new value).
    """

    def __init__(self, items: Sequence[Item], transform: Transform, train: bool, seed: int = 0,
                 cache: bool = False):
        super().__init__()
        self.items: List[Item] = list(items)
        self.transform = transform
        self.train = train
        self.seed = seed
        self.epoch = 0
        # index -> decoded, letterboxed, resized uint8 pixels; filled on first access (by any thread)
        self.cache: Optional[Dict[int, np.ndarray]] = {} if cache else None

    @classmethod
    def from_list_file(cls, path: PathLike, transform: Transform, train: bool, root: Optional[PathLike] = None,
                       num_classes: Optional[int] = None, seed: int = 0) -> "ListDataset":
        return cls(read_list(path, root=root, num_classes=num_classes), transform, train, seed)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    @property
    def labels(self) -> List[int]:
        return [label for _, label in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Tuple[np.ndarray, np.int64]:
        path, label = self.items[index]
        rng = np.random.default_rng([self.seed, self.epoch, index]) if self.train else None
        if self.cache is None:
            return self.transform(load_image(path), rng), np.int64(label)
        pixels = self.cache.get(index)
        if pixels is None:
            pixels = self.cache[index] = self.transform.prepare(load_image(path))
        return self.transform.finish(pixels, rng), np.int64(label)
