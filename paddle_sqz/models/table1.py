"""The rows of the paper's Table 1 for any SqueezeNet the package builds (report.table1 formats them).

Rows come from one forward pass (output sizes as Paddle computes them) and the layers'
own weights (filter counts, parameters): nothing is copied from the paper. Layer names
follow the paper: conv1, maxpool1, fire2..fire9, maxpool4/8 (v1.0; v1.1 pools after
conv1, fire3, fire5), conv10, avgpool10. At the paper's 227x227 input, v1.0's output
sizes are the paper's (111, 55, 27, 13); torchvision-style 224 gives 109, 54, 27, 13.
"""
from typing import Any, Dict, List, NamedTuple, Sequence

import paddle
import paddle.nn as nn

from ..errors import SqzError
from .measure import count_parameters
from .squeezenet import Fire

class Row(NamedTuple):
    layer: str
    output: str
    filter: str
    depth: str
    s1x1: str
    e1x1: str
    e3x3: str
    bypass: str
    parameters: int


def _params(layer: nn.Layer) -> int:
    return count_parameters(layer)


def _size(shape: Sequence[int]) -> str:
    return f"{shape[2]}x{shape[3]}x{shape[1]}"


def _kernel(layer) -> str:
    if isinstance(layer, nn.MaxPool2D):
        k, s = layer.ksize, layer.stride
    else:
        k, s = layer._kernel_size, layer._stride
    k = k[0] if isinstance(k, (list, tuple)) else k
    s = s[0] if isinstance(s, (list, tuple)) else s
    return f"{k}x{k}/{s}"


def _describe(layer: nn.Layer, last: str, fire_no: int) -> tuple:
    """(name, filter text, depth, s1x1, e1x1, e3x3, bypass) of a features layer, or None to skip it."""
    if isinstance(layer, Fire):
        return (f"fire{fire_no}", "", "2", str(layer.squeeze.weight.shape[0]),
                str(layer.expand1x1.weight.shape[0]), str(layer.expand3x3.weight.shape[0]),
                {"none": "", "identity": "identity", "conv": "1x1 conv"}[layer.shortcut])
    if isinstance(layer, nn.Conv2D):
        return ("conv1", _kernel(layer), "1", "", "", "", "")
    if isinstance(layer, nn.MaxPool2D):
        return (f"maxpool{last}", _kernel(layer), "1", "", "", "", "")
    return None


def table1_rows(model: nn.Layer, input_size: int = 227) -> List[Row]:
    """The rows for a SqueezeNet (anything with ``features``, ``classifier`` and ``final_conv``)."""
    if not all(hasattr(model, a) for a in ("features", "classifier", "final_conv")):
        raise SqzError(f"model.name: Table 1 is for SqueezeNet models, not {type(model).__name__}")
    shapes: Dict[int, List[int]] = {}
    handles = [layer.register_forward_post_hook(
        lambda layer, inputs, output, key=id(layer): shapes.__setitem__(key, list(output.shape)))
        for layer in [*model.features, *model.classifier]]
    in_channels = next(l for l in model.features if isinstance(l, nn.Conv2D)).weight.shape[1]
    was_training = model.training
    model.eval()
    try:
        with paddle.no_grad():
            model(paddle.zeros([1, in_channels, input_size, input_size], dtype="float32"))
    finally:
        for h in handles:
            h.remove()
        if was_training:
            model.train()
    rows, last, fire_no = [], "1", 2
    for layer in model.features:
        described = _describe(layer, last, fire_no)
        if described is None:
            continue
        name = described[0]
        if name.startswith("fire"):
            last, fire_no = str(fire_no), fire_no + 1
        rows.append(Row(name, _size(shapes[id(layer)]), *described[1:], _params(layer)))
    conv10, pool = model.final_conv, model.classifier[-1]
    rows.append(Row("conv10", _size(shapes[id(conv10)]), _kernel(conv10), "1", "", "", "", "", _params(conv10)))
    pool_in = shapes[id(conv10)][2]
    rows.append(Row("avgpool10", _size(shapes[id(pool)]), f"{pool_in}x{pool_in}/1", "1", "", "", "", "", 0))
    return rows
