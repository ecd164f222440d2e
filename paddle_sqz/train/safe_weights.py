"""Model weights as ``.safetensors``: a file anyone can load without running its author's code.

A ``.pdparams`` file is a Python pickle, and unpickling a stranger's file can execute
anything. ``.safetensors`` is a JSON header plus raw tensor bytes, read here with the
numpy API of the ``safetensors`` package (no pickle, no Paddle). Writes are atomic.
"""
from pathlib import Path
from typing import Any, Dict

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from ..errors import SqzError
from ..io_utils import PathLike, atomic_path

FORMAT = "paddle_sqz.weights.v1"
SUFFIX = ".safetensors"


def _as_array(value: Any) -> np.ndarray:
    array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
    return np.ascontiguousarray(array)


def save_safetensors(path: PathLike, state_dict: Dict[str, Any]) -> None:
    """Write a state dict (Paddle tensors or arrays) to ``path`` atomically."""
    arrays = {key: _as_array(value) for key, value in state_dict.items()}
    with atomic_path(path) as tmp:
        save_file(arrays, str(tmp), metadata={"format": FORMAT})


def load_safetensors(path: PathLike) -> Dict[str, np.ndarray]:
    """The arrays of a ``.safetensors`` file; a missing or damaged file is one error naming it."""
    path = Path(path)
    if not path.is_file():
        raise SqzError(f"{path}: file not found")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise SqzError(f"{path}: not a readable .safetensors file ({str(exc).splitlines()[0][:120]})") from None
