"""Confusion matrix: which birds the model mistakes for which.

Rows are true classes, columns predicted classes, so row ``i`` sums to the
number of test images of class ``i``.
"""
import math
from typing import List, Sequence

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..errors import SqzError
from . import PathLike, new_figure, save_png
from .fonts import font_for_text


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int) -> np.ndarray:
    """Counts ``[true, predicted]`` as an int64 ``(num_classes, num_classes)`` array."""
    true = np.asarray(y_true, dtype=np.int64).ravel()
    pred = np.asarray(y_pred, dtype=np.int64).ravel()
    if true.shape != pred.shape:
        raise SqzError(f"confusion matrix: {true.size} labels but {pred.size} predictions")
    for name, ids in (("label", true), ("prediction", pred)):
        if ids.size and (ids.min() < 0 or ids.max() >= num_classes):
            raise SqzError(f"confusion matrix: {name} id outside 0..{num_classes - 1}")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (true, pred), 1)
    return matrix


def per_class_accuracy(matrix: np.ndarray) -> List[float]:
    """Recall of each true class; ``nan`` for a class with no samples (0/0 is no score).

    Test ``math.isnan`` before averaging: a missing class is not a 0% class.
    """
    matrix = np.asarray(matrix)
    totals = matrix.sum(axis=1)
    return [float(matrix[i, i] / totals[i]) if totals[i] else math.nan for i in range(len(matrix))]


def plot_confusion(matrix: np.ndarray, class_names: Sequence[str], path: PathLike,
                   normalize: bool = False) -> str:
    """Annotated heat map, counts in each cell (plus the row % when ``normalize``).

    With ``normalize`` the colour is the row percentage, so classes with few test
    images are as visible as large ones.
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    n = len(class_names)
    if matrix.shape != (n, n):
        raise SqzError(f"{path}: confusion matrix {matrix.shape} does not match {n} class names")
    return save_png(confusion_figure(matrix, class_names, normalize), path)


def confusion_figure(matrix: np.ndarray, class_names: Sequence[str], normalize: bool = False):
    """The figure :func:`plot_confusion` saves (its colour bar is ``fig.axes[1]``)."""
    matrix = np.asarray(matrix, dtype=np.int64)
    n = len(class_names)
    totals = matrix.sum(axis=1, keepdims=True)
    fractions = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    shade = 100 * fractions if normalize else matrix

    side = min(4.0 + 0.55 * n, 16.0)
    fig = new_figure(side + 1.5, side)
    ax = fig.subplots()
    image = ax.imshow(shade, cmap="Blues", vmin=0, vmax=100 if normalize else max(int(matrix.max()), 1))
    bar = fig.colorbar(image, ax=ax, shrink=0.8,
                       label="images in the row (%)" if normalize else "images")
    if not normalize:  # counts are whole images: no 0.2, 0.4 ... ticks
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()

    text_size = max(6.0, min(11.0, 160.0 / n))
    dark = (shade.max() or 1) * 0.6
    for i in range(n):
        for j in range(n):
            label = f"{matrix[i, j]}\n{fractions[i, j]:.0%}" if normalize else f"{matrix[i, j]}"
            # empty cells in grey, so the eye goes to the confusions that happen
            color = "white" if shade[i, j] > dark else "black" if matrix[i, j] else "0.6"
            ax.text(j, i, label, ha="center", va="center", fontsize=text_size, color=color)

    font = font_for_text(class_names)
    ax.set_xticks(range(n), labels=list(class_names), rotation=40, ha="right",
                  rotation_mode="anchor", **font)
    ax.set_yticks(range(n), labels=list(class_names), **font)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    total = int(matrix.sum())
    accuracy = np.trace(matrix) / total if total else math.nan
    ax.set_title(f"Confusion matrix ({total} images, accuracy {accuracy:.1%})")
    return fig
