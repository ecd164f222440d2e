"""Run folders that are safe to share: no pickle read, integrity checked, one writer, nothing orphaned.

The malicious files carry a pickle payload that creates a marker file when unpickled;
every entry point that reads a run folder must refuse them (the marker never appears).
"""
import csv
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, one_line_error, run_folder_from, run_tool, tiny_overrides
from paddle_sqz.errors import SqzError
from paddle_sqz.train.checkpoint import load_checkpoint, read_weights, save_pdparams, save_weights
from paddle_sqz.train.lock import RunLock


class Payload:
    """Unpickling this creates ``marker``: proof that a file's code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def trained(tiny_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("safe_runs")
    return run_folder_from(run_tool("train.py", "--cfg", "demo",
                                    *tiny_overrides(tiny_demo, out, "train.epochs=1")).stdout)


@pytest.fixture
def run(trained, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def _image(tiny_demo):
    return next((tiny_demo / "circle").glob("*.png"))


def entry_points(run, image):
    """Every tool that reads a run's weights or checkpoint, as a user would call it."""
    return {
        "eval": ["eval.py", "--run", run], "eval latest": ["eval.py", "--run", run, "--weights", "latest"],
        "predict": ["predict.py", "--run", run, image], "export": ["export.py", "--run", run],
        "export latest": ["export.py", "--run", run, "--weights", "latest"],
        "visualize": ["visualize.py", "--run", run, "--grid", "2"],
        "compress": ["compress.py", "--run", run, "--no-eval"],
        "resume": ["train.py", "--resume", run, "-o", "train.epochs=2"],
    }


def plant(run, marker, how):
    """Replace the run's weights and checkpoint by pickles whose payload creates ``marker``."""
    evil = pickle.dumps({"model": Payload(marker), "epoch": Payload(marker)})
    for name in ("best_model.safetensors", "checkpoint_latest.safetensors"):
        (run / name).unlink()
    if how == "pickles beside":  # what a pre-safetensors or doctored run folder holds
        (run / "best_model.pdparams").write_bytes(evil)
        (run / "checkpoint_latest.pdckpt").write_bytes(evil)
    else:
        (run / "best_model.safetensors").write_bytes(evil)
        (run / "checkpoint_latest.safetensors").write_bytes(evil)


@pytest.mark.parametrize("how", ["pickles beside", "pickles renamed .safetensors"])
def test_malicious_pickles_never_run_in_any_library_entry_point(run, tiny_demo, tmp_path, how):
    """In-process, so every entry point is tried quickly; the tools themselves are tried below (slow)."""
    from paddle_sqz.config import load_config
    from paddle_sqz.deploy.export import export_run
    from paddle_sqz.runs import Run
    from paddle_sqz.tasks.compress_run import compress_run
    from paddle_sqz.tasks.evaluate import evaluate_run
    from paddle_sqz.tasks.predict import predict_run
    from paddle_sqz.tasks.visualize import visualize_run
    from paddle_sqz.train.trainer import resume_config, train
    marker = tmp_path / "PWNED"
    plant(run, marker, how)
    tried = {
        "Run.model best": lambda: Run(run).model("best"), "Run.model latest": lambda: Run(run).model("latest"),
        "evaluate_run": lambda: evaluate_run(run), "evaluate_run latest": lambda: evaluate_run(run, weights="latest"),
        "predict_run": lambda: predict_run(run, [str(_image(tiny_demo))]),
        "export_run": lambda: export_run(run), "export_run latest": lambda: export_run(run, "latest"),
        "visualize_run": lambda: visualize_run(run, 2), "compress_run": lambda: compress_run(run, 0.3, 6),
        "resume": lambda: train(resume_config(run, ["train.epochs=2"]), resume=run),
        "load_config of the run": lambda: load_config(str(run / "config.yaml")),
    }
    for name, call in tried.items():
        try:
            call()
        except SqzError:
            pass
        assert not marker.exists(), f"{name}: the pickle's payload ran"
    print(f"\n  {len(tried)} library entry points tried with {how}: 0 payloads ran")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["pickles beside", "pickles renamed .safetensors"])
