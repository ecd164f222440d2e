"""Data-parallel training with paddle.distributed.launch on CPU, and VisualDL reading a run's logs."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT, run_folder_from, run_tool, tiny_overrides
from visualdl_http import list_runs_and_tags, read_scalar, visualdl_server


@pytest.mark.slow
def test_two_process_data_parallel_training(tiny_demo, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "paddle.distributed.launch", "--nproc_per_node", "2",
         "--log_dir", str(tmp_path / "logs"), str(ROOT / "tools" / "train.py"), "--cfg", "demo",
         *tiny_overrides(tiny_demo, out, "train.epochs=2")],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = list(out.iterdir())
    assert len(runs) == 1, "only rank 0 may create a run folder"
    records = [json.loads(line) for line in (runs[0] / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2]
    rank0 = (tmp_path / "logs" / "workerlog.0").read_text()
    assert "x2 processes" in rank0
    # 28 training images, batch 8 per process: each rank runs 2 batches per epoch, not 4
    assert "batch 2/2" in rank0 and "batch 4/4" not in rank0
    assert (tmp_path / "logs" / "workerlog.1").is_file()


@pytest.mark.slow
def test_visualdl_serves_the_runs_scalars(tiny_demo, tmp_path):
    out = tmp_path / "out"
    run_dir = run_folder_from(run_tool("train.py", "--cfg", "demo",
                                       *tiny_overrides(tiny_demo, out, "train.epochs=2")).stdout)
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    with visualdl_server(out) as url:
        runs = list_runs_and_tags(url)
        run = next(name for name in runs if name.endswith(run_dir.name))
        assert {"train/loss", "val/loss", "val/top1", "train/lr", "train/images_per_s"} <= set(runs[run])
        assert "val/top5" not in runs[run]  # 4 classes: top-5 is always 100%, not logged
        for tag, key in (("val/top1", "val_top1"), ("train/loss", "train_loss")):
            points = read_scalar(url, run, tag)
            assert [step for step, _ in points] == [1, 2]
            for (_, value), record in zip(points, records):
                assert abs(value - record[key]) < 1e-5
