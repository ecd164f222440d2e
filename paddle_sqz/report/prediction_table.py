"""Predictions as CSV or JSON text: one row per image (path, top-k names and probabilities, or its error)."""
import csv
import io
import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

Row = Tuple[str, Optional[List[Tuple[str, float]]], Optional[str]]  # path, top-k or None, error or None


def predictions_csv(rows: Sequence[Row], topk: int) -> str:
    """``path, top1, p1, ..., error``: spreadsheet-ready; a failed image has only its error."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["path", *[f"{kind}{i}" for i in range(1, topk + 1) for kind in ("top", "p")], "error"])
    for path, top, error in rows:
        cells = [cell for name, prob in (top or []) for cell in (name, f"{prob:.6f}")]
        writer.writerow([path, *cells, *[""] * (2 * topk - len(cells)), error or ""])
    return out.getvalue()


def predictions_json(rows: Sequence[Row]) -> str:
    """A list of ``{"path", "top": [{"name", "probability"}...]}`` or ``{"path", "error"}``."""
    records: List[Dict[str, Any]] = []
    for path, top, error in rows:
        if error is not None:
            records.append({"path": path, "error": error})
        else:
            records.append({"path": path, "top": [{"name": name, "probability": prob} for name, prob in top]})
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
