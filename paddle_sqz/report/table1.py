"""The paper's Table 1 as Markdown, from the rows :func:`paddle_sqz.models.table1.table1_rows` measures."""
from typing import Any, List, Sequence

HEADERS = ("layer", "output size", "filter size / stride", "depth", "s1x1", "e1x1", "e3x3", "bypass",
           "parameters")


def format_table1(rows: Sequence, title: str = "") -> str:
    """A Markdown table with a total line (reads as plain text too)."""
    lines = [f"{title}\n" if title else "", "| " + " | ".join(HEADERS) + " |",
             "|---|---|---|---:|---:|---:|---:|---|---:|"]
    for row in rows:
        cells: List[Any] = list(row[:-1]) + [f"{row.parameters:,}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"| total |  |  |  |  |  |  |  | {sum(r.parameters for r in rows):,} |")
    return "\n".join(line for line in lines if line != "") + "\n"
