"""Predicted images: one with its top-k bars (the tutorial's section 7), or a grid.

Images are HWC uint8 arrays (or PIL images), i.e. before normalisation; the
caller turns a model's output into names and probabilities first.
"""
import math
import re
from pathlib import Path
from typing import Any, List, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes

from ..errors import SqzError
from . import PathLike, new_figure, save_png
from .fonts import font_for_text

RIGHT, WRONG = "tab:green", "tab:red"


def _show(ax: Axes, image: Any) -> None:
    """Draw an HWC (or HW grey) uint8 image; PIL palette/alpha modes become RGB."""
    if hasattr(image, "convert"):
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    array = np.asarray(image)
    if array.ndim not in (2, 3):
        raise SqzError(f"image of shape {array.shape}: expected HWC or HW")
    # grey values are absolute: 0 is black, not the darkest pixel of this image
    if array.ndim == 2:
        ax.imshow(array, cmap="gray", vmin=0, vmax=255)
    else:
        ax.imshow(array)
    ax.axis("off")


def _safe(text: str) -> str:
    """A file-name part: separators and odd characters become ``_`` (spaces are kept)."""
    return re.sub(r"[^\w .-]+", "_", text).strip() or "_"


def unique_png_paths(images: Sequence[Path], out_dir: Path) -> List[Path]:
    """One PNG path per image in ``out_dir``, none shared and none already on disk.

    A name is the image's stem, preceded by as many parent folders as it takes to
    tell it from the others (``Cockatoo__1.png`` beside ``Bananaquit__1.png``: every
    bird class has a ``1.jpg``); a name that exists from an earlier call gets ``-2``,
    ``-3`` ... so nothing written before is overwritten.
    """
    images = [Path(p).resolve() for p in images]
    parts = [[_safe(p.stem)] + [_safe(d) for d in reversed(p.parent.parts[1:])] for p in images]
    depth = [1] * len(images)
    while True:
        names = ["__".join(reversed(part[:d])) for part, d in zip(parts, depth)]
        owners = {}
        for name, image in zip(names, images):
            owners.setdefault(name, set()).add(image)
        clashes = {n for n, paths in owners.items() if len(paths) > 1}  # one file twice stays short
        grown = False
        for i, name in enumerate(names):
            if name in clashes and depth[i] < len(parts[i]):
                depth[i] += 1
                grown = True
        if not clashes or not grown:
            break
    taken, out = set(), []
    for name in names:
        candidate, number = name, 1
        while candidate in taken or (Path(out_dir) / f"{candidate}.png").exists():
            number += 1
            candidate = f"{name}-{number}"
        taken.add(candidate)
        out.append(Path(out_dir) / f"{candidate}.png")
    return out


def plot_prediction(image: Any, class_names: Sequence[str], probs: Sequence[float],
                    path: PathLike, true_name: Optional[str] = None) -> str:
    """The image titled with the top class and its probability, top-k bars beside it.

    ``class_names``/``probs`` are the top-k, most likely first. With ``true_name``
    the title says whether the prediction is right (green) or wrong (red).
    """
    if not class_names or len(class_names) != len(probs):
        raise SqzError(f"{path}: need as many probabilities as class names (got "
                       f"{len(probs)} and {len(class_names)})")
    texts = list(class_names) + ([true_name] if true_name else [])
    font = font_for_text(texts)
    fig = new_figure(9, 4)
    image_ax, bar_ax = fig.subplots(1, 2, width_ratios=[1.1, 1])

    title = f"{class_names[0]} ({probs[0]:.1%})"
    color = "black"
    if true_name is not None:
        title += f"\ntrue: {true_name}"
        color = RIGHT if true_name == class_names[0] else WRONG
    _show(image_ax, image)
    image_ax.set_title(title, color=color, **font)

    rows = np.arange(len(class_names))
    bar_colors = [color if i == 0 and true_name is not None else "tab:blue" for i in rows]
    bar_ax.barh(rows, probs, height=0.6, color=bar_colors)
    bar_ax.set_yticks(rows, labels=list(class_names), **font)
    bar_ax.set_ylim(max(len(rows), 3) - 0.5, -0.5)  # most likely on top; 1 bar is not a slab
    bar_ax.set_xlim(0, 1)
    bar_ax.set_xlabel("probability")
    bar_ax.set_title(f"top-{len(class_names)}")
    for row, p in zip(rows, probs):
        if p > 0.8:  # no room right of the bar: write inside it
            bar_ax.text(p - 0.02, row, f"{p:.1%}", va="center", ha="right", color="white")
        else:
            bar_ax.text(p + 0.02, row, f"{p:.1%}", va="center")
    bar_ax.grid(True, axis="x", alpha=0.3)
    return save_png(fig, path)


def plot_grid(images: Sequence[Any], true_names: Sequence[str], pred_names: Sequence[str],
              probs: Sequence[float], path: PathLike, cols: int = 4) -> str:
    """Test images titled "pred (p)\\ntrue": green when right, red when wrong."""
    n = len(images)
    if n == 0 or not (len(true_names) == len(pred_names) == len(probs) == n):
        raise SqzError(f"{path}: need one true name, predicted name and probability per image "
                       f"(got {n} images, {len(true_names)}, {len(pred_names)}, {len(probs)})")
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    font = font_for_text(list(true_names) + list(pred_names))
    first = np.asarray(images[0])
    cell_height = 2.6 * first.shape[0] / first.shape[1] + 0.6  # image at 2.6 in wide + title
    fig = new_figure(2.6 * cols, cell_height * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, image, true, pred, p in zip(axes, images, true_names, pred_names, probs):
        _show(ax, image)
        ax.set_title(f"{pred} ({p:.0%})\n{true}", color=RIGHT if pred == true else WRONG,
                     fontsize=9, **font)
    for ax in axes[n:]:
        ax.axis("off")
    return save_png(fig, path)
