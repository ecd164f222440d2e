"""Checkpoints and weights without pickle, written atomically, loaded with every check.

A checkpoint is ONE ``.safetensors`` file (one atomic rename is the commit point): the
tensors (model, optimizer accumulators, loss scaler) as tensors, everything else
(epoch, best metric, seed, model name) as JSON in its header, all under the file's
sha256 (:mod:`.safe_weights`). Data order, augmentation and dropout are re-seeded from
(seed, epoch), so the seed is the only random state a resume needs.

``.pdparams`` files (pickles) are written only when asked (:func:`save_pdparams`) and
read only with ``allow_pickle=True``, which the tools expose as ``--allow-pickle``.
"""
import json
from pathlib import Path
from typing import Any, Dict, Mapping

import numpy as np
import paddle

from ..errors import SqzError
from ..io_utils import atomic_path
from .safe_weights import SUFFIX as SAFE_SUFFIX, load_tensors, save_safetensors, save_tensors

KIND = "checkpoint"
REQUIRED = ("model", "optimizer", "epoch", "best", "seed")
PICKLE_SUFFIXES = (".pdparams", ".pdckpt", ".pdopt", ".pkl", ".pickle")
PICKLE_RISK = ("is a Python pickle: loading it runs any code its author put in it (a shared run folder "
               "or a download can carry such code)")


def save_checkpoint(path: Path, state: Mapping[str, Any]) -> None:
    """Write ``state`` (nested dicts of tensors, arrays and JSON values) as one checksummed file."""
    tensors: Dict[str, np.ndarray] = {}
    tree = _split(state, "", tensors)
    save_tensors(path, tensors, {"kind": KIND, "state": json.dumps(tree, allow_nan=False)})


def load_checkpoint(path: Path) -> Dict[str, Any]:
    """The state saved by :func:`save_checkpoint`; anything else is refused by name."""
    arrays, meta = load_tensors(path)
    if meta.get("kind") != KIND:
        raise SqzError(f"{path}: a weights file, not a checkpoint (it has no optimizer state to resume from)")
    try:
        tree = json.loads(meta["state"])
        state = _join(tree, arrays)
    except (KeyError, ValueError, TypeError) as exc:
        raise SqzError(f"{path}: checkpoint state unreadable ({exc})") from None
    missing = [key for key in REQUIRED if not isinstance(state, dict) or key not in state]
    if missing or not isinstance(state["model"], dict) or not isinstance(state["best"], dict):
        raise SqzError(f"{path}: incomplete checkpoint (missing {', '.join(missing) or 'model or best entries'})")
    return state


def save_weights(path: Path, state_dict: Mapping[str, Any]) -> None:
    """Write a model's weights as ``.safetensors`` (checksummed; never a pickle)."""
    path = Path(path)
    if path.suffix != SAFE_SUFFIX:
        raise ValueError(f"{path}: weights are saved as {SAFE_SUFFIX}; use save_pdparams for Paddle's format")
    save_safetensors(path, state_dict)


def save_pdparams(path: Path, state_dict: Mapping[str, Any]) -> None:
    """Write Paddle's pickle format, for users who want ``paddle.load``; never read back by the package."""
    with atomic_path(path) as tmp:
        paddle.save(dict(state_dict), str(tmp))


def read_weights(path, allow_pickle: bool = False) -> Dict[str, Any]:
    """The model weights of a weights file, or of a checkpoint's model part."""
    path = Path(path)
    if path.suffix.lower() in PICKLE_SUFFIXES:
        return _read_pickle(path, allow_pickle)
    arrays, meta = load_tensors(path)
    if meta.get("kind") == KIND:
        return load_checkpoint(path)["model"]
    return arrays


def load_weights(model: paddle.nn.Layer, source, what: str = "", allow_pickle: bool = False) -> None:
    """Load a state dict (or a weights/checkpoint path) into ``model`` after checking every key and shape.

    A class-count mismatch names the file, the parameter and both shapes instead
    of Paddle's silent skip-with-warning.
    """
    state = read_weights(source, allow_pickle) if isinstance(source, (str, Path)) else source
    where = str(source) if isinstance(source, (str, Path)) else (what or "checkpoint")
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        raise SqzError(f"{where}: weights do not fit the model: missing {missing[:3]}, unexpected {unexpected[:3]}"
                       " (another model.name or model.bypass?)")
    for key, value in own.items():
        want, got = list(value.shape), list(np.shape(state[key]))
        if want != got:
            hint = " (model.num_classes differs from the checkpoint's)" if want[:1] != got[:1] else ""
            raise SqzError(f"{where}: {key} has shape {got} but the model expects {want}{hint}")
    model.set_state_dict(state)


def _read_pickle(path: Path, allow_pickle: bool) -> Dict[str, Any]:
    if not allow_pickle:
        raise SqzError(f"{path} {PICKLE_RISK}; it is not read unless you pass --allow-pickle, and only do "
                       "that for a file you made yourself or fully trust")
    if not path.is_file():
        raise SqzError(f"{path}: file not found")
    try:
        state = paddle.load(str(path))
    except Exception as exc:  # Paddle raises many types for a damaged file
        raise SqzError(f"{path}: cannot read weights ({type(exc).__name__})") from None
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]  # a checkpoint of an older paddle_sqz
    if not isinstance(state, dict):
        raise SqzError(f"{path}: holds no state dict")
    return state


def _split(value: Any, key: str, tensors: Dict[str, np.ndarray]) -> Any:
    """``value`` as JSON, each tensor or array replaced by ``{"$tensor": name}`` and stored in ``tensors``."""
    if isinstance(value, Mapping):
        return {str(k): _split(v, f"{key}/{k}" if key else str(k), tensors) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split(v, f"{key}/{i}", tensors) for i, v in enumerate(value)]
    if isinstance(value, (paddle.Tensor, np.ndarray)):
        name = key
        while name in tensors:
            name += "'"
        tensors[name] = np.ascontiguousarray(value.numpy() if isinstance(value, paddle.Tensor) else value)
        return {"$tensor": name}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"checkpoint value at {key!r} has type {type(value).__name__}, not saveable without pickle")


def _join(tree: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if isinstance(tree, dict):
        if set(tree) == {"$tensor"}:
            return arrays[tree["$tensor"]]
        return {k: _join(v, arrays) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_join(v, arrays) for v in tree]
    return tree

