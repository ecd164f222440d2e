"""A model's layers with their output shapes and parameters, from one dry forward pass."""
from typing import Any, Dict, List, Sequence

import numpy as np
import paddle
import paddle.nn as nn

from .measure import count_parameters


def _units(model) -> List:
    """The layers to list: containers are opened, other layers (a Fire module, a conv) are one row."""
    seen, units = set(), []

    def visit(layer, name):
        children = list(layer.named_children())
        if children and (layer is model or isinstance(layer, (nn.Sequential, nn.LayerList))):
            for child_name, child in children:
                visit(child, f"{name}.{child_name}" if name else child_name)
        elif id(layer) not in seen:
            seen.add(id(layer))
            units.append((name, layer))

    visit(model, "")
    return units


def layer_table(model, input_shape: Sequence[int]) -> Dict[str, Any]:
    """Rows ``(layer, type, output shape, parameters)`` and the totals, as plain data."""
    rows, hooks = [], []
    for name, layer in _units(model):
        params = count_parameters(layer)

        def hook(layer, inputs, output, name=name, params=params):
            rows.append((name, type(layer).__name__, list(output.shape), params))
        hooks.append(layer.register_forward_post_hook(hook))
    was_training = model.training
    model.eval()
    with paddle.no_grad():
        output = model(paddle.zeros(list(input_shape), dtype="float32"))
    if was_training:
        model.train()
    for h in hooks:
        h.remove()
    total = count_parameters(model)
    trainable = sum(int(np.prod(p.shape)) for p in model.parameters() if not p.stop_gradient)
    return {"rows": rows, "input_shape": list(input_shape), "output_shape": list(output.shape),
            "parameters": total, "trainable": trainable}
