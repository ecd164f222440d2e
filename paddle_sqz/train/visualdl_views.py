"""VisualDL beyond scalars: hyper-parameters, weight histograms, an image grid, PR curves.

Two traps of VisualDL 2.5.3 shape this module:

- the board reads only the NEWEST ``vdlrecords.*.log`` of a run folder, so a second
  ``LogWriter`` on a finished run would hide its training curves: :func:`run_writer`
  appends to the run's existing file instead;
- ``add_pr_curve`` computes its curve with ``np.float``, which numpy 2 removed: the curve
  is computed here (:func:`pr_curve_counts`) and handed to VisualDL's record builder
  for precomputed curves, so numpy is never patched.
"""
import contextlib
import io
import math
import re
import time
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence

import numpy as np
from PIL import Image
from visualdl import LogWriter
from visualdl.component.base_component import pr_curve_raw

from ..errors import SqzError

PR_THRESHOLDS = 101  # score thresholds 0.00, 0.01 ... 1.00 (VisualDL keeps at most 127)


def _quiet():
    """VisualDL prints a line when it appends to a file; keep the console to our own lines."""
    return contextlib.redirect_stdout(io.StringIO())


@contextlib.contextmanager
def run_writer(run_path: Path) -> Iterator[Any]:
    """A ``LogWriter`` appending to the run's newest record file (or a new one if none)."""
    run_path = Path(run_path)
    records = sorted(run_path.glob("vdlrecords.*.log"), key=lambda p: p.stat().st_mtime)
    with _quiet():
        writer = LogWriter(logdir=str(run_path), file_name=records[-1].name if records else "")
    try:
        yield writer
    finally:
        with _quiet():
            writer.close()


def _hparam_value(value: Any) -> Any:
    """VisualDL's HParams view takes int, float or str; anything else is shown as text."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def add_hparams(writer: Any, hparams: Mapping[str, Any], metrics: Mapping[str, Optional[float]]) -> None:
    """One run's settings and final metrics in the HParams tab (metrics as ``hparam/<name>``
    scalars, which is where the view reads their values). Dots in names become ``_``: the
    board's table leaves a column named ``model.name`` empty (it reads dots as a path)."""
    present = {f"hparam/{name.replace('.', '_')}": float(v) for name, v in metrics.items()
               if v is not None and math.isfinite(float(v))}
    writer.add_hparams({k.replace(".", "_"): _hparam_value(v) for k, v in hparams.items()}, list(present))
    for tag, value in present.items():
        writer.add_scalar(tag=tag, value=value, step=0)


def add_weight_histograms(writer: Any, state: Mapping[str, Any], step: int,
                          prefix: str = "weights", buckets: int = 60) -> int:
    """A histogram per weight tensor (conv kernels, dense matrices; biases skipped) at
    ``step``; pruning shows as a spike at 0, weight sharing as a few bars. Returns how many."""
    written = 0
    for name, value in state.items():
        array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
        if array.ndim < 2 or not np.issubdtype(array.dtype, np.floating):
            continue
        writer.add_histogram(tag=f"{prefix}/{name}", values=array.astype(np.float64).ravel(),
                             step=int(step), buckets=buckets)
        written += 1
    return written


def pr_curve_counts(is_positive: np.ndarray, scores: np.ndarray,
                    num_thresholds: int = PR_THRESHOLDS) -> Dict[str, list]:
    """tp, fp, tn, fn, precision and recall of "score >= t" for t = 0, 1/(n-1) ... 1.

    Precision with nothing predicted positive is taken as 1 (no false alarm), the usual
    end point of a PR curve.
    """
    positive = np.asarray(is_positive, dtype=bool).ravel()
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if positive.shape != scores.shape:
        raise SqzError(f"PR curve: {positive.size} labels but {scores.size} scores")
    thresholds = np.linspace(0.0, 1.0, num_thresholds)
    predicted = scores[None, :] >= thresholds[:, None] - 1e-12
    tp = (predicted & positive).sum(axis=1)
    fp = (predicted & ~positive).sum(axis=1)
    fn = positive.sum() - tp
    tn = (~positive).sum() - fp
    precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 1.0)
    recall = tp / max(int(positive.sum()), 1)
    return {"tp": tp.tolist(), "fp": fp.tolist(), "tn": tn.tolist(), "fn": fn.tolist(),
            "precision": precision.tolist(), "recall": recall.tolist()}


def _tag_part(name: str) -> str:
    """VisualDL refuses ``%`` in tags; slashes would open sub-groups."""
    return re.sub(r"[%/\\]+", "_", str(name))


def add_pr_curves(writer: Any, labels: np.ndarray, probs: np.ndarray, class_names: Sequence[str],
                  step: int, prefix: str = "pr_curve") -> int:
    """One-vs-rest PR curve of every class (its softmax probability as the score)."""
    labels = np.asarray(labels).ravel()
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] != labels.size or probs.shape[1] != len(class_names):
        raise SqzError(f"PR curves: probabilities {probs.shape} do not match {labels.size} labels "
                       f"and {len(class_names)} classes")
    walltime = round(time.time() * 1000)
    for index, name in enumerate(class_names):
        counts = pr_curve_counts(labels == index, probs[:, index])
        writer._get_file_writer().add_record(pr_curve_raw(
            tag=f"{prefix}/{_tag_part(name)}", step=int(step), walltime=walltime, **counts))
    return len(class_names)


def add_image_file(writer: Any, tag: str, png: Path, step: int) -> None:
    """A PNG already rendered (e.g. ``report.predictions.plot_grid``) in the Image tab."""
    with Image.open(png) as image:
        array = np.asarray(image.convert("RGB"))
    writer.add_image(tag=tag, img=array, step=int(step), dataformats="HWC")
