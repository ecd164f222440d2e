"""A loader for list-file data sets: images decoded in threads, batches prepared ahead.

Why not ``paddle.io.DataLoader``: in Paddle 3.3 an exception raised by a data set in the
main process (``num_workers=0``) hangs the loader's reader thread for ever, and with
worker processes it turns into ``SystemError: Blocking queue is killed`` without the
cause. A missing or truncated photo must stop the run with one line naming the file.
Here every error is re-raised in the caller as it was raised.

Decoding (PIL) and resizing release the GIL, so threads decode in parallel without the
cost of worker processes or ``/dev/shm`` (too small on some AI Studio set-ups). While the
network trains on one batch, the next ``prefetch`` batches are already being decoded.

Iterating yields ``(x, y)`` tensors (``x`` float32 ``(N, C, H, W)``, ``y`` int64 ``(N,)``)
in the sampler's order; items are whatever ``dataset[i]`` returns, so the augmentation
of each image is the data set's (seeded per item), independent of the thread count.
"""
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Sequence, Tuple

import numpy as np
import paddle


class ThreadLoader:
    """Batches of ``dataset[i]`` for each index list of ``batch_sampler``.

    ``num_threads=0`` loads in the calling thread (no overlap, simplest to debug);
    otherwise ``num_threads`` threads decode items and up to ``prefetch`` batches are
    prepared ahead of the one being consumed.
    """

    def __init__(self, dataset, batch_sampler, num_threads: int = 2, prefetch: int = 2):
        self.dataset = dataset
        self.batch_sampler = batch_sampler
        self.num_threads = max(0, int(num_threads))
        self.prefetch = max(1, int(prefetch))

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def _collate(self, items: Sequence[Tuple[np.ndarray, np.int64]]) -> Tuple[np.ndarray, np.ndarray]:
        images = np.stack([image for image, _ in items]).astype(np.float32, copy=False)
        labels = np.asarray([label for _, label in items], dtype=np.int64)
        return images, labels

    def numpy_batches(self) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
        """The batches as numpy arrays (what ``__iter__`` turns into tensors)."""
        if self.num_threads == 0:
            for indices in self.batch_sampler:
                yield self._collate([self.dataset[i] for i in indices])
            return
        with ThreadPoolExecutor(self.num_threads, thread_name_prefix="sqz-load") as pool:
            pending: deque = deque()
            batches = iter(self.batch_sampler)
            try:
                for indices in batches:
                    pending.append([pool.submit(self.dataset.__getitem__, i) for i in indices])
                    if len(pending) > self.prefetch:
                        yield self._collate([f.result() for f in pending.popleft()])
                while pending:
                    yield self._collate([f.result() for f in pending.popleft()])
            finally:  # an error or an early stop: drop the batches nobody will read
                for futures in pending:
                    for future in futures:
                        future.cancel()

    def __iter__(self) -> Iterator[Tuple[paddle.Tensor, paddle.Tensor]]:
        for x, y in self.numpy_batches():
            yield paddle.to_tensor(x), paddle.to_tensor(y)

