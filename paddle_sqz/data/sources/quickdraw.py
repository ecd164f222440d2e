"""Quick, Draw! ``numpy_bitmap`` drawings: a folder of ``<class>.npy`` files, seeded splits."""
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...errors import SqzError
from ..loaders.array_loader import ArrayLoader
from ..normalize import Normalizer
from ..quickdraw import SPLITS, QuickDrawDataset, list_classes, load_class_array, make_splits, match_classes
from .base import DataSource


class QuickDrawSource(DataSource):
    """``data.kind: quickdraw``: train / val / test folds of each class's first N drawings."""

    kind = "quickdraw"
    channels = 1
    splits = SPLITS

    def __init__(self, data: Dict[str, Any], seed: int = 0, classes: Optional[Sequence[str]] = None):
        super().__init__(data, seed, classes)
        if not self.data.get("folder"):
            raise SqzError("data.folder: data.kind is quickdraw but no folder of <class>.npy files is set "
                           "(-o data.folder=DIR)")
        self.absolutize(["folder"])
        for key in ("test_fraction", "val_fraction"):
            if not 0.0 <= self.data[key] < 1.0:
                raise SqzError(f"config key 'data.{key}' must be in [0, 1), got {self.data[key]}")
        if self.data["max_items_per_class"] < 1:
            raise SqzError(f"config key 'data.max_items_per_class' must be at least 1, "
                           f"got {self.data['max_items_per_class']}")

    @property
    def folder(self) -> Path:
        return Path(self.data["folder"])

    def read_classes(self) -> List[str]:
        if not self.folder.is_dir():
            raise SqzError(f"data.folder: {self.folder} not found{self.read_from('folder')}; download "
                           "classes into it with datasets/download_quickdraw.py (see datasets/README.md)")
        return list_classes(self.folder)

    @property
    def classes_origin(self) -> str:
        return f"{self.folder} (<class>.npy files)"

    @property
    def selection_split(self) -> str:
        return "val"  # as the tutorial's Keras validation_split: the test fold stays unseen

    def dataset(self, split: str) -> QuickDrawDataset:
        self.check_split(split)
        if not self.folder.is_dir():
            raise SqzError(f"data.folder: {self.folder} not found (moved? evaluate elsewhere with --data-folder DIR)")
        data = self.data
        pairs = make_splits(self.folder, self.classes, max_items_per_class=data["max_items_per_class"],
                            test_fraction=data["test_fraction"], val_fraction=data["val_fraction"],
                            seed=self.seed)[split]
        if len(pairs) == 0:
            raise SqzError(f"the {split} split of {self.folder} is empty (data.max_items_per_class="
                           f"{data['max_items_per_class']}, data.test_fraction={data['test_fraction']}, "
                           f"data.val_fraction={data['val_fraction']})")
        return QuickDrawDataset(self.folder, pairs, self.classes, image_size=data["image_size"])

    def eval_set(self, list_file: Optional[str] = None, data_folder: Optional[str] = None):
        if list_file is not None:
            raise SqzError("--list: this is a Quick Draw run (data.kind: quickdraw); evaluate another "
                           "folder of <class>.npy files with --data-folder DIR")
        if data_folder is None:
            return self.dataset("test"), {"list": f"the test fold of {self.folder}", "data_folder": str(self.folder),
                                          "split": "test", "extra_classes": []}
        folder = Path(data_folder).expanduser().resolve()
        match = match_classes(self.classes, folder)  # a missing class stops here, by name
        sizes = [len(load_class_array(path)) for path in match.files]
        pairs = np.concatenate([np.stack([np.full(size, index, np.int32), np.arange(size, dtype=np.int32)], axis=1)
                                for index, size in enumerate(sizes)])
        dataset = QuickDrawDataset(folder, pairs, self.classes, image_size=self.data["image_size"])
        return dataset, {"list": f"all drawings of {folder}", "data_folder": str(folder), "split": "all",
                         "extra_classes": list(match.extra)}

    def make_loader(self, dataset, sampler, train: bool):
        data = self.data
        return ArrayLoader(dataset, sampler, mean=data["mean"], std=data["std"],
                           hflip=train and data["hflip"], vflip=train and data["vflip"], seed=self.seed)

    def examples(self, count: int) -> Tuple[List[np.ndarray], np.ndarray, np.ndarray]:
        dataset = self.dataset("test")
        picks = np.linspace(0, len(dataset) - 1, min(count, len(dataset))).round().astype(int)
        x, y = dataset.batch(picks)  # pixels 0..1, (N, 1, S, S)
        thumbs = [(image[0] * 255).astype(np.uint8) for image in x]
        return thumbs, Normalizer(self.data["mean"], self.data["std"], max_value=1.0)(x), y

    def describe(self) -> str:
        return (f"Quick Draw folder {self.folder}, first {self.data['max_items_per_class']} drawings per class, "
                f"test {self.data['test_fraction']:g}, val {self.data['val_fraction']:g}")
