"""Top-k accuracy counting and a running average, on numpy arrays."""
from typing import Dict

import numpy as np


def topk_correct(logits: np.ndarray, labels: np.ndarray, k: int) -> int:
    """How many rows have their label among the ``k`` highest logits (k capped at the class count)."""
    k = min(k, logits.shape[1])
    top = np.argpartition(-logits, k - 1, axis=1)[:, :k]
    return int((top == labels.reshape(-1, 1)).any(axis=1).sum())


class Meter:
    """Sums of loss and top-1 / top-5 hits over the batches of an epoch."""

    def __init__(self):
        self.loss_sum = 0.0
        self.top1 = 0
        self.top5 = 0
        self.count = 0

    def update(self, loss: float, logits: np.ndarray, labels: np.ndarray) -> None:
        n = len(labels)
        self.loss_sum += float(loss) * n
        self.top1 += topk_correct(logits, labels, 1)
        self.top5 += topk_correct(logits, labels, 5)
        self.count += n

    def result(self) -> Dict[str, float]:
        n = max(self.count, 1)
        return {"loss": self.loss_sum / n, "top1": self.top1 / n, "top5": self.top5 / n}
