"""Which weights a run keeps, and the one look at the test split at the end.

The best epoch is chosen on the data source's selection split (validation); the test
split is evaluated once, after the last epoch, with the chosen weights and with the
last epoch's, so neither figure is picked by the test data. Every key names its split
(``val_top1``, ``test_top1``, ``last_test_top1`` ...).
"""
from typing import Any, Dict, Mapping, Optional

SPLIT_KEYS = ("loss", "top1", "top5")


def split_metrics(split: str, evaluation: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    """``{"val_loss": ..., "val_top1": ..., "val_top5": ..., "val_dead_classes": n}`` for one split."""
    out = {f"{prefix}{split}_{key}": evaluation[key] for key in SPLIT_KEYS}
    out[f"{prefix}{split}_dead_classes"] = len(evaluation.get("dead_classes", []))
    return out


def selection_key(split: str) -> str:
    return f"{split}_top1"


def best_value(best: Mapping[str, Any], split: str) -> float:
    """The best selection metric so far (-1 before the first epoch)."""
    return float(best.get(selection_key(split), -1.0))


def final_summary(split: str, best: Mapping[str, Any], last_epoch: int, selected: Mapping[str, Any],
                  last: Optional[Mapping[str, Any]], test_images: int) -> Dict[str, Any]:
    """The run's headline numbers, each named by its split, for ``summary.json``."""
    summary: Dict[str, Any] = {"selection_split": split, "selected_epoch": int(best["epoch"]),
                               "last_epoch": int(last_epoch), selection_key(split): best_value(best, split),
                               f"{split}_top5": best.get(f"{split}_top5"),
                               "test_images": int(test_images)}
    summary.update({k: v for k, v in split_metrics("test", selected).items()})
    if last is not None:
        summary.update(split_metrics("test", last, prefix="last_"))
    summary["test_dead_class_ids"] = list(selected.get("dead_classes", []))
    return summary
