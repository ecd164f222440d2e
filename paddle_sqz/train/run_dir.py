"""The run folder: the unit every tool after training takes with ``--run``.

It holds the resolved config, ``labels.txt``, ``metrics.jsonl`` (one record per
epoch), VisualDL logs, ``train.log``, the latest checkpoint and the best model, both
``.safetensors`` (nothing in a run folder is a pickle, so sharing one is safe).
"""
import contextlib
import os
import time
from pathlib import Path
from typing import Any, Dict, List

from ..config import dump_config, load_config
from ..data.labels import read_labels
from ..errors import SqzError
from .checkpoint import PICKLE_SUFFIXES, PICKLE_RISK
from .lock import RunLock

CONFIG = "config.yaml"
LABELS = "labels.txt"
METRICS = "metrics.jsonl"
CHECKPOINT = "checkpoint_latest.safetensors"
BEST = "best_model.safetensors"
LOG = "train.log"
SUMMARY = "summary.json"  # the test split evaluated once at the end (train.selection)
TMP_SUFFIX = ".tmp"  # io_utils.atomic_path's temporary files: ``.<name>.<pid>.<random>.tmp``


class RunDir:
    """Paths inside one run folder, and its config and labels."""

    def __init__(self, path: Path):
        self.path = Path(path)

    config = property(lambda self: self.path / CONFIG)
    labels = property(lambda self: self.path / LABELS)
    metrics = property(lambda self: self.path / METRICS)
    checkpoint = property(lambda self: self.path / CHECKPOINT)
    best = property(lambda self: self.path / BEST)
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

    def weights(self, which: str = "best", allow_pickle: bool = False) -> Path:
        """``best`` model weights, the ``latest`` checkpoint, or a weights file named by path.

        A pickle (``.pdparams``) is only accepted with ``allow_pickle`` (``--allow-pickle``).
        """
        if which in ("best", "latest"):
            path = self.best if which == "best" else self.checkpoint
            if not path.is_file():
                raise SqzError(f"{path}: no {which} weights in this run{self._pickles_note()}")
            return path
        path = Path(which)
        if path.suffix.lower() in PICKLE_SUFFIXES and not allow_pickle:
            raise SqzError(f"--weights: {path} {PICKLE_RISK}; pass --allow-pickle only for a file you "
                           "made yourself or fully trust")
        if not path.is_file():
            raise SqzError(f"--weights: {path}: file not found")
        return path

    def _pickles_note(self) -> str:
        """Why the weights are missing: an unfinished first epoch, or a run folder holding only pickles."""
        pickles = sorted(p.name for p in self.path.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES)
        if not pickles:
            return " (has it finished an epoch?)"
        return (f"; it holds only {', '.join(pickles)}: Python pickles (from an older paddle_sqz, or put "
                "there by someone), never read on their own; if you trust who made them, pass "
                "--weights FILE.pdparams --allow-pickle")

    def lock(self) -> RunLock:
        """The folder's one-writer lock (``with run.lock(): ...``); a second writer is refused."""
        return RunLock(self.path)

    def remove_stale_tmp(self) -> int:
        """Delete temporary files a crashed write left behind; call only while holding :meth:`lock`."""
        removed = 0
        for path in self.path.glob(f".*{TMP_SUFFIX}"):
            if path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                    removed += 1
        return removed


def config_text(cfg: Dict[str, Any]) -> str:
    return dump_config(cfg)
