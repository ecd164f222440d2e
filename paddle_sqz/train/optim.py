"""The optimizer and the learning-rate schedule of a config's ``train`` section."""
import math
from typing import Any, Dict

import paddle


def build_optimizer(cfg: Dict[str, Any], parameters):
    t = cfg["train"]
    lr, wd = t["lr"], t["weight_decay"] or None
    if t["optimizer"] == "adam":
        return paddle.optimizer.Adam(learning_rate=lr, parameters=parameters, weight_decay=wd)
    if t["optimizer"] == "adamw":
        return paddle.optimizer.AdamW(learning_rate=lr, parameters=parameters, weight_decay=t["weight_decay"])
    if t["optimizer"] == "momentum":
        return paddle.optimizer.Momentum(learning_rate=lr, momentum=t["momentum"], parameters=parameters,
                                         weight_decay=wd)
    return paddle.optimizer.SGD(learning_rate=lr, parameters=parameters, weight_decay=wd)


def lr_at(cfg: Dict[str, Any], epoch: int) -> float:
    """The learning rate of 1-based ``epoch``: a pure function of the epoch, so resuming is exact."""
    t = cfg["train"]
    progress = (epoch - 1) / t["epochs"]
    if t["lr_schedule"] == "cosine":
        return t["lr"] * 0.5 * (1 + math.cos(math.pi * progress))
    if t["lr_schedule"] == "poly":
        return t["lr"] * (1 - progress)
    return t["lr"]
