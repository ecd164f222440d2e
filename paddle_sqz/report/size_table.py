"""The paper's size table as Markdown and CSV, from the rows ``experiments.size_table`` measures."""
import csv
import io
from pathlib import Path
from typing import Any, Dict, List, Sequence

from ..errors import SqzError
from ..io_utils import atomic_write_text
from . import PathLike

MB = 2 ** 20  # the paper's MB: 1,248,424 float32 weights = 4.8 MB


def gap_text(row: Dict[str, Any]) -> str:
    """Ours against the paper's numbers: parameters difference and file size ratio."""
    parts = []
    if row.get("paper_params"):
        parts.append(f"{row['parameters'] - row['paper_params']:+,} params")
    if row.get("paper_mb"):
        parts.append(f"file {row['file_bytes'] / MB / row['paper_mb']:.2f}x the paper's")
    return "; ".join(parts) or "–"


def markdown(rows: Sequence[Dict[str, Any]], about: Sequence[str] = ()) -> str:
    lines = ["# Model sizes (paper Table 2 / Table 3 style)\n", *[f"- {line}" for line in about], "",
             "| network | parameters | fp32 file (MB) | GMACs / image | GFLOPs / image | "
             f"{rows[0]['label'].split(' (')[0]} / this: params | : file size | paper | ours vs the paper |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['parameters']:,} | {r['file_bytes'] / MB:.2f} | {r['macs'] / 1e9:.3f} | "
                     f"{2 * r['macs'] / 1e9:.3f} | {r['params_ratio']:.1f}x | {r['size_ratio']:.1f}x | {r['paper']} | "
                     f"{gap_text(r)} |")
    return "\n".join(lines) + "\n"


def write_csv(rows: Sequence[Dict[str, Any]], path: PathLike) -> str:
    keys = ("label", "model", "options", "parameters", "file_bytes", "macs", "params_ratio", "size_ratio", "paper",
            "paper_mb", "paper_params")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    for r in rows:
        writer.writerow([f"{r[k]:.4f}" if isinstance(r.get(k), float) else "" if r.get(k) is None else r[k]
                         for k in keys])
    atomic_write_text(path, buffer.getvalue())
    return str(path)


def write_size_table(rows: Sequence[Dict[str, Any]], out_dir: PathLike, about: Sequence[str] = ()) -> Dict[str, str]:
    """``sizes.md`` and ``sizes.csv`` into ``out_dir``, atomically."""
    out_dir = Path(out_dir)
    md = out_dir / "sizes.md"
    atomic_write_text(md, markdown(rows, about))
    return {"markdown": str(md), "csv": write_csv(rows, out_dir / "sizes.csv")}
