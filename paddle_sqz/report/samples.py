"""What the network is shown: each photo next to its letterboxed versions (the tutorial's padding step)."""
from pathlib import Path
from typing import Optional, Sequence, Tuple

import numpy as np

from ..data.image import letterbox, load_image
from ..data.quickdraw import load_class_array
from . import PathLike, new_figure, save_png
from .fonts import font_for_text

View = Tuple[Optional[int], int]  # (letterbox size or None for the photo as it is, final square size)


def plot_padding_views(paths: Sequence[PathLike], views: Sequence[View], path: PathLike,
                       labels: Optional[Sequence[str]] = None) -> str:
    """One column per photo: the original, then each ``(pad_size, image_size)`` view as the model gets it.

    ``(32, 224)`` is the tutorial's setting (pad to 32, then resize: a blurred 32-pixel
    photo); ``(224, 224)`` letterboxes the full photo. ``labels`` title the columns.
    """
    labels = list(labels) if labels is not None else [Path(p).parent.name for p in paths]
    font = font_for_text(labels)
    fig = new_figure(2.6 * len(paths), 2.7 * (len(views) + 1))
    axes = np.atleast_2d(fig.subplots(len(views) + 1, len(paths), squeeze=False))
    for col, (image_path, label) in enumerate(zip(paths, labels)):
        photo = load_image(image_path)
        shown = [(photo, f"{label}\noriginal {photo.size[0]}x{photo.size[1]}")]
        for pad, size in views:
            image = photo if pad is None else letterbox(photo, pad)
            shown.append((image.resize((size, size)), f"pad {pad} -> {size}" if pad else f"resize {size}"))
        for row, (image, title) in enumerate(shown):
            axes[row, col].imshow(np.asarray(image))
            axes[row, col].set_title(title, fontsize=9, **(font if row == 0 else {}))
            axes[row, col].axis("off")
    return save_png(fig, path)


def plot_drawing_samples(folder: PathLike, classes: Sequence[str], per_class: int, path: PathLike) -> str:
    """The first ``per_class`` drawings of each class of a Quick Draw folder, one row per class."""
    fig = new_figure(1.1 * per_class + 1.6, 1.1 * len(classes))
    axes = np.atleast_2d(fig.subplots(len(classes), per_class, squeeze=False))
    font = font_for_text(classes)
    for row, name in enumerate(classes):
        drawings = load_class_array(Path(folder) / f"{name}.npy")[:per_class]
        for col in range(per_class):
            ax = axes[row, col]
            ax.axis("off")
            if col < len(drawings):
                ax.imshow(drawings[col].reshape(28, 28), cmap="gray", vmin=0, vmax=255)
        axes[row, 0].text(-4, 14, name, ha="right", va="center", fontsize=9, **font)
    return save_png(fig, path)
