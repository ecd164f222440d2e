"""ONNX from an exported Paddle program (paddle2onnx), and ONNX Runtime's static int8 of it.

paddle2onnx 2.1.0 reads Paddle 3's ``inference.json`` directly; opset 13 is the lowest one
whose ``DequantizeLinear`` takes a per-channel ``axis``, which the int8 model needs. The
batch dimension stays free. The int8 model is QDQ (quantize/dequantize pairs that ONNX
Runtime fuses into int8 convolutions), weights per output channel, activation ranges
calibrated on images the caller gives (the run's own training images).
"""
from pathlib import Path
from typing import Iterable, Iterator, Optional

import numpy as np

from ..errors import SqzError
from ..io_utils import PathLike

try:  # the [onnx] extra; without it every function here says which pip command adds it
    import onnxruntime
    import paddle2onnx
    import sympy  # noqa: F401  (paddle2onnx pip-installs it at first use otherwise: fails offline)
    from onnxruntime.quantization import QuantFormat, QuantType, quant_pre_process, quantize_static
    MISSING: Optional[str] = None
except ImportError as _exc:
    MISSING = _exc.name or "onnxruntime"

OPSET = 13
ONNX_FILE = "model.onnx"
ONNX_INT8_FILE = "model_int8.onnx"
INSTALL_ONNX = "pip install 'paddle_sqz[onnx]' (paddle2onnx, onnxruntime, onnx, sympy, onnx_graphsurgeon)"


def require_onnx(what: str = "ONNX export") -> None:
    """Nothing when the onnx extra is installed, else one line saying which pip command adds it."""
    if MISSING:
        raise SqzError(f"{what} needs the onnx extra ({MISSING} is missing): {INSTALL_ONNX}")


def paddle_to_onnx(program: PathLike, params: PathLike, out_file: PathLike, opset: int = OPSET) -> Path:
    """Convert ``inference.json`` + ``inference.pdiparams`` to ``out_file`` (written atomically)."""
    require_onnx()
    if opset < OPSET:
        raise SqzError(f"--opset: at least {OPSET} (int8's per-channel DequantizeLinear needs it), got {opset}")
    out_file = Path(out_file)
    tmp = out_file.with_name(f".{out_file.name}.tmp")
    paddle2onnx.export(str(program), str(params), str(tmp), opset_version=opset, auto_upgrade_opset=False)
    if not tmp.is_file():
        raise SqzError(f"paddle2onnx wrote no {tmp} from {program}")
    tmp.replace(out_file)
    return out_file


class _Batches:
    """``onnxruntime.quantization.CalibrationDataReader``'s protocol over numpy batches."""

    def __init__(self, input_name: str, batches: Iterable[np.ndarray]):
        self.input_name = input_name
        self.batches: Iterator[np.ndarray] = iter(batches)
        self.seen = 0

    def get_next(self):
        batch = next(self.batches, None)
        if batch is None:
            return None
        self.seen += len(batch)
        return {self.input_name: np.ascontiguousarray(batch, dtype=np.float32)}

    def rewind(self):  # called by some calibrators; one pass is all the MinMax method needs
        pass


def quantize_onnx(fp32_file: PathLike, out_file: PathLike, batches: Iterable[np.ndarray]) -> int:
    """Static int8 (QDQ, per-channel weights, MinMax activation ranges); returns the images seen."""
    require_onnx("int8 export")
    fp32_file, out_file = Path(fp32_file), Path(out_file)
    input_name = onnxruntime.InferenceSession(str(fp32_file), providers=["CPUExecutionProvider"]) \
        .get_inputs()[0].name
    reader = _Batches(input_name, batches)
    prepared = out_file.with_name(f".{out_file.name}.pre.tmp")
    tmp = out_file.with_name(f".{out_file.name}.tmp")
    try:
        # shape inference and graph fusion first: without them the int8 model ran no faster than fp32
        quant_pre_process(str(fp32_file), str(prepared))
        # unsigned activations: signed ones ran at half fp32 speed on this x86 CPU
        quantize_static(str(prepared), str(tmp), reader, quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        if reader.seen == 0:
            raise SqzError("int8 calibration: the run's training set gave no images")
        tmp.replace(out_file)
    finally:
        prepared.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    return reader.seen


def ort_session(model_file: PathLike, threads: Optional[int] = None):
    """An ONNX Runtime CPU session with ``threads`` intra-op threads (all graph optimisations on)."""
    require_onnx("the onnxruntime engine")
    model_file = Path(model_file)
    if not model_file.is_file():
        raise SqzError(f"{model_file}: not found; export it with tools/export.py --run RUN --format onnx"
                       + (" --int8" if model_file.name == ONNX_INT8_FILE else ""))
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
