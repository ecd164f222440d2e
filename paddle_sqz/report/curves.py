"""Training curves from ``metrics.jsonl`` records (the tutorial's section 6).

Records are one dict per epoch: ``epoch`` (1-based), ``train_loss``,
``train_top1``, ``val_loss``, ``val_top1`` and optionally ``val_top5``, ``test_*``
(per-epoch test curves, drawn but never used to choose the epoch) and ``lr``. A key
missing from every record skips that line; a key missing from some records draws the
epochs that have it.
"""
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from ..errors import SqzError
from . import PathLike, new_figure, save_png
from .fonts import font_for_text
from .tables import shows_top5

# Up to this many points a line also gets markers, so a 1-epoch run still shows a dot.
_MARKER_LIMIT = 30

# Train is drawn first as a wide pale line, the evaluation split on top of it thin and
# dashed with other markers: where the two are equal both stay visible.
_UNDER = {"linewidth": 4.0, "alpha": 0.45, "marker": "o", "markersize": 7}
_OVER = {"linewidth": 1.6, "marker": "s", "markersize": 3.5}
_TEST = {"linewidth": 1.2, "marker": "^", "markersize": 3.5, "color": "tab:red", "alpha": 0.8}
_ACCURACY_SERIES = (  # key, label, line style, line properties
    ("train_top1", "train top-1", "-", _UNDER),
    ("val_top1", "validation top-1 (chooses the epoch)", "--", _OVER),
    ("val_top5", "validation top-5", ":", _OVER),
    ("test_top1", "test top-1 (not used to choose)", "-.", _TEST),
)
_LOSS_SERIES = (("train_loss", "train loss", "-", _UNDER), ("val_loss", "validation loss", "--", _OVER),
                ("test_loss", "test loss", "-.", _TEST))


def selection_key(history: Sequence[Mapping[str, Any]], metric: str = "top1") -> str:
    """``val_<metric>``: the split every run chooses its epoch on."""
    return f"val_{metric}"


def _series(history: Sequence[Mapping[str, Any]], key: str,
            scale: float = 1.0) -> Tuple[List[int], List[float]]:
    points = [(int(r["epoch"]), scale * float(r[key])) for r in history if r.get(key) is not None]
    return [e for e, _ in points], [v for _, v in points]


def _scale(key: str) -> float:
    """Accuracies are stored as fractions and drawn in percent, like every report."""
    return 100.0 if "top" in key else 1.0


def _plot_series(ax: Axes, history: Sequence[Mapping[str, Any]], key: str, label: str,
                 style: str, **line: Any) -> bool:
    epochs, values = _series(history, key, _scale(key))
    if not epochs:
        return False
    line = {"marker": "o", "markersize": 4, **line}
    if len(epochs) > _MARKER_LIMIT:
        line["marker"] = None
    ax.plot(epochs, values, style, label=label, **line)
    return True


def _style_axes(ax: Axes, title: str, ylabel: str, epochs: Sequence[int]) -> None:
    """Integer epoch ticks; the x range is padded so 1 epoch is not a 0-width axis."""
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    first, last = min(epochs), max(epochs)
    pad = max(0.5, 0.03 * (last - first))
    ax.set_xlim(first - pad, last + pad)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.grid(True, alpha=0.3)


def plot_curves(history: Sequence[Mapping[str, Any]], path: PathLike,
                title: Optional[str] = None, num_classes: Optional[int] = None) -> str:
    """Accuracy and loss panels side by side, like the tutorial; returns ``path``.

    With ``num_classes`` of 5 or fewer the eval top-5 line (always 100%) is left out.
    """
    if not history:
        raise SqzError(f"{path}: no epoch records to plot")
    fig = new_figure(12, 4.2)
    acc_ax, loss_ax = fig.subplots(1, 2)

    for key, label, style, line in _ACCURACY_SERIES:
        if key.endswith("_top5") and num_classes is not None and not shows_top5(num_classes):
            continue
        _plot_series(acc_ax, history, key, label, style, **line)
    epochs = [int(r["epoch"]) for r in history]
    _style_axes(acc_ax, "Accuracy", "accuracy (%)", epochs)
    acc_ax.set_ylim(-2, 102)

    for key, label, style, line in _LOSS_SERIES:
        _plot_series(loss_ax, history, key, label, style, **line)
    _style_axes(loss_ax, "Loss", "cross-entropy loss", epochs)
    handles, labels = loss_ax.get_legend_handles_labels()
    rates = {r["lr"] for r in history if r.get("lr") is not None}
    if len(rates) == 1:  # a constant rate is a fact for the title, not a line on its own axis
        loss_ax.set_title(f"Loss (learning rate {rates.pop():g}, constant)")
    lr_ax = loss_ax.twinx()
    if len(rates) > 1 and _plot_series(lr_ax, history, "lr", "learning rate", ":", color="0.5"):
        lr_ax.set_ylabel("learning rate")
        more_handles, more_labels = lr_ax.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    else:
        lr_ax.remove()

    if acc_ax.has_data():
        acc_ax.legend(loc="lower right")
    if handles:
        loss_ax.legend(handles, labels, loc="upper right")
    if title:
        fig.suptitle(title, **font_for_text([title]))
    return save_png(fig, path)


def plot_compare(histories: Mapping[str, Sequence[Mapping[str, Any]]], key: str,
                 path: PathLike, ylabel: str) -> str:
    """One metric (``key``) of several runs on one axis, e.g. eval top-1 per model."""
    fig = new_figure(8, 4.5)
    ax = fig.subplots()
    plotted = [name for name, history in histories.items()
               if _plot_series(ax, history, key, name, "-")]
    if not plotted:
        raise SqzError(f"{path}: no run has '{key}' to compare")
    epochs = [int(r["epoch"]) for name in plotted for r in histories[name]]
    _style_axes(ax, f"{ylabel} by epoch", ylabel, epochs)
    font = font_for_text(plotted)
    ax.legend(prop={"family": font["fontfamily"]} if font else None)
    return save_png(fig, path)
