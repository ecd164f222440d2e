"""Export a trained run for deployment: Paddle Inference, ONNX (+ int8), Paddle Lite.

``RUN/export/`` (or ``out_dir``) gets, by format:

- ``paddle``: ``inference.json`` + ``inference.pdiparams`` (Paddle 3's PIR program, for
  Paddle Inference; always written, the other formats are converted from it or beside it);
- ``onnx``: ``model.onnx`` (opset 13, free batch), and with ``int8`` ``model_int8.onnx``,
  ONNX Runtime's static int8 calibrated on the run's own training images;
- ``lite``: ``lite/inference.pdmodel`` (the legacy program Paddle Lite reads), converted to
  ``lite/model_{arm,x86}.nb`` when ``paddle_lite_opt`` is installed; the exact command is
  in ``export.json`` either way.

Beside them ``model.pdparams`` for ``paddle.load`` users (a pickle: written only here,
never read by the package), ``labels.txt`` and ``export.json`` (model, classes, input shape, the run's
evaluation preprocessing, the formats written): the folder alone is enough to predict with
any engine. It is built under a temporary name and renamed into place, so a stopped export
never leaves a half-written folder that looks complete. ``weights`` may be a ``.sqz`` file
(Deep Compression): it is decoded into the model, which then exports like any other.
"""
import shutil
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Sequence

import numpy as np
import paddle

from ..data.labels import write_labels
from ..errors import SqzError
from ..io_utils import PathLike
from ..runs import Run
from ..train.checkpoint import save_pdparams
from . import lite, onnx_export
from .export_info import FORMATS, LABELS, MODEL_FILE, PARAMS_FILE, read_export, write_info

__all__ = ["MODEL_FILE", "PARAMS_FILE", "read_export", "export_run", "ensure_export"]

CALIBRATION_IMAGES = 256
PDPARAMS = "model.pdparams"


def input_shape(cfg: Dict[str, Any]) -> list:
    """``[None, C, H, W]``: what the run's evaluation transform produces, any batch size."""
    size = cfg["data"]["image_size"]
    return [None, cfg["model"]["in_channels"], size, size]


def available_formats() -> list:
    """What ``--format`` defaults to: paddle and lite always (Lite's program needs nothing
    extra), onnx when the onnx extra is installed."""
    try:
        onnx_export.require_onnx()
        return ["paddle", "onnx", "lite"]
    except SqzError:
        return ["paddle", "lite"]


def weights_file(run: Run, weights: str) -> Path:
    """The file ``weights`` names: ``best`` / ``latest`` in the run, or a ``.sqz`` path (made absolute)."""
    if str(weights).endswith(".sqz"):
        path = Path(weights).expanduser().resolve()
        if not path.is_file():
            raise SqzError(f"--weights: {path} not found")
        return path
    return run.weights_path(weights)


def calibration_batches(run: Run, images: int) -> Iterator[np.ndarray]:
    """``images`` training images of the run (shuffled by its seed), through its own pipeline."""
    if images < 1:
        raise SqzError(f"--calib-images: at least 1, got {images}")
    loader, _ = run.source.loader(run.source.dataset("train"), run.cfg["train"]["batch_size"], train=True)
    left = images
    for x, _ in loader:
        batch = x.numpy()[:left]
        left -= len(batch)
        yield batch
        if left <= 0:
            return


