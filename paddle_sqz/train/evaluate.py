"""Evaluation under ``no_grad`` in eval mode: loss, top-1, top-5 and every prediction."""
from typing import Any, Dict

import numpy as np
import paddle
import paddle.nn.functional as F

from .metrics import Meter


@paddle.no_grad()
def evaluate(model, loader) -> Dict[str, Any]:
    """Evaluate a Layer, or any callable that returns logits (a deploy predictor). Returns ``loss``, ``top1``, ``top5``, arrays ``labels``, ``preds``, ``probs``, and ``dead_classes``.

    ``dead_classes``: indices whose logit is exactly 0 on every image: SqueezeNet's final
    ReLU cuts them off, so they are never predicted, and where that holds on the training
    images too they get no gradient and stay dead. Only a ReLU (or a zeroed layer) makes a
    logit exactly 0, so other heads never report one.
    """
    was_training = model.training
    model.eval()
    meter = Meter()
    labels, probs = [], []
    alive = None
    for x, y in loader:
        logits = model(x)
        if not isinstance(logits, paddle.Tensor):  # an inference engine's numpy logits
            logits = paddle.to_tensor(logits)
        loss = F.cross_entropy(logits, y)
        logits_np, y_np = logits.numpy(), y.numpy().reshape(-1)
        meter.update(float(loss), logits_np, y_np)
        nonzero = (logits_np != 0).any(axis=0)
        alive = nonzero if alive is None else alive | nonzero
        labels.append(y_np)
        probs.append(F.softmax(logits, axis=1).numpy())
    if was_training:
        model.train()
    result: Dict[str, Any] = meter.result()
    result["labels"] = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    result["probs"] = np.concatenate(probs) if probs else np.zeros((0, 0), np.float32)
    result["preds"] = result["probs"].argmax(axis=1) if len(labels) else np.zeros(0, np.int64)
    result["dead_classes"] = [] if alive is None else [int(c) for c in np.flatnonzero(~alive)]
    return result


def dead_classes_warning(dead, class_names, split: str) -> str:
    """One line naming the dead classes (see :func:`evaluate`) and what it means."""
    names = ", ".join(str(class_names[c]) if c < len(class_names) else str(c) for c in dead)
    return (f"warning: {len(dead)} of {len(class_names)} classes output 0 for every {split} image ({names}): "
            "cut off by the final ReLU, they cannot be predicted; a class that is 0 on every training image "
            "too gets no gradient and stays dead (see README.md, 'Dead classes')")
