"""One predictor for every engine: float32 NCHW batch in, logits out, labels and
preprocessing from the export folder.

Engines (``ENGINES``): ``dygraph`` (the run's Layer, for checking the others against),
``inference`` (Paddle Inference: oneDNN on the CPU, the GPU when Paddle has CUDA),
``onnxruntime`` and ``onnxruntime-int8`` (``model.onnx`` / ``model_int8.onnx`` on ONNX
Runtime's CPU provider) and ``lite`` (the ``.nb`` for this CPU on Paddle Lite). A new
engine is a new backend class in :data:`BACKENDS`; callers never change.

:class:`InferenceModel` makes a predictor look like an eval-mode ``paddle.nn.Layer`` so the
package's evaluation code runs unchanged on any engine.
"""
import os
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import paddle

from ..data.image import load_image
from ..data.transforms import build_transform
from ..errors import SqzError
from ..io_utils import PathLike
from ..runs import LoadedRun
from . import lite, onnx_export
from .engines import ENGINES
from .export_info import MODEL_FILE, PARAMS_FILE, read_export


def cpu_threads() -> int:
    """The cores this process may use (its affinity mask), for oneDNN and ONNX Runtime."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def use_gpu(device: str = "auto") -> bool:
    """``auto``: the GPU when this Paddle was built with CUDA and sees one."""
    has_gpu = paddle.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
    if device == "gpu" and not has_gpu:
        raise SqzError("--device gpu: this Paddle has no CUDA device (use --device auto or cpu)")
    return device in ("auto", "gpu") and has_gpu


def make_config(model_dir: PathLike, device: str = "auto", threads: Optional[int] = None,
                gpu_memory_mb: int = 256) -> "paddle.inference.Config":
    """Paddle Inference settings: GPU (memory pool ``gpu_memory_mb``, card 0), else oneDNN with ``threads``."""
    folder = Path(model_dir)
    for name in (MODEL_FILE, PARAMS_FILE):
        if not (folder / name).is_file():
            raise SqzError(f"{folder / name}: not found; export the run first with tools/export.py --run RUN_DIR")
    config = paddle.inference.Config(str(folder / MODEL_FILE), str(folder / PARAMS_FILE))
    if use_gpu(device):
        config.enable_use_gpu(gpu_memory_mb, 0)
    else:
        config.disable_gpu()
        config.enable_mkldnn()
        config.set_cpu_math_library_num_threads(threads or cpu_threads())
    config.disable_glog_info()
    return config


class PaddleInferenceBackend:
    """``inference.json`` on Paddle Inference."""

    def __init__(self, folder: Path, info: dict, device: str, threads: Optional[int]):
        self.config = make_config(folder, device, threads)
        self.engine = paddle.inference.create_predictor(self.config)
        self.input = self.engine.get_input_handle(self.engine.get_input_names()[0])
        self.output = self.engine.get_output_handle(self.engine.get_output_names()[0])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.input.reshape(list(x.shape))
        self.input.copy_from_cpu(x)
        self.engine.run()
        return self.output.copy_to_cpu()


class OnnxRuntimeBackend:
    """``model.onnx`` (or ``model_int8.onnx``) on ONNX Runtime's CPU provider."""

    file = onnx_export.ONNX_FILE

    def __init__(self, folder: Path, info: dict, device: str, threads: Optional[int]):
        self.session = onnx_export.ort_session(folder / self.file, threads or cpu_threads())
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: x})[0]


class OnnxRuntimeInt8Backend(OnnxRuntimeBackend):
    file = onnx_export.ONNX_INT8_FILE


class LiteBackend:
    """``lite/model_<this cpu>.nb`` on Paddle Lite."""

    def __init__(self, folder: Path, info: dict, device: str, threads: Optional[int]):
        self.runner = lite.LiteRunner(folder / lite.LITE_DIR)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.runner(x)


class DygraphBackend:
    """The run's own Layer (eval mode, no_grad), with the weights the export was made from."""

    def __init__(self, folder: Path, info: dict, device: str, threads: Optional[int],
                 model: Optional[paddle.nn.Layer] = None):
        self.model = model if model is not None else LoadedRun(info["run"], info.get("weights_choice", "best")).model

    def __call__(self, x: np.ndarray) -> np.ndarray:
        with paddle.no_grad():
            return self.model(paddle.to_tensor(x)).numpy()


BACKENDS: Dict[str, Callable] = {"dygraph": DygraphBackend, "inference": PaddleInferenceBackend,
                                 "onnxruntime": OnnxRuntimeBackend, "onnxruntime-int8": OnnxRuntimeInt8Backend,
                                 "lite": LiteBackend}


def check_engine(engine: str) -> str:
    if engine not in BACKENDS:
        raise SqzError(f"--engine: unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    return engine


class Predictor:
    """``predictor(x)``: float32 ``(N, C, H, W)`` array in, logits ``(N, classes)`` out, on ``engine``.

    ``class_names`` and ``transform`` (image -> CHW array) come from the export folder, the
    same for every engine. ``model`` gives the dygraph engine a Layer already loaded.
    """

    def __init__(self, export_dir: PathLike, engine: str = "inference", device: str = "auto",
                 threads: Optional[int] = None, model: Optional[paddle.nn.Layer] = None):
        self.folder = Path(export_dir)
        self.info = read_export(self.folder)
        self.engine = check_engine(engine)
        self.class_names: List[str] = self.info["class_names"]
        self.preprocess = self.info["preprocess"]
        self.transform = build_transform(self.preprocess, train=False)
        extra = {"model": model} if engine == "dygraph" else {}
        self.backend = BACKENDS[engine](self.folder, self.info, device, threads, **extra)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.backend(np.ascontiguousarray(x, dtype=np.float32)), dtype=np.float32)

    def batch(self, images: Sequence) -> np.ndarray:
        """PIL images or paths -> the preprocessed float32 batch."""
        return np.stack([self.transform(load_image(i) if isinstance(i, (str, Path)) else i, None)
                         for i in images])

    def topk(self, images: Sequence, k: int = 3) -> List[List[Tuple[str, float]]]:
        """Top-k (class name, probability) per image."""
        logits = self(self.batch(images))
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        k = max(1, min(k, len(self.class_names)))
        return [[(self.class_names[i], float(row[i])) for i in np.argsort(-row)[:k]] for row in probs]


class InferenceModel:
    """A :class:`Predictor` with the calls evaluation code makes on an eval-mode Layer."""

    training = False

    def __init__(self, predictor: Predictor):
        self.predictor = predictor

    def eval(self) -> "InferenceModel":
        return self

    def train(self) -> "InferenceModel":
        raise SqzError("an exported inference model cannot be trained; train the run with tools/train.py")

    def __call__(self, x) -> paddle.Tensor:
        array = x.numpy() if isinstance(x, paddle.Tensor) else np.asarray(x)
        return paddle.to_tensor(self.predictor(array))
