"""Top-5 is left out wherever there are 5 classes or fewer (it is always 100% there)."""
from conftest import run_folder_from, run_tool, tiny_overrides
from paddle_sqz.report import curves, tables
from paddle_sqz.train.trainer import top5_text


def summary(num_classes):
    names = [f"c{i}" for i in range(num_classes)]
    return {"class_names": names, "images": 10, "list": "t.txt", "top1": 0.5, "top5": 0.875, "loss": 1.0,
            "per_class": {n: 0.5 for n in names}, "confusion": [[0] * num_classes for _ in names]}


def test_eval_summary_shows_top5_only_past_five_classes():
    assert "top-5" not in tables.format_eval_summary(summary(4))
    assert "top-5" not in tables.format_eval_summary(summary(5))
    assert "top-1 50.00%  top-5 87.50%  loss 1.0000" in tables.format_eval_summary(summary(6))


def test_epoch_line_text():
    assert top5_text(1.0, 4) == "" and top5_text(0.875, 14) == " top5 87.50%"


def test_curves_leave_out_top5_for_few_classes(tmp_path, monkeypatch):
    drawn = []
    plain = curves._plot_series
    monkeypatch.setattr(curves, "_plot_series", lambda ax, history, key, *a, **k: drawn.append(key)
                        or plain(ax, history, key, *a, **k))
    history = [{"epoch": e, "train_loss": 1.0, "train_top1": 0.5, "val_loss": 1.0, "val_top1": 0.5,
                "val_top5": 1.0, "lr": 1e-4} for e in (1, 2)]
    curves.plot_curves(history, tmp_path / "four.png", num_classes=4)
    assert "val_top5" not in drawn and "val_top1" in drawn
    drawn.clear()
    curves.plot_curves(history, tmp_path / "many.png", num_classes=14)
    assert "val_top5" in drawn


def test_four_class_training_prints_no_top5(tiny_demo, tmp_path):
    proc = run_tool("train.py", "--cfg", "demo", *tiny_overrides(tiny_demo, tmp_path / "out", "train.epochs=1"))
    epoch_lines = [line for line in proc.stdout.splitlines() if line.startswith("epoch 1/1 train")]
    assert epoch_lines and "top5" not in epoch_lines[0] and "val loss" in epoch_lines[0]
    assert "val_top5" in (run_folder_from(proc.stdout) / "metrics.jsonl").read_text()  # the data keeps it
