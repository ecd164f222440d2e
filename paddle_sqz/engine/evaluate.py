"""Evaluation under ``no_grad`` in eval mode: loss, top-1, top-5 and every prediction."""
from typing import Any, Dict

import numpy as np
import paddle
import paddle.nn.functional as F

from .metrics import Meter


@paddle.no_grad()
def evaluate(model: paddle.nn.Layer, loader) -> Dict[str, Any]:
    """Returns ``loss``, ``top1``, ``top5`` and arrays ``labels``, ``preds``, ``probs``."""
    was_training = model.training
    model.eval()
    meter = Meter()
    labels, probs = [], []
    for x, y in loader:
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        logits_np, y_np = logits.numpy(), y.numpy().reshape(-1)
        meter.update(float(loss), logits_np, y_np)
        labels.append(y_np)
        probs.append(F.softmax(logits, axis=1).numpy())
    if was_training:
        model.train()
    result: Dict[str, Any] = meter.result()
    result["labels"] = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    result["probs"] = np.concatenate(probs) if probs else np.zeros((0, 0), np.float32)
    result["preds"] = result["probs"].argmax(axis=1) if len(labels) else np.zeros(0, np.int64)
    return result
