"""The run folder: the unit every tool after training takes with ``--run``.

It holds the resolved config, ``labels.txt``, ``metrics.jsonl`` (one record per
epoch), VisualDL logs, ``train.log``, the latest checkpoint and the best model.
"""
import time
from pathlib import Path
from typing import Any, Dict, List

from ..config import dump_config, load_config
from ..data.labels import read_labels
from ..errors import SqzError

CONFIG = "config.yaml"
LABELS = "labels.txt"
METRICS = "metrics.jsonl"
CHECKPOINT = "checkpoint_latest.pdckpt"
BEST = "best_model.pdparams"
BEST_SAFE = "best_model.safetensors"  # same weights, no pickle: preferred for loading
LOG = "train.log"
SUMMARY = "summary.json"  # the test split evaluated once at the end (train.selection)


class RunDir:
    """Paths inside one run folder, and its config and labels."""

    def __init__(self, path: Path):
        self.path = Path(path)

    config = property(lambda self: self.path / CONFIG)
    labels = property(lambda self: self.path / LABELS)
    metrics = property(lambda self: self.path / METRICS)
    checkpoint = property(lambda self: self.path / CHECKPOINT)
    best = property(lambda self: self.path / BEST)
    best_safe = property(lambda self: self.path / BEST_SAFE)
    log = property(lambda self: self.path / LOG)
    summary = property(lambda self: self.path / SUMMARY)

    @classmethod
    def create(cls, cfg: Dict[str, Any]) -> "RunDir":
        """A new, empty folder ``<output.dir>/<name>-<YYYYmmdd-HHMMSS>`` (suffixed if taken)."""
        name = cfg["output"]["name"] or cfg["config_name"]
        base = Path(cfg["output"]["dir"]) / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
        path, n = base, 1
        while True:
            try:
                path.mkdir(parents=True, exist_ok=False)
                return cls(path)
            except FileExistsError:
                n += 1
                path = base.with_name(f"{base.name}-{n}")

    @classmethod
    def open(cls, path) -> "RunDir":
        """An existing run folder; one without a config is refused by name."""
        run = cls(Path(path))
        if not run.path.is_dir():
            raise SqzError(f"--run: {path} is not a folder")
        if not run.config.is_file():
            raise SqzError(f"--run: {path} has no {CONFIG}; is it a folder written by tools/train.py?")
        return run

    def load_config(self, overrides=()) -> Dict[str, Any]:
        return load_config(str(self.config), overrides)

    def load_labels(self) -> List[str]:
        return read_labels(self.labels)

    def weights(self, which: str = "best") -> Path:
        """``best`` model weights (the ``.safetensors`` file when present), or the ``latest`` checkpoint.

        Runs from before safetensors support have only ``best_model.pdparams``; it is used then.
        """
        if which == "best" and self.best_safe.is_file():
            return self.best_safe
        path = self.best if which == "best" else self.checkpoint
        if not path.is_file():
            raise SqzError(f"{path}: no {which} weights in this run (has it finished an epoch?)")
        return path


def config_text(cfg: Dict[str, Any]) -> str:
    return dump_config(cfg)
