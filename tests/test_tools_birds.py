"""The birds workflow on the real sample photos, as a user runs it: split, train, eval, visualize, predict."""
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import BIRDS_SAMPLE, needs, run_folder_from, run_tool

pytestmark = needs(BIRDS_SAMPLE)


def assert_png(path, min_size=200):
    img = Image.open(path)
    assert img.format == "PNG" and min(img.size) >= min_size
    assert np.asarray(img.convert("L")).std() > 5, f"{path} looks blank"


@pytest.fixture(scope="module")
def birds(tmp_path_factory):
    """A copy of the sample with the clutter users really have: a checkpoint folder and a stray file."""
    root = tmp_path_factory.mktemp("work") / "bird_photos"
    shutil.copytree(BIRDS_SAMPLE, root)
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "x-checkpoint.jpg").write_bytes(b"junk")
    (root / "Cockatoo" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture(scope="module")
def trained(birds, tmp_path_factory):
    run_tool("split_dataset.py", "--root", birds)
    out = tmp_path_factory.mktemp("out")
    proc = run_tool("train.py", "--cfg", "birds", "-o", f"data.train_list={birds / 'train.txt'}",
                    f"data.test_list={birds / 'test.txt'}", f"data.labels={birds / 'labels.txt'}",
                    "data.image_size=64", "train.epochs=2", "train.batch_size=8", f"output.dir={out}")
    return run_folder_from(proc.stdout), proc.stdout


def test_split_is_repeatable_sorted_and_70_30(birds, tmp_path):
    first = run_tool("split_dataset.py", "--root", birds, "--out", tmp_path / "a")
    run_tool("split_dataset.py", "--root", birds, "--out", tmp_path / "b")
    for name in ("train.txt", "test.txt", "labels.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    labels = (tmp_path / "a" / "labels.txt").read_text().splitlines()
    assert labels == ["Bananaquit", "Black Skimmer", "Black Throated Bushtiti", "Cockatoo"]
    train = (tmp_path / "a" / "train.txt").read_text().splitlines()
    test = (tmp_path / "a" / "test.txt").read_text().splitlines()
    for label in range(4):  # 5 photos per class: round(3.5) = 4 train, 1 test
        assert sum(line.endswith(f" {label}") for line in train) == 4
        assert sum(line.endswith(f" {label}") for line in test) == 1
    assert not any("checkpoint" in line or "notes" in line for line in train + test)
    assert "Black Skimmer" in first.stdout and "train.txt" in first.stdout


def test_train_writes_a_complete_run_folder(trained):
    run_dir, stdout = trained
    for name in ("config.yaml", "labels.txt", "metrics.jsonl", "train.log", "best_model.safetensors",
                 "checkpoint_latest.safetensors"):
        assert (run_dir / name).is_file(), name
    assert list(run_dir.glob("vdlrecords.*"))
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2]
    assert {"train_loss", "val_loss", "val_top1", "val_top5", "lr", "images_per_s"} <= set(records[0])
    assert "img/s" in stdout and "ETA" in stdout
    assert "pad_size: 32" in (run_dir / "config.yaml").read_text()


def test_eval_reports_topk_per_class_and_confusion(trained):
    run_dir, _ = trained
    proc = run_tool("eval.py", "--run", run_dir)
    summary = json.loads((run_dir / "eval" / "eval.json").read_text())
    assert summary["images"] == 4 and np.array(summary["confusion"]).sum() == 4
    assert set(summary["per_class"]) == {"Bananaquit", "Black Skimmer", "Black Throated Bushtiti", "Cockatoo"}
    assert summary["top5"] == 1.0  # 4 classes: the true class is always among the top 5
    assert "top-1" in proc.stdout and "Black Throated Bushtiti" in proc.stdout
    assert "top-5" not in proc.stdout  # ... so it is not printed
    assert_png(run_dir / "eval" / "confusion.png")


def test_visualize_writes_curves_and_grid(trained):
    run_dir, _ = trained
    proc = run_tool("visualize.py", "--run", run_dir)
    assert_png(run_dir / "curves.png")
    assert_png(run_dir / "predictions_grid.png")
    assert "curves.png" in proc.stdout


def test_predict_uses_the_runs_labels(trained, birds):
    run_dir, _ = trained
    proc = run_tool("predict.py", "--run", run_dir, birds / "Black Skimmer" / "1.jpg", birds / "Cockatoo",
                    "--topk", "2", "--plot")
    lines = [line for line in proc.stdout.splitlines() if line.endswith("%") and ": " in line]
    assert len(lines) == 1 + 5
    # the birds config's display names: the tutorial's Chinese names beside the folder names
    shown = {"Bananaquit": "蕉林莺", "Black Skimmer": "黑燕鸥类", "Black Throated Bushtiti": "黑喉树莺",
             "Cockatoo": "凤头鹦鹉"}
    names = {f"{zh} ({en})" for en, zh in shown.items()}
    for line in lines:
        predicted = line.rsplit(": ", 1)[1].split(",")[0].rsplit(" ", 1)[0]
        assert predicted in names
    pngs = sorted((run_dir / "predictions").glob("*.png"))
    assert len(pngs) == 6
    assert_png(pngs[0])
    # every class has a 1.jpg: the two pictures get names that tell them apart
    assert {"Black Skimmer__1.png", "Cockatoo__1.png"} <= {p.name for p in pngs}
    run_tool("predict.py", "--run", run_dir, birds / "Cockatoo" / "1.jpg", "--plot")
    assert len(list((run_dir / "predictions").glob("*.png"))) == 7  # the earlier picture is kept


def test_summary_prints_the_tutorial_totals():
    proc = run_tool("summary.py", "--cfg", "birds")
    assert "total parameters: 737,476" in proc.stdout
    assert "output shape: [1, 4]" in proc.stdout
    proc = run_tool("summary.py", "--cfg", "birds", "-o", "model.name=squeezenet1_1")
    assert "total parameters: 724,548" in proc.stdout
