"""VisualDL beyond scalars, read back through a real VisualDL board over HTTP."""
import io

import numpy as np
import pytest
from PIL import Image
from visualdl import LogWriter

from paddle_sqz.errors import SqzError
from paddle_sqz.train import visualdl_views as views
from visualdl_http import (list_runs_and_tags, list_tags, read_histograms, read_hparams, read_image,
                           read_pr_curves, read_scalar, visualdl_server)


def test_pr_curve_counts_by_hand():
    positive = np.array([1, 0, 1, 0, 1], dtype=bool)
    scores = np.array([0.9, 0.8, 0.3, 0.1, 0.6])
    counts = views.pr_curve_counts(positive, scores, num_thresholds=11)  # t = 0.0, 0.1 ... 1.0
    # t = 0.5: predicted positive are 0.9, 0.8, 0.6 -> tp 2 (0.9, 0.6), fp 1 (0.8); fn 1 (0.3), tn 1 (0.1)
    assert (counts["tp"][5], counts["fp"][5], counts["fn"][5], counts["tn"][5]) == (2, 1, 1, 1)
    assert counts["precision"][5] == pytest.approx(2 / 3) and counts["recall"][5] == pytest.approx(2 / 3)
    assert (counts["tp"][0], counts["fp"][0]) == (3, 2)          # t = 0: everything positive
    assert counts["recall"][0] == 1.0 and counts["precision"][0] == pytest.approx(3 / 5)
    assert (counts["tp"][10], counts["fp"][10], counts["precision"][10]) == (0, 0, 1.0)  # nothing above 1
    with pytest.raises(SqzError, match="4 labels but 5 scores"):
        views.pr_curve_counts(positive[:4], scores)


def _grid_png(path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (60, 90, 3), dtype=np.uint8)).save(path)
    return path


@pytest.mark.slow  # a real VisualDL server
def test_every_view_reads_back_over_http_beside_the_training_scalars(tmp_path):
    """The run's training scalars survive (VisualDL reads only a folder's newest record file),
    and hparams, histograms, PR curves and an image are what the board serves."""
    run = tmp_path / "vdl" / "run1"
    with LogWriter(logdir=str(run)) as writer:  # what the trainer wrote
        for step, loss in ((1, 2.0), (2, 1.0)):
            writer.add_scalar(tag="train/loss", value=loss, step=step)
    weights = {"conv.weight": np.array([[0.0, 0.0, 0.5], [-0.5, 0.0, 0.25]], np.float32),
               "conv.bias": np.ones(2, np.float32)}
    labels = np.array([0, 1, 1, 2, 0, 2])
    probs = np.array([[.8, .1, .1], [.2, .7, .1], [.5, .4, .1], [.1, .1, .8], [.3, .6, .1], [.2, .2, .6]])
    with views.run_writer(run) as writer:
        views.add_hparams(writer, {"model.name": "qd_gap", "train.lr": 0.001, "seed": 0, "amp": False},
                          {"test_top1": 0.75, "parameters": 1234, "images_per_s": None})
        assert views.add_weight_histograms(writer, weights, step=0) == 1  # the bias is skipped
        views.add_pr_curves(writer, labels, probs, ["cat", "house plant", "a/b%"], step=3)
        views.add_image_file(writer, "predictions/test_grid", _grid_png(tmp_path / "g.png"), step=2)
    assert len(list(run.glob("vdlrecords.*.log"))) == 1

    with visualdl_server(tmp_path / "vdl") as base:
        name = str(run.resolve())
        assert sorted(list_runs_and_tags(base)[name]) == ["hparam/parameters", "hparam/test_top1",
                                                          "train/loss"]
        assert [s for s, _ in read_scalar(base, name, "train/loss")] == [1, 2]

        (entry,) = read_hparams(base)
        assert entry["hparams"] == {"model_name": "qd_gap", "train_lr": 0.001, "seed": 0, "amp": "False"}
        assert entry["metrics"]["hparam/test_top1"] == pytest.approx(0.75)
        assert entry["metrics"]["hparam/parameters"] == pytest.approx(1234)

        assert list_tags(base, "histogram")[name] == ["weights/conv.weight"]
        ((step, bins),) = read_histograms(base, name, "weights/conv.weight")
        assert step == 0 and sum(count for _, _, count in bins) == 6
        zero_bin = next(count for left, right, count in bins if left <= 0.0 < right)
        assert zero_bin == 3  # the three pruned weights

        assert sorted(list_tags(base, "pr-curve")[name]) == ["pr_curve/a_b_", "pr_curve/cat",
                                                             "pr_curve/house plant"]
        (curve,) = read_pr_curves(base, name, "pr_curve/house plant")
        assert curve["step"] == 3 and len(curve["precision"]) == views.PR_THRESHOLDS
        want = views.pr_curve_counts(labels == 1, probs[:, 1])
        assert curve["tp"] == want["tp"] and curve["fp"] == want["fp"]
        assert curve["precision"] == pytest.approx(want["precision"])

        steps, png = read_image(base, name, "predictions/test_grid")
        assert steps == [2]
        with Image.open(io.BytesIO(png)) as image:
            assert image.size == (90, 60)


