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
