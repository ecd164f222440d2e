"""A loader for in-memory / memory-mapped array data sets (Quick Draw): whole batches at once.

``paddle.io.DataLoader`` calls ``__getitem__`` once per drawing and then collates the
items one by one; for 28x28 drawings that Python work costs more than the network.
Here each batch of indices from the sampler is gathered with a few numpy fancy-index
reads (``dataset.batch``), normalised in place and handed to Paddle as one tensor.

The loader has the interface the trainer and ``evaluate`` use: iterating yields
``(x, y)`` tensors (``x`` float32 ``(N, C, H, W)``, ``y`` int64 ``(N,)``), and ``len()``
is the number of batches. The order comes from the sampler (``set_epoch`` on the
sampler picks the epoch); optional flips are drawn from ``(seed, epoch, rank, batch)``,
so a resumed run sees the same augmentation.
"""
from typing import Iterator, Sequence, Tuple

import numpy as np
import paddle

from ..normalize import Normalizer


class ArrayLoader:
    """Batches of ``dataset.batch(indices)`` for each index list of ``batch_sampler``.

    ``dataset.batch`` must return ``(x float32 (N, C, H, W), y int64 (N,))`` with pixels
    already scaled to 0..1; ``mean``/``std`` (per channel) are then applied as
    ``(x - mean) / std``, skipped when they are 0 and 1.
    """

    def __init__(self, dataset, batch_sampler, mean: Sequence[float] = (0.0,), std: Sequence[float] = (1.0,),
                 hflip: bool = False, vflip: bool = False, seed: int = 0):
        self.dataset = dataset
        self.batch_sampler = batch_sampler
        self.normalize = Normalizer(mean, std, max_value=1.0)
        self.hflip, self.vflip, self.seed = bool(hflip), bool(vflip), int(seed)

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def _flip(self, x: np.ndarray, batch_index: int) -> np.ndarray:
        epoch = getattr(self.batch_sampler, "epoch", 0)
        rank = getattr(self.batch_sampler, "rank", 0)
        rng = np.random.default_rng([self.seed, epoch, rank, batch_index])
        # both coins are drawn for every item, so the stream does not depend on the settings' outcome
        flip_h = rng.random(len(x)) < 0.5
        flip_v = rng.random(len(x)) < 0.5
        if self.hflip and flip_h.any():
            x[flip_h] = x[flip_h][..., ::-1]
        if self.vflip and flip_v.any():
            x[flip_v] = x[flip_v][..., ::-1, :]
        return x

    def numpy_batches(self) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
        """The batches as numpy arrays (what ``__iter__`` turns into tensors)."""
        for batch_index, indices in enumerate(self.batch_sampler):
            x, y = self.dataset.batch(indices)
            if not self.normalize.identity:
                x = self.normalize(x)
            if self.hflip or self.vflip:
                x = self._flip(x, batch_index)
            yield x, y

    def __iter__(self) -> Iterator[Tuple[paddle.Tensor, paddle.Tensor]]:
        for x, y in self.numpy_batches():
            yield paddle.to_tensor(x), paddle.to_tensor(y)
