"""What a network costs: parameters, bytes on disk, multiply-adds per image.

- parameters: the number of weights (``numel`` of every parameter);
- file size: the state dict written with ``paddle.save`` to a temporary folder and
  measured with ``stat`` (float32, Paddle's pickle format: a little more than 4 bytes
  per weight), not computed from the count;
- multiply-adds: counted by forward hooks during one forward pass of one image, from
  the shapes each layer actually produced: a ``Conv2D`` costs
  ``out elements x (in_channels / groups) x kh x kw``, a ``Linear`` ``in x out``.
  Bias adds, ReLU, pooling and concatenation are not counted (as in the paper's
  and torchvision's figures); FLOPs are reported as 2 x multiply-adds.
"""
import os
import tempfile
from typing import Sequence

import numpy as np
import paddle
import paddle.nn as nn


def count_parameters(model: nn.Layer) -> int:
    return int(sum(int(np.prod(p.shape)) for p in model.parameters()))


def saved_size_bytes(model: nn.Layer) -> int:
    """Bytes of ``paddle.save(model.state_dict())`` on disk (written to a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="sqz-size-") as folder:
        path = os.path.join(folder, "model.pdparams")
        paddle.save(model.state_dict(), path)
        return os.stat(path).st_size


def _layer_macs(layer: nn.Layer, output: paddle.Tensor) -> int:
    if isinstance(layer, nn.Conv2D):
        out_ch, in_per_group, kh, kw = layer.weight.shape
        return int(np.prod(output.shape[1:])) * in_per_group * kh * kw
    if isinstance(layer, nn.Linear):
        return int(np.prod(layer.weight.shape))
    return 0


@paddle.no_grad()
def count_macs(model: nn.Layer, input_shape: Sequence[int]) -> int:
    """Multiply-adds of one forward pass of a ``(1, C, H, W)`` input (see the module docstring)."""
    total = [0]

    def hook(layer, inputs, output):
        total[0] += _layer_macs(layer, output)

    handles = [layer.register_forward_post_hook(hook) for layer in model.sublayers()
               if isinstance(layer, (nn.Conv2D, nn.Linear))]
    was_training = model.training
    model.eval()
    try:
        model(paddle.zeros([1, *input_shape[1:]], dtype="float32"))
    finally:
        for handle in handles:
            handle.remove()
        if was_training:
            model.train()
    return total[0]
