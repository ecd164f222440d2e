"""The image pipeline as one small picklable object: letterbox -> resize -> flips -> CHW -> normalise.

PIL + numpy only, so DataLoader workers need no Paddle. Randomness comes only from the
generator passed in, which the data set derives from (seed, epoch, index): augmentation
is reproducible for any worker count and after a resume. The evaluation pipeline
(``train=False``) has no randomness at all (the tutorial evaluated with training
augmentation).
"""
from typing import Any, Dict, List, Optional

import numpy as np
from PIL import Image

from ..errors import SqzError
from .image import letterbox
from .normalize import Normalizer


class ImageTransform:
    """``transform(img, rng) -> float32 array (C, H, W)``; built by :func:`build_transform`."""

    def __init__(self, pad_size: Optional[int], image_size: int, hflip: bool, vflip: bool,
                 mean: List[float], std: List[float]):
        self.pad_size = pad_size
        self.image_size = image_size
        self.hflip = hflip
        self.vflip = vflip
        self.mean = list(mean)
        self.std = list(std)
        self.mode = "L" if len(mean) == 1 else "RGB"
        self.normalize = Normalizer(mean, std)

    @property
    def random(self) -> bool:
        return self.hflip or self.vflip

    def __call__(self, img: Image.Image, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        return self.finish(self.prepare(img), rng)

    def prepare(self, img: Image.Image) -> np.ndarray:
        """The deterministic part (mode, letterbox, resize): uint8 ``(H, W, C)``, the same every epoch.

        What a data set may cache (``data.cache_images``): decoding and resizing are done once.
        """
        if img.mode != self.mode:
            img = img.convert(self.mode)
        if self.pad_size is not None:
            img = letterbox(img, self.pad_size)
        if img.size != (self.image_size, self.image_size):
            img = img.resize((self.image_size, self.image_size), Image.Resampling.BILINEAR)
        pixels = np.asarray(img, dtype=np.uint8)
        return pixels[:, :, None] if pixels.ndim == 2 else pixels

    def finish(self, pixels: np.ndarray, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """The random flips and the normalisation of :meth:`prepare`'s output: float32 ``(C, H, W)``."""
        if self.random and rng is None:
            raise ValueError("a training transform needs a numpy Generator (rng)")
        # both coins are always drawn, in this order, so the stream does not depend on the outcome
        flip_h = self.hflip and rng.random() < 0.5
        flip_v = self.vflip and rng.random() < 0.5
        if flip_h:
            pixels = pixels[:, ::-1]
        if flip_v:
            pixels = pixels[::-1]
        return np.ascontiguousarray(self.normalize(pixels.transpose(2, 0, 1)), dtype=np.float32)

    def describe(self) -> str:
        steps = []
        if self.pad_size is not None:
            steps.append(f"letterbox {self.pad_size}x{self.pad_size} on black")
        steps.append(f"resize {self.image_size}x{self.image_size} bilinear")
        if self.hflip:
            steps.append("hflip p=0.5")
        if self.vflip:
            steps.append("vflip p=0.5")
        steps.append(f"{self.mode} /255, mean {_floats(self.mean)}, std {_floats(self.std)}")
        return " -> ".join(steps)

    def __repr__(self) -> str:
        return f"ImageTransform({self.describe()})"


def build_transform(data_cfg: Dict[str, Any], train: bool) -> ImageTransform:
    """The pipeline for the ``data`` section of a config; flips only when ``train``."""
    pad_size = data_cfg.get("pad_size")
    image_size = data_cfg.get("image_size")
    mean = list(data_cfg.get("mean", [0.5, 0.5, 0.5]))
    std = list(data_cfg.get("std", [0.5, 0.5, 0.5]))
    if not isinstance(image_size, int) or image_size < 1:
        raise SqzError(f"config key 'data.image_size' must be a positive integer, got {image_size!r}")
    if pad_size is not None and (not isinstance(pad_size, int) or pad_size < 1):
        raise SqzError(f"config key 'data.pad_size' must be a positive integer or null, got {pad_size!r}")
    if len(mean) not in (1, 3) or len(std) != len(mean):
        raise SqzError(f"config keys 'data.mean' and 'data.std' need 1 or 3 values each, "
                       f"got {len(mean)} and {len(std)}")
    if any(s <= 0 for s in std):
        raise SqzError(f"config key 'data.std' values must be positive, got {std}")
    return ImageTransform(pad_size, image_size,
                          hflip=train and bool(data_cfg.get("hflip", False)),
                          vflip=train and bool(data_cfg.get("vflip", False)),
                          mean=[float(m) for m in mean], std=[float(s) for s in std])


def describe_transform(data_cfg: Dict[str, Any], train: bool) -> str:
    """One line for logs, e.g. ``letterbox 32x32 on black -> resize 224x224 bilinear -> ...``."""
    return build_transform(data_cfg, train).describe()


def _floats(values: List[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"
