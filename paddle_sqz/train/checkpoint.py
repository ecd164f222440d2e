"""Checkpoints written atomically, and weights loaded with shape checks.

The latest checkpoint holds everything a resume needs (model, optimizer, epoch,
best metric, loss scaler); data order, augmentation and dropout are re-seeded
from (seed, epoch), so no random state is lost with a kill -9.
"""
from pathlib import Path
from typing import Any, Dict

import paddle

from ..errors import SqzError
from ..io_utils import atomic_path
from .safe_weights import SUFFIX as SAFE_SUFFIX, load_safetensors, save_safetensors

FORMAT = "paddle_sqz.checkpoint.v1"


def save_checkpoint(path: Path, state: Dict[str, Any]) -> None:
    """Write ``state`` (plus a format tag) so that a crash leaves the previous file intact."""
    with atomic_path(path) as tmp:
        paddle.save({"format": FORMAT, **state}, str(tmp))


def load_checkpoint(path: Path) -> Dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`, refusing anything else by name."""
    state = _load(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise SqzError(f"{path}: not a paddle_sqz checkpoint (no {FORMAT!r} tag)")
    return state


def save_weights(path: Path, state_dict: Dict[str, Any]) -> None:
    """Write ``path`` (``.pdparams``, for Paddle tools) and the same weights as ``.safetensors`` beside it.

    The safetensors file is written first: a reader that prefers it never sees it older
    than the pickle beside it.
    """
    path = Path(path)
    save_safetensors(path.with_suffix(SAFE_SUFFIX), state_dict)
    with atomic_path(path) as tmp:
        paddle.save(state_dict, str(tmp))


def _load(path: Path):
    path = Path(path)
    if path.suffix == SAFE_SUFFIX:
        return load_safetensors(path)
    if not path.is_file():
        raise SqzError(f"{path}: file not found")
    try:
        return paddle.load(str(path))
    except Exception as exc:  # Paddle raises many types for a damaged file
        raise SqzError(f"{path}: cannot read weights ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})") from None


def load_weights(model: paddle.nn.Layer, source, what: str = "") -> None:
    """Load a state dict (or a ``.safetensors`` / ``.pdparams`` path) into ``model`` after checking every shape.

    A class-count mismatch names the file, the parameter and both shapes instead
    of Paddle's silent skip-with-warning.
    """
    state = _load(source) if isinstance(source, (str, Path)) else source
    where = str(source) if isinstance(source, (str, Path)) else (what or "checkpoint")
    if isinstance(state, dict) and state.get("format") == FORMAT:
        state = state["model"]
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        raise SqzError(f"{where}: weights do not fit the model: missing {missing[:3]}, unexpected {unexpected[:3]}"
                       " (another model.name or model.bypass?)")
    for key, value in own.items():
        want, got = list(value.shape), list(state[key].shape)
        if want != got:
            hint = " (model.num_classes differs from the checkpoint's)" if want[:1] != got[:1] else ""
            raise SqzError(f"{where}: {key} has shape {got} but the model expects {want}{hint}")
    model.set_state_dict(state)
