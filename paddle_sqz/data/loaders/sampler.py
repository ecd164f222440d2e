"""A seeded, epoch-indexed, optionally sharded batch order.

The order of epoch ``e`` depends only on ``(seed, e)``, never on how many epochs
ran in this process, so a resumed run sees exactly the batches an uninterrupted
run would; with several processes each takes its own shard of that order.
"""
from typing import Iterator, List

import numpy as np


class EpochBatchSampler:
    """Batches of indices for ``paddle.io.DataLoader(batch_sampler=...)``."""

    def __init__(self, num_items: int, batch_size: int, shuffle: bool, seed: int = 0,
                 rank: int = 0, world_size: int = 1, drop_last: bool = False):
        self.num_items, self.batch_size, self.shuffle = num_items, batch_size, shuffle
        self.seed, self.rank, self.world_size, self.drop_last = seed, rank, world_size, drop_last
        self.epoch = 1

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _indices(self) -> np.ndarray:
        order = (np.random.default_rng([self.seed, self.epoch]).permutation(self.num_items)
                 if self.shuffle else np.arange(self.num_items))
        if self.world_size > 1:  # pad by wrapping so every shard has the same length
            per_rank = -(-self.num_items // self.world_size)
            order = np.resize(order, per_rank * self.world_size)[self.rank::self.world_size]
        return order

    def __iter__(self) -> Iterator[List[int]]:
        order = self._indices()
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch.tolist()

    def __len__(self) -> int:
        n = len(self._indices())
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
