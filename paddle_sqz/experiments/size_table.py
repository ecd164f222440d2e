"""The paper's Table 2 / Table 3 sizes, measured: parameters, saved fp32 file, multiply-adds, ratio to AlexNet.

Every number comes from a built network (``models.measure``): the file size from
``paddle.save`` on disk, the multiply-adds from forward hooks at the given input size.
The paper's own figures are shown beside them (report.size_table), never used.
"""
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

import paddle

from ..errors import SqzError
from ..models import build_model
from ..models.measure import count_macs, count_parameters, saved_size_bytes


class Entry(NamedTuple):
    label: str
    model: str
    kwargs: Dict[str, Any]
    paper: str  # the paper's figure for this network, in its words
    paper_mb: Optional[float] = None      # the same as numbers, for the gap column
    paper_params: Optional[int] = None


ENTRIES = (
    Entry("AlexNet (torchvision, one tower)", "alexnet", {}, "240 MB (Caffe, two towers)", 240.0),
    Entry("SqueezeNet v1.0", "squeezenet1_0", {}, "4.8 MB, 1,248,424 params", 4.8, 1_248_424),
    Entry("SqueezeNet v1.1", "squeezenet1_1", {}, "1,235,496 params, 2.4x fewer FLOPs than v1.0",
          None, 1_235_496),
    Entry("SqueezeNet v1.0 + simple bypass", "squeezenet1_0", {"bypass": "simple"}, "4.8 MB", 4.8),
    Entry("SqueezeNet v1.0 + complex bypass", "squeezenet1_0", {"bypass": "complex"}, "7.7 MB", 7.7),
    Entry("SqueezeNet generator, SR=0.75", "squeezenet_meta", {"sr": 0.75}, "19 MB (Figure 3a)", 19.0),
)


def measure_entries(entries: Sequence[Entry] = ENTRIES, num_classes: int = 1000,
                    input_size: int = 224) -> List[Dict[str, Any]]:
    """One row per entry: parameters, bytes on disk, multiply-adds, ratios to the first entry."""
    if not entries:
        raise SqzError("size table: no models to measure")
    rows = []
    for entry in entries:
        paddle.seed(0)
        model = build_model(entry.model, num_classes=num_classes, **entry.kwargs)
        rows.append({"label": entry.label, "model": entry.model,
                     "options": " ".join(f"{k}={v}" for k, v in entry.kwargs.items()),
                     "parameters": count_parameters(model), "file_bytes": saved_size_bytes(model),
                     "macs": count_macs(model, (1, 3, input_size, input_size)), "paper": entry.paper,
                     "paper_mb": entry.paper_mb, "paper_params": entry.paper_params})
        del model
    base = rows[0]
    for row in rows:
        row["params_ratio"] = base["parameters"] / row["parameters"]
        row["size_ratio"] = base["file_bytes"] / row["file_bytes"]
    return rows
