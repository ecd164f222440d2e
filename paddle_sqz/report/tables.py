"""Text tables: a model's layer summary and an evaluation summary, from plain data."""
from typing import Any, Dict


def shows_top5(num_classes: int) -> bool:
    """Top-5 says something only with more than 5 classes: with 5 or fewer it is always 100%."""
    return num_classes > 5


def format_accuracy(top1: float, top5: float, num_classes: int) -> str:
    """``top-1 X%  top-5 Y%``, or ``top-1 X%`` alone where top-5 means nothing."""
    return f"top-1 {top1:.2%}" + (f"  top-5 {top5:.2%}" if shows_top5(num_classes) else "")


def format_model_summary(table: Dict[str, Any]) -> str:
    """Layer, type, output shape and parameters per row, then totals (from ``models.layer_table``)."""
    rows, total = table["rows"], table["parameters"]
    width = max([len(r[0]) for r in rows] + [5])
    lines = [f"{'layer':<{width}}  {'type':<18} {'output shape':<22} {'params':>12}", "-" * (width + 56)]
    for name, kind, shape, params in rows:
        lines.append(f"{name:<{width}}  {kind:<18} {str(shape):<22} {params:>12,}")
    lines += ["-" * (width + 56), f"input shape: {table['input_shape']}", f"output shape: {table['output_shape']}",
              f"total parameters: {total:,}", f"trainable parameters: {table['trainable']:,}",
              f"size as float32: {total * 4 / 1024 ** 2:.2f} MB"]
    return "\n".join(lines)


def format_eval_summary(summary: Dict[str, Any]) -> str:
    """Top-1 / top-5, per-class accuracy and the confusion matrix as text."""
    names = summary["class_names"]
    width = max(len(n) for n in names)
    lines = [f"{summary['images']} images from {summary['list']}",
             f"{format_accuracy(summary['top1'], summary['top5'], len(names))}  loss {summary['loss']:.4f}",
             "", f"{'class':<{width}}  accuracy"]
    for name in names:
        acc = summary["per_class"][name]
        dead = "   dead: logit 0 on every image" if name in summary.get("dead_classes", ()) else ""
        lines.append(f"{name:<{width}}  {'n/a (no images)' if acc is None or acc != acc else f'{acc:.2%}'}{dead}")
    lines += ["", "confusion matrix (rows: true, columns: predicted)"]
    lines.append(" " * (width + 2) + " ".join(f"{i:>5}" for i in range(len(names))))
    for i, (name, row) in enumerate(zip(names, summary["confusion"])):
        lines.append(f"{name:<{width}}  " + " ".join(f"{v:>5}" for v in row) + f"   ({i})")
    return "\n".join(lines)
