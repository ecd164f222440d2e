"""Save a state dict as a ``.sqz`` file and load one back as float weights of a Paddle model.

The header also records which model the weights belong to, so loading a file into
a run of another architecture or class count fails by name, not with a wrong model.
"""
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

import numpy as np
import paddle

from ..errors import SqzError
from ..io_utils import PathLike
from ..models import model_info
from ..train.checkpoint import load_weights
from . import container
from .pruning import sparsity_of
from .state_codec import decode_state, encode_state

FORMAT = "paddle_sqz.compressed"


def model_identity(model_cfg: Mapping[str, Any]) -> Dict[str, Any]:
    """The model's name and every argument its builder declares: what the weights belong to."""
    return {"name": model_cfg["name"], **{k: model_cfg.get(k) for k in model_info(model_cfg["name"]).args}}


def save_compressed(path: PathLike, state: Mapping[str, Any], model_cfg: Mapping[str, Any], bits: int,
                    method: str = "kmeans", bias_bits: int = 8, **settings) -> Dict[str, Any]:
    """Write ``state`` (zeros = pruned) to ``path``; returns its size and what the bytes hold."""
    arrays = {k: np.asarray(v.numpy() if hasattr(v, "numpy") else v, np.float32) for k, v in state.items()}
    records, payload, sizes = encode_state(arrays, bits, method, bias_bits)
    header = {"format": FORMAT, "model": model_identity(model_cfg),
              "settings": {"bits": bits, "method": method, "bias_bits": bias_bits,
                           "sparsity": round(sparsity_of(arrays), 6), **settings},
              "tensors": records}
    size = container.write(path, header, payload)
    coded = sum(sizes["streams"].get(k, 0) for k in ("positions", "indices"))
    return {"path": str(path), "bytes": size, "streams": sizes["streams"], "overhead": size - len(payload),
            "codecs": {**sizes["codecs"], "best per stream": coded},
            "sparsity": sparsity_of(arrays), "bits": bits}


def load_compressed(path: PathLike) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
    """``(header, float32 state dict)`` of a ``.sqz`` file, every check done."""
    header, payload = container.read(path)
    if (header.get("format") != FORMAT or not isinstance(header.get("tensors"), list)
            or not isinstance(header.get("model", {}), dict)):
        raise SqzError(f"{path}: header is not a {FORMAT} header")
    return header, decode_state(header["tensors"], payload, str(path))


def load_compressed_into(model: paddle.nn.Layer, path: PathLike, model_cfg: Mapping[str, Any]) -> Dict[str, Any]:
    """Decode ``path`` into ``model`` (float weights) after checking it was made for this model."""
    header, state = load_compressed(path)
    saved, own = header.get("model", {}), model_identity(model_cfg)
    for key, value in own.items():
        if key in saved and saved[key] is not None and saved[key] != value:
            raise SqzError(f"{path}: compressed from a model with model.{key}={saved[key]!r}, "
                           f"but this run has {value!r}")
    load_weights(model, {k: paddle.to_tensor(v) for k, v in state.items()}, what=str(Path(path)))
    return header
