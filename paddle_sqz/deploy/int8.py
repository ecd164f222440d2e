"""int8 deployment: post-training quantization with ``paddle.quantization``, Paddle Inference runs.

What works with paddlepaddle 3.3.1 on this CPU (measured, see notebooks/RESULTS.md, "Deep Compression"):

- ``PTQ.convert`` fails on a layer registered under two names (SqueezeNet's
  ``final_conv`` is also ``classifier.1``): the second wrapper never sees data, its
  scale stays ``None``. :func:`without_aliases` drops the extra names first.
- Under the default PIR, ``paddle.jit.save`` of the converted model needs a fixed
  batch size, and the saved program cannot be loaded by ``create_predictor`` at all
  ("Tensor holds no memory" in ``pd_op.cast``). Exported with the legacy program IR
  (``FLAGS_enable_pir_api=0`` set before Paddle is imported) it loads and runs;
  :func:`export` therefore refuses to run under PIR.
- That program is right on fp32 kernels, but with ``enable_mkldnn_int8()`` its
  accuracy falls to chance (SqueezeNet and the plain Quick Draw CNN alike).
- The older ``paddle.quantization.ImperativePTQ`` path works with the oneDNN int8
  kernels, once one numpy-2 incompatibility in it is bridged (:func:`_numpy2_scalars`).
"""
import contextlib
import copy
import os
import time
from pathlib import Path
from typing import Any, Dict, Iterable

import numpy as np
import paddle

from ..runs import Run
from ..train.metrics import Meter
from ..errors import SqzError

PIR_FLAG = "FLAGS_enable_pir_api"
# (row name, program, oneDNN int8 kernels): the quantized program is also run on fp32
# kernels, which tells a PTQ accuracy loss apart from an int8-kernel one.
VARIANTS = (("fp32", "fp32", False), ("PTQ int8 program, fp32 kernels", "int8", False),
            ("PTQ int8 program, oneDNN int8 kernels", "int8", True),
            ("ImperativePTQ int8 program, oneDNN int8 kernels", "int8_imperative", True))


def without_aliases(model: paddle.nn.Layer) -> paddle.nn.Layer:
    """A deep copy in which a sublayer registered under two names keeps only one.

    The registration inside a ``Sequential`` (the one ``forward`` runs) is kept; a
    plain attribute handle to the same layer (``self.final_conv``) is dropped.
    """
    model = copy.deepcopy(model)
    places: Dict[int, list] = {}
    for parent in [model, *model.sublayers()]:
        for name, child in parent._sub_layers.items():
            places.setdefault(id(child), []).append((parent, name))
    for found in places.values():
        if len(found) < 2:
            continue
        keep = [p for p in found if isinstance(p[0], paddle.nn.Sequential)]
        if len(keep) != 1:
            raise SqzError("int8: a layer is registered under several names "
                           f"({', '.join(n for _, n in found)}) and none is clearly the one forward runs")
        for parent, name in found:
            if (parent, name) != keep[0]:
                del parent._sub_layers[name]
    return model


def ptq_int8(model: paddle.nn.Layer, calibration: Iterable, batches: int) -> paddle.nn.Layer:
    """Abs-max int8 PTQ of weights and activations, calibrated on ``batches`` batches."""
    from paddle.quantization import PTQ, QuantConfig
    from paddle.quantization.observers import AbsmaxObserver
    model = without_aliases(model)
    model.eval()
    ptq = PTQ(QuantConfig(activation=AbsmaxObserver(quant_bits=8), weight=AbsmaxObserver(quant_bits=8)))
    observed = ptq.quantize(model, inplace=False)
    _calibrate(observed, calibration, batches)
    return ptq.convert(observed, inplace=False)


@contextlib.contextmanager
def _numpy2_scalars():
    """ImperativePTQ calls ``float()`` on 1-element 1-D arrays, a TypeError under numpy 2:
    give it the element instead, for the duration of the save only."""
    from paddle.quantization.imperative import utils
    original = utils.fp_numpy_to_naive
    utils.fp_numpy_to_naive = lambda x: original(np.asarray(x).reshape(-1)[:1].reshape(())) \
        if np.size(x) == 1 else original(x)
    try:
        yield
    finally:
        utils.fp_numpy_to_naive = original


def imperative_ptq_export(model: paddle.nn.Layer, calibration: Iterable, batches: int, prefix: Path,
                          input_shape) -> Path:
    """int8 through ``ImperativePTQ`` (abs-max activations, per-channel abs-max weights), saved
    for Paddle Inference; returns the program file."""
    from paddle.quantization import AbsmaxQuantizer, ImperativePTQ, PerChannelAbsmaxQuantizer, PTQConfig
    _require_legacy_ir()
    model = without_aliases(model)
    model.eval()
    ptq = ImperativePTQ(PTQConfig(AbsmaxQuantizer(), PerChannelAbsmaxQuantizer()))
    observed = ptq.quantize(model, inplace=False)
    _calibrate(observed, calibration, batches)
    with _numpy2_scalars():
        ptq.save_quantized_model(observed, str(prefix),
                                 input_spec=[paddle.static.InputSpec([None, *input_shape], "float32", "x")])
    return Path(f"{prefix}.pdmodel")


