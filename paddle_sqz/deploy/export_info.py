"""The export folder's contract: its file names and ``export.json`` (labels, preprocessing, formats).

Every engine reads the class names (``labels.txt``) and the preprocessing (``export.json``'s
``preprocess``, the run's evaluation transform) from here: one place, no copy in code.
"""
import json
from pathlib import Path
from typing import Any, Dict

from ..data.labels import read_labels
from ..errors import SqzError
from ..io_utils import PathLike, atomic_write_text

FORMAT = "paddle_sqz.export.v1"
INFO = "export.json"
LABELS = "labels.txt"
MODEL_FILE = "inference.json"   # Paddle 3 (PIR) program
PARAMS_FILE = "inference.pdiparams"
FORMATS = ("paddle", "onnx", "lite")


def write_info(folder: PathLike, info: Dict[str, Any]) -> Path:
    path = Path(folder) / INFO
    atomic_write_text(path, json.dumps({"format": FORMAT, **info}, indent=2, ensure_ascii=False) + "\n")
    return path


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
    for key in ("preprocess", "num_classes"):
        if key not in info:
            raise SqzError(f"{path}: no {key!r} key (re-export the run with tools/export.py)")
    info["class_names"] = read_labels(folder / LABELS)
    if len(info["class_names"]) != info.get("num_classes"):
        raise SqzError(f"{folder / LABELS} lists {len(info['class_names'])} classes but {path} says "
                       f"num_classes={info.get('num_classes')}")
    info.setdefault("formats", {"paddle": {"program": MODEL_FILE, "params": PARAMS_FILE}})
    return info