def test_malicious_pickles_never_run_in_any_tool(run, tiny_demo, tmp_path, how):
    marker = tmp_path / "PWNED"
    plant(run, marker, how)
    tried = entry_points(run, _image(tiny_demo))
    for name, args in tried.items():
        proc = run_tool(*args, check=False)
        one_line_error(proc, str(run))
        assert not marker.exists(), f"{name}: the pickle's payload ran"
    print(f"\n  {len(tried)} tools tried with {how}: 0 payloads ran")


@pytest.mark.slow  # three tool runs
def test_a_pdparams_is_read_only_behind_allow_pickle_and_the_message_names_the_risk(run, tiny_demo, tmp_path):
    marker = tmp_path / "PWNED"
    evil = tmp_path / "classmate.pdparams"
    evil.write_bytes(pickle.dumps(Payload(marker)))
    proc = run_tool("eval.py", "--run", run, "--weights", evil, check=False)
    one_line_error(proc, "classmate.pdparams", "pickle", "runs any code", "--allow-pickle")
    assert not marker.exists()
    help_text = " ".join(run_tool("eval.py", "--help").stdout.split())
    assert "--allow-pickle" in help_text and "runs any code" in help_text
    own = tmp_path / "mine.pdparams"  # a pickle the user made and trusts: read when they say so
    save_pdparams(own, read_weights(run / "best_model.safetensors"))
    allowed = run_tool("eval.py", "--run", run, "--weights", own, "--allow-pickle", "--out", tmp_path / "e1")
    best = run_tool("eval.py", "--run", run, "--out", tmp_path / "e2")
    top1 = [json.loads((tmp_path / e / "eval.json").read_text())["top1"] for e in ("e1", "e2")]
    assert top1[0] == top1[1] and "top-1" in allowed.stdout + best.stdout


def test_flipped_byte_and_nan_weights_stop_eval_with_the_file_named(run):
    path = run / "best_model.safetensors"
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01
    path.write_bytes(bytes(data))
    one_line_error(run_tool("eval.py", "--run", run, check=False), str(path), "checksum mismatch")
    state = read_weights(run / "checkpoint_latest.safetensors")
    key = sorted(state)[0]
    state[key] = state[key].copy()
    state[key].flat[0] = np.nan
    save_weights(path, state)
    one_line_error(run_tool("eval.py", "--run", run, check=False), str(path), key, "NaN")


def test_no_run_folder_for_a_run_that_cannot_start_and_later_errors_go_to_train_log(tiny_demo, tmp_path):
    out = tmp_path / "out"
    bad = run_tool("train.py", "--cfg", "demo", *tiny_overrides(tiny_demo, out, "model.num_classes=5"), check=False)
    one_line_error(bad, "labels.txt", "num_classes")
    assert not out.exists() or not any(out.iterdir())
    data = tmp_path / "data"
    shutil.copytree(tiny_demo, data)
    image = data / "circle" / "circle_000.png"
    image.write_bytes(image.read_bytes()[:40])  # found only while decoding, in epoch 1
    failed = run_tool("train.py", "--cfg", "demo", *tiny_overrides(data, out, "train.epochs=1", "data.cache_images=never"),
                      check=False)
    error = one_line_error(failed, "circle_000.png")
    (folder,) = list(out.iterdir())
    assert error[len("error: "):] in (folder / "train.log").read_text()


def test_stale_temporary_files_are_removed_on_resume(run):
    stale = [run / ".checkpoint_latest.safetensors.999.0badc0de.tmp", run / ".best_model.safetensors.1.2.tmp"]
    for path in stale:
        path.write_bytes(b"\0" * 1000)
    keep = run / ".notes.txt"
    keep.write_text("mine")
    run_tool("train.py", "--resume", run, "-o", "train.epochs=2")
    assert not any(path.exists() for path in stale) and keep.exists()


