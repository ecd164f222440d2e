"""One predictor for every inference engine: float32 NCHW batch in, logits out.

The engine is a parameter: ``dygraph`` runs the run's network in Paddle's eager mode;
``inference`` runs the exported program in Paddle Inference (oneDNN on the CPU, the
GPU when there is one), which fuses conv + bias + ReLU and is several times faster on
the CPU (notebooks/RESULTS.md, Speed). Every engine carries the class names and the
evaluation preprocessing of what it runs, so evaluation and prediction code is the same
for all of them.
"""
import os
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import paddle

from ..data.transforms import ImageTransform, build_transform
from ..errors import SqzError
from ..io_utils import PathLike
from ..runs import Run
from ..train.device import resolve_device
from .export import MODEL_FILE, PARAMS_FILE, ensure_export, read_export


def cpu_threads() -> int:
    """The cores this process may use (its affinity mask), for oneDNN."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class DygraphBackend:
    """The run's network in eager mode, eval mode, under ``no_grad``."""

    def __init__(self, model: paddle.nn.Layer):
        self.model = model

    @paddle.no_grad()
    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.model(paddle.to_tensor(x)).numpy()


class PaddleInferenceBackend:
    """An exported program in Paddle Inference: oneDNN with ``threads`` on the CPU, or the GPU."""

    def __init__(self, model_dir: PathLike, device: str = "auto", threads: Optional[int] = None,
                 gpu_memory_mb: int = 256):
        folder = Path(model_dir)
        for name in (MODEL_FILE, PARAMS_FILE):
            if not (folder / name).is_file():
                raise SqzError(f"{folder / name}: not found; export the run first with tools/export.py --run RUN_DIR")
        config = paddle.inference.Config(str(folder / MODEL_FILE), str(folder / PARAMS_FILE))
        if resolve_device(device, "--device") == "gpu":
            config.enable_use_gpu(gpu_memory_mb, 0)
        else:
            config.disable_gpu()
            config.enable_mkldnn()
            config.set_cpu_math_library_num_threads(threads or cpu_threads())
        config.disable_glog_info()
        self.config = config
        self.engine = paddle.inference.create_predictor(config)
        self.input = self.engine.get_input_handle(self.engine.get_input_names()[0])
        self.output = self.engine.get_output_handle(self.engine.get_output_names()[0])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.input.reshape(list(x.shape))
        self.input.copy_from_cpu(np.ascontiguousarray(x, dtype=np.float32))
        self.engine.run()
        return self.output.copy_to_cpu()


class Predictor:
    """``predictor(x)``: logits ``(N, classes)`` for a float32 ``(N, C, H, W)`` batch (array or tensor).

    ``class_names`` and ``transform`` (the evaluation preprocessing of one PIL image to a
    ``(C, H, W)`` array) come with the engine, so callers never rebuild them.
    """

    training = False  # evaluation code may ask, as of a Layer in eval mode

    def __init__(self, backend: Callable[[np.ndarray], np.ndarray], class_names: Sequence[str],
                 transform: ImageTransform, engine: str):
        self.backend = backend
        self.class_names = list(class_names)
        self.transform = transform
        self.engine = engine

    def __call__(self, x) -> np.ndarray:
        array = x.numpy() if isinstance(x, paddle.Tensor) else np.asarray(x, dtype=np.float32)
        return self.backend(array)

    def eval(self) -> "Predictor":
        return self


def export_predictor(folder: PathLike, engine: str = "inference", device: str = "auto") -> Predictor:
    """A predictor over an exported folder: labels and preprocessing read from its ``export.json``."""
    info = read_export(folder)
    if engine not in EXPORT_ENGINES:
        raise SqzError(f"--engine: {engine!r} does not run an exported folder; valid: {', '.join(EXPORT_ENGINES)}")
    backend = EXPORT_ENGINES[engine](Path(folder), device)
    return Predictor(backend, info["class_names"], build_transform(info["preprocess"], train=False), engine)


def open_predictor(run, weights: str = "best", engine: str = "dygraph", device: str = "auto") -> Predictor:
    """The predictor of a run (a :class:`Run` or its folder) for ``weights`` on ``engine``.

    Export engines use ``RUN/export``, exported first when missing or older than the weights.
    """
    run = Run.open(run)
    if engine == "dygraph":
        return Predictor(DygraphBackend(run.model(weights)), run.class_names, run.transform, engine)
    if engine not in EXPORT_ENGINES:
        raise SqzError(f"--engine: unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    if str(weights).endswith(".sqz"):
        raise SqzError(f"--engine {engine}: {weights} is a compressed file; evaluate it with the "
                       "dygraph engine (the export tool exports best or latest weights)")
    return export_predictor(ensure_export(run, weights), engine, device)


EXPORT_ENGINES: Dict[str, Callable[[Path, str], Callable[[np.ndarray], np.ndarray]]] = {
    "inference": lambda folder, device: PaddleInferenceBackend(folder, device),
}
ENGINES: List[str] = ["dygraph", *EXPORT_ENGINES]
