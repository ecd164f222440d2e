"""A run killed with SIGKILL mid-epoch and resumed ends with the weights of an uninterrupted run."""
import os
import signal
import subprocess
import sys

import numpy as np

from paddle_sqz.train.checkpoint import load_checkpoint

from conftest import ROOT, run_folder_from, run_tool, tiny_overrides


def final_weights(run_dir):
    state = load_checkpoint(run_dir / "checkpoint_latest.safetensors")
    return state["epoch"], {k: np.asarray(v) for k, v in state["model"].items()}


def test_kill_and_resume_matches_uninterrupted_run(tiny_demo, tmp_path):
    args = ["--cfg", "demo", *tiny_overrides(tiny_demo, tmp_path / "out", "train.epochs=3")]
    reference = run_folder_from(run_tool("train.py", *args).stdout)

    proc = subprocess.Popen([sys.executable, str(ROOT / "tools" / "train.py"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run_dir = None
    for line in proc.stdout:  # kill as soon as epoch 2 has started: epoch 1 is checkpointed
        if line.startswith("run folder: "):
            run_dir = run_folder_from(line)
        if line.startswith("epoch 2/3 batch 1/"):
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    epoch_at_kill, _ = final_weights(run_dir)
    assert epoch_at_kill < 3, "the kill came too late to test a resume"

    resumed = run_tool("train.py", "--resume", run_dir)
    assert f"resuming {run_dir} at epoch {epoch_at_kill + 1}" in resumed.stdout
    epoch_a, weights_a = final_weights(reference)
    epoch_b, weights_b = final_weights(run_dir)
    assert epoch_a == epoch_b == 3
    for key, value in weights_a.items():
        np.testing.assert_array_equal(weights_b[key], value, err_msg=key)
    history = [line for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line]
    assert len(history) == 3  # epochs lost with the kill were dropped, not duplicated
    assert (run_dir / "best_model.safetensors").is_file()


def test_resume_keeps_the_best_metric(tiny_demo, tmp_path):
    """Continuing a finished run for more epochs starts from its recorded best, not from zero."""
    args = ["--cfg", "demo", *tiny_overrides(tiny_demo, tmp_path / "out", "train.epochs=1")]
    run_dir = run_folder_from(run_tool("train.py", *args).stdout)
    best_before = load_checkpoint(run_dir / "checkpoint_latest.safetensors")["best"]
    resumed = run_tool("train.py", "--resume", run_dir, "-o", "train.epochs=2")
    assert f"(best val top-1 {best_before['val_top1']:.2%} at epoch 1)" in resumed.stdout
    best_after = load_checkpoint(run_dir / "checkpoint_latest.safetensors")["best"]
    assert best_after["val_top1"] >= best_before["val_top1"]
    changed = run_tool("train.py", "--resume", run_dir, "-o", "model.num_classes=5", check=False)
    assert changed.returncode == 2 and "model.* keys cannot change" in changed.stderr
