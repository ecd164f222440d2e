"""Magnitude pruning: zero the smallest weights, per layer or with one global threshold.

Only weight tensors (two or more dimensions: conv kernels, dense matrices) are
pruned; biases are few and each one shifts a whole channel. Masks are ``True``
where a weight is kept. :class:`MaskKeeper` holds pruned weights at zero during
fine-tuning, so the normal trainer can retrain the survivors.
"""
from typing import Dict, Mapping, Tuple

import numpy as np
import paddle

from ..errors import SqzError
from ..models.measure import count_parameters

SCOPES = ("layer", "global")
FLOAT_BYTES = 4


def state_of(model: paddle.nn.Layer) -> Dict[str, np.ndarray]:
    """The model's weights as float32 numpy arrays, by state-dict name."""
    return {k: np.asarray(v.numpy(), np.float32) for k, v in model.state_dict().items()}


def fp32_bytes(model: paddle.nn.Layer) -> int:
    """Bytes of the parameters as float32, each parameter counted once (the paper's 'size')."""
    return FLOAT_BYTES * count_parameters(model)


def prune(state: Mapping[str, np.ndarray], sparsity: float,
          scope: str = "layer") -> Tuple[Dict[str, np.ndarray], Dict[str, np.ndarray]]:
    """``(pruned state, keep-masks)``."""
    masks = magnitude_masks(state, sparsity, scope)
    return apply_masks(state, masks), masks


def is_prunable(name: str, value: np.ndarray) -> bool:
    """Weights with two or more dimensions; never biases or normalisation statistics."""
    return value.ndim >= 2 and np.issubdtype(value.dtype, np.floating)


def magnitude_masks(state: Mapping[str, np.ndarray], sparsity: float,
                    scope: str = "layer") -> Dict[str, np.ndarray]:
    """Keep-masks that zero the fraction ``sparsity`` of the prunable weights with the smallest |w|.

    ``layer``: every tensor loses the same fraction; ``global``: one threshold over all
    of them, so big redundant layers (SqueezeNet's conv10) lose more than small ones.
    """
    if not 0.0 <= sparsity < 1.0:
        raise SqzError(f"--sparsity must be in [0, 1), got {sparsity}")
    if scope not in SCOPES:
        raise SqzError(f"--scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    weights = {k: np.abs(np.asarray(v)) for k, v in state.items() if is_prunable(k, np.asarray(v))}
    if scope == "global" and weights:
        everything = np.concatenate([w.reshape(-1) for w in weights.values()])
        threshold = _threshold(everything, sparsity)
        return {k: w > threshold for k, w in weights.items()}
    return {k: _keep_exact(w, sparsity) for k, w in weights.items()}


def _threshold(magnitudes: np.ndarray, sparsity: float) -> float:
    """The magnitude below which ``sparsity`` of ``magnitudes`` lie (-1: prune nothing)."""
    count = int(round(sparsity * magnitudes.size))
    if count == 0:
        return -1.0
    return float(np.partition(magnitudes, count - 1)[count - 1])


def _keep_exact(magnitudes: np.ndarray, sparsity: float) -> np.ndarray:
    """Drop exactly round(sparsity * size) smallest weights (ties cut by position)."""
    count = int(round(sparsity * magnitudes.size))
    keep = np.ones(magnitudes.size, bool)
    keep[np.argsort(magnitudes.reshape(-1), kind="stable")[:count]] = False
    return keep.reshape(magnitudes.shape)


def apply_masks(state: Mapping[str, np.ndarray], masks: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """A copy of ``state`` with the masked weights set to zero."""
    return {k: (np.asarray(v) * masks[k]).astype(np.asarray(v).dtype) if k in masks else np.asarray(v)
            for k, v in state.items()}


def sparsity_of(state: Mapping[str, np.ndarray]) -> float:
    """Fraction of zeros over all prunable weights (what the pruning actually achieved)."""
    weights = [np.asarray(v) for k, v in state.items() if is_prunable(k, np.asarray(v))]
    total = sum(w.size for w in weights)
    return float(sum(int((w == 0).sum()) for w in weights) / total) if total else 0.0


class MaskKeeper:
    """Re-zeroes pruned weights before every forward pass of ``model``.

    Registered as a forward pre-hook, it undoes whatever the optimizer step did to
    pruned weights, so fine-tuning (and the weights the trainer saves after its
    evaluation pass) keeps the sparsity exactly.
    """

    def __init__(self, model: paddle.nn.Layer, masks: Mapping[str, np.ndarray]):
        params = model.state_dict()  # every name, aliases included (they share one tensor)
        missing = [k for k in masks if k not in params]
        if missing:
            raise SqzError(f"pruning masks name parameters the model lacks: {missing[:3]}")
        self._pairs = [(params[k], paddle.to_tensor(m.astype("float32"))) for k, m in masks.items()]
        self.apply()
        self._handle = model.register_forward_pre_hook(lambda layer, inputs: self.apply())

    @paddle.no_grad()
    def apply(self) -> None:
        for param, mask in self._pairs:
            param.set_value(param * mask)

    def remove(self) -> None:
        self._handle.remove()
