"""Weight sharing: each tensor's values replaced by one of 2^bits shared centroids.

``kmeans`` is Deep Compression's choice (linear initialisation over [min, max],
which keeps the rare large weights that matter most); ``linear`` is the plain
evenly spaced grid, for comparison. Centroids are stored as float16: their
rounding error is far below the quantization step.
"""
from typing import Tuple

import numpy as np

from ..errors import SqzError

METHODS = ("kmeans", "linear")
MAX_BITS = 16


def quantize(values: np.ndarray, bits: int, method: str = "kmeans",
             iterations: int = 30) -> Tuple[np.ndarray, np.ndarray]:
    """``(codebook float16 [k], indices int64 like values)`` with ``values ~ codebook[indices]``."""
    if not 1 <= bits <= MAX_BITS:
        raise SqzError(f"--bits must be between 1 and {MAX_BITS} (32 = no quantization), got {bits}")
    if method not in METHODS:
        raise SqzError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    flat = np.asarray(values, np.float32).reshape(-1)
    if flat.size == 0:
        return np.zeros(1, np.float16), np.zeros(0, np.int64)
    k = 1 << bits
    centroids = np.linspace(flat.min(), flat.max(), k).astype(np.float64)
    if method == "kmeans":
        centroids = _lloyd(flat, centroids, iterations)
    codebook = np.unique(centroids.astype(np.float16))  # sorted; merged duplicates
    indices = _nearest(flat, codebook.astype(np.float32))
    used = np.unique(indices)  # centroids no value chose (small tensors, gaps) are not stored
    return codebook[used], np.searchsorted(used, indices).reshape(np.shape(values))


def _nearest(flat: np.ndarray, sorted_centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid, by binary search over the midpoints (1-D k-means)."""
    midpoints = (sorted_centroids[1:] + sorted_centroids[:-1]) / 2
    return np.searchsorted(midpoints, flat).astype(np.int64)


def _lloyd(flat: np.ndarray, centroids: np.ndarray, iterations: int) -> np.ndarray:
    """Lloyd's iterations in 1-D over the sorted values: clusters are runs, sums come from a
    prefix sum, so an iteration costs O(k log n). An empty cluster keeps its centroid."""
    x = np.sort(flat.astype(np.float64))
    prefix = np.concatenate([[0.0], np.cumsum(x)])
    for _ in range(iterations):
        centroids = np.sort(centroids)
        edges = np.concatenate([[0], np.searchsorted(x, (centroids[1:] + centroids[:-1]) / 2), [len(x)]])
        counts = np.diff(edges)
        sums = np.diff(prefix[edges])
        updated = np.where(counts > 0, sums / np.maximum(counts, 1), centroids)
        if np.allclose(updated, centroids, rtol=0, atol=1e-9):
            break
        centroids = updated
    return np.sort(centroids)


def dequantize(codebook: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The float32 values the indices stand for; an index past the codebook is an error."""
    if len(indices) and int(np.max(indices)) >= len(codebook):
        raise SqzError(f"weight index {int(np.max(indices))} past a codebook of {len(codebook)} entries")
    return codebook.astype(np.float32)[indices]
