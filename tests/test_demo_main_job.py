"""README's first command: ``python tools/train.py --cfg demo`` on a fresh folder makes its data and learns."""
import json

import pytest

from conftest import run_folder_from, run_tool


@pytest.mark.slow
def test_demo_job_generates_its_data_and_learns_well_above_chance(tmp_path):
    proc = run_tool("train.py", "--cfg", "demo", cwd=tmp_path, timeout=400)  # a fresh working directory
    assert (tmp_path / "datasets" / "demo" / "README.md").is_file()  # generated, marked synthetic
    assert "SYNTHETIC" in (tmp_path / "datasets" / "demo" / "README.md").read_text().upper()
    assert len((tmp_path / "datasets" / "demo" / "train.txt").read_text().splitlines()) == 280
    run = tmp_path / run_folder_from(proc.stdout)  # printed relative to the working directory
    assert run.parent == tmp_path / "output"
    history = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in history] == list(range(1, 21))
    best = max(r["val_top1"] for r in history)
    assert best >= 0.75, history  # 4 classes: chance is 0.25
    assert history[-1]["train_loss"] < history[0]["train_loss"] * 0.5
    assert (run / "best_model.safetensors").is_file() and (run / "config.yaml").is_file()
