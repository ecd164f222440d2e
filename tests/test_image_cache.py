"""data.cache_images: decoded images kept after their first use, identical items every epoch."""
import numpy as np

from paddle_sqz.data import dataset as dataset_module
from paddle_sqz.data.cache import should_cache
from paddle_sqz.data.dataset import ListDataset
from paddle_sqz.data.listfile import read_list
from paddle_sqz.data.transforms import build_transform

DATA = {"pad_size": 32, "image_size": 48, "hflip": True, "vflip": True, "mean": [0.5] * 3, "std": [0.5] * 3}


def _items(tiny_demo):
    return read_list(tiny_demo / "train.txt")


def test_cached_items_equal_uncached_ones_and_decode_once(tiny_demo, monkeypatch):
    transform = build_transform(DATA, train=True)
    plain = ListDataset(_items(tiny_demo), transform, train=True, seed=3)
    cached = ListDataset(_items(tiny_demo), transform, train=True, seed=3, cache=True)
    decoded = []
    real_load = dataset_module.load_image
    monkeypatch.setattr(dataset_module, "load_image", lambda path: decoded.append(path) or real_load(path))
    for epoch in (1, 2, 3):
        plain.set_epoch(epoch), cached.set_epoch(epoch)
        for index in range(len(plain)):
            a, label_a = plain[index]
            b, label_b = cached[index]
            np.testing.assert_array_equal(a, b)  # flips still drawn per (seed, epoch, index)
            assert label_a == label_b
    n = len(plain)
    assert len(decoded) == 3 * n + n  # plain decodes every epoch, the cached set only in epoch 1
    assert len(cached.cache) == n and cached.cache[0].dtype == np.uint8 and cached.cache[0].shape == (48, 48, 3)


def test_auto_caches_only_what_fits():
    assert should_cache(1000, {**DATA, "cache_images": "auto", "cache_max_mb": 100})  # 1000 x 6.75 KB
    assert not should_cache(1000, {**DATA, "cache_images": "auto", "cache_max_mb": 1})
    assert should_cache(10**9, {**DATA, "cache_images": "always", "cache_max_mb": 1})
    assert not should_cache(1, {**DATA, "cache_images": "never", "cache_max_mb": 10**6})
