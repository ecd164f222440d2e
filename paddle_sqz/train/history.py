"""The per-epoch metrics file ``metrics.jsonl``: one JSON record per epoch, rewritten atomically."""
import json
from pathlib import Path
from typing import Any, Dict, List

from ..errors import SqzError
from ..io_utils import atomic_write_text


def read_history(path: Path) -> List[Dict[str, Any]]:
    """All epoch records; a damaged line is named by number."""
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            raise SqzError(f"{path}:{number}: not a JSON record") from None
    return records


def write_history(path: Path, records: List[Dict[str, Any]]) -> None:
    atomic_write_text(path, "".join(json.dumps(r, sort_keys=False) + "\n" for r in records))
