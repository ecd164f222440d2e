"""The best epoch is chosen on a validation split; the test split is looked at once, at the end."""
import json
import shutil
from collections import Counter

import pytest

from conftest import BIRDS_SAMPLE, needs, run_folder_from, run_tool
from paddle_sqz.data.sources import build_source
from paddle_sqz.data.validation import carve_validation
from paddle_sqz.config import load_config
from paddle_sqz.errors import SqzError
from visualdl_http import list_tags, read_pr_curves, visualdl_server


def _items(per_class):
    return [(f"/d/c{label}/{i:02d}.jpg", label) for label, n in enumerate(per_class) for i in range(n)]


def test_carving_is_per_class_seeded_and_a_partition():
    items = _items([10, 5, 2, 1])
    train, val = carve_validation(items, 0.2, seed=0)
    assert Counter(label for _, label in val) == {0: 2, 1: 1, 2: 1}  # round(n * 0.2), at least one
    assert sorted(train + val) == sorted(items) and not set(train) & set(val)
    assert [i for i in items if i in set(train)] == train  # the list's own order is kept
    assert carve_validation(items, 0.2, seed=0) == (train, val)
    assert carve_validation(items, 0.2, seed=1)[1] != val
    assert carve_validation(items, 0.0, seed=0) == (items, [])
    assert all(label != 3 for _, label in val)  # a single-image class stays in training


@pytest.fixture(scope="module")
def birds(tmp_path_factory):
    root = tmp_path_factory.mktemp("sel") / "bird_photos"
    shutil.copytree(BIRDS_SAMPLE, root)
    run_tool("split_dataset.py", "--root", root)
    return root


def _birds_cfg(root, *extra):
    return load_config("birds", [f"data.train_list={root / 'train.txt'}", f"data.test_list={root / 'test.txt'}",
                                 f"data.labels={root / 'labels.txt'}", *extra])


@needs(BIRDS_SAMPLE)
def test_list_source_carves_val_from_train_or_reads_val_list(birds, tmp_path):
    source = build_source(_birds_cfg(birds)["data"], seed=0)
    assert source.selection_split == "val"
    train, val, test = (source.dataset(s) for s in ("train", "val", "test"))
    assert (len(train), len(val), len(test)) == (12, 4, 4)  # 5 per class: 4 train.txt -> 3 + 1, 1 test
    assert not {p for p, _ in train.items} & {p for p, _ in val.items}
    assert not {p for p, _ in val.items} & {p for p, _ in test.items}
    explicit = birds / "val_explicit.txt"  # paths relative to the list folder
    explicit.write_text("\n".join((birds / "test.txt").read_text().splitlines()[:2]) + "\n")
    source = build_source(_birds_cfg(birds, f"data.val_list={explicit}")["data"], seed=0)
    assert len(source.dataset("val")) == 2 and len(source.dataset("train")) == 16  # all of train.txt
    with pytest.raises(SqzError, match="no validation images carved"):
        build_source(_birds_cfg(birds, "data.val_fraction=0.0")["data"], seed=0).dataset("val")


@needs(BIRDS_SAMPLE)
@pytest.mark.slow  # a real VisualDL server
def test_training_selects_on_val_and_tests_once_at_the_end(birds, tmp_path):
    out = tmp_path / "out"
    proc = run_tool("train.py", "--cfg", "birds", "-o", f"data.train_list={birds / 'train.txt'}",
                    f"data.test_list={birds / 'test.txt'}", f"data.labels={birds / 'labels.txt'}",
                    "model.name=squeezenet1_1", "data.image_size=64", "train.epochs=4", "train.batch_size=4",
                    "train.lr=0.001", f"output.dir={out}", "train.log_interval=100", timeout=300)
    run = run_folder_from(proc.stdout)
    history = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert all({"val_top1", "val_loss", "test_top1", "test_loss"} <= set(r) for r in history)
    assert not any(k.startswith("eval_") for r in history for k in r)
    summary = json.loads((run / "summary.json").read_text())
    best = max(history, key=lambda r: r["val_top1"])  # the first epoch with the best validation top-1
    assert summary["selection_split"] == "val" and summary["selected_epoch"] == best["epoch"]
    assert summary["val_top1"] == pytest.approx(best["val_top1"])
    # the chosen weights on test are that epoch's per-epoch test figure; the last weights, the last epoch's
    assert summary["test_top1"] == pytest.approx(best["test_top1"])
    assert summary["last_test_top1"] == pytest.approx(history[-1]["test_top1"])
    assert summary["test_images"] == 4 and summary["last_epoch"] == 4
    assert f"with the weights of epoch {best['epoch']} (chosen on val)" in proc.stdout
    run_tool("eval.py", "--run", run)
    evaluated = json.loads((run / "eval" / "eval.json").read_text())
    assert evaluated["top1"] == pytest.approx(summary["test_top1"])  # eval.py sees the same weights
    with visualdl_server(run) as base:  # PR Curve tab: one curve per class, the chosen weights on test
        name = str(run.resolve())
        tags = sorted(list_tags(base, "pr-curve")[name])
        assert tags == sorted(f"pr_curve/{c}" for c in (birds / "labels.txt").read_text().splitlines())
        (curve,) = read_pr_curves(base, name, tags[0])
        assert curve["step"] == best["epoch"] and curve["tp"][0] + curve["fn"][0] == 1  # 1 test image


@needs(BIRDS_SAMPLE)
def test_relative_paths_name_the_working_directory(tmp_path):
    proc = run_tool("train.py", "--cfg", "birds", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: data.labels:") and f"working directory {tmp_path}" in line
    assert "split_dataset" in line
