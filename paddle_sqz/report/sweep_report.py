"""The sweep report: per-run and per-setting tables, and the paper's Figure 3 style plot.

Rows are plain dicts (one per run: ``value``, ``seed``, ``parameters``, ``size_kb``,
``top1``, ``top5``, ``train_seconds``, ``run``). Sizes are the saved weights on disk in
MB of 2^20 bytes, the unit of the paper's "4.8 MB" (1,248,424 float32 weights).
Written atomically: ``sweep.md``, ``sweep.csv``, ``sweep_<name>.png`` and the per-epoch
validation curves (``val_top1.png``, ``val_loss.png``).
"""
import csv
import io
import statistics
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence

from ..errors import SqzError
from ..io_utils import atomic_write_text
from . import PathLike, new_figure, save_png
from .. import published
from .comparison_report import format_pct, plot_epoch_curves
from ..published import PAPER_ORDER

TITLES = {"sr": "squeeze ratio SR (paper Figure 3a)", "pct_3x3": "share of 3x3 filters (paper Figure 3b)",
          "bypass": "macro-architecture: vanilla / simple bypass / complex bypass (paper Table 3)"}
PLOT_TITLES = {"sr": "Size vs accuracy, squeeze ratio SR (cf. paper Figure 3a)",
               "pct_3x3": "Size vs accuracy, share of 3x3 filters (cf. paper Figure 3b)",
               "bypass": "Size vs accuracy, vanilla / simple / complex bypass (cf. paper Table 3)"}
BYPASS_NAMES = {"none": "vanilla", "simple": "simple bypass", "complex": "complex bypass"}
CSV_KEYS = ("setting", "value", "seed", "parameters", "size_mb", "top1", "top5", "dead_classes", "epochs",
            "train_seconds", "run")


def _size_mb(row: Mapping[str, Any]) -> float:
    return float(row["size_kb"]) / 1024.0


