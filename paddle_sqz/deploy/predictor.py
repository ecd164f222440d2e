"""Paddle Inference for an exported model: oneDNN on the CPU, the GPU when Paddle has CUDA.

Dygraph runs every operator through Python and Paddle's generic CPU kernels; the
inference engine fuses the graph (conv + bias + ReLU) and runs oneDNN kernels, several
times faster for evaluation (README, Speed). :class:`InferenceModel` makes a predictor
look like an eval-mode ``paddle.nn.Layer`` so the package's evaluation and prediction
code runs unchanged on either engine.
"""
import os
from pathlib import Path
from typing import Optional

import numpy as np
import paddle

from ..errors import SqzError
from ..io_utils import PathLike

MODEL_FILE = "inference.json"   # Paddle 3 (PIR) program
PARAMS_FILE = "inference.pdiparams"


def cpu_threads() -> int:
    """The cores this process may use (its affinity mask), for oneDNN."""
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
    """The engine's settings: GPU (memory pool ``gpu_memory_mb``, card 0), else oneDNN with ``threads``."""
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


class Predictor:
    """``predictor(x)``: float32 ``(N, C, H, W)`` array in, logits array ``(N, classes)`` out."""

    def __init__(self, model_dir: PathLike, device: str = "auto", threads: Optional[int] = None):
        self.config = make_config(model_dir, device, threads)
        self.engine = paddle.inference.create_predictor(self.config)
        self.input = self.engine.get_input_handle(self.engine.get_input_names()[0])
        self.output = self.engine.get_output_handle(self.engine.get_output_names()[0])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.input.reshape(list(x.shape))
        self.input.copy_from_cpu(np.ascontiguousarray(x, dtype=np.float32))
        self.engine.run()
        return self.output.copy_to_cpu()


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
