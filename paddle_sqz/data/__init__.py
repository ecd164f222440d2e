"""paddle_sqz.data: list files, labels, image loading and letterbox, transforms, the class-folder
split, the synthetic demo set and the list data set.

Only :class:`ListDataset` needs Paddle; it is imported on first use so that tools such as
``tools/split_dataset.py`` start without loading Paddle.
"""
from typing import Any

from .demo import ensure_demo_dataset, make_demo_dataset
from .image import DEFAULT_MAX_PIXELS, letterbox, load_image
from .labels import read_labels, write_labels
from .listfile import read_list, write_list
from .split import IMAGE_EXTENSIONS, split_class_folders
from .transforms import ImageTransform, build_transform, describe_transform

__all__ = [
    "DEFAULT_MAX_PIXELS", "IMAGE_EXTENSIONS", "ImageTransform", "ListDataset", "build_transform",
    "describe_transform", "ensure_demo_dataset", "letterbox", "load_image", "make_demo_dataset",
    "read_labels", "read_list", "split_class_folders", "write_labels", "write_list",
]


def __getattr__(name: str) -> Any:
    if name == "ListDataset":
        from .dataset import ListDataset
        return ListDataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
