"""split_class_folders and tools/split_dataset.py."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paddle_sqz.data.labels import read_labels
from paddle_sqz.data.listfile import read_list
from paddle_sqz.data.split import split_class_folders
from paddle_sqz.errors import SqzError

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO.parent / "shared" / "data" / "bird_photos_sample"
BIRDS = ["Bananaquit", "Black Skimmer", "Black Throated Bushtiti", "Cockatoo"]
needs_sample = pytest.mark.skipif(not SAMPLE.is_dir(), reason="shared sample data not available")


@pytest.fixture
def birds(tmp_path) -> Path:
    """A copy of the sample with the clutter the tutorial made users delete by hand."""
    root = tmp_path / "bird_photos"
    shutil.copytree(SAMPLE, root)
    (root / ".ipynb_checkpoints").mkdir()
    shutil.copy(root / "Cockatoo" / "1.jpg", root / ".ipynb_checkpoints" / "1-checkpoint.jpg")
    (root / "Cockatoo" / "notes.txt").write_text("not an image\n")
    (root / "Cockatoo" / ".hidden.jpg").write_bytes(b"")
    return root


def _fake_classes(root: Path, sizes: dict) -> Path:
    """Class folders of empty .jpg files: the split never opens images."""
    for name, count in sizes.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            (root / name / f"{i:02d}.jpg").write_bytes(b"")
    return root


def _files(folder: Path) -> dict:
    return {name: (folder / name).read_bytes() for name in ("train.txt", "test.txt", "labels.txt")}


@needs_sample
def test_split_of_the_bird_sample(birds):
    result = split_class_folders(birds)
    first = _files(birds)
    assert split_class_folders(birds) == result and _files(birds) == first  # byte-identical rerun
    assert read_labels(birds / "labels.txt") == BIRDS
    assert [(c["name"], c["label"], c["train"], c["test"]) for c in result["classes"]] == [
        (name, label, 4, 1) for label, name in enumerate(BIRDS)]  # 5 * 0.7 = 3.5, rounded half up
    train, test = read_list(birds / "train.txt", num_classes=4), read_list(birds / "test.txt", num_classes=4)
    assert len(train) == 16 and len(test) == 4
    assert not {p for p, _ in train} & {p for p, _ in test}
    every = {str(p) for p in birds.glob("[!.]*/*.jpg") if not p.name.startswith(".")}
    assert {p for p, _ in train + test} == every  # nothing hidden, no notes.txt, nothing missing
    for path, label in train + test:
        assert Path(path).parent.name == BIRDS[label]
    assert train == sorted(train, key=lambda item: (item[1], item[0]))
    assert b"Black Skimmer/" in first["train.txt"] and b"\\" not in first["train.txt"]
    assert result["descended_into"] is None and result["files"]["train"] == str(birds / "train.txt")
    assert result["skipped"] == [".ipynb_checkpoints/", "Cockatoo/.hidden.jpg", "Cockatoo/notes.txt"]


@needs_sample
def test_another_seed_gives_another_split(birds):
    split_class_folders(birds, seed=0)
    zero = _files(birds)
    split_class_folders(birds, seed=1)
    one = _files(birds)
    assert one["labels.txt"] == zero["labels.txt"] and one["test.txt"] != zero["test.txt"]
    split_class_folders(birds, seed=0)
    assert _files(birds) == zero


@pytest.mark.parametrize("n, ratio, train", [
    (1, 0.7, 1), (2, 0.7, 1), (3, 0.7, 2), (4, 0.7, 3), (5, 0.7, 4), (10, 0.7, 7),
    (2, 0.99, 1), (5, 0.01, 1), (9, 0.5, 5),
])
def test_rounding_rule(tmp_path, n, ratio, train):
    _fake_classes(tmp_path / "d", {"only": n})
    result = split_class_folders(tmp_path / "d", train_ratio=ratio)
    assert (result["classes"][0]["train"], result["classes"][0]["test"]) == (train, n - train)


def test_labels_follow_sorted_names_not_creation_order(tmp_path):
    _fake_classes(tmp_path / "d", {"zebra": 2, "Ant": 2, "ant": 2, "鸟": 2})
    split_class_folders(tmp_path / "d")
    assert read_labels(tmp_path / "d" / "labels.txt") == ["Ant", "ant", "zebra", "鸟"]


def test_zip_top_folder_is_descended_into_and_out_dir_elsewhere(tmp_path):
    _fake_classes(tmp_path / "unzipped" / "bird_photos", {"a b": 3, "c": 3})
    (tmp_path / "unzipped" / "__MACOSX").mkdir()
    result = split_class_folders(tmp_path / "unzipped", out_dir=tmp_path / "lists")
    assert result["descended_into"] == str(tmp_path / "unzipped" / "bird_photos")
    text = (tmp_path / "lists" / "train.txt").read_text()
    assert text.startswith("../unzipped/bird_photos/a b/")
    assert all(Path(p).is_file() for p, _ in read_list(tmp_path / "lists" / "train.txt"))


@pytest.mark.parametrize("layout, message", [
    ({"a": 2, "empty": 0}, r"empty: class folder has no image files"),
    ({}, r"no class folders"),
])
def test_bad_folders_are_named(tmp_path, layout, message):
    root = _fake_classes(tmp_path / "d", layout)
    root.mkdir(exist_ok=True)
    (root / "stray.jpg").write_bytes(b"")
    with pytest.raises(SqzError, match=message):
        split_class_folders(root)
    assert not (root / "train.txt").exists()


def test_missing_root_and_bad_ratio(tmp_path):
    with pytest.raises(SqzError, match=r"nowhere: data folder not found"):
        split_class_folders(tmp_path / "nowhere")
    _fake_classes(tmp_path / "d", {"a": 2})
    for ratio in (0.0, 1.0, 1.5):
        with pytest.raises(SqzError, match="train_ratio"):
            split_class_folders(tmp_path / "d", train_ratio=ratio)


def test_tool_prints_a_table_and_fails_in_one_line(tmp_path):
    _fake_classes(tmp_path / "d", {"Black Skimmer": 5, "Cockatoo": 4})
    tool = [sys.executable, str(REPO / "tools" / "split_dataset.py")]
    done = subprocess.run(tool + ["--root", str(tmp_path / "d"), "--seed", "3"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["class", "label", "train", "test"]
    assert lines[1].split() == ["Black", "Skimmer", "0", "4", "1"]
    assert lines[2].split() == ["Cockatoo", "1", "3", "1"]
    assert f"wrote {tmp_path / 'd' / 'labels.txt'}" in lines
    failed = subprocess.run(tool, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert failed.returncode == 2
    assert failed.stderr.startswith("error: datasets/bird_photos: data folder not found")
    assert failed.stderr.count("\n") == 1