def export_run(run, weights: str = "best", out_dir: Optional[PathLike] = None,
               formats: Optional[Sequence[str]] = None, int8: bool = False,
               calib_images: int = CALIBRATION_IMAGES, opset: int = onnx_export.OPSET,
               allow_pickle: bool = False) -> Path:
    """Write the export folder of ``run`` (a :class:`Run` or its folder; see the module docstring)."""
    formats = list(formats or available_formats())
    for name in formats:
        if name not in FORMATS:
            raise SqzError(f"--format: unknown format {name!r}; valid: {', '.join(FORMATS)}")
    if "onnx" in formats and opset < onnx_export.OPSET:
        raise SqzError(f"--opset: at least {onnx_export.OPSET} (int8's per-channel DequantizeLinear needs it), "
                       f"got {opset}")
    if int8 and "onnx" not in formats:
        raise SqzError("--int8: the int8 model is an ONNX one; add --format onnx")
    if "onnx" in formats:
        onnx_export.require_onnx()
    run = Run.open(run, allow_pickle=allow_pickle)
    source = weights_file(run, weights)
    model = run.fresh_model(str(source) if str(weights).endswith(".sqz") else weights)
    out = Path(out_dir) if out_dir else run.path / "export"
    if out.exists() and not (out / "export.json").is_file():
        raise SqzError(f"--out: {out} exists and is not an exported model folder; choose another folder")
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cfg = run.cfg
    spec = paddle.static.InputSpec(shape=input_shape(cfg), dtype="float32", name="image")
    paddle.jit.save(model, str(tmp / "inference"), input_spec=[spec])
    for name in (MODEL_FILE, PARAMS_FILE):
        if not (tmp / name).is_file():
            raise SqzError(f"paddle.jit.save wrote no {name} in {tmp} (Paddle {paddle.__version__}; 3.x expected)")
    written: Dict[str, Any] = {"paddle": {"program": MODEL_FILE, "params": PARAMS_FILE}}
    if "onnx" in formats:
        onnx_export.paddle_to_onnx(tmp / MODEL_FILE, tmp / PARAMS_FILE, tmp / onnx_export.ONNX_FILE, opset)
        written["onnx"] = {"file": onnx_export.ONNX_FILE, "opset": opset}
        if int8:
            seen = onnx_export.quantize_onnx(tmp / onnx_export.ONNX_FILE, tmp / onnx_export.ONNX_INT8_FILE,
                                             calibration_batches(run, calib_images))
            written["onnx_int8"] = {"file": onnx_export.ONNX_INT8_FILE, "calibration_images": seen,
                                    "calibration_split": "train", "method": "onnxruntime quantize_static, "
                                    "QDQ, per-channel int8 weights, uint8 activations, MinMax"}
    if "lite" in formats:
        lite.save_legacy_program(model, tmp / lite.LITE_DIR, spec)
        nbs = lite.convert(tmp / lite.LITE_DIR)
        # the command as it will read once the folder is in place
        written["lite"] = {"program": f"{lite.LITE_DIR}/{lite.LEGACY_PROGRAM}", "nb": nbs,
                           "opt_commands": {t: lite.command_text(out / lite.LITE_DIR, t) for t in lite.TARGETS}}
    write_labels(tmp / LABELS, run.class_names)
    save_pdparams(tmp / PDPARAMS, model.state_dict())  # for paddle.load users; never read back here
    save_pdparams(tmp / PDPARAMS, model.state_dict())  # for paddle.load users; never read back here
    data = cfg["data"]
    write_info(tmp, {"model": cfg["model"]["name"], "num_classes": cfg["model"]["num_classes"],
                     "run": str(run.path), "weights": str(source), "weights_choice": str(weights),
                     "weights_mtime_ns": source.stat().st_mtime_ns,
                     "input": {"name": "image", "shape": input_shape(cfg), "dtype": "float32"},
                     "preprocess": {"kind": data["kind"], "pad_size": data["pad_size"],
                                    "image_size": data["image_size"], "mean": data["mean"], "std": data["std"]},
                     "formats": written, "paddle": paddle.__version__})
    old = out.with_name(f".{out.name}.old")
    if out.exists():
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return out


# what each engine needs in the export folder: (format key in export.json, --format, --int8)
ENGINE_NEEDS = {"inference": ("paddle", "paddle", False), "onnxruntime": ("onnx", "onnx", False),
                "onnxruntime-int8": ("onnx_int8", "onnx", True), "lite": ("lite", "lite", False)}


def ensure_export(run, weights: str = "best", engine: str = "inference") -> Path:
    """``RUN/export`` with what ``engine`` needs, (re-)exported when missing, made from other
    weights, older than the weights file, or lacking the engine's format (formats already
    there are kept)."""
    run = Run.open(run)
    folder = run.path / "export"
    source = weights_file(run, weights)
    key, fmt, int8 = ENGINE_NEEDS.get(engine, ENGINE_NEEDS["inference"])
    try:
        info = read_export(folder)
        current = (info.get("weights") == str(source)
                   and info.get("weights_mtime_ns") == source.stat().st_mtime_ns)
        have = set(info["formats"]) if current else set()
    except SqzError:
        current, have = False, set()
    if key in have:
        return folder
    formats = sorted({fmt} | ({k for k in have if k in FORMATS}))
    int8 = int8 or "onnx_int8" in have
    print(f"exporting {source} to {folder} ({', '.join(formats)}{', int8' if int8 else ''})")
    export_run(run, weights, formats=formats, int8=int8)
    return folder


def summary_lines(info: Dict[str, Any], folder: Path) -> list:
    """What tools/export.py prints: the model, each file written, the Lite command when not run."""
    lines = [f"exported {info['model']} ({info['num_classes']} classes, input {info['input']['shape']}) "
             f"from {info['weights']}"]
    formats = info["formats"]
    for key in ("paddle", "onnx", "onnx_int8"):
        if key in formats:
            files = [formats[key]["program"], formats[key]["params"]] if key == "paddle" else [formats[key]["file"]]
            for name in files:
                lines.append(f"wrote {folder / name} ({(folder / name).stat().st_size / 1e6:.2f} MB)")
    if "lite" in formats:
        lines.append(f"wrote {folder / formats['lite']['program']} (legacy program for Paddle Lite)")
        for target, name in formats["lite"]["nb"].items():
            path = folder / lite.LITE_DIR / name
            lines.append(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, Paddle Lite {target})")
        if not formats["lite"]["nb"]:
            lines.append(f"paddle_lite_opt not found ({lite.INSTALL_LITE}); convert with:")
            lines += [f"  {cmd}" for cmd in formats["lite"]["opt_commands"].values()]
    lines.append(f"wrote {folder}")
    return lines
