"""Writing the compression table: Markdown, CSV and a log-scale bar chart of file sizes."""
import csv
import io
from pathlib import Path
from typing import Any, Dict, List, Sequence

from ..io_utils import atomic_write_text
from . import new_figure, save_png
from ..published import PAPER_BITS_MB, PAPER_TABLE2, PAPER_TARGET_BYTES, gap_points

CSV_KEYS = ("model", "step", "bytes", "sparsity", "bits", "vs_fp32", "vs_alexnet", "top1", "top5", "file")


def _acc(row: Dict[str, Any], key: str) -> str:
    return f"{row[key]:.2%}" if row.get(key) is not None else "–"


def markdown(rows: Sequence[Dict[str, Any]]) -> str:
    lines = ["| model | step | size (bytes) | size (MB) | sparsity | smaller than fp32 | smaller than AlexNet "
             "| test top-1 | test top-5 |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['step']} | {r['bytes']:,} | {r['bytes'] / 1e6:.3f} | "
                     f"{r['sparsity']:.1%} | {r['vs_fp32']:.1f}x | {r['vs_alexnet']:.0f}x | "
                     f"{_acc(r, 'top1')} | {_acc(r, 'top5')} |")
    return "\n".join(lines) + "\n"


def paper_markdown(rows: Sequence[Dict[str, Any]]) -> str:
    """Each step beside the paper's Table 2 figure for the same bit width: size, ratio to
    AlexNet and accuracy (the paper's is ImageNet top-1 / top-5), with the gaps."""
    paper = {32: PAPER_TABLE2[1], 8: PAPER_TABLE2[2], 6: PAPER_TABLE2[3]}
    alexnet_mb = PAPER_TABLE2[0][1]
    lines = []
    for r in rows:
        if r.get("note") or r["model"].startswith("AlexNet") or r.get("bits") not in PAPER_BITS_MB:
            continue
        name, mb, top1, top5 = paper[r["bits"]]
        ours_mb = r["bytes"] / 1e6
        accuracy = "–"
        if r.get("top1") is not None:
            accuracy = (f"{r['top1']:.2%} vs {top1:.1%} ({gap_points(r['top1'], top1)}); "
                        f"{r['top5']:.2%} vs {top5:.1%} ({gap_points(r['top5'], top5)})")
        lines.append(f"| {r['model']} | {r['step']} | {name} | {ours_mb:.3f} vs {mb:g} "
                     f"({ours_mb / mb:.2f}x the paper's) | {r['vs_alexnet']:.0f}x vs "
                     f"{alexnet_mb / mb:.0f}x | {accuracy} |")
    if not lines:
        return ""
    return "\n".join(["| model | step | the paper's row (Table 2) | size MB, ours vs the paper | "
                      "smaller than AlexNet, ours vs the paper | top-1; top-5, ours (test) vs the paper "
                      "(ImageNet top-1; top-5) |", "|---|---|---|---:|---:|---|", *lines]) + "\n"


def codec_markdown(rows: Sequence[Dict[str, Any]]) -> str:
    """Bytes of the coded streams (indices + positions) if one codec were used for all of them."""
    coded = [r for r in rows if r.get("codecs")]
    if not coded:
        return ""
    names = list(coded[0]["codecs"])
    lines = ["| model | step | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(names)]
    for r in coded:
        lines.append(f"| {r['model']} | {r['step']} | " + " | ".join(f"{r['codecs'][n]:,}" for n in names) + " |")
    return "\n".join(lines) + "\n"


def write_csv(rows: Sequence[Dict[str, Any]], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_KEYS)
    for r in rows:
        writer.writerow(["" if r.get(k) is None else r[k] for k in CSV_KEYS])
    atomic_write_text(path, buffer.getvalue())
    return path


def plot_sizes(rows: Sequence[Dict[str, Any]], path: Path) -> Path:
    """Horizontal bars of file size (log scale), one colour per model, the paper's 0.47 MB marked.

    Rows that describe an accuracy only (no file of their own, ``note`` set) are left out.
    """
    rows = [r for r in rows if not r.get("note")][::-1]
    fig = new_figure(11, 0.3 * len(rows) + 1.8)
    ax = fig.add_subplot()
    colours = {m: f"C{i}" for i, m in enumerate(dict.fromkeys(r["model"] for r in rows[::-1]))}
    sizes = [r["bytes"] / 1e6 for r in rows]
    for i, (row, size) in enumerate(zip(rows, sizes)):
        ax.barh(i, size, color=colours[row["model"]])
        ax.text(size * 1.05, i, f"{size:.3f} MB", va="center", fontsize=8,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5))  # readable over the 0.47 MB line
    for model, colour in colours.items():
        ax.barh(0, 0, color=colour, label=model)
    ax.axvline(PAPER_TARGET_BYTES / 1e6, color="r", linestyle=":", linewidth=1.2,
               label="paper: SqueezeNet + Deep Compression 6-bit, 0.47 MB")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(min(sizes) / 2, max(sizes) * 6)
    ax.set_yticks(range(len(rows)), [r["step"] for r in rows], fontsize=8)
    ax.set_xlabel("file size (MB, log scale)")
    fig.suptitle("Deep Compression of SqueezeNet: file size per step")
    save_png(fig, path)
    return path


def write_report(rows: List[Dict[str, Any]], out_dir: Path, alexnet: Dict[str, Any],
                 notes: Sequence[str] = ()) -> List[Path]:
    """``compression.md``, ``compression.csv`` and ``compression_sizes.png`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "compression.md"
    parts = ["# Deep Compression: sizes and accuracy per step", markdown(rows).rstrip(),
             f"AlexNet fp32: {alexnet['bytes']:,} bytes ({alexnet['how']}).", "\n".join(f"- {n}" for n in notes)]
    beside = paper_markdown(rows)
    if beside:
        parts += ["## Beside the paper's Table 2", beside.rstrip(),
                  "The paper's sizes are of SqueezeNet at 1000 ImageNet classes and its accuracies are "
                  "ImageNet top-1 / top-5; a run with fewer classes has a smaller conv10, so its size gap "
                  "is partly the class count, and its accuracy is on another task."]
    codecs = codec_markdown(rows)
    if codecs:
        parts += ["## Coders measured (bytes of the index and position streams)", codecs.rstrip()]
    atomic_write_text(md, "\n\n".join(p for p in parts if p) + "\n")
    return [md, write_csv(rows, out_dir / "compression.csv"),
            plot_sizes(rows, out_dir / "compression_sizes.png")]
