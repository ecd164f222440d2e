"""Tensor files (``.safetensors``) that cannot run code and that check themselves when read.

A ``.pdparams`` file is a Python pickle: unpickling a stranger's file can execute
anything, so the package never reads one unless the user says so (``--allow-pickle``).
A ``.safetensors`` file is a JSON header plus raw tensor bytes, read with the numpy API
of the ``safetensors`` package (no pickle, no Paddle). Each file written here carries,
in its header, a sha256 over its metadata and every tensor's name, dtype, shape and
bytes; reading recomputes it, so one flipped byte stops the load with the file's name.
NaN or infinite values are refused too: such weights only ever give garbage.
"""
import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save

from ..errors import SqzError
from ..io_utils import PathLike, atomic_write_bytes

FORMAT = "paddle_sqz.tensors.v2"
SUFFIX = ".safetensors"
_RESERVED = ("format", "sha256")


def _as_array(value: Any) -> np.ndarray:
    array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
    return np.ascontiguousarray(array)


def digest(arrays: Mapping[str, np.ndarray], meta: Mapping[str, str]) -> str:
    """sha256 over the metadata and each tensor's name, dtype, shape and bytes (order-independent)."""
    h = hashlib.sha256(json.dumps(dict(meta), sort_keys=True).encode("utf-8"))
    for name in sorted(arrays):
        array = arrays[name]
        h.update(json.dumps([name, array.dtype.str, list(array.shape)]).encode("utf-8"))
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def save_tensors(path: PathLike, tensors: Mapping[str, Any], meta: Mapping[str, str] = None) -> None:
    """Write ``tensors`` (Paddle tensors or arrays) and string ``meta`` to ``path`` atomically, checksummed."""
    meta = dict(meta or {})
    if any(key in meta for key in _RESERVED):
        raise ValueError(f"metadata keys {_RESERVED} are reserved")
    arrays = {key: _as_array(value) for key, value in tensors.items()}
    header = {"format": FORMAT, **meta}
    header["sha256"] = digest(arrays, header)
    atomic_write_bytes(path, save(arrays, metadata=header))  # I/O errors: one line naming the file


def load_tensors(path: PathLike) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """``(arrays, metadata)`` of a file written by :func:`save_tensors`; any fault is one line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise SqzError(f"{path}: file not found")
    try:
        with safe_open(str(path), framework="numpy") as f:
            header = dict(f.metadata() or {})
            arrays = {key: f.get_tensor(key) for key in f.keys()}
    except (SafetensorError, ValueError, TypeError, OverflowError) as exc:
        raise SqzError(f"{path}: not a readable .safetensors file ({_first_line(exc)})") from None
    except MemoryError:
        raise SqzError(f"{path}: not a readable .safetensors file (a size in its header is too large)") from None
    if header.get("format") != FORMAT:
        raise SqzError(f"{path}: not written by paddle_sqz (no {FORMAT!r} tag in its header); "
                       "only weights and checkpoints saved by this package are read")
    stored = header.pop("sha256", None)
    if stored != digest(arrays, header):
        raise SqzError(f"{path}: checksum mismatch: the file was modified or damaged after it was written")
    for key, array in arrays.items():
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            raise SqzError(f"{path}: tensor {key!r} holds NaN or infinite values (training diverged?)")
    header.pop("format")
    return arrays, header


def save_safetensors(path: PathLike, state_dict: Mapping[str, Any]) -> None:
    """Write a model's state dict as checksummed weights."""
    save_tensors(path, state_dict, {"kind": "weights"})


def load_safetensors(path: PathLike) -> Dict[str, np.ndarray]:
    """The arrays of a weights or checkpoint file, after every check of :func:`load_tensors`."""
    return load_tensors(path)[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0][:120] if text else type(exc).__name__)
