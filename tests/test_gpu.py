"""GPU readiness: mixed-precision training, Paddle Inference on the GPU, two processes on two GPUs.

Marked ``gpu`` and skipped unless this Paddle is built with CUDA and sees a device (this
project's machines have none: README says what has and has not run on a GPU). Run them on a
GPU machine, e.g. an AI Studio GPU project: ``python -m pytest -q -m gpu tests/test_gpu.py``.
"""
import json
import math
import re
import subprocess
import sys

import paddle
import pytest

from conftest import ROOT, run_folder_from, run_tool


def _gpus() -> int:
    if not paddle.device.is_compiled_with_cuda():
        return 0
    try:
        return paddle.device.cuda.device_count()
    except (RuntimeError, OSError):
        return 0


GPUS = _gpus()
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(GPUS == 0, reason="needs Paddle with CUDA and a GPU")]

# the built-in synthetic demo (400 images, 64 px), generated into each test's folder
DEMO = ["--cfg", "demo", "-o", "train.device=gpu", "train.log_interval=5"]


def train_losses(run_dir):
    return [json.loads(line)["train_loss"] for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("amp", ["float16", "bfloat16"])
def test_amp_training_loss_is_finite_and_falls(amp, tmp_path):
    if amp == "bfloat16" and not paddle.amp.is_bfloat16_supported():
        pytest.skip("this GPU has no bfloat16 (Ampere or newer needed)")
    proc = run_tool("train.py", *DEMO, f"train.amp={amp}", "train.epochs=4", f"output.dir={tmp_path / 'out'}",
                    cwd=tmp_path)
    assert "device gpu" in proc.stdout, proc.stdout
    losses = train_losses(run_folder_from(proc.stdout))
    assert all(math.isfinite(loss) for loss in losses), losses
    assert losses[-1] < losses[0], losses


def test_inference_engine_runs_on_the_gpu_and_agrees_with_dygraph(tmp_path):
    run_dir = run_folder_from(run_tool("train.py", *DEMO, "train.epochs=1", f"output.dir={tmp_path / 'out'}",
                                       cwd=tmp_path).stdout)
    dygraph = run_tool("eval.py", "--run", run_dir, cwd=tmp_path).stdout
    engine = run_tool("eval.py", "--run", run_dir, "--engine", "inference", cwd=tmp_path).stdout
    top1 = re.findall(r"^top-1 (\S+)", dygraph, re.M)  # the same images right (loss may differ in the last digit)
    assert top1 and top1 == re.findall(r"^top-1 (\S+)", engine, re.M)
    from paddle_sqz.deploy.predictor import make_config
    assert make_config(run_dir / "export").use_gpu()  # auto picks the GPU for Paddle Inference


@pytest.mark.skipif(GPUS < 2, reason="needs two GPUs")
def test_two_processes_on_two_gpus_write_one_run(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "paddle.distributed.launch", "--gpus", "0,1",
                           "--log_dir", str(tmp_path / "logs"), str(ROOT / "tools" / "train.py"), *DEMO,
                           "train.epochs=2", f"output.dir={out}"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(list(out.iterdir())) == 1, "only rank 0 may create a run folder"
    assert "x2 processes" in (tmp_path / "logs" / "workerlog.0").read_text()
