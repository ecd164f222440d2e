"""Export a trained run as a self-contained Paddle inference model folder.

``paddle.jit.save`` writes the program (``inference.json``, Paddle 3's PIR format) and
the weights (``inference.pdiparams``); beside them go ``labels.txt`` and ``export.json``
(model, classes, input shape and the run's evaluation preprocessing), so the folder
alone is enough to predict, and ``model.pdparams`` for ``paddle.load`` users (a pickle:
written only here, never read by the package). The batch dimension is left free (``None``). The folder is
built under a temporary name and renamed into place: a stopped export never leaves a
half-written model that looks complete.
"""
import json
import shutil
from pathlib import Path
from typing import Any, Dict, Optional

import paddle

from ..data.labels import read_labels, write_labels
from ..errors import SqzError
from ..io_utils import PathLike, atomic_write_text
from ..runs import Run
from ..train.checkpoint import save_pdparams

MODEL_FILE = "inference.json"   # Paddle 3 (PIR) program
PARAMS_FILE = "inference.pdiparams"
FORMAT = "paddle_sqz.export.v1"
INFO = "export.json"
LABELS = "labels.txt"
PDPARAMS = "model.pdparams"


def input_shape(cfg: Dict[str, Any]) -> list:
    """``[None, C, H, W]``: what the run's evaluation transform produces, any batch size."""
    size = cfg["data"]["image_size"]
    return [None, cfg["model"]["in_channels"], size, size]


def export_run(run, weights: str = "best", out_dir: Optional[PathLike] = None, allow_pickle: bool = False) -> Path:
    """Write ``RUN/export/`` (or ``out_dir``) for a :class:`Run` or run folder; returns the folder."""
    run = Run.open(run, allow_pickle=allow_pickle)
    out = Path(out_dir) if out_dir else run.path / "export"
    if out.exists() and not (out / INFO).is_file():
        raise SqzError(f"--out: {out} exists and is not an exported model folder; choose another folder")
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cfg = run.cfg
    spec = paddle.static.InputSpec(shape=input_shape(cfg), dtype="float32", name="image")
    model = run.fresh_model(weights)
    paddle.jit.save(model, str(tmp / "inference"), input_spec=[spec])
    for name in (MODEL_FILE, PARAMS_FILE):
        if not (tmp / name).is_file():
            raise SqzError(f"paddle.jit.save wrote no {name} in {tmp} (Paddle {paddle.__version__}; 3.x expected)")
    write_labels(tmp / LABELS, run.class_names)
    save_pdparams(tmp / PDPARAMS, model.state_dict())  # for paddle.load users; never read back here
    data = cfg["data"]
    info = {"format": FORMAT, "model": cfg["model"]["name"], "num_classes": cfg["model"]["num_classes"],
            "run": str(run.path), "weights": str(run.weights_path(weights)),
            "weights_mtime_ns": run.weights_path(weights).stat().st_mtime_ns,
            "input": {"name": "image", "shape": input_shape(cfg), "dtype": "float32"},
            "preprocess": {"kind": data["kind"], "pad_size": data["pad_size"], "image_size": data["image_size"],
                           "mean": data["mean"], "std": data["std"]},
            "paddle": paddle.__version__}
    atomic_write_text(tmp / INFO, json.dumps(info, indent=2) + "\n")
    old = out.with_name(f".{out.name}.old")
    if out.exists():
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return out


def read_export(folder: PathLike) -> Dict[str, Any]:
    """``export.json`` of an exported folder with its class names; anything else refused by name."""
    folder = Path(folder)
    path = folder / INFO
    if not path.is_file():
        raise SqzError(f"{path}: not found; export the run first with tools/export.py --run RUN_DIR")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SqzError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise SqzError(f"{path}: not a paddle_sqz export (no {FORMAT!r} tag)")
    info["class_names"] = read_labels(folder / LABELS)
    if len(info["class_names"]) != info.get("num_classes"):
        raise SqzError(f"{folder / LABELS} lists {len(info['class_names'])} classes but {path} says "
                       f"num_classes={info.get('num_classes')}")
    return info


def ensure_export(run, weights: str = "best") -> Path:
    """``RUN/export``, (re-)exported when missing, from other weights, or older than the weights file."""
    run = Run.open(run)
    folder = run.path / "export"
    source = run.weights_path(weights)
    try:
        info = read_export(folder)
        current = (info.get("weights") == str(source)
                   and info.get("weights_mtime_ns") == source.stat().st_mtime_ns)
    except SqzError:
        current = False
    if not current:
        print(f"exporting {source} to {folder} for Paddle Inference")
        export_run(run, weights)
    return folder
