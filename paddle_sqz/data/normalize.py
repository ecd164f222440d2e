"""The one normalisation: ``(pixels / 255 - mean) / std`` per channel, as ``x * scale - shift``.

Images (uint8 0..255) and Quick Draw batches (already scaled to 0..1) go through the
same arithmetic, so training, evaluation, plots and exports can never disagree on it.
"""
from typing import Sequence

import numpy as np


class Normalizer:
    """Per-channel ``(x / max_value - mean) / std`` on channel-first arrays, computed in float32."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], max_value: float = 255.0):
        mean_arr = np.asarray(mean, dtype=np.float64).reshape(-1, 1, 1)
        std_arr = np.asarray(std, dtype=np.float64).reshape(-1, 1, 1)
        self.scale = (1.0 / (max_value * std_arr)).astype(np.float32)
        self.shift = (mean_arr / std_arr).astype(np.float32)
        self.identity = bool(np.all(self.scale == 1.0) and not self.shift.any())

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``x`` is ``(C, H, W)`` or ``(N, C, H, W)``; returns a new float32 array."""
        x = np.asarray(x, dtype=np.float32)
        if self.identity:
            return np.array(x, dtype=np.float32, copy=True)
        return x * self.scale - self.shift