def test_pr_curves_refuse_mismatched_shapes(tmp_path):
    with views.run_writer(tmp_path / "r") as writer:
        with pytest.raises(SqzError, match="do not match 3 labels and 2 classes"):
            views.add_pr_curves(writer, np.array([0, 1, 1]), np.ones((3, 3)) / 3, ["a", "b"], 0)


# -- the views written by the tools, on tiny runs ------------------------------------------------

from conftest import SHARED_DATA, needs, run_tool  # noqa: E402

QD14 = SHARED_DATA / "quickdraw14"


@needs(QD14)
@pytest.mark.slow  # a real VisualDL server
def test_compare_puts_every_model_in_the_hparams_tab(tmp_path):
    out = tmp_path / "cmp"
    run_tool("compare.py", "--cfg", "quickdraw", "--models", "qd_lenet_gap", "qd_gap",
             "-o", f"data.folder={QD14}", "model.num_classes=14", "data.max_items_per_class=40",
             "train.epochs=1", "train.log_interval=100", "--out", out, "--repeats", "1", timeout=120)
    with visualdl_server(out) as base:
        entries = {e["hparams"]["model_name"]: e for e in read_hparams(base)}
        assert set(entries) == {"qd_lenet_gap", "qd_gap"}
        for name, entry in entries.items():
            assert entry["hparams"]["train_epochs"] == 1 and entry["hparams"]["seed"] == 0
            assert 0 <= entry["metrics"]["hparam/test_top1"] <= entry["metrics"]["hparam/test_top5"] <= 1
        assert entries["qd_lenet_gap"]["metrics"]["hparam/parameters"] == 4570
        for run, tags in list_runs_and_tags(base).items():
            assert "train/loss" in tags and "hparam/test_top1" in tags  # training curves kept


@needs(QD14)
@pytest.mark.slow  # a real VisualDL server
def test_finetuning_after_pruning_logs_weight_histograms_per_epoch(tmp_path):
    proc = run_tool("train.py", "--cfg", "quickdraw", "-o", f"data.folder={QD14}", "model.num_classes=14",
                    "data.max_items_per_class=30", "model.name=qd_gap", "train.epochs=1",
                    f"output.dir={tmp_path / 'runs'}", "train.log_interval=100", timeout=120)
    run = next(p for p in (tmp_path / "runs").iterdir() if p.is_dir())
    run_tool("compress.py", "--run", run, "--sparsity", "0.5", "--bits", "4", "--finetune-epochs", "2",
             timeout=120)
    finetune = next(p for p in (run / "compressed").iterdir() if p.is_dir() and p.name.startswith("finetune"))
    with visualdl_server(finetune) as base:
        name = str(finetune.resolve())
        tags = list_tags(base, "histogram")[name]
        assert tags and all(t.startswith("weights/") for t in tags) and not [t for t in tags if "bias" in t]
        history = read_histograms(base, name, tags[0])
        assert [step for step, _ in history] == [0, 1, 2, 3]  # pruned, 2 epochs, shared (decoded .sqz)
        pruned_zero = next(c for left, right, c in history[0][1] if left <= 0.0 < right)
        total = sum(c for _, _, c in history[0][1])
        assert pruned_zero >= 0.5 * total  # half the weights pruned: a spike at 0
        assert len([c for _, _, c in history[3][1] if c > 0]) <= 2 ** 4 + 1  # 4-bit sharing: few values
