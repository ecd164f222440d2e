"""Predict image files with a finished run on any engine, through the run's own preprocessing."""
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

from ..data.image import load_image
from ..data.split import IMAGE_EXTENSIONS
from ..deploy.predictor import Predictor, open_predictor
from ..errors import SqzError
from ..report.predictions import plot_prediction, unique_png_paths
from ..runs import Run

Prediction = Tuple[Path, List[Tuple[str, float]]]


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


def predict(predictor: Predictor, paths: Sequence[Path], topk: int = 3, batch_size: int = 32) -> List[Prediction]:
    """Top-k (class name, probability) for each image."""
    names = predictor.class_names
    topk = max(1, min(topk, len(names)))
    results = []
    for start in range(0, len(paths), batch_size):
        chunk = list(paths[start:start + batch_size])
        x = np.stack([predictor.transform(load_image(p), None) for p in chunk])
        for path, row in zip(chunk, softmax(predictor(x))):
            order = np.argsort(-row)[:topk]
            results.append((path, [(names[i], float(row[i])) for i in order]))
    return results


def predict_run(run, inputs: Sequence[str], weights: str = "best", engine: str = "dygraph", topk: int = 3,
                plot: bool = False) -> Tuple[List[Prediction], List[Path]]:
    """Predict the images and folders ``inputs`` with a run; with ``plot``, one PNG each in ``RUN/predictions``."""
    run = Run.open(run)
    results = predict(open_predictor(run, weights, engine), image_paths(inputs), topk)
    written: List[Path] = []
    if plot:
        out_dir = run.path / "predictions"
        out_dir.mkdir(exist_ok=True)
        pngs = unique_png_paths([path for path, _ in results], out_dir)  # never over another picture
        for (path, top), png in zip(results, pngs):
            written.append(Path(plot_prediction(load_image(path), [run.shown(n) for n, _ in top],
                                                [p for _, p in top], png)))
    return results, written
