"""Sweeps: the grid, request checks, the report, batch resizing of drawings, a tiny sweep end to end."""
import csv

import numpy as np
import paddle
import pytest
from PIL import Image

from conftest import SHARED_DATA, needs, run_tool
from paddle_sqz.data.quickdraw import QuickDrawDataset, make_splits
from paddle_sqz.data.resize import bilinear_matrix, resize_batch
from paddle_sqz.experiments.sweeps import sweep_points
from paddle_sqz.errors import SqzError
from paddle_sqz.report.sweep_report import bypass_verdict, markdown, summarise, write_sweep_report

QD14 = SHARED_DATA / "quickdraw14"


def test_resize_equals_paddle_bilinear():
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    ours = resize_batch(x, 64)
    theirs = paddle.nn.functional.interpolate(paddle.to_tensor(x), size=[64, 64], mode="bilinear",
                                              align_corners=False).numpy()
    assert ours.shape == (3, 1, 64, 64) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    assert resize_batch(x, 28) is x
    np.testing.assert_allclose(bilinear_matrix(28, 64).sum(axis=1), 1.0, rtol=1e-6)  # weights keep brightness


def test_quickdraw_items_are_resized_in_batches(tmp_path):
    rng = np.random.default_rng(1)
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy", rng.integers(0, 256, (10, 784), dtype=np.uint8))
    pairs = make_splits(tmp_path, test_fraction=0.0, val_fraction=0.0)["train"]
    small = QuickDrawDataset(tmp_path, pairs, ["a", "b"])
    big = QuickDrawDataset(tmp_path, pairs, ["a", "b"], image_size=64)
    x, y = big.batch([0, 1, 2])
    assert x.shape == (3, 1, 64, 64) and list(y) == list(small.batch([0, 1, 2])[1])
    np.testing.assert_allclose(x, resize_batch(small.batch([0, 1, 2])[0], 64))
    np.testing.assert_allclose(big[2][0], x[2])
    with pytest.raises(SqzError, match="data.image_size"):
        QuickDrawDataset(tmp_path, pairs, ["a", "b"], image_size=0)


def test_grid_is_values_times_seeds():
    points = sweep_points("bypass", seeds=[0, 1], overrides=["train.epochs=2"])
    assert [p.label for p in points] == ["bypassnone-seed0", "bypassnone-seed1", "bypasssimple-seed0",
                                         "bypasssimple-seed1", "bypasscomplex-seed0", "bypasscomplex-seed1"]
    assert points[3].overrides == ["train.epochs=2", "model.bypass=simple", "seed=1"]
    sr = sweep_points("sr")
    assert [p.value for p in sr] == [0.125, 0.25, 0.5, 0.75, 1.0]
    assert [p.value for p in sweep_points("pct_3x3", values=["0.1", "0.9"])] == [0.1, 0.9]


@pytest.mark.parametrize("args,message", [
    (("depth",), "unknown sweep 'depth'"),
    (("sr", None, [0, 0]), "distinct seeds"),
    (("sr", ["0.5", "0.5"]), "listed twice"),
    (("sr", None, [0], ["model.sr=0.5"]), "model.sr is set by the sweep itself"),
    (("sr", None, [0], ["seed=3"]), "seed is set by the sweep itself"),
])
def test_bad_sweep_requests(args, message):
    with pytest.raises(SqzError, match=message):
        sweep_points(*args)


def test_report_summarises_seeds(tmp_path):
    rows = [{"setting": "model.bypass", "value": v, "seed": s, "parameters": p, "size_kb": p * 4 / 1024,
             "top1": t1, "top5": t5, "epochs": 2, "train_seconds": 10.0, "run": f"/r/{v}{s}", "model": f"{v}{s}",
             "history": [{"epoch": 1, "val_top1": t1, "val_loss": 1.0}, {"epoch": 2, "val_top1": t1, "val_loss": 0.9}]}
            for v, p in (("none", 1000), ("complex", 1500)) for s, t1, t5 in ((0, 0.5, 0.8), (1, 0.6, 0.9))]
    summary = summarise(rows)
    assert [e["value"] for e in summary] == ["none", "complex"]
    assert summary[0]["top1"] == pytest.approx(0.55) and summary[0]["seeds"] == 2
    files = write_sweep_report(rows, tmp_path, "bypass", ["command: `x`"])
    md = (tmp_path / "sweep.md").read_text(encoding="utf-8")
    assert "| none | 1,000 | 0.00 | 2 | 55.00% (50.00..60.00) | 85.00% (80.00..90.00) |" in md
    with open(tmp_path / "sweep.csv", newline="") as f:
        assert [r["value"] for r in csv.DictReader(f)] == ["none", "none", "complex", "complex"]
    for key in ("plot", "val_top1", "val_loss"):
        with Image.open(files[key]) as img:
            assert img.format == "PNG" and img.size[0] >= 400


