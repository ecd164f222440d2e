"""The batch order depends only on (seed, epoch), and shards split it without overlap."""
from paddle_sqz.data.loaders.sampler import EpochBatchSampler


def order(sampler, epoch):
    sampler.set_epoch(epoch)
    return [i for batch in sampler for i in batch]


def test_order_is_a_function_of_seed_and_epoch():
    a, b = EpochBatchSampler(50, 8, True, seed=3), EpochBatchSampler(50, 8, True, seed=3)
    order(a, 1), order(a, 2)  # a has "lived through" two epochs, b has not
    assert order(a, 3) == order(b, 3)
    assert order(a, 3) != order(a, 4)
    assert sorted(order(a, 3)) == list(range(50))
    assert order(EpochBatchSampler(50, 8, False), 5) == list(range(50))


def test_shards_cover_everything_once_with_equal_lengths():
    shards = [EpochBatchSampler(11, 4, True, seed=0, rank=r, world_size=2) for r in range(2)]
    parts = [order(s, 1) for s in shards]
    assert len(parts[0]) == len(parts[1]) == 6
    assert set(parts[0]) | set(parts[1]) == set(range(11))
    assert len(shards[0]) == 2