def _calibrate(observed: paddle.nn.Layer, calibration: Iterable, batches: int) -> None:
    seen = 0
    with paddle.no_grad():
        for x, _ in calibration:
            observed(x)
            seen += 1
            if seen >= batches:
                return
    if seen == 0:
        raise SqzError("int8 calibration: the training set gave no batches")


def _require_legacy_ir() -> None:
    if os.environ.get(PIR_FLAG) != "0":
        raise SqzError(f"int8 export needs {PIR_FLAG}=0 in the environment before Paddle is imported "
                       "(the PIR export of a quantized model does not load in Paddle Inference 3.3)")


def export(model: paddle.nn.Layer, prefix: Path, input_shape) -> Path:
    """``paddle.jit.save`` with a free batch size; returns the program file it wrote."""
    _require_legacy_ir()
    spec = [paddle.static.InputSpec([None, *input_shape], "float32", "x")]
    paddle.jit.save(model, str(prefix), input_spec=spec)
    return Path(f"{prefix}.pdmodel")


class ProgramBackend:
    """A Paddle Inference predictor on the CPU (oneDNN; int8 kernels when ``int8``)."""

    def __init__(self, program: Path, int8: bool, threads: int = 2):
        from paddle import inference
        program = Path(program)
        config = inference.Config(str(program), str(program.with_suffix(".pdiparams")))
        config.disable_gpu()
        config.disable_glog_info()
        config.set_cpu_math_library_num_threads(threads)
        config.enable_mkldnn()
        if int8:
            config.enable_mkldnn_int8()
        self.predictor = inference.create_predictor(config)
        self.input = self.predictor.get_input_handle(self.predictor.get_input_names()[0])
        self.output = self.predictor.get_output_handle(self.predictor.get_output_names()[0])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, np.float32)
        self.input.reshape(list(x.shape))
        self.input.copy_from_cpu(x)
        self.predictor.run()
        return self.output.copy_to_cpu()


def accuracy(predict, loader) -> Dict[str, float]:
    """Top-1 / top-5 of ``predict`` (numpy in, logits out) over a loader of tensors."""
    meter = Meter()
    for x, y in loader:
        meter.update(0.0, predict(x.numpy()), y.numpy().reshape(-1))
    result = meter.result()
    return {"top1": result["top1"], "top5": result["top5"], "images": meter.count}


def throughput(predict, batch: np.ndarray, windows: int = 5, seconds: float = 0.6) -> Dict[str, Any]:
    """Images per second on repeated runs of ``batch``: the best of ``windows`` timed windows
    (after two warm-up runs), so other jobs on a shared CPU disturb it less."""
    predict(batch)
    predict(batch)
    best = float("inf")
    for _ in range(windows):
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds or runs < 2:
            predict(batch)
            runs += 1
        best = min(best, (time.perf_counter() - start) / runs)
    return {"images_per_s": len(batch) / best, "ms_per_batch": 1000 * best, "batch": len(batch)}


def int8_report(run_path, out_dir=None, calib_batches: int = 8, bench_batch: int = 64,
                threads: int = 2) -> Dict[str, Any]:
    """Export the run's fp32 and PTQ-int8 models, then test accuracy and CPU throughput of each
    :data:`VARIANTS` row (all on oneDNN)."""
    run = Run.open(run_path)
    cfg, size = run.cfg, run.cfg["data"]["image_size"]
    out_dir = Path(out_dir) if out_dir else run.path / "int8"
    batch = cfg["train"]["eval_batch_size"]
    train_loader, _ = run.source.loader(run.source.dataset("train"), cfg["train"]["batch_size"], train=True)
    test_loader, _ = run.source.loader(run.source.dataset("test"), batch, train=False)
    shape = (cfg["model"]["in_channels"], size, size)
    model = run.model()
    programs = {"fp32": export(without_aliases(model), out_dir / "fp32" / "inference", shape),
                "int8": export(ptq_int8(model, train_loader, calib_batches),
                               out_dir / "int8" / "inference", shape),
                "int8_imperative": imperative_ptq_export(model, train_loader, calib_batches,
                                                         out_dir / "int8_imperative" / "inference", shape)}
    bench = next(iter(test_loader))[0].numpy()[:bench_batch]
    rows = []
    for name, program, int8 in VARIANTS:
        predictor = ProgramBackend(programs[program], int8=int8, threads=threads)
        rows.append({"model": name, "program": str(programs[program]),
                     "params_bytes": programs[program].with_suffix(".pdiparams").stat().st_size,
                     **accuracy(predictor, test_loader), **throughput(predictor, bench),
                     "latency_ms": throughput(predictor, bench[:1])["ms_per_batch"]})
    return {"run": str(run.path), "calibration_batches": calib_batches, "threads": threads,
            "paddle": paddle.__version__, "rows": rows, "out_dir": str(out_dir)}
