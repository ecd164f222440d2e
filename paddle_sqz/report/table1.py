"""The paper's Table 1 as Markdown, from the rows :func:`paddle_sqz.models.table1.table1_rows` measures."""
from typing import Any, List, Mapping, Optional, Sequence, Union

from ..published import PAPER_TABLE1_V10, PAPER_V10_TOTAL

HEADERS = ("layer", "output size", "filter size / stride", "depth", "s1x1", "e1x1", "e3x3", "bypass",
           "parameters")


def _is_v10(rows: Sequence) -> bool:
    """SqueezeNet v1.0's layout (7x7/2 conv1 with 96 filters), the network the paper tabulates."""
    conv1 = next((r for r in rows if r.layer == "conv1"), None)
    return conv1 is not None and conv1.filter == "7x7/2" and conv1.output.endswith("x96")


def format_table1(rows: Sequence, title: str = "",
                  paper: Union[str, Optional[Mapping[str, int]]] = "auto") -> str:
    """A Markdown table with a total line (reads as plain text too).

    For a v1.0 layout (``paper="auto"``) the paper's parameters per layer (at 1000
    classes) and our difference to them are added; ``paper=None`` leaves them out.
    """
    if paper == "auto":
        paper = PAPER_TABLE1_V10 if _is_v10(rows) else None
    headers = list(HEADERS) + (["paper (v1.0, 1000 classes)", "ours - paper"] if paper else [])
    lines = [f"{title}\n" if title else "", "| " + " | ".join(headers) + " |",
             "|---|---|---|---:|---:|---:|---:|---|---:|" + ("---:|---:|" if paper else "")]
    for row in rows:
        cells: List[Any] = list(row[:-1]) + [f"{row.parameters:,}"]
        if paper:
            theirs = paper.get(row.layer)
            cells += ["" if theirs is None else f"{theirs:,}",
                      "" if theirs is None else f"{row.parameters - theirs:+,}"]
        lines.append("| " + " | ".join(cells) + " |")
    total = sum(r.parameters for r in rows)
    extra = f" {PAPER_V10_TOTAL:,} | {total - PAPER_V10_TOTAL:+,} |" if paper else ""
    lines.append(f"| total |  |  |  |  |  |  |  | {total:,} |{extra}")
    return "\n".join(line for line in lines if line != "") + "\n"
