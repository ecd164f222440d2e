"""ListDataset on the real sample photos: shapes, labels, reproducible augmentation."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from paddle_sqz.data.split import split_class_folders
from paddle_sqz.data.transforms import build_transform

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bird_photos_sample"
pytestmark = pytest.mark.skipif(not SAMPLE.is_dir(), reason="shared sample data not available")
CFG = {"pad_size": 32, "image_size": 64, "hflip": True, "vflip": True, "mean": [0.5] * 3, "std": [0.5] * 3}


@pytest.fixture(scope="module")
def lists(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("birds") / "bird photos"
    shutil.copytree(SAMPLE, root)
    split_class_folders(root)
    return root


def test_items_shapes_and_labels(lists):
    import paddle
    from paddle_sqz.data.dataset import ListDataset
    data = ListDataset.from_list_file(lists / "test.txt", build_transform(CFG, train=False), train=False,
                                      num_classes=4)
    assert isinstance(data, paddle.io.Dataset) and len(data) == 4
    assert data.labels == [0, 1, 2, 3]
    for i in range(len(data)):
        x, y = data[i]
        assert x.shape == (3, 64, 64) and x.dtype == np.float32 and -1.0 <= x.min() < x.max() <= 1.0
        assert isinstance(y, np.int64) and y == data.labels[i]
    assert np.array_equal(data[0][0], data[0][0])


def test_augmentation_depends_on_seed_epoch_and_index_only(lists):
    from paddle_sqz.data.dataset import ListDataset
    transform = build_transform(CFG, train=True)
    data = ListDataset.from_list_file(lists / "train.txt", transform, train=True, seed=5)
    again = ListDataset.from_list_file(lists / "train.txt", transform, train=True, seed=5)
    per_epoch = []
    for epoch in range(4):
        data.set_epoch(epoch)
        again.set_epoch(epoch)
        batch = [data[i][0] for i in range(6)]
        assert all(np.array_equal(a, again[i][0]) for i, a in enumerate(batch))  # replayable
        per_epoch.append(np.stack(batch))
    assert any(not np.array_equal(per_epoch[0], other) for other in per_epoch[1:])  # epochs differ
