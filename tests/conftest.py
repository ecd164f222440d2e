"""Shared fixtures: where the real sample data lives, and small helpers for tool runs."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
BIRDS_SAMPLE = SHARED_DATA / "bird_photos_sample"


def needs(path: Path):
    """Skip (cleanly, with the reason) when a real data folder beside the project is absent."""
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not present")


def run_tool(*args, cwd=None, check=True, timeout=600, env=None):
    """Run ``python tools/<tool>.py args...`` as a user would; return the CompletedProcess."""
    tool, *rest = args
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / tool), *map(str, rest)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{tool} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory):
    """A small synthetic data set (4 classes x 10 images, 32 px) with its lists; made once per session."""
    from paddle_sqz.data.demo import make_demo_dataset
    from paddle_sqz.data.split import split_class_folders
    root = tmp_path_factory.mktemp("tiny_demo")
    make_demo_dataset(root, per_class=10, image_size=32, seed=0)
    split_class_folders(root, seed=0)
    return root


def tiny_overrides(data_root, out_dir, *extra):
    """Overrides that point the demo config at ``data_root`` and keep the run tiny and fast."""
    return ["-o", "data.demo=false", f"data.train_list={data_root / 'train.txt'}",
            f"data.test_list={data_root / 'test.txt'}", f"data.labels={data_root / 'labels.txt'}",
            "data.pad_size=32", "data.image_size=32", "train.batch_size=8", "train.log_interval=1",
            f"output.dir={out_dir}", *extra]


def run_folder_from(stdout: str) -> Path:
    """The run folder a tool printed (``run folder: PATH``)."""
    lines = [line for line in stdout.splitlines() if line.startswith("run folder: ")]
    assert lines, f"no 'run folder:' line in:\n{stdout}"
    return Path(lines[-1].split(": ", 1)[1])


def one_line_error(proc, *fragments):
    """A tool that failed the way every tool must: exit 2, one `error:` line holding ``fragments``."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]
