"""Quick Draw in the engine: the config, data checks, the array loader, training and evaluation."""
import json
from pathlib import Path

import numpy as np
import paddle
import paddle.nn.functional as F
import pytest
import yaml

from conftest import SHARED_DATA, needs, run_tool
from paddle_sqz.config import dump_config, load_config
from paddle_sqz.data.quickdraw import list_classes, make_splits
from paddle_sqz.data.sources import build_source
from paddle_sqz.train.trainer import check_fits
from paddle_sqz.data.loaders.array_loader import ArrayLoader
from paddle_sqz.models.fast_bias import use_fast_conv_bias
from paddle_sqz.tasks.evaluate import evaluate_run
from paddle_sqz.errors import SqzError
from paddle_sqz.models import build_model

QD14 = SHARED_DATA / "quickdraw14"
SMALL = ["data.max_items_per_class=200", "train.epochs=2", "output.visualdl=false", "train.log_interval=100"]


def fake_folder(folder: Path, sizes: dict) -> Path:
    """``<class>.npy`` files whose drawings encode (class, row) so batches can be checked."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, (name, n) in enumerate(sizes.items()):
        rows = np.zeros((n, 784), np.uint8)
        rows[:, 0] = index
        rows[:, 1] = np.arange(n) % 256
        np.save(folder / f"{name}.npy", rows)
    return folder


def qd_config(folder: Path, *overrides: str) -> dict:
    return load_config("quickdraw", [f"data.folder={folder}", *overrides])


def prepared(cfg: dict):
    """The checks a training makes before it starts: the data source, prepared and fitted to the model."""
    source = build_source(cfg["data"], cfg["seed"])
    source.prepare()
    check_fits(cfg["model"], source)
    return source


# -- config -------------------------------------------------------------------------------------

def test_quickdraw_config_is_the_tutorial():
    cfg = load_config("quickdraw")
    assert cfg["model"]["name"] == "qd_simple_cnn" and cfg["model"]["in_channels"] == 1
    d, t = cfg["data"], cfg["train"]
    assert (d["kind"], d["folder"], d["max_items_per_class"], d["test_fraction"], d["val_fraction"]) == \
        ("quickdraw", "datasets/quickdraw", 4000, 0.2, 0.2)
    assert (d["image_size"], d["mean"], d["std"], d["hflip"], d["vflip"]) == (28, [0.0], [1.0], False, False)
    assert (t["optimizer"], t["lr"], t["batch_size"], t["epochs"]) == ("adam", 1e-3, 256, 10)
    birds = load_config("birds")
    assert build_source(cfg["data"]).selection_split == "val"
    assert build_source(birds["data"]).selection_split == "val"  # carved from train.txt, never the test list


@pytest.mark.parametrize("override,message", [
    ("data.kind=npy", "'data.kind' must be one of list, quickdraw"),
    ("data.test_fraction=most", "'data.test_fraction' expects float"),
    ("data.max_items_per_class=1.5", "'data.max_items_per_class' expects int"),
])
def test_bad_quickdraw_keys_name_the_key(override, message):
    with pytest.raises(SqzError, match=message):
        load_config("quickdraw", [override])


@pytest.mark.parametrize("overrides,message", [
    (["model.num_classes=5"], r"lists 3 classes .* \(set -o model.num_classes=3\)"),
    (["data.test_fraction=1.0"], r"'data.test_fraction' must be in \[0, 1\)"),
    (["data.val_fraction=-0.1"], r"'data.val_fraction' must be in \[0, 1\)"),
    (["data.max_items_per_class=0"], "'data.max_items_per_class' must be at least 1"),
    (["model.in_channels=3", "data.mean=[0,0,0]", "data.std=[1,1,1]"], "'model.in_channels' must be 1"),
])
def test_prepare_data_checks_name_the_key(tmp_path, overrides, message):
    folder = fake_folder(tmp_path / "qd", {"a": 10, "b": 10, "c": 10})
    cfg = qd_config(folder, "model.num_classes=3", *overrides)
    with pytest.raises(SqzError, match=message):
        prepared(cfg)


def test_prepare_data_needs_a_folder(tmp_path):
    with pytest.raises(SqzError, match="data.folder: .*not found.*download_quickdraw"):
        prepared(qd_config(tmp_path / "absent"))
    with pytest.raises(SqzError, match="data.folder: .*no folder"):
        prepared(load_config("quickdraw", ["data.folder=null"]))


def test_datasets_follow_make_splits(tmp_path, monkeypatch):
    folder = fake_folder(tmp_path / "qd", {"b": 30, "a": 20, "c d": 25})
    monkeypatch.chdir(tmp_path)
    cfg = load_config("quickdraw", ["data.folder=qd", "model.num_classes=3", "seed=4"])
    source = prepared(cfg)
    assert source.classes == ["a", "b", "c d"]
    assert source.data["folder"] == str(folder.resolve())  # absolute, so a run works from anywhere
    expected = make_splits(folder, seed=4)
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(source.dataset(split).pairs, expected[split])
    with pytest.raises(SqzError, match="unknown quickdraw split 'dev'"):
        source.dataset("dev")


# -- the array loader ---------------------------------------------------------------------------

def test_array_loader_batches_in_sampler_order(tmp_path):
    folder = fake_folder(tmp_path / "qd", {"a": 40, "b": 40})
    cfg = qd_config(folder, "model.num_classes=2", "train.batch_size=16", "train.eval_batch_size=50")
    source = prepared(cfg)
    train = source.dataset("train")
    loader, sampler = source.loader(train, cfg["train"]["batch_size"], train=True)
    assert isinstance(loader, ArrayLoader) and len(loader) == len(sampler) == -(-len(train) // 16)
    sampler.set_epoch(3)
    train.set_epoch(3)  # a no-op the trainer calls on every data set
    seen = []
    for (x, y), indices in zip(loader, sampler):
        assert isinstance(x, paddle.Tensor) and x.dtype == paddle.float32 and y.dtype == paddle.int64
        assert x.shape[1:] == [1, 28, 28] and y.shape == [len(indices)]
        pairs = train.pairs[indices]
        np.testing.assert_array_equal(y.numpy(), pairs[:, 0])
        np.testing.assert_allclose(x.numpy()[:, 0, 0, 1] * 255, pairs[:, 1] % 256, atol=1e-3)
        seen.extend(indices)
    assert sorted(seen) == list(range(len(train)))
    evaluation, _ = source.loader(source.dataset("val"), cfg["train"]["eval_batch_size"], train=False)
    assert [int(y.shape[0]) for _, y in evaluation] == [len(evaluation.dataset)]


def test_array_loader_normalises_and_flips_reproducibly(tmp_path):
    folder = fake_folder(tmp_path / "qd", {"a": 40, "b": 40})
    cfg = qd_config(folder, "model.num_classes=2", "data.mean=[0.5]", "data.std=[0.25]",
                    "data.hflip=true", "train.batch_size=64")
    source = prepared(cfg)
    train = source.dataset("train")
    loader, sampler = source.loader(train, cfg["train"]["batch_size"], train=True)
    sampler.set_epoch(2)
    x, _ = next(iter(loader))
    raw, _ = train.batch(next(iter(sampler)))
    expected = (raw - 0.5) / 0.25
    flipped = [not np.allclose(a, b) for a, b in zip(x.numpy(), expected)]
    assert any(flipped) and not all(flipped)
    for a, b, f in zip(x.numpy(), expected, flipped):
        np.testing.assert_allclose(a, b[..., ::-1] if f else b, atol=1e-5)
    again, _ = next(iter(loader))
    np.testing.assert_array_equal(again.numpy(), x.numpy())  # same (seed, epoch): same flips
    evaluation, _ = source.loader(train, cfg["train"]["eval_batch_size"], train=False)
    assert not evaluation.hflip  # never augments evaluation


# -- the faster conv bias -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["qd_simple_cnn", "qd_lenet_k1k3"])
def test_fast_conv_bias_gives_the_same_model(name):
    x, y = paddle.rand([6, 1, 28, 28]), paddle.randint(0, 14, [6])
    paddle.seed(3)
    plain = build_model(name, num_classes=14, in_channels=1)
    paddle.seed(3)
    fast = build_model(name, num_classes=14, in_channels=1)
    assert use_fast_conv_bias(fast) == 3 and use_fast_conv_bias(fast) == 0  # once only
    assert list(fast.state_dict()) == list(plain.state_dict())
    out_plain, out_fast = plain(x), fast(x)
    np.testing.assert_array_equal(out_fast.numpy(), out_plain.numpy())
    F.cross_entropy(out_plain, y).backward()
    F.cross_entropy(out_fast, y).backward()
    for a, b in zip(plain.parameters(), fast.parameters()):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), rtol=1e-4, atol=1e-6)


# -- evaluate_run refuses the other kind's flag, before loading any weights ----------------------

def test_data_folder_is_refused_for_list_runs(tmp_path):
    run = tmp_path / "birds-run"
    run.mkdir()
    (run / "config.yaml").write_text(dump_config(load_config("birds")))
    (run / "labels.txt").write_text("Bananaquit\nBlack Skimmer\nBlack Throated Bushtiti\nCockatoo\n")  # no weights
    with pytest.raises(SqzError, match="--data-folder: only for Quick Draw runs.*--list"):
        evaluate_run(run, data_folder=str(tmp_path))


def test_list_is_refused_for_quickdraw_runs(tmp_path):
    run = tmp_path / "qd-run"
    run.mkdir()
    (run / "config.yaml").write_text(dump_config(load_config("quickdraw")))
    (run / "labels.txt").write_text("".join(f"class{i}\n" for i in range(100)))  # no weights: never loaded
    with pytest.raises(SqzError, match="--list: this is a Quick Draw run.*--data-folder"):
        evaluate_run(run, list_file="test.txt")


# -- real drawings ------------------------------------------------------------------------------

def small_subset(src: Path, dst: Path, rows: int, rename=None, drop=(), extra=()) -> Path:
    """The first ``rows`` drawings of each class of ``src`` in ``dst``, optionally renamed."""
    dst.mkdir()
    rename = rename or {}
    for name in list_classes(src):
        if name in drop:
            continue
        np.save(dst / f"{rename.get(name, name)}.npy", np.load(src / f"{name}.npy", mmap_mode="r")[:rows])
    for name in extra:
        np.save(dst / f"{name}.npy", np.zeros((3, 784), np.uint8))
    return dst


@pytest.mark.slow
@needs(QD14)
def test_short_training_learns_then_evaluates_test_fold_and_other_folders(tmp_path):
    out = tmp_path / "out"
    proc = run_tool("train.py", "--cfg", "quickdraw", "-o", f"data.folder={QD14}", "-o", "model.num_classes=14",
                    *[a for o in SMALL for a in ("-o", o)], "-o", f"output.dir={out}", timeout=120)
    assert "1792 training / 448 val / 560 test images" in proc.stdout
    run = next(out.iterdir())
    assert (run / "labels.txt").read_text(encoding="utf-8").splitlines() == list_classes(QD14)
    saved = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    assert saved["data"]["folder"] == str(QD14.resolve()) and saved["data"]["kind"] == "quickdraw"
    history = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in history] == [1, 2]
    assert history[-1]["val_top1"] > 3 / 14 and history[-1]["val_top5"] > 0.6  # chance: 1/14 and 5/14

    proc = run_tool("eval.py", "--run", run)
    assert "560 images from the test fold of" in proc.stdout  # 14 classes x 40 (20% of 200)
    summary = json.loads((run / "eval" / "eval.json").read_text())
    assert summary["split"] == "test" and summary["images"] == 560 and summary["top1"] > 3 / 14
    assert summary["top5"] >= summary["top1"]

    other = small_subset(QD14, tmp_path / "other", rows=20, extra=["zebra"])
    proc = run_tool("eval.py", "--run", run, "--data-folder", other, "--out", tmp_path / "ev")
    assert "ignored 1 class(es)" in proc.stdout and "zebra" in proc.stdout
    assert "280 images from all drawings of" in proc.stdout
    assert json.loads((tmp_path / "ev" / "eval.json").read_text())["extra_classes"] == ["zebra"]

    renamed = small_subset(QD14, tmp_path / "renamed", rows=5, rename={"house plant": "house_plant"},
                           drop=["tree"])
    proc = run_tool("eval.py", "--run", run, "--data-folder", renamed, check=False)
    assert proc.returncode == 2
    assert "missing 2 of the run's classes: 'house plant', 'tree'" in proc.stderr
    assert "near matches: 'house plant' (found 'house_plant')" in proc.stderr
    proc = run_tool("eval.py", "--run", run, "--list", "x.txt", check=False)
    assert proc.returncode == 2 and "--data-folder" in proc.stderr

    run_tool("visualize.py", "--run", run, "--grid", "6")
    from PIL import Image
    assert Image.open(run / "curves.png").size[0] > 400
    assert Image.open(run / "predictions_grid.png").size[0] > 400  # drawings of the test fold


@needs(QD14)
def test_wrong_class_count_says_which_override(tmp_path):
    proc = run_tool("train.py", "--cfg", "quickdraw", "-o", f"data.folder={QD14}",
                    "-o", f"output.dir={tmp_path}", check=False)
    assert proc.returncode == 2
    assert "lists 14 classes" in proc.stderr and "-o model.num_classes=14" in proc.stderr
    assert not any(tmp_path.iterdir())  # nothing written before the check

