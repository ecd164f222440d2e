"""Paddle Lite: the legacy program it reads, the ``paddle_lite_opt`` command, ``.nb`` runs.

paddlelite 2.13rc0 (the newest wheel) cannot read Paddle 3's ``inference.json``: it gets the
legacy program (``lite/inference.pdmodel``), saved under ``paddle.pir_utils.OldIrGuard``.
Its wheels stop at Python 3.10, so the converter and the runner are found either in this
interpreter or in another one named by ``PADDLE_SQZ_LITE_PYTHON`` (a Python 3.10 venv with
``pip install paddlelite==2.13rc0``), which runs :mod:`paddle_sqz.deploy.lite_worker` by path.

A ``.nb`` holds kernels for one target: an arm one run on x86 returns zeros without an error,
so each file is named for its target and the runner refuses one that does not match the CPU.
"""
import importlib.util
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import paddle
from paddle.pir_utils import OldIrGuard

from ..errors import SqzError
from ..io_utils import PathLike
from . import lite_worker

LITE_DIR = "lite"
LEGACY_PROGRAM = "inference.pdmodel"
LEGACY_PARAMS = "inference.pdiparams"
TARGETS = ("arm", "x86")
LITE_PYTHON_ENV = "PADDLE_SQZ_LITE_PYTHON"
INSTALL_LITE = (f"paddlelite wheels exist for Python <= 3.10 only: python3.10 -m venv ~/lite310 && "
                f"~/lite310/bin/pip install paddlelite==2.13rc0 numpy, then export {LITE_PYTHON_ENV}=~/lite310/bin/python")


def save_legacy_program(model: paddle.nn.Layer, folder: PathLike, input_spec) -> Path:
    """``folder/inference.pdmodel`` + ``.pdiparams`` in the pre-PIR format Paddle Lite reads."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with OldIrGuard():
        paddle.jit.save(model, str(folder / "inference"), input_spec=[input_spec])
    if not (folder / LEGACY_PROGRAM).is_file():
        raise SqzError(f"paddle.jit.save under OldIrGuard wrote no {folder / LEGACY_PROGRAM}")
    return folder / LEGACY_PROGRAM


def nb_name(target: str) -> str:
    return f"model_{target}.nb"


def opt_command(folder: PathLike, target: str, opt: str = "paddle_lite_opt") -> List[str]:
    """The converter call that turns ``folder``'s legacy program into ``folder/model_<target>.nb``."""
    folder = Path(folder)
    return [opt, f"--model_file={folder / LEGACY_PROGRAM}", f"--param_file={folder / LEGACY_PARAMS}",
            f"--optimize_out={folder / nb_name(target)[:-3]}", f"--valid_targets={target}",
            "--optimize_out_type=naive_buffer"]


def lite_python() -> Optional[str]:
    """The interpreter that has paddlelite: this one, or ``$PADDLE_SQZ_LITE_PYTHON``; None when neither."""
    if importlib.util.find_spec("paddlelite") is not None:
        return sys.executable
    other = os.environ.get(LITE_PYTHON_ENV)
    if other:
        if not Path(other).expanduser().is_file():
            raise SqzError(f"{LITE_PYTHON_ENV}={other}: no such interpreter")
        return str(Path(other).expanduser())
    return None


def find_opt() -> Optional[str]:
    """``paddle_lite_opt`` beside the paddlelite interpreter, else on PATH."""
    python = lite_python()
    if python:
        beside = Path(python).parent / "paddle_lite_opt"
        if beside.is_file():
            return str(beside)
    return shutil.which("paddle_lite_opt")


def convert(folder: PathLike, targets=TARGETS) -> Dict[str, str]:
    """Run ``paddle_lite_opt`` for each target when it is installed; target -> ``.nb`` file name.

    Without it, nothing is converted (the command to run is in export.json and the README).
    """
    opt = find_opt()
    if opt is None:
        return {}
    folder = Path(folder)
    made = {}
    for target in targets:
        proc = subprocess.run(opt_command(folder, target, opt), capture_output=True, text=True, timeout=600)
        out = folder / nb_name(target)
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr.strip() or proc.stdout.strip() or "(no output)").splitlines()[-1]
            raise SqzError(f"paddle_lite_opt --valid_targets={target} failed on {folder / LEGACY_PROGRAM} "
                           f"(exit {proc.returncode}): {tail}")
        made[target] = out.name
    return made


def host_target() -> str:
    """``arm`` on arm CPUs, else ``x86``: the only ``.nb`` this machine can run."""
    machine = platform.machine().lower()
    return "arm" if machine.startswith(("arm", "aarch64")) else "x86"


class LiteRunner:
    """Logits of a ``.nb`` for this CPU: in this process when paddlelite imports, else in the
    ``PADDLE_SQZ_LITE_PYTHON`` interpreter (one process per call: for tests, not for speed)."""

    def __init__(self, folder: PathLike):
        self.nb = Path(folder) / nb_name(host_target())
        if not self.nb.is_file():
            raise SqzError(f"{self.nb}: not found; convert the export with tools/export.py --run RUN --format lite "
                           f"(needs paddle_lite_opt: {INSTALL_LITE})")
        self.python = lite_python()
        if self.python is None:
            raise SqzError(f"the lite engine needs paddlelite: {INSTALL_LITE}")
        self.predictor = lite_worker.load_nb(str(self.nb)) if self.python == sys.executable else None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.predictor is not None:
            return lite_worker.run_nb(self.predictor, x)
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = Path(tmp) / "x.npy", Path(tmp) / "y.npy"
            np.save(src, np.asarray(x, dtype=np.float32))
            cmd = [self.python, lite_worker.__file__, str(self.nb), str(src), str(dst)]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            if proc.returncode != 0 or not dst.is_file():
                tail = (proc.stderr.strip() or "(no output)").splitlines()[-1]
                raise SqzError(f"Paddle Lite run of {self.nb} failed in {self.python}: {tail}")
            return np.load(dst)


def command_text(folder: PathLike, target: str) -> str:
    return shlex.join(opt_command(folder, target))
