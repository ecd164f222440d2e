"""The synthetic demo data set: deterministic, loadable, split, and careful with foreign folders."""
import hashlib
from pathlib import Path

import numpy as np
import pytest

from paddle_sqz.data.demo import CLASSES, ensure_demo_dataset, make_demo_dataset
from paddle_sqz.data.image import load_image
from paddle_sqz.data.labels import read_labels
from paddle_sqz.data.listfile import read_list
from paddle_sqz.errors import SqzError


def _digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generation_is_deterministic_per_seed(tmp_path):
    assert make_demo_dataset(tmp_path / "a", per_class=5, image_size=32, seed=7) == list(CLASSES)
    make_demo_dataset(tmp_path / "b", per_class=5, image_size=32, seed=7)
    make_demo_dataset(tmp_path / "c", per_class=5, image_size=32, seed=8)
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert len(a) == 4 * 5 + 1 and "README.md" in a and "circle/circle_004.png" in a
    assert all(a[k] != c[k] for k in a if k.endswith(".png"))  # another seed: other images
    assert "synthetic" in (tmp_path / "a" / "README.md").read_text().lower()


def test_images_vary_and_load(tmp_path):
    make_demo_dataset(tmp_path, per_class=4, image_size=48)
    images = [np.asarray(load_image(p)) for p in sorted(tmp_path.glob("*/*.png"))]
    assert len(images) == 16 and all(img.shape == (48, 48, 3) for img in images)
    assert len({img.tobytes() for img in images}) == 16
    assert all(img.std() > 10 for img in images)  # not flat: shape, gradient and noise


def test_regenerating_with_fewer_images_removes_the_extra_ones(tmp_path):
    make_demo_dataset(tmp_path, per_class=4, image_size=16)
    make_demo_dataset(tmp_path, per_class=2, image_size=16)
    assert len(list(tmp_path.glob("*/*.png"))) == 8


def test_ensure_generates_and_splits_once(tmp_path, capsys):
    root = tmp_path / "demo"
    assert ensure_demo_dataset(root) is True
    assert "synthetic demo data set" in capsys.readouterr().out
    assert read_labels(root / "labels.txt") == list(CLASSES)
    train, test = read_list(root / "train.txt", num_classes=4), read_list(root / "test.txt", num_classes=4)
    assert (len(train), len(test)) == (4 * 70, 4 * 30)  # 100 per class, split 70/30
    stamp = (root / "train.txt").stat().st_mtime_ns
    assert ensure_demo_dataset(root) is False and capsys.readouterr().out == ""
    assert (root / "train.txt").stat().st_mtime_ns == stamp


def test_refuses_a_folder_with_other_data(tmp_path):
    (tmp_path / "Cockatoo").mkdir()
    (tmp_path / "Cockatoo" / "1.jpg").write_bytes(b"real photo")
    with pytest.raises(SqzError, match="not a paddle_sqz demo data set"):
        ensure_demo_dataset(tmp_path)
    assert not (tmp_path / "circle").exists()
