"""One interface for every data set: what the trainer, evaluation and reports ask of data.

A data source is built from the ``data`` section of a config (a plain dict) and a seed.
It owns its classes, its splits and how they are loaded, so a new data set is a new
subclass registered in :data:`paddle_sqz.data.sources.SOURCES`, and nothing else changes.
"""
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Sequence, Tuple

import os
from pathlib import Path

import numpy as np

from ...errors import SqzError
from ..loaders.sampler import EpochBatchSampler


class DataSource(ABC):
    """Classes, per-split data sets and their loaders for one ``data`` config section."""

    kind: str = ""
    channels: int = 3
    splits: Tuple[str, ...] = ("train", "test")

    def __init__(self, data: Dict[str, Any], seed: int = 0, classes: Optional[Sequence[str]] = None):
        self.data = dict(data)
        self.seed = int(seed)
        self._classes = list(classes) if classes is not None else None
        self._relative: Dict[str, str] = {}  # key -> the working directory a relative path was read from

    def absolutize(self, keys: Sequence[str]) -> None:
        """Make the path keys absolute, remembering which were relative (for messages)."""
        for key in keys:
            if self.data.get(key):
                given = Path(self.data[key]).expanduser()
                if not given.is_absolute():
                    self._relative[key] = os.getcwd()
                self.data[key] = str(given.resolve())

    def read_from(self, key: str) -> str:
        """`` (... read from the working directory X)`` when ``key`` was given relative: a tool
        run outside the repository root then says where it looked."""
        if key not in self._relative:
            return ""
        return f" (data.{key} is a relative path: read from the working directory {self._relative[key]})"

    # -- classes ------------------------------------------------------------------------------
    @property
    def classes(self) -> List[str]:
        """Class names, index = label (a finished run passes its own ``labels.txt`` order)."""
        if self._classes is None:
            self._classes = self.read_classes()
        return self._classes

    @abstractmethod
    def read_classes(self) -> List[str]:
        """The class names as the data itself defines them."""

    @property
    @abstractmethod
    def classes_origin(self) -> str:
        """Where the class names come from, for messages (a labels file, a folder)."""

    # -- preparation and splits ---------------------------------------------------------------
    def prepare(self) -> None:
        """Check the data before a run starts (and generate it when it is generated data)."""
        self.classes  # noqa: B018  (reading them is the check)

    @property
    @abstractmethod
    def selection_split(self) -> str:
        """The split evaluated after every epoch; the best epoch is chosen on it."""

    @abstractmethod
    def dataset(self, split: str):
        """The data set of ``split``; only ``train`` is augmented."""

    @abstractmethod
    def eval_set(self, list_file: Optional[str] = None, data_folder: Optional[str] = None):
        """``(dataset, description dict)``: the test split, or other data given by the user."""

    @abstractmethod
    def make_loader(self, dataset, sampler: EpochBatchSampler, train: bool):
        """A loader over ``dataset`` in the sampler's batches, yielding ``(x, y)`` tensors."""

    def loader(self, dataset, batch_size: int, train: bool, rank: int = 0, world_size: int = 1):
        """``(loader, sampler)``; the batch order is a function of (seed, epoch) alone."""
        sampler = EpochBatchSampler(len(dataset), batch_size, shuffle=train, seed=self.seed,
                                    rank=rank if train else 0, world_size=world_size if train else 1)
        return self.make_loader(dataset, sampler, train), sampler

    @abstractmethod
    def examples(self, count: int) -> Tuple[List[np.ndarray], np.ndarray, np.ndarray]:
        """``(thumbnails uint8, model inputs float32 NCHW, labels)`` spread over the test split."""

    @abstractmethod
    def describe(self) -> str:
        """One line for logs and reports."""

    def check_split(self, split: str) -> None:
        if split not in self.splits:
            raise SqzError(f"unknown {self.kind} split {split!r}; expected one of {', '.join(self.splits)}")
