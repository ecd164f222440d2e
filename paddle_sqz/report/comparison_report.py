"""The model comparison report (the tutorial's 总结对比): a table and three plots.

Input is plain data, one row per model (see :data:`COLUMNS` for the keys) and each
model's ``metrics.jsonl`` records; nothing here imports Paddle. Written:

- ``comparison.md`` and ``comparison.csv``: parameters, saved size, test top-1/top-5,
  epochs, training time and inference speed per model (atomically: a reader never
  sees half a table), then the tutorial's published figure beside ours where it gives
  one (:mod:`.published`), with its metric named and the gap;
- ``accuracy_vs_params.png``: test top-1 and top-5 against parameters (log scale),
  every point labelled with its model, the tutorial's top-5 as stars;
- ``val_top1.png`` and ``val_loss.png``: per-epoch validation accuracy and loss of
  every model on one axis.
"""
import csv
import io
import math
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence

from ..errors import SqzError
from ..io_utils import atomic_write_text
from . import PathLike, new_figure, save_png
from .. import published
from .curves import plot_compare, selection_key
from .fonts import font_for_text


class Column(NamedTuple):
    key: str          # key in a row dict
    header: str       # Markdown header
    csv_name: str     # CSV header (units in the name, values unformatted)
    markdown: Callable[[Any], str]
    align: str        # "l" or "r"


def format_pct(value: float) -> str:
    """A fraction as a percentage with two decimals (0.8048 -> "80.48%")."""
    return f"{value * 100:.2f}%"


def _seconds(value: float) -> str:
    value = float(value)
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes} min {seconds:02d} s"


COLUMNS = (
    Column("model", "model", "model", str, "l"),
    Column("parameters", "parameters", "parameters", lambda v: f"{int(v):,}", "r"),
    Column("size_kb", "size (KB)", "size_kb", lambda v: f"{v:.1f}", "r"),
    Column("top1", "test top-1", "test_top1", format_pct, "r"),
    Column("top5", "test top-5", "test_top5", format_pct, "r"),
    Column("epochs", "epochs", "epochs", lambda v: str(int(v)), "r"),
    Column("train_seconds", "training time", "train_seconds", _seconds, "r"),
    Column("images_per_s", "inference (images/s)", "inference_images_per_s", lambda v: f"{v:,.0f}", "r"),
)
_CSV_FORMAT = {"size_kb": "{:.2f}", "top1": "{:.6f}", "top5": "{:.6f}", "train_seconds": "{:.2f}",
               "images_per_s": "{:.1f}"}


def _check_rows(rows: Sequence[Mapping[str, Any]], what: str) -> None:
    if not rows:
        raise SqzError(f"{what}: no models to report")
    for row in rows:
        missing = [c.key for c in COLUMNS if c.key not in row]
        if missing:
            raise SqzError(f"{what}: row {row.get('model', '?')!r} lacks {', '.join(missing)}")