def summarise(rows: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """One entry per swept value, in first-seen order: mean top-1/top-5 over seeds and their spread."""
    if not rows:
        raise SqzError("sweep report: no runs to report")
    groups: Dict[Any, List[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["value"], []).append(row)
    out = []
    for value, runs in groups.items():
        top1 = [float(r["top1"]) for r in runs]
        top5 = [float(r["top5"]) for r in runs]
        out.append({"value": value, "seeds": len(runs), "parameters": int(runs[0]["parameters"]),
                    "size_mb": statistics.mean(_size_mb(r) for r in runs),
                    "top1": statistics.mean(top1), "top5": statistics.mean(top5),
                    "top1_min": min(top1), "top1_max": max(top1), "top5_min": min(top5), "top5_max": max(top5)})
    return out


def _spread(entry: Mapping[str, Any], key: str) -> str:
    if entry["seeds"] < 2:
        return format_pct(entry[key])
    return f"{format_pct(entry[key])} ({100 * entry[key + '_min']:.2f}..{100 * entry[key + '_max']:.2f})"


def bypass_verdict(summary: Sequence[Mapping[str, Any]]) -> List[str]:
    """Whether the paper's ordering (simple >= complex >= vanilla) holds in the measured means,
    and whether each difference exceeds the seed-to-seed spread; empty unless all three ran."""
    by = {str(entry["value"]): entry for entry in summary}
    if not all(name in by for name in PAPER_ORDER):
        return []
    means = [by[name]["top1"] for name in PAPER_ORDER]
    holds = means[0] >= means[1] >= means[2]
    measured = sorted(PAPER_ORDER, key=lambda name: -by[name]["top1"])
    lines = [f"the paper's ordering, simple bypass >= complex bypass >= vanilla (test top-1, mean over seeds), "
             f"**{'holds' if holds else 'does not hold'}** here; measured: "
             + " > ".join(f"{BYPASS_NAMES[n]} {format_pct(by[n]['top1'])}" for n in measured)]
    for a, b in (("simple", "complex"), ("complex", "none"), ("simple", "none")):
        ea, eb = by[a], by[b]
        diff = 100 * (ea["top1"] - eb["top1"])
        if min(ea["seeds"], eb["seeds"]) < 2:
            noise = "one seed: cannot be told from noise"
        elif ea["top1_min"] > eb["top1_max"] or eb["top1_min"] > ea["top1_max"]:
            noise = "larger than the seed-to-seed spread (the seeds' ranges do not overlap)"
        else:
            noise = "within the seed-to-seed spread (the seeds' ranges overlap)"
        lines.append(f"{BYPASS_NAMES[a]} - {BYPASS_NAMES[b]}: {diff:+.2f} points top-1, {noise}")
    return lines


def published_markdown(summary: Sequence[Mapping[str, Any]], sweep: str) -> str:
    """The paper's figure beside our mean for each swept value where the paper gives one,
    with the metric named and the gap; ``""`` when it gives none for this sweep."""
    lines = []
    for entry in summary:
        for figure in published.for_sweep(sweep, entry["value"]):
            name = BYPASS_NAMES.get(str(entry["value"]), entry["value"]) if sweep == "bypass" else entry["value"]
            ours = float(entry[figure.metric])
            lines.append(f"| {name} | test {figure.metric[:3]}-{figure.metric[3:]} | {format_pct(ours)} | "
                         f"{format_pct(figure.value)} ({figure.metric_name}) | "
                         f"{published.gap_points(ours, figure.value)} | {figure.setting} |")
    if not lines:
        return ""
    return ("## Beside the paper's published figures\n\n"
            "| setting | metric | ours (mean over seeds) | the paper | gap (ours - paper) | the paper's setting |\n"
            "|---|---|---:|---:|---:|---|\n" + "\n".join(lines) + "\n\n"
            "- the paper trains on ImageNet (1000 classes, 1.2M photos, 170k iterations); these runs do "
            "not, so a gap measures the setting: compare the *ordering and the trend*, not the level.\n")


def markdown(rows: Sequence[Mapping[str, Any]], sweep: str, about: Sequence[str] = ()) -> str:
    """The summary (mean over seeds, range in brackets), then every run."""
    key = rows[0]["setting"]
    summary = summarise(rows)
    parts = [f"# Sweep: {TITLES.get(sweep, key)}\n", "".join(f"- {line}\n" for line in about)]
    parts.append(f"| {key} | parameters | size (MB) | seeds | test top-1 | test top-5 |\n|---|---:|---:|---:|---:|---:|\n"
                 + "".join(f"| {e['value']} | {e['parameters']:,} | {e['size_mb']:.2f} | {e['seeds']} | "
                           f"{_spread(e, 'top1')} | {_spread(e, 'top5')} |\n" for e in summary))
    beside = published_markdown(summary, sweep)
    if beside:
        parts.append(beside)
    verdict = bypass_verdict(summary) if sweep == "bypass" else []
    if verdict:
        parts.append("".join(f"- {line}\n" for line in verdict))
    parts.append("| run | seed | test top-1 | test top-5 | dead classes | epochs | training time (s) |\n"
                 "|---|---:|---:|---:|---:|---:|---:|\n"
                 + "".join(f"| {Path(str(r['run'])).name} | {r['seed']} | {format_pct(r['top1'])} | {format_pct(r['top5'])} | "
                           f"{r.get('dead_classes', 'n/a')} | {r['epochs']} | {float(r['train_seconds']):.0f} |\n"
                           for r in rows))
    parts.append("- size: the saved best weights (`best_model.safetensors`) on disk, MB = 2^20 bytes (the paper's "
                 "unit: 1,248,424 float32 weights = 4.8 MB).\n- test top-1 / top-5: the held-out test fold, "
                 "best epoch chosen on the validation split; with several seeds, the mean and (min..max).\n"
                 "- dead classes: classes whose logit is 0 on every test image (dead behind SqueezeNet's final "
                 "ReLU: never predicted, each costs about 1/C of top-1).\n")
    return "\n".join(parts)


def write_csv(rows: Sequence[Mapping[str, Any]], path: PathLike) -> str:
    """One line per run, unformatted (fractions, seconds, MB)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_KEYS)
    for row in rows:
        values = dict(row, size_mb=f"{_size_mb(row):.4f}")
        writer.writerow([values.get(k, "") for k in CSV_KEYS])
    atomic_write_text(path, buffer.getvalue())
    return str(path)


def plot_size_vs_accuracy(rows: Sequence[Mapping[str, Any]], path: PathLike, title: str) -> str:
    """Test top-1 (filled) and top-5 (open) against saved size: means joined by lines, seeds as dots."""
    summary = summarise(rows)
    key = rows[0]["setting"]
    fig = new_figure(8, 5)
    ax = fig.subplots()
    sizes = [e["size_mb"] for e in summary]
    numeric = all(isinstance(e["value"], (int, float)) for e in summary)
    for metric, marker, face, name in (("top1", "o", None, "test top-1"), ("top5", "s", "white", "test top-5")):
        color = "C0" if metric == "top1" else "C1"
        means = [100 * e[metric] for e in summary]
        # numeric settings are joined in order (the paper's curves); categories stay separate points
        ax.plot(sizes, means, ("-" if numeric else "") + marker, color=color, markersize=7,
                markerfacecolor=face or color, label=f"{name} (mean over seeds)")
        ax.scatter([_size_mb(r) for r in rows], [100 * float(r[metric]) for r in rows], s=12,
                   color=color, alpha=0.45, zorder=3, label=f"{name}, each seed" if len(rows) > len(summary) else None)
        for index, (entry, y) in enumerate(zip(summary, means)):
            # names of points at the same size are stacked, not drawn over each other
            stack = sum(1 for other in summary[:index] if abs(other["size_mb"] - entry["size_mb"]) < 1e-6)
            ax.annotate(f"{key.split('.')[-1]}={entry['value']}", (entry["size_mb"], y), textcoords="offset points",
                        xytext=(7, -4 - 11 * stack), fontsize=8, color=color)
    ax.margins(x=0.15, y=0.12)
    low, high = ax.get_xlim()
    ax.set_xlim(low, high + 0.1 * (high - low))  # room for the last point's name
    ax.set_xlabel("model size: saved float32 weights (MB)")
    ax.set_ylabel("accuracy on the test fold (%)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return save_png(fig, path)


def write_sweep_report(rows: Sequence[Mapping[str, Any]], out_dir: PathLike, sweep: str,
                       about: Sequence[str] = ()) -> Dict[str, str]:
    """Every file of the report into ``out_dir``; returns ``{kind: path}``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "sweep.md"
    atomic_write_text(md, markdown(rows, sweep, about))
    files = {"markdown": str(md), "csv": write_csv(rows, out_dir / "sweep.csv"),
             "plot": plot_size_vs_accuracy(rows, out_dir / f"sweep_{sweep}.png",
                                           PLOT_TITLES.get(sweep, f"Size vs accuracy: {sweep}"))}
    histories = {str(r["model"]): r["history"] for r in rows if r.get("history")}
    if histories:
        files["val_top1"], files["val_loss"] = plot_epoch_curves(histories, out_dir)
    return files
