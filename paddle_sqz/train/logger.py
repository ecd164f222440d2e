"""Progress on the console and in ``train.log``; scalars to VisualDL. Only rank 0 writes.

Other VisualDL views hook in with :meth:`RunLogger.on_epoch` (e.g. the weight
histograms of compression fine-tuning, written by ``train.visualdl_views``).
"""
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

from visualdl import LogWriter

from ..errors import SqzError
from ..io_utils import os_error_cause

VISUALDL_RECORDS = "vdlrecords.*"


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def epoch_scalars(record: Dict[str, Any], top5: bool = True) -> Dict[str, float]:
    """The VisualDL scalars of one ``metrics.jsonl`` record (``top5=False``: 5 classes or fewer, always 100%)."""
    scalars = {"train/loss": record["train_loss"], "train/top1": record["train_top1"],
               "train/lr": record["lr"], "train/images_per_s": record["images_per_s"]}
    for split in ("val", "test", "eval"):  # each split under its own name (eval: runs before val)
        for key in ("loss", "top1", "top5"):
            if record.get(f"{split}_{key}") is not None and (top5 or key != "top5"):
                scalars[f"{split}/{key}"] = record[f"{split}_{key}"]  # metrics.jsonl keeps top-5
    return scalars


class RunLogger:
    """Prints and appends lines to ``train.log``; forwards scalars to a VisualDL ``LogWriter``.

    The VisualDL writer is made on the first scalar, so a resume can first drop the old
    records (:meth:`restart_scalars`) and VisualDL shows each epoch once.
    """

    def __init__(self, log_path: Optional[Path], vdl_dir: Optional[Path], enabled: bool = True):
        self.enabled = enabled
        self._log_path = log_path
        self._log = None
        if enabled and log_path:
            try:
                self._log = open(log_path, "a", encoding="utf-8")
            except OSError as exc:
                raise SqzError(f"{log_path}: cannot write ({os_error_cause(exc)})") from None
        self._vdl_dir = vdl_dir if enabled else None
        self._vdl = None
        self._epoch_hooks: List[Callable[[Any, int], None]] = []

    @property
    def writer(self) -> Optional[Any]:
        """The run's VisualDL ``LogWriter``, made now if not yet (``None`` on other ranks or
        with visualdl off)."""
        if self._vdl is None and self._vdl_dir is not None:
            self._vdl = LogWriter(logdir=str(self._vdl_dir))
        return self._vdl

    def on_epoch(self, hook: Callable[[Any, int], None]) -> None:
        """Call ``hook(writer, epoch)`` after each epoch's scalars (only where VisualDL is on)."""
        self._epoch_hooks.append(hook)

    def info(self, message: str) -> None:
        if not self.enabled:
            return
        print(message, flush=True)
        self._write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")

    def error(self, message: str) -> None:
        """Record a fatal error in ``train.log`` (the tool prints it to the console)."""
        if self.enabled:
            with contextlib.suppress(SqzError):  # a full disk must not hide the first error
                self._write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} error: {' '.join(message.splitlines())}\n")

    def _write(self, line: str) -> None:
        if not self._log:
            return
        try:
            self._log.write(line)
            self._log.flush()
        except OSError as exc:
            raise SqzError(f"{self._log_path}: cannot write ({os_error_cause(exc)})") from None

    def scalars(self, step: int, values: Dict[str, float]) -> None:
        if self._vdl_dir is None:
            return
        if self._vdl is None:
            self._vdl = LogWriter(logdir=str(self._vdl_dir))
        for tag, value in values.items():
            if value is not None:
                self._vdl.add_scalar(tag=tag, value=float(value), step=int(step))

    def epoch_done(self, epoch: int) -> None:
        """Run the :meth:`on_epoch` hooks for ``epoch``."""
        if self._vdl is None:
            return
        for hook in self._epoch_hooks:
            hook(self._vdl, int(epoch))

    def restart_scalars(self, records: Iterable[Dict[str, Any]], top5: bool = True) -> None:
        """Replace the folder's VisualDL records by ``records`` (the epochs a resume keeps)."""
        if self._vdl_dir is None or self._vdl is not None:
            return
        for path in Path(self._vdl_dir).glob(VISUALDL_RECORDS):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        for record in records:
            self.scalars(record["epoch"], epoch_scalars(record, top5))
        self.flush()

    def flush(self) -> None:
        if self._vdl is not None:
            self._vdl.flush()

    def close(self) -> None:
        if self._vdl is not None:
            self._vdl.close()
            self._vdl = None
        if self._log:
            self._log.close()
            self._log = None


class Progress:
    """One progress line per ``interval`` batches: loss, top-1, images/s and the run's ETA."""

    def __init__(self, logger: RunLogger, epochs: int, batches_per_epoch: int, interval: int):
        self.logger, self.epochs, self.batches, self.interval = logger, epochs, batches_per_epoch, interval
        self.start = time.perf_counter()
        self.done = 0  # batches done in this process (resumed epochs excluded)

    def step(self, epoch: int, batch: int, loss: float, top1: float, images_per_s: float) -> None:
        self.done += 1
        if batch % self.interval and batch != self.batches:
            return
        elapsed = time.perf_counter() - self.start
        remaining = (self.epochs - epoch) * self.batches + (self.batches - batch)
        eta = elapsed / self.done * remaining
        self.logger.info(f"epoch {epoch}/{self.epochs} batch {batch}/{self.batches} loss {loss:.4f} "
                         f"top1 {top1:6.2%} {images_per_s:7.1f} img/s ETA {format_duration(eta)}")


def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