def markdown_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The table alone, one line per model, in the given order."""
    _check_rows(rows, "comparison table")
    lines = ["| " + " | ".join(c.header for c in COLUMNS) + " |",
             "|" + "|".join("---:" if c.align == "r" else "---" for c in COLUMNS) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(c.markdown(row[c.key]) for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def _arch(row: Mapping[str, Any]) -> str:
    """The registered model name of a row (the row's label when it has none of its own)."""
    return str(row.get("arch") or row["model"])


def published_markdown(rows: Sequence[Mapping[str, Any]], classes: Optional[int] = None) -> str:
    """The tutorial's figures beside ours (metric named, gap in points); ``""`` when it has none."""
    lines = []
    for row in rows:
        for figure in published.for_model(_arch(row)):
            ours = row.get(figure.metric)
            if ours is None:
                continue
            size = f"{row['size_kb']:.1f} / {figure.size_kb:g}" if figure.size_kb else f"{row['size_kb']:.1f} / –"
            lines.append(f"| {row['model']} | test {figure.metric[:3]}-{figure.metric[3:]} | {format_pct(ours)} | "
                         f"{format_pct(figure.value)} ({figure.metric_name}) | "
                         f"{published.gap_points(float(ours), figure.value)} | {size} | {figure.setting} |")
    if not lines:
        return ""
    header = ["## Beside the tutorial's published figures\n",
              "| model | metric | ours | the tutorial | gap (ours - tutorial) | size KB (ours / tutorial) "
              "| the tutorial's setting |", "|---|---|---:|---:|---:|---:|---|"]
    diffs = published.setting_differences(classes, [int(r["epochs"]) for r in rows if "epochs" in r])
    footer = ["", "- the tutorial's \"Test accuracy\" is top-5 (Keras `top_k_categorical_accuracy`); "
              "it is compared with our test top-5 on our held-out test fold."]
    if diffs:
        footer.append("- **not the tutorial's setting** (" + "; ".join(diffs) + "): the gap mixes the "
                      "setting with the code. `datasets/download_quickdraw.py --classes-file "
                      "datasets/quickdraw_100_classes.txt --max-per-class 4000` gives the tutorial's data.")
    return "\n".join(header + lines + footer) + "\n"


def write_markdown(rows: Sequence[Mapping[str, Any]], path: PathLike, title: str = "Model comparison",
                   about: Sequence[str] = (), notes: Sequence[str] = (),
                   classes: Optional[int] = None) -> str:
    """``# title``, ``about`` lines as a list, the table, the tutorial's figures beside ours
    (where it publishes any), then ``notes`` as a list."""
    parts = [f"# {title}\n"]
    if about:
        parts.append("".join(f"- {line}\n" for line in about))
    parts.append(markdown_table(rows))
    beside = published_markdown(rows, classes)
    if beside:
        parts.append(beside)
    if notes:
        parts.append("".join(f"- {line}\n" for line in notes))
    atomic_write_text(path, "\n".join(parts))
    return str(path)


def write_csv(rows: Sequence[Mapping[str, Any]], path: PathLike, extra: Sequence[str] = ("run",)) -> str:
    """Unformatted values (fractions for accuracies, seconds, KB) plus the ``extra`` keys."""
    _check_rows(rows, str(path))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = [c.key for c in COLUMNS] + [k for k in extra if any(k in row for row in rows)]
    writer.writerow([c.csv_name for c in COLUMNS] + keys[len(COLUMNS):])
    for row in rows:
        writer.writerow([_CSV_FORMAT.get(k, "{}").format(row[k]) if row.get(k) is not None else ""
                         for k in keys])
    atomic_write_text(path, buffer.getvalue())
    return str(path)


# -- accuracy against parameters ---------------------------------------------------------------

_FONT_PT = 9.0


def _place_labels(points: Sequence[tuple], names: Sequence[str], axes_pt: tuple) -> List[tuple]:
    """Label positions in axes fractions, right of each point, nudged up until no two overlap.

    ``points`` are (u, v) axes fractions; the box of a label is estimated from its length
    and the font size, which is enough to keep names of near-equal models apart.
    """
    width_pt, height_pt = axes_pt
    line = 1.35 * _FONT_PT / height_pt
    gap = 7.0 / width_pt
    placed: List[tuple] = []  # (u0, u1, v0, v1)
    result: List[tuple] = [None] * len(points)  # type: ignore[list-item]
    for index in sorted(range(len(points)), key=lambda i: (points[i][1], points[i][0])):
        u, v = points[index]
        width = 0.6 * _FONT_PT * len(names[index]) / width_pt
        left = u + width + gap > 0.98  # no room on the right: put the name on the left
        u0 = u - gap - width if left else u + gap
        box_v = v - line / 2
        while any(u0 < b[1] and u0 + width > b[0] and box_v < b[3] and box_v + line > b[2] for b in placed):
            box_v += line * 0.55
        placed.append((u0, u0 + width, box_v, box_v + line))
        result[index] = (u - gap if left else u + gap, box_v + line / 2, "right" if left else "left")
    return result


def plot_accuracy_vs_params(rows: Sequence[Mapping[str, Any]], path: PathLike,
                            title: str = "Test accuracy vs parameters") -> str:
    """Top-1 (filled) and top-5 (open) per model against its parameter count on a log axis."""
    _check_rows(rows, str(path))
    names = [str(r["model"]) for r in rows]
    params = [float(r["parameters"]) for r in rows]
    top1 = [100.0 * float(r["top1"]) for r in rows]
    top5 = [100.0 * float(r["top5"]) for r in rows]
    fig = new_figure(8.5, 5.2)
    ax = fig.subplots()
    ax.set_xscale("log")
    lo, hi = math.log10(min(params)), math.log10(max(params))
    span = max(hi - lo, 0.3)
    ax.set_xlim(10 ** (lo - 0.12 * span), 10 ** (hi + 0.45 * span))
    low = min(top1 + top5 + [100 * f.value for r in rows for f in published.for_model(_arch(r))[:1]])
    ax.set_ylim(max(0.0, math.floor(low / 5) * 5 - 5), 101)
    for i, name in enumerate(names):
        color = f"C{i % 10}"
        ax.plot([params[i], params[i]], [top1[i], top5[i]], ":", color=color, linewidth=1)
        ax.plot(params[i], top1[i], "o", color=color, markersize=8)
        ax.plot(params[i], top5[i], "s", markerfacecolor="white", markeredgecolor=color, markersize=7)
    stars = [(i, f) for i, row in enumerate(rows) for f in published.for_model(_arch(row))[:1]
             if f.parameters and f.metric == "top5"]
    for i, figure in stars:  # at the tutorial's own parameter count (100 classes)
        ax.plot(figure.parameters, 100 * figure.value, "*", color=f"C{i % 10}", markersize=11,
                markeredgecolor="black", markeredgewidth=0.5)
    # legend entries for the marker kinds, in neutral grey
    ax.plot([], [], "o", color="0.35", label="test top-1")
    ax.plot([], [], "s", markerfacecolor="white", markeredgecolor="0.35", label="test top-5")
    if stars:
        ax.plot([], [], "*", color="0.35", markersize=11, label="the tutorial's top-5 (Keras, 100 classes)")
    ax.legend(loc="lower right")
    ax.set_xlabel("parameters (log scale)")
    ax.set_ylabel("accuracy on the test fold (%)")
    ax.set_title(title, **font_for_text([title]))
    ax.grid(True, which="both", alpha=0.25)

    width_in, height_in = fig.get_size_inches()
    axes_pt = (width_in * 72 * 0.85, height_in * 72 * 0.8)
    x0, x1 = (math.log10(v) for v in ax.get_xlim())
    y0, y1 = ax.get_ylim()
    points = [((math.log10(p) - x0) / (x1 - x0), (t - y0) / (y1 - y0)) for p, t in zip(params, top1)]
    font = font_for_text(names)
    for i, (u, v, ha) in enumerate(_place_labels(points, names, axes_pt)):
        moved = abs(v - points[i][1]) > 1e-6
        ax.annotate(names[i], xy=(params[i], top1[i]), xytext=(u, v), textcoords="axes fraction",
                    ha=ha, va="center", fontsize=_FONT_PT, color=f"C{i % 10}", zorder=5,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                    arrowprops={"arrowstyle": "-", "color": f"C{i % 10}", "linewidth": 0.6,
                                "shrinkA": 0, "shrinkB": 4} if moved else None, **font)
    return save_png(fig, path)


# -- per-epoch curves ---------------------------------------------------------------------------

def plot_epoch_curves(histories: Mapping[str, Sequence[Mapping[str, Any]]], out_dir: PathLike) -> List[str]:
    """``val_top1.png`` and ``val_loss.png``: every model's per-epoch validation curve overlaid."""
    out_dir = Path(out_dir)
    every = [r for history in histories.values() for r in history]
    return [plot_compare(histories, selection_key(every, "top1"), out_dir / "val_top1.png",
                         "validation top-1 accuracy (%)"),
            plot_compare(histories, selection_key(every, "loss"), out_dir / "val_loss.png", "validation loss")]


def write_comparison(rows: Sequence[Mapping[str, Any]], histories: Mapping[str, Sequence[Mapping[str, Any]]],
                     out_dir: PathLike, title: str = "Model comparison", about: Sequence[str] = (),
                     notes: Sequence[str] = (), plot_title: Optional[str] = None,
                     classes: Optional[int] = None) -> Dict[str, str]:
    """Every file of the report into ``out_dir``; returns ``{kind: path}``. ``classes``
    (the runs' class count) lets the report say whether the tutorial's setting was used."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"markdown": write_markdown(rows, out_dir / "comparison.md", title, about, notes, classes),
             "csv": write_csv(rows, out_dir / "comparison.csv"),
             "accuracy_vs_params": plot_accuracy_vs_params(rows, out_dir / "accuracy_vs_params.png",
                                                           plot_title or "Test accuracy vs parameters")}
    val_top1, val_loss = plot_epoch_curves(histories, out_dir)
    files.update(val_top1=val_top1, val_loss=val_loss)
    return files
