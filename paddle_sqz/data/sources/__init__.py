"""Data sources: one :class:`DataSource` per kind of data set, chosen by ``data.kind``."""
from typing import Any, Dict, Optional, Sequence

from ...errors import SqzError
from .base import DataSource
from .list_files import ListFileSource
from .quickdraw import QuickDrawSource

SOURCES = {source.kind: source for source in (ListFileSource, QuickDrawSource)}


def build_source(data: Dict[str, Any], seed: int = 0, classes: Optional[Sequence[str]] = None) -> DataSource:
    """The source for a config's ``data`` section; ``classes`` fixes the label order (a run's labels)."""
    kind = data.get("kind", "list")
    if kind not in SOURCES:
        raise SqzError(f"data.kind: unknown kind {kind!r}; valid: {', '.join(sorted(SOURCES))}")
    return SOURCES[kind](data, seed, classes)


__all__ = ["DataSource", "ListFileSource", "QuickDrawSource", "SOURCES", "build_source"]
