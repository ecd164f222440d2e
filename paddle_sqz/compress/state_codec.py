"""A (pruned) state dict <-> the header and payload of a ``.sqz`` file.

Each weight tensor is stored as its kept positions (gaps between non-zeros) and
the codebook indices of its non-zero values; biases are dense, quantized with
``bias_bits``. ``bits`` or ``bias_bits`` of 32 store plain float32 values (the
"pruned only" step of the report). Every integer stream is entropy-coded by
whichever codec is smallest for it (:mod:`.coding`).
"""
import math
from typing import Any, Dict, Mapping, Tuple

import numpy as np

from ..errors import SqzError
from . import coding, container
from .pruning import is_prunable
from .quantize import dequantize, quantize

FLOAT = 32  # "bits" value meaning: no weight sharing, float32 values


class _Payload:
    """Concatenated streams; each ``add`` returns the ``[offset, length]`` the header keeps."""

    def __init__(self):
        self.parts, self.size = [], 0
        self.kinds: Dict[str, int] = {}
        self.codecs: Dict[str, int] = {}  # what each codec alone would cost for the coded streams

    def add(self, data: bytes, kind: str):
        self.parts.append(data)
        ref = [self.size, len(data)]
        self.size += len(data)
        self.kinds[kind] = self.kinds.get(kind, 0) + len(data)
        return ref

    def bytes(self) -> bytes:
        return b"".join(self.parts)


def encode_state(state: Mapping[str, Any], bits: int, method: str = "kmeans",
                 bias_bits: int = 8) -> Tuple[list, bytes, Dict[str, Dict[str, int]]]:
    """``(tensor records, payload, sizes)``; zeros in weights are the pruned ones.

    ``sizes["streams"]``: bytes per stream kind; ``sizes["codecs"]``: bytes of all coded
    streams if each codec were used alone (the measured choice of coder).
    """
    records, payload = [], _Payload()
    for name, value in state.items():
        value = np.asarray(value, np.float32)
        sparse = is_prunable(name, value)
        flat = value.reshape(-1)
        record: Dict[str, Any] = {"name": name, "shape": list(value.shape),
                                  "bits": bits if sparse else bias_bits}
        if sparse:
            keep = flat != 0
            record["nnz"] = int(keep.sum())
            if record["nnz"] < flat.size:
                codec, data = coding.encode_stream(coding.positions_to_gaps(keep), payload.codecs)
                record["positions"] = [codec, *payload.add(data, "positions")]
            flat = flat[keep]
        _encode_values(record, flat, method, payload)
        records.append(record)
    return records, payload.bytes(), {"streams": payload.kinds, "codecs": payload.codecs}


def _encode_values(record: Dict[str, Any], values: np.ndarray, method: str, payload: _Payload) -> None:
    if record["bits"] == FLOAT:
        record["values"] = payload.add(values.astype("<f4").tobytes(), "float32 values")
        return
    codebook, indices = quantize(values, record["bits"], method)
    record["codebook"] = payload.add(codebook.astype("<f2").tobytes(), "codebooks")
    codec, data = coding.encode_stream(indices, payload.codecs)
    record["indices"] = [codec, *payload.add(data, "indices")]


def decode_state(records: list, payload: bytes, where: str) -> Dict[str, np.ndarray]:
    """Float32 arrays by name; any inconsistency names the file and the tensor."""
    state = {}
    for index, record in enumerate(records):
        name = record.get("name", "?") if isinstance(record, dict) else f"#{index}"
        try:
            if not isinstance(record, dict):
                raise TypeError("not a JSON object")
            state[str(name)] = _decode_tensor(record, payload, f"{where}: tensor {name}")
        except (KeyError, TypeError, ValueError, IndexError, OverflowError) as exc:
            raise SqzError(f"{where}: tensor {name}: malformed record ({type(exc).__name__}: {exc})") from None
        if not np.isfinite(state[str(name)]).all():
            raise SqzError(f"{where}: tensor {name} holds NaN or infinite values")
    return state


MAX_ELEMENTS = 1 << 28  # 1 GB of float32 in one tensor: no model here comes close


def _decode_tensor(record: Dict[str, Any], payload: bytes, where: str) -> np.ndarray:
    shape = [int(n) for n in record["shape"]]
    size = math.prod(shape)
    if min(shape, default=0) < 0 or size > MAX_ELEMENTS:
        raise SqzError(f"{where}: impossible shape {shape}")
    count = int(record.get("nnz", size))
    if not 0 <= count <= size:
        raise SqzError(f"{where}: {count} non-zeros in a tensor of {size}")
    if record["bits"] == FLOAT:
        raw = container.blob(payload, record["values"], where)
        if len(raw) != 4 * count:
            raise SqzError(f"{where}: {len(raw)} bytes of float32 values for {count} weights")
        values = np.frombuffer(raw, "<f4").astype(np.float32)
    else:
        codebook = np.frombuffer(container.blob(payload, record["codebook"], where), "<f2")
        codec, *ref = record["indices"]
        indices = _stream(codec, container.blob(payload, ref, where), count, where)
        values = dequantize(codebook, indices)
    if "positions" not in record:
        if count != size:
            raise SqzError(f"{where}: {count} values for a dense tensor of {size}")
        return values.reshape(shape)
    codec, *ref = record["positions"]
    gaps = _stream(codec, container.blob(payload, ref, where), count, where)
    flat = np.zeros(size, np.float32)
    flat[coding.gaps_to_positions(gaps, size)] = values
    return flat.reshape(shape)


def _stream(codec: str, data: bytes, count: int, where: str) -> np.ndarray:
    try:
        return coding.decode_stream(codec, data, count)
    except SqzError as exc:
        raise SqzError(f"{where}: {exc}") from None
