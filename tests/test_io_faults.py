"""Real I/O faults (a full disk, a read-only folder): one line naming the path and the cause, exit 2, nothing lost.

The faults are real file systems: a small tmpfs (full disk) and a tmpfs remounted
read-only (chmod does not stop root). Mounting needs root; elsewhere these tests skip.
"""
import hashlib
import os
import shutil
import subprocess
import uuid

import pytest

from conftest import one_line_error, run_folder_from, run_tool, tiny_overrides
from paddle_sqz.train.checkpoint import load_checkpoint, read_weights


def _mount(folder, size_mb):
    folder.mkdir(parents=True, exist_ok=True)
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def mounts(tmp_path):
    """``make(size_mb) -> folder`` on a fresh tmpfs; ``readonly(folder)`` remounts it read-only."""
    made = []

    def make(size_mb):
        folder = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
        _mount(folder, size_mb)
        made.append(folder)
        return folder

    def readonly(folder):
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)

    yield make, readonly
    for folder in made:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture(scope="module")
def trained(tiny_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("io_faults")
    return run_folder_from(run_tool("train.py", "--cfg", "demo",
                                    *tiny_overrides(tiny_demo, out, "train.epochs=1")).stdout)


def fill(folder, leave_bytes):
    """Fill the file system of ``folder`` up to ``leave_bytes`` of free space."""
    stat = os.statvfs(folder)
    with open(folder / "filler", "wb") as f:
        f.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave_bytes))


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.mark.slow  # trains on a tmpfs
def test_disk_full_during_training_keeps_the_last_checkpoint_and_best_model(trained, mounts):
    make, _ = mounts
    disk = make(24)
    run = disk / "run"
    shutil.copytree(trained, run)
    fill(disk, 1_000_000)  # room for logs, not for weights
    before = digests(run)
    proc = run_tool("train.py", "--resume", run, "-o", "train.epochs=3", check=False)
    error = one_line_error(proc, str(run), "No space left on device")
    assert ".safetensors" in error and ".tmp" not in error
    after = digests(run)
    for name in ("best_model.safetensors", "checkpoint_latest.safetensors", "labels.txt"):  # config: epochs=3
        assert after[name] == before[name], name
    assert load_checkpoint(run / "checkpoint_latest.safetensors")["epoch"] == 1
    assert read_weights(run / "best_model.safetensors")
    assert not list(run.glob(".*.tmp"))
    assert "No space left on device" in (run / "train.log").read_text()
    (disk / "filler").unlink()  # space again: the same run continues
    resumed = run_tool("train.py", "--resume", run, "-o", "train.epochs=2")
    assert f"resuming {run} at epoch 2" in resumed.stdout
    assert load_checkpoint(run / "checkpoint_latest.safetensors")["epoch"] == 2


@pytest.mark.slow  # tool runs on a tmpfs
def test_eval_out_on_a_full_disk_keeps_the_previous_results(trained, mounts):
    make, _ = mounts
    disk = make(2)
    run_tool("eval.py", "--run", trained, "--out", disk / "eval")
    before = digests(disk / "eval")
    fill(disk, 0)
    (disk / "eval" / "eval.json").write_bytes((disk / "eval" / "eval.json").read_bytes())  # still fits: same size
    proc = run_tool("eval.py", "--run", trained, "--out", disk / "eval", check=False)
    one_line_error(proc, str(disk / "eval"), "No space left on device")
    assert digests(disk / "eval") == before
    assert not list((disk / "eval").glob(".*.tmp"))


TOOLS = {
    "train": lambda run, ro, data: ["train.py", "--cfg", "demo", *tiny_overrides(data, ro / "out", "train.epochs=1")],
    "resume": lambda run, ro, data: ["train.py", "--resume", ro / "run", "-o", "train.epochs=2"],
    "eval": lambda run, ro, data: ["eval.py", "--run", run, "--out", ro / "eval"],
    "eval-in-run": lambda run, ro, data: ["eval.py", "--run", ro / "run"],
    "visualize": lambda run, ro, data: ["visualize.py", "--run", ro / "run", "--grid", "4"],
    "export": lambda run, ro, data: ["export.py", "--run", run, "--out", ro / "export"],
    "compress": lambda run, ro, data: ["compress.py", "--run", run, "--out", ro / "m.sqz", "--no-eval"],
    "split_dataset": lambda run, ro, data: ["split_dataset.py", "--root", data, "--out", ro / "lists"],
    "predict": lambda run, ro, data: ["predict.py", "--run", run, data / "circle", "--out", ro / "p.csv"],
    "compress_report": lambda run, ro, data: ["compress_report.py", "--out", ro / "report", "--bits", "8",
                                              "--random-sparsity", "0.5"],
}


FAST = ("train", "eval")  # the rest run with -m slow (each tool start costs seconds)


@pytest.mark.parametrize("tool", [t if t in FAST else pytest.param(t, marks=pytest.mark.slow) for t in sorted(TOOLS)])
def test_every_tool_on_a_read_only_folder_says_where_and_why(tool, trained, tiny_demo, mounts):
    make, readonly = mounts
    disk = make(16)
    shutil.copytree(trained, disk / "run")
    readonly(disk)
    before = digests(disk / "run")
    proc = run_tool(*TOOLS[tool](trained, disk, tiny_demo), check=False)
    error = one_line_error(proc, str(disk), "Read-only file system")
    assert ".tmp" not in error.split(":")[1] or tool == "export"  # the file meant, not a temporary name
    assert digests(disk / "run") == before
