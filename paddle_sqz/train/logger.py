"""Progress on the console and in ``train.log``; scalars to VisualDL. Only rank 0 writes.

Other VisualDL views hook in with :meth:`RunLogger.on_epoch` (e.g. the weight
histograms of compression fine-tuning, written by ``train.visualdl_views``).
"""
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from visualdl import LogWriter


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class RunLogger:
    """Prints and appends lines to ``train.log``; forwards scalars to a VisualDL ``LogWriter``."""

    def __init__(self, log_path: Optional[Path], vdl_dir: Optional[Path], enabled: bool = True):
        self.enabled = enabled
        self._log = open(log_path, "a", encoding="utf-8") if enabled and log_path else None
        self._vdl = None
        self._epoch_hooks: List[Callable[[Any, int], None]] = []
        if enabled and vdl_dir is not None:
            self._vdl = LogWriter(logdir=str(vdl_dir))

    @property
    def writer(self) -> Optional[Any]:
        """The run's VisualDL ``LogWriter`` (``None`` on other ranks or with visualdl off)."""
        return self._vdl

    def on_epoch(self, hook: Callable[[Any, int], None]) -> None:
        """Call ``hook(writer, epoch)`` after each epoch's scalars (only where VisualDL is on)."""
        self._epoch_hooks.append(hook)

    def info(self, message: str) -> None:
        if not self.enabled:
            return
        print(message, flush=True)
        if self._log:
            self._log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
            self._log.flush()

    def scalars(self, step: int, values: Dict[str, float]) -> None:
        if self._vdl is None:
            return
        for tag, value in values.items():
            if value is not None:
                self._vdl.add_scalar(tag=tag, value=float(value), step=int(step))

    def epoch_done(self, epoch: int) -> None:
        """Run the :meth:`on_epoch` hooks for ``epoch``."""
        if self._vdl is None:
            return
        for hook in self._epoch_hooks:
            hook(self._vdl, int(epoch))

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
