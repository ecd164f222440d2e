"""Quick Draw loading: real files, memory mapping, seeded splits, bad files, class matching."""
from pathlib import Path

import numpy as np
import pytest

from paddle_sqz.data.quickdraw import (QuickDrawDataset, list_classes, load_class_array,
                                       make_splits, match_classes)
from paddle_sqz.errors import SqzError

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
QD14 = DATA / "quickdraw14"
needs_data = pytest.mark.skipif(not QD14.is_dir(), reason=f"{QD14} not present")

SIZES = {"apple": 2550, "bicycle": 2550, "bird": 850, "cat": 3375, "diamond": 2550, "dog": 850,
         "eye": 2550, "fish": 2550, "horse": 850, "house": 850, "house plant": 850,
         "rainbow": 1692, "train": 850, "tree": 850}


def as_set(pairs: np.ndarray) -> set:
    return set(map(tuple, pairs.tolist()))


def write_npy(folder: Path, name: str, array: np.ndarray) -> Path:
    path = folder / f"{name}.npy"
    np.save(path, array)
    return path


@needs_data
def test_real_classes_and_mmap_arrays():
    classes = list_classes(QD14)
    assert classes == sorted(SIZES) and "house plant" in classes
    for name in ("house plant", "cat"):
        arr = load_class_array(QD14 / f"{name}.npy")
        assert arr.shape == (SIZES[name], 784) and arr.dtype == np.uint8
        assert isinstance(arr, np.memmap) or isinstance(arr.base, np.memmap)
    assert not isinstance(load_class_array(QD14 / "bird.npy", mmap=False), np.memmap)


@needs_data
def test_split_sizes_disjoint_and_deterministic():
    classes = list_classes(QD14)
    splits = make_splits(QD14, max_items_per_class=2000, seed=0)
    for split in ("train", "val", "test"):
        assert splits[split].dtype == np.int32 and splits[split].shape[1] == 2
    for index, name in enumerate(classes):
        n = min(SIZES[name], 2000)
        n_test = n // 5
        n_val = (n - n_test) // 5
        counts = {s: int((splits[s][:, 0] == index).sum()) for s in splits}
        assert counts == {"test": n_test, "val": n_val, "train": n - n_test - n_val}, name
        rows = np.concatenate([splits[s][splits[s][:, 0] == index, 1] for s in splits])
        assert sorted(rows.tolist()) == list(range(n)), "first-N rows, each used once"
    sets = [as_set(splits[s]) for s in ("train", "val", "test")]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])

    again = make_splits(QD14, max_items_per_class=2000, seed=0)
    assert all(np.array_equal(splits[s], again[s]) for s in splits)
    other = make_splits(QD14, max_items_per_class=2000, seed=1)
    assert as_set(other["test"]) != sets[2]


@needs_data
def test_class_subset_keeps_each_class_split():
    full = make_splits(QD14, seed=3)
    sub = make_splits(QD14, classes=["house plant", "cat"], seed=3)
    index = list_classes(QD14).index("house plant")
    full_rows = set(full["test"][full["test"][:, 0] == index, 1].tolist())
    assert set(sub["test"][sub["test"][:, 0] == 0, 1].tolist()) == full_rows


@needs_data
def test_dataset_items_and_fast_gather():
    classes = list_classes(QD14)
    splits = make_splits(QD14)
    every = np.concatenate([splits[s] for s in ("train", "val", "test")])
    assert len(every) == sum(SIZES.values())
    ds = QuickDrawDataset(QD14, splits["train"], classes)
    x, y = ds[5]
    c, r = splits["train"][5]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64 and y == c
    raw = np.load(QD14 / f"{classes[c]}.npy", mmap_mode="r")[r]
    np.testing.assert_allclose(x.ravel(), raw / 255.0, rtol=1e-6)
    assert all(isinstance(a, np.memmap) or isinstance(a.base, np.memmap) for a in ds.arrays)

    xs, ys = ds.as_arrays(every)
    assert xs.shape == (len(every), 1, 28, 28) and xs.dtype == np.float32
    assert ys.dtype == np.int64 and 0 <= xs.min() and xs.max() <= 1
    xb, yb = ds.batch([5, 0, 5])
    np.testing.assert_array_equal(xb[0], x)
    np.testing.assert_array_equal(yb, [y, ds[0][1], y])


@needs_data
def test_match_classes_on_real_folder():
    match = match_classes(["house plant", "apple"], QD14)
    assert [p.name for p in match.files] == ["house plant.npy", "apple.npy"]
    assert "cat" in match.extra and "apple" not in match.extra
    with pytest.raises(SqzError, match="'giraffe'"):
        match_classes(["apple", "giraffe"], QD14)


def test_corrupt_file_names_the_file(tmp_path):
    bad = tmp_path / "x.npy"
    bad.write_bytes(b"this is not a numpy file at all" * 10)
    with pytest.raises(SqzError, match="x.npy"):
        load_class_array(bad)


def test_truncated_file_names_the_file(tmp_path):
    path = write_npy(tmp_path, "cut", np.zeros((50, 784), np.uint8))
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(SqzError, match="cut.npy"):
        load_class_array(path)


def test_wrong_shape_and_dtype_name_the_file(tmp_path):
    path = write_npy(tmp_path, "wide", np.zeros((10, 100), np.uint8))
    with pytest.raises(SqzError, match=r"wide\.npy.*\(10, 100\)"):
        load_class_array(path)
    path = write_npy(tmp_path, "floaty", np.zeros((10, 784), np.float32))
    with pytest.raises(SqzError, match=r"floaty\.npy.*float32"):
        load_class_array(path)


def test_other_layouts_are_reshaped_views(tmp_path):
    data = np.arange(3 * 784, dtype=np.int64).astype(np.uint8)
    for name, shape in (("flat", (3, 1, 784)), ("square", (3, 28, 28))):
        arr = load_class_array(write_npy(tmp_path, name, data.reshape(shape)))
        assert arr.shape == (3, 784)
        np.testing.assert_array_equal(arr, data.reshape(3, 784))
        assert isinstance(arr, np.memmap) or isinstance(arr.base, np.memmap)


def test_empty_folder_and_missing_classes(tmp_path):
    with pytest.raises(SqzError, match=str(tmp_path)):
        list_classes(tmp_path)
    write_npy(tmp_path, "house plant", np.zeros((4, 784), np.uint8))
    write_npy(tmp_path, "cat", np.zeros((4, 784), np.uint8))
    with pytest.raises(SqzError, match="'dog'.*'sun'"):
        match_classes(["cat", "dog", "sun"], tmp_path)
    with pytest.raises(SqzError, match="near matches: 'house_plant'"):
        match_classes(["house_plant"], tmp_path)
    with pytest.raises(SqzError, match="twice"):
        match_classes(["cat", "cat"], tmp_path)
    assert match_classes(["cat"], tmp_path).extra == ["house plant"]
    with pytest.raises(SqzError, match="'dog'"):
        make_splits(tmp_path, classes=["dog"])
