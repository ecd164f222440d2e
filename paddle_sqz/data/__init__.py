"""paddle_sqz.data: list files, labels, image loading and letterbox, transforms, the class-folder
split, the synthetic demo set and the list data set.

Nothing imported here needs Paddle, so tools such as ``tools/split_dataset.py`` start fast;
the Paddle data sets live in ``data.dataset``, ``data.quickdraw`` and ``data.sources``.
"""
from .demo import ensure_demo_dataset, make_demo_dataset
from .image import DEFAULT_MAX_PIXELS, letterbox, load_image
from .labels import read_labels, write_labels
from .listfile import read_list, write_list
from .split import IMAGE_EXTENSIONS, split_class_folders
from .transforms import ImageTransform, build_transform, describe_transform

__all__ = [
    "DEFAULT_MAX_PIXELS", "IMAGE_EXTENSIONS", "ImageTransform", "build_transform",
    "describe_transform", "ensure_demo_dataset", "letterbox", "load_image", "make_demo_dataset",
    "read_labels", "read_list", "split_class_folders", "write_labels", "write_list",
]

