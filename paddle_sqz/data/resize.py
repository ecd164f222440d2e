"""Bilinear resizing of whole batches in numpy, for array data sets (Quick Draw drawings to 64 px).

Resizing is separable: ``out = R_h @ x @ R_w.T`` with one small interpolation matrix
per axis, so a batch of drawings is resized by two matrix products instead of a
Python loop over PIL images. Sampling uses half-pixel centres (``align_corners=False``),
as ``paddle.nn.functional.interpolate(mode="bilinear")`` and PIL's upsampling do.
"""
from functools import lru_cache

import numpy as np

from ..errors import SqzError


@lru_cache(maxsize=32)
def bilinear_matrix(src: int, dst: int) -> np.ndarray:
    """``(dst, src)`` float32 weights: row i holds the two source pixels output pixel i blends."""
    if src < 1 or dst < 1:
        raise SqzError(f"resize: sizes must be at least 1, got {src} -> {dst}")
    pos = (np.arange(dst, dtype=np.float64) + 0.5) * (src / dst) - 0.5
    pos = np.clip(pos, 0.0, src - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, src - 1)
    frac = pos - lo
    weights = np.zeros((dst, src), dtype=np.float64)
    rows = np.arange(dst)
    np.add.at(weights, (rows, lo), 1.0 - frac)
    np.add.at(weights, (rows, hi), frac)
    weights.setflags(write=False)
    return weights.astype(np.float32)


def resize_batch(x: np.ndarray, size: int) -> np.ndarray:
    """``(N, C, H, W)`` float32 to ``(N, C, size, size)`` bilinear; returned as is when already that size."""
    if x.ndim != 4:
        raise SqzError(f"resize: expected an (N, C, H, W) batch, got shape {x.shape}")
    height, width = x.shape[2:]
    if (height, width) == (size, size):
        return x
    rows, cols = bilinear_matrix(height, size), bilinear_matrix(width, size)
    return np.ascontiguousarray(rows @ x.astype(np.float32, copy=False) @ cols.T, dtype=np.float32)