def _bypass_rows(top1_by_seed):
    return [{"setting": "model.bypass", "value": v, "seed": s, "parameters": 1000, "size_kb": 4.0, "top1": t,
             "top5": 0.9, "epochs": 1, "train_seconds": 1.0, "run": f"/r/{v}{s}"}
            for v, tops in top1_by_seed.items() for s, t in enumerate(tops)]


def test_bypass_report_says_whether_the_papers_ordering_holds():
    clear = bypass_verdict(summarise(_bypass_rows({"none": [0.60, 0.62], "simple": [0.70, 0.72],
                                                   "complex": [0.65, 0.66]})))
    assert "**holds**" in clear[0] and clear[0].index("simple bypass") < clear[0].index("complex bypass")
    assert "simple bypass - complex bypass: +5.50 points" in clear[1] and "do not overlap" in clear[1]
    reversed_ = bypass_verdict(summarise(_bypass_rows({"none": [0.70, 0.80], "simple": [0.60, 0.75],
                                                       "complex": [0.65, 0.66]})))
    assert "**does not hold**" in reversed_[0] and "measured: vanilla 75.00%" in reversed_[0]
    assert "ranges overlap" in reversed_[3]
    one_seed = bypass_verdict(summarise(_bypass_rows({"none": [0.6], "simple": [0.7], "complex": [0.65]})))
    assert all("cannot be told from noise" in line for line in one_seed[1:])
    assert bypass_verdict(summarise(_bypass_rows({"none": [0.6], "simple": [0.7]}))) == []
    md = markdown(_bypass_rows({"none": [0.6], "simple": [0.7], "complex": [0.65]}), "bypass")
    assert "| simple bypass | test top-1 | 70.00% | 60.40% (ImageNet top-1) | +9.60 points |" in md
    assert "| complex bypass | test top-5 | 90.00% | 82.00% (ImageNet top-5) | +8.00 points |" in md


def test_sr_sweep_report_shows_the_papers_figures_where_it_gives_them():
    rows = [{"setting": "model.sr", "value": v, "seed": 0, "parameters": 1000, "size_kb": 4.0, "top1": 0.7,
             "top5": 0.9, "epochs": 1, "train_seconds": 1.0, "run": f"/r/{v}"} for v in (0.125, 0.5, 0.75)]
    md = markdown(rows, "sr")
    start = md.index("## Beside the paper's published figures")
    beside = md[start:md.index("| run |", start)]
    assert "| 0.125 | test top-1 | 70.00% | 57.50% (ImageNet top-1) | +12.50 points |" in beside
    assert "| 0.75 | test top-5 | 90.00% | 86.00% (ImageNet top-5) | +4.00 points |" in beside
    assert "| 0.5 |" not in beside  # the paper prints no figure for SR=0.5
    assert "Beside the paper" not in markdown([dict(r, value=0.3) for r in rows[:1]], "sr")


@pytest.mark.slow
@needs(QD14)
def test_two_point_sweep_end_to_end(tmp_path):
    out = tmp_path / "sweep"
    proc = run_tool("sweep.py", "--sweep", "sr", "--values", "0.125", "0.5", "-o", f"data.folder={QD14}",
                    "data.max_items_per_class=10", "data.image_size=32", "train.epochs=1", "train.batch_size=16",
                    "model.layout=1_1", "--out", out, timeout=120)
    assert "2 runs in" in proc.stdout
    with open(out / "sweep.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [float(r["value"]) for r in table] == [0.125, 0.5]
    assert int(table[0]["parameters"]) < int(table[1]["parameters"])
    assert float(table[0]["size_mb"]) < float(table[1]["size_mb"])
    runs = sorted(p for p in out.iterdir() if p.is_dir())
    assert [p.name.split("-")[0] for p in runs] == ["sr0.125", "sr0.5"]
    assert all(list(p.glob("vdlrecords.*")) for p in runs), "each point is its own VisualDL run"
    md = (out / "sweep.md").read_text()
    assert (out / "sweep_sr.png").is_file() and "python tools/sweep.py" in md
    (out / "sweep_sr.png").unlink()
    again = run_tool("sweep.py", "--report", out)
    assert "sweep_sr.png" in again.stdout and (out / "sweep_sr.png").is_file()
    assert (out / "sweep.md").read_text() == md  # the same report from the saved table and histories
