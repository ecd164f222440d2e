"""The threaded loader: the sampler's order, identical batches for any thread count, errors raised as they were."""
import numpy as np
import pytest

from paddle_sqz.data.loaders.sampler import EpochBatchSampler
from paddle_sqz.data.loaders.thread_loader import ThreadLoader
from paddle_sqz.errors import SqzError


class Numbers:
    """Item i is a 1x2x2 image filled with i; item ``bad`` raises."""

    def __init__(self, n, bad=None):
        self.n, self.bad = n, bad

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.bad:
            raise SqzError(f"image_{i}.png: truncated")
        return np.full((1, 2, 2), i, np.float32), np.int64(i % 3)


@pytest.mark.parametrize("threads", [0, 1, 3])
def test_batches_follow_the_sampler(threads):
    sampler = EpochBatchSampler(23, 4, shuffle=True, seed=5)
    sampler.set_epoch(2)
    batches = list(ThreadLoader(Numbers(23), sampler, num_threads=threads, prefetch=2).numpy_batches())
    assert len(batches) == len(sampler) == 6
    for (x, y), indices in zip(batches, sampler):
        assert x.dtype == np.float32 and y.dtype == np.int64
        assert x[:, 0, 0, 0].tolist() == list(indices)
        assert y.tolist() == [i % 3 for i in indices]


@pytest.mark.parametrize("threads", [0, 2])
def test_a_failing_item_stops_iteration_with_its_own_error(threads):
    sampler = EpochBatchSampler(40, 4, shuffle=False)
    loader = ThreadLoader(Numbers(40, bad=13), sampler, num_threads=threads)
    seen = []
    with pytest.raises(SqzError, match="image_13.png"):
        for x, _ in loader:
            seen.append(x.shape[0])
    assert seen == [4, 4, 4]  # the batches before the bad one were delivered
