"""A finished run loaded once: the only way eval, predict, export, compress and reports use a run.

Everything comes from the run folder (its saved config, ``labels.txt``, history and
weights), and the data and preprocessing come from the run's own data source: no second,
hand-written preprocessing that can drift from training (the tutorial's prediction bug).
"""
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, List, Union

import paddle

from .compress.model_file import load_compressed_into
from .data.sources import DataSource, build_source
from .data.transforms import ImageTransform, build_transform
from .errors import SqzError
from .io_utils import PathLike
from .models import create_model
from .train.checkpoint import load_weights
from .train.device import select_device
from .train.history import read_history
from .train.run_dir import RunDir


class Run:
    """A run folder's config, class names, data source, history and models (weights loaded on demand)."""

    def __init__(self, path: PathLike, allow_pickle: bool = False):
        self.allow_pickle = allow_pickle  # --allow-pickle: also read .pdparams weights (a pickle can run code)
        self.dir = RunDir.open(path)
        self.path = self.dir.path
        self.cfg = self.dir.load_config()
        self.class_names = self.dir.load_labels()
        if len(self.class_names) != self.cfg["model"]["num_classes"]:
            raise SqzError(f"{self.dir.labels} lists {len(self.class_names)} classes but the run's config "
                           f"has model.num_classes={self.cfg['model']['num_classes']}")
        shown = self.cfg["data"].get("display_names") or {}
        unknown = sorted(set(shown) - set(self.class_names))
        if unknown:
            raise SqzError(f"{self.path}: data.display_names names {', '.join(map(repr, unknown))}, which "
                           f"{self.dir.labels} does not list (classes: {', '.join(self.class_names)})")
        self.display_names = [shown.get(name, name) for name in self.class_names]  # plots, predict's output
        self._shown = dict(zip(self.class_names, self.display_names))
        self._models: Dict[str, paddle.nn.Layer] = {}

    @classmethod
    def open(cls, run: Union["Run", PathLike], allow_pickle: bool = False) -> "Run":
        """``run`` itself when it is already a :class:`Run`, else the run folder at that path."""
        return run if isinstance(run, Run) else cls(run, allow_pickle)

    def shown(self, name: str) -> str:
        """A class's display name (``data.display_names``), or the class name itself."""
        return self._shown.get(name, name)

    def label(self, name: str) -> str:
        """``凤头鹦鹉 (Cockatoo)`` where a display name differs, else the class name."""
        shown = self.shown(name)
        return name if shown == name else f"{shown} ({name})"

    @property
    def name(self) -> str:
        return self.cfg["model"]["name"]

    @cached_property
    def source(self) -> DataSource:
        """The run's data, with its class order fixed to the run's labels."""
        return build_source(self.cfg["data"], self.cfg["seed"], classes=self.class_names)

    @cached_property
    def transform(self) -> ImageTransform:
        """The evaluation preprocessing (never augmented)."""
        return build_transform(self.cfg["data"], train=False)

    @cached_property
    def history(self) -> List[Dict[str, Any]]:
        """One record per finished epoch (``metrics.jsonl``)."""
        return read_history(self.dir.metrics)

    def weights_path(self, weights: str = "best") -> Path:
        """The file behind ``best``, ``latest`` or a weights path (``.sqz``, ``.safetensors``; ``.pdparams`` if allowed)."""
        return Path(weights) if str(weights).endswith(".sqz") else self.dir.weights(weights, self.allow_pickle)

    def model(self, weights: str = "best") -> paddle.nn.Layer:
        """The run's network in eval mode with ``best``/``latest`` weights or a decoded ``.sqz`` file.

        Built once per weights and kept: a comparison row, its timing and its report
        share one model.
        """
        key = str(weights)
        if key not in self._models:
            self._models[key] = self.fresh_model(weights)
        return self._models[key]

    def fresh_model(self, weights: str = "best") -> paddle.nn.Layer:
        """A new copy of :meth:`model` (for code that changes the weights, e.g. pruning)."""
        select_device("auto")
        model = create_model(self.name, self.cfg["model"])
        if str(weights).endswith(".sqz"):
            load_compressed_into(model, weights, self.cfg["model"])
        else:
            load_weights(model, self.weights_path(weights), allow_pickle=self.allow_pickle)
        model.eval()
        return model