def test_one_writer_per_run_folder_and_a_killed_writer_never_blocks(run):
    args = [sys.executable, str(ROOT / "tools" / "train.py"), "--resume", str(run), "-o", "train.epochs=50"]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in first.stdout:
            if line.startswith("resuming "):
                break
        second = run_tool("train.py", "--resume", run, "-o", "train.epochs=50", check=False)
        one_line_error(second, str(run), "in use by another training", f"process {first.pid}")
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    epoch = load_checkpoint(run / "checkpoint_latest.safetensors")["epoch"]
    resumed = run_tool("train.py", "--resume", run, "-o", f"train.epochs={epoch + 1}")  # the dead writer's lock is gone
    assert f"resuming {run} at epoch {epoch + 1}" in resumed.stdout
    assert load_checkpoint(run / "checkpoint_latest.safetensors")["epoch"] == epoch + 1


def test_lock_is_exclusive_within_one_process_too(tmp_path):
    with RunLock(tmp_path):
        with pytest.raises(SqzError, match="in use by another training"):
            RunLock(tmp_path).acquire()
    with RunLock(tmp_path):  # released on exit
        pass


def _vdl_steps(run, tag="val/top1"):
    from visualdl import LogReader
    steps = []
    for path in sorted(run.glob("vdlrecords.*")):
        steps += [record.id for record in LogReader(file_path=str(path)).get_data("scalar", tag)]
    return sorted(steps)


def test_visualdl_shows_each_epoch_once_after_a_resume(run):
    checkpoint = run / "checkpoint_latest.safetensors"
    epoch_1 = checkpoint.read_bytes()
    run_tool("train.py", "--resume", run, "-o", "train.epochs=2")
    assert _vdl_steps(run) == [1, 2]
    checkpoint.write_bytes(epoch_1)  # as if killed after logging epoch 2, before its checkpoint
    run_tool("train.py", "--resume", run, "-o", "train.epochs=3")
    assert _vdl_steps(run) == [1, 2, 3]
    assert _vdl_steps(run, "train/loss") == [1, 2, 3]


def test_predict_on_a_folder_predicts_every_good_image_and_reports_each_bad_one(run, tiny_demo, tmp_path):
    folder = tmp_path / "photos"
    good = sorted((tiny_demo / "circle").glob("*.png"))[:4] + sorted((tiny_demo / "square").glob("*.png"))[:4]
    folder.mkdir()
    for path in good:
        shutil.copy(path, folder / path.name)
    good_names = sorted(p.name for p in folder.iterdir())
    (folder / "truncated.png").write_bytes(good[0].read_bytes()[:60])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.jpg").write_text("not an image")
    for out in ("results.csv", "results.json"):
        proc = run_tool("predict.py", "--run", run, folder, "--out", tmp_path / out, "--topk", "2", check=False)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        predicted = [line for line in proc.stdout.splitlines() if line.startswith(str(folder))]
        assert sorted(line.split(": ")[0].rsplit("/", 1)[1] for line in predicted) == good_names
        failed = [line for line in proc.stderr.splitlines() if line.startswith("failed: ")]
        assert len(failed) == 3
        for name in ("truncated.png", "empty.jpg", "notes.jpg"):
            assert sum(name in line for line in failed) == 1, failed
        assert "3 of 11 images could not be read" in proc.stderr
    with open(tmp_path / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 11 and set(rows[0]) == {"path", "top1", "p1", "top2", "p2", "error"}
    labels = (run / "labels.txt").read_text().split()
    for row in rows:
        if row["error"]:
            assert row["top1"] == "" and Path(row["path"]).name in row["error"]
        else:
            assert row["top1"] in labels and 0 <= float(row["p2"]) <= float(row["p1"]) <= 1
    records = json.loads((tmp_path / "results.json").read_text())
    assert sum("error" in r for r in records) == 3 and all(len(r["top"]) == 2 for r in records if "top" in r)
    assert not list(tmp_path.glob(".*.tmp"))
    wrong = run_tool("predict.py", "--run", run, folder, "--out", tmp_path / "results.txt", check=False)
    one_line_error(wrong, "results.txt", ".csv or .json")
