"""Paddle Lite for real: the export converted to x86 and arm ``.nb`` files in a Python 3.10
venv with paddlelite, the x86 one run through MobileConfig, matching Paddle Inference within 1e-4.

paddlelite wheels stop at Python 3.10: the test uses ``$PADDLE_SQZ_LITE_PYTHON`` when set,
else makes (once, in the temp folder) a 3.10 venv with ``paddlelite==2.13rc0``; it skips
cleanly when no 3.10 interpreter exists or the wheel cannot be installed.
"""
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from conftest import run_tool
from deploy_runs import QD14, quickdraw_test_batch, train_quickdraw

LITE_WHEEL = "paddlelite==2.13rc0"


def python310():
    # pyenv's real interpreters first: its shim on PATH fails unless PYENV_VERSION names 3.10
    candidates = [*sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10"))),
                  shutil.which("python3.10")]
    return next((c for c in candidates if c), None)


@pytest.fixture(scope="module")
def lite_python():
    given = os.environ.get("PADDLE_SQZ_LITE_PYTHON")
    if given:
        return given
    base = python310()
    if base is None:
        pytest.skip("no Python 3.10 interpreter (paddlelite has wheels for Python <= 3.10 only)")
    venv = Path(tempfile.gettempdir()) / "paddle_sqz_lite310"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "paddle_lite_opt").is_file():
        try:
            subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
            subprocess.run([str(python), "-m", "pip", "install", "-q", LITE_WHEEL, "numpy"], check=True,
                           capture_output=True, timeout=600)
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            pytest.skip(f"could not install {LITE_WHEEL} into a Python 3.10 venv: {exc}")
    return str(python)


@pytest.fixture(scope="module")
def qd_run(tmp_path_factory):
    if not QD14.exists():
        pytest.skip(f"{QD14} not present")
    return train_quickdraw(tmp_path_factory.mktemp("qd"))


@pytest.mark.slow  # builds a Python 3.10 venv with paddlelite on first use
def test_lite_nb_matches_paddle_inference_on_quickdraw14(qd_run, lite_python, monkeypatch):
    from paddle_sqz.deploy import lite
    from paddle_sqz.deploy.predictor import export_predictor
    proc = run_tool("export.py", "--run", qd_run, "--format", "paddle", "lite",
                    env={"PADDLE_SQZ_LITE_PYTHON": lite_python})
    folder = qd_run / "export"
    for target in ("arm", "x86"):
        assert (folder / "lite" / f"model_{target}.nb").stat().st_size > 100_000
        assert f"model_{target}.nb" in proc.stdout
    monkeypatch.setenv("PADDLE_SQZ_LITE_PYTHON", lite_python)
    x, _ = quickdraw_test_batch(qd_run, 16)
    runner = export_predictor(folder, "lite")
    assert runner.backend.runner.nb.name == f"model_{lite.host_target()}.nb"  # never the other CPU's file
    reference = export_predictor(folder, "inference")(x)
    got = runner(x)
    assert reference.std() > 1e-3 and np.abs(got).max() > 0  # not the all-zeros of a wrong-target .nb
    np.testing.assert_allclose(got, reference, atol=1e-4, rtol=0)
    np.testing.assert_array_equal(got.argmax(1), reference.argmax(1))


def test_without_paddlelite_the_export_prints_the_opt_command(qd_run, tmp_path, monkeypatch):
    from paddle_sqz.deploy import lite
    from paddle_sqz.deploy.predictor import export_predictor
    from paddle_sqz.errors import SqzError
    env = {"PADDLE_SQZ_LITE_PYTHON": "", "PATH": "/usr/bin:/bin"}
    out = tmp_path / "export"
    proc = run_tool("export.py", "--run", qd_run, "--format", "paddle", "lite", "--out", out, env=env)
    assert (out / "lite" / "inference.pdmodel").is_file() and not list((out / "lite").glob("*.nb"))
    assert "paddle_lite_opt --model_file=" in proc.stdout and "--valid_targets=arm" in proc.stdout
    monkeypatch.setenv("PADDLE_SQZ_LITE_PYTHON", "")
    monkeypatch.setattr(lite, "find_opt", lambda: None)
    with pytest.raises(SqzError, match="model_x86.nb: not found"):
        export_predictor(out, "lite")
