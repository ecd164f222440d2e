"""Predict image files with a finished run on any engine, through the run's own preprocessing.

A folder of photos from a phone or the web always holds a few broken files: each is
reported on its own, and every good image is still predicted.
"""
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..data.image import load_image
from ..data.split import IMAGE_EXTENSIONS
from ..deploy.predictor import Predictor, open_predictor
from ..errors import SqzError
from ..io_utils import PathLike, atomic_write_text
from ..report.prediction_table import predictions_csv, predictions_json
from ..report.predictions import plot_prediction, unique_png_paths
from ..runs import Run

Prediction = Tuple[Path, List[Tuple[str, float]]]
Failure = Tuple[Path, str]  # an image that could not be read, and why


def image_paths(inputs: Sequence[str]) -> List[Path]:
    """Files as given, and the image files inside given folders (sorted)."""
    paths: List[Path] = []
    for text in inputs:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                raise SqzError(f"{path}: no image files in this folder")
            paths.extend(found)
        elif path.is_file():
            paths.append(path)
        else:
            raise SqzError(f"{path}: no such file or folder")
    return paths


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def predict(predictor: Predictor, paths: Sequence[Path], topk: int = 3, batch_size: int = 32,
            failures: Optional[List[Failure]] = None) -> List[Prediction]:
    """Top-k (class name, probability) for each image.

    A bad image raises its one-line error; with ``failures`` (a list) it is added there as
    ``(path, message)`` instead and every other image is still predicted.
    """
    names = predictor.class_names
    topk = max(1, min(topk, len(names)))
    results = []
    for start in range(0, len(paths), batch_size):
        chunk, arrays = [], []
        for path in paths[start:start + batch_size]:
            try:
                arrays.append(predictor.transform(load_image(path), None))
            except SqzError as exc:
                if failures is None:
                    raise
                failures.append((Path(path), str(exc)))
                continue
            chunk.append(path)
        if not chunk:
            continue
        for path, row in zip(chunk, softmax(predictor(np.stack(arrays)))):
            order = np.argsort(-row)[:topk]
            results.append((path, [(names[i], float(row[i])) for i in order]))
    return results


def predict_run(run, inputs: Sequence[str], weights: str = "best", engine: str = "dygraph", topk: int = 3,
                plot: bool = False, out: Optional[PathLike] = None,
                allow_pickle: bool = False) -> Tuple[List[Prediction], List[Failure], List[Path]]:
    """Predict the images and folders ``inputs`` with a run: ``(predictions, failures, files written)``.

    Every readable image is predicted; each unreadable one is a ``(path, message)`` failure.
    ``out`` (``.csv`` or ``.json``) gets every image's row, written atomically; with
    ``plot``, one PNG per image goes to ``RUN/predictions``.
    """
    render = _renderer(out)
    run = Run.open(run, allow_pickle=allow_pickle)
    paths = image_paths(inputs)
    failures: List[Failure] = []
    results = predict(open_predictor(run, weights, engine), paths, topk, failures=failures)
    written: List[Path] = []
    if out is not None:
        rows = _rows(paths, results, failures)
        atomic_write_text(out, render(rows, max(1, min(topk, len(run.class_names)))))
        written.append(Path(out))
    if plot:
        out_dir = run.path / "predictions"
        out_dir.mkdir(exist_ok=True)
        pngs = unique_png_paths([path for path, _ in results], out_dir)  # never over another picture
        for (path, top), png in zip(results, pngs):
            written.append(Path(plot_prediction(load_image(path), [run.shown(n) for n, _ in top],
                                                [p for _, p in top], png)))
    return results, failures, written


def _renderer(out: Optional[PathLike]):
    if out is None:
        return None
    suffix = Path(out).suffix.lower()
    if suffix == ".csv":
        return predictions_csv
    if suffix == ".json":
        return lambda rows, topk: predictions_json(rows)
    raise SqzError(f"--out: {out}: expected a .csv or .json file name")


def _rows(paths: Sequence[Path], results: List[Prediction], failures: List[Failure]):
    """One row per input image, in input order."""
    top = {str(path): names for path, names in results}
    errors = {str(path): message for path, message in failures}
    return [(str(path), top.get(str(path)), errors.get(str(path))) for path in paths]
