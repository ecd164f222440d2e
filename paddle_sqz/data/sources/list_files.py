"""Images named in ``train.txt`` / ``test.txt`` list files, class names in ``labels.txt``."""
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...errors import SqzError
from ..cache import should_cache
from ..dataset import ListDataset
from ..demo import ensure_demo_dataset
from ..image import load_image
from ..labels import read_labels
from ..listfile import read_list
from ..loaders.thread_loader import ThreadLoader
from ..transforms import build_transform
from ..validation import carve_validation
from .base import DataSource

PATH_KEYS = ("root", "train_list", "val_list", "test_list", "labels")
THUMBNAIL = 128


class ListFileSource(DataSource):
    """``data.kind: list``: the birds tutorial's layout (and the synthetic demo set)."""

    kind = "list"
    channels = 3
    splits = ("train", "val", "test")

    def __init__(self, data: Dict[str, Any], seed: int = 0, classes: Optional[Sequence[str]] = None):
        super().__init__(data, seed, classes)
        self.absolutize(PATH_KEYS)  # the saved config then works from any working directory
        self.channels = len(self.data.get("mean", [0, 0, 0]))
        self._split_items: Optional[Dict[str, list]] = None

    def read_classes(self) -> List[str]:
        path = Path(self.data["labels"])
        if not path.is_file():
            raise SqzError(f"data.labels: {path} not found{self.read_from('labels')}; make it with "
                           "tools/split_dataset.py (see datasets/README.md)")
        return read_labels(path, self.data["encoding"])

    @property
    def classes_origin(self) -> str:
        return str(self.data["labels"])

    def prepare(self) -> None:
        if self.data.get("demo"):
            ensure_demo_dataset(Path(self.data["train_list"]).parent)
        super().prepare()

    @property
    def selection_split(self) -> str:
        return "val"  # carved from the train list (or data.val_list): the test list stays unseen

    def _read(self, key: str, path: Optional[str] = None) -> list:
        path = path or self.data[key]
        if not Path(path).is_file():
            raise SqzError(f"data.{key}: {path} not found{self.read_from(key)}; make it with "
                           "tools/split_dataset.py")
        return read_list(path, root=self.data["root"], num_classes=len(self.classes), check_exists=True,
                         encoding=self.data["encoding"])

    def _items(self, split: str) -> list:
        """The items of ``split``: train and val from the train list (or data.val_list)."""
        if split == "test":
            return self._read("test_list")
        if self._split_items is None:
            train = self._read("train_list")
            if self.data.get("val_list"):
                val = self._read("val_list")
            else:
                train, val = carve_validation(train, self.data.get("val_fraction", 0.2), self.seed)
                if not val:
                    raise SqzError(f"data.val_fraction={self.data.get('val_fraction')}: no validation "
                                   f"images carved from {self.data['train_list']} (each class needs two "
                                   "images or more); give a data.val_list or a larger fraction")
            self._split_items = {"train": train, "val": val}
        return self._split_items[split]

    def dataset(self, split: str, list_file: Optional[str] = None) -> ListDataset:
        self.check_split(split)
        train = split == "train"
        items = self._read("test_list", list_file) if list_file else self._items(split)
        return ListDataset(items, build_transform(self.data, train=train), train=train, seed=self.seed,
                           cache=should_cache(len(items), self.data))

    def eval_set(self, list_file: Optional[str] = None, data_folder: Optional[str] = None):
        if data_folder is not None:
            raise SqzError("--data-folder: only for Quick Draw runs (data.kind: quickdraw); this run "
                           "reads list files, evaluate another one with --list FILE")
        dataset = self.dataset("test", list_file=list_file)
        return dataset, {"list": str(list_file or self.data["test_list"])}

    def make_loader(self, dataset, sampler, train: bool):
        # the only loader: an error names its image (paddle.io.DataLoader hung on a truncated one)
        return ThreadLoader(dataset, sampler, num_threads=self.data["num_workers"])

    def examples(self, count: int) -> Tuple[List[np.ndarray], np.ndarray, np.ndarray]:
        dataset = self.dataset("test")
        picks = np.linspace(0, len(dataset) - 1, min(count, len(dataset))).round().astype(int)
        images = [load_image(dataset.items[i][0]) for i in picks]
        x = np.stack([dataset.transform(image, None) for image in images])
        thumbs = [np.asarray(image.convert("RGB").resize((THUMBNAIL, THUMBNAIL))) for image in images]
        return thumbs, x, np.asarray([dataset.items[i][1] for i in picks], dtype=np.int64)

    def describe(self) -> str:
        val = (f"validation list {self.data['val_list']}" if self.data.get("val_list") else
               f"validation {self.data.get('val_fraction', 0.2):g} of the train list per class (seed {self.seed})")
        return (f"list files {self.data['train_list']} / {self.data['test_list']} ({val}), "
                f"labels {self.data['labels']}")
