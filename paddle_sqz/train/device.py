"""Pick the device and read the data-parallel set-up (``paddle.distributed.launch``)."""
from typing import NamedTuple

import paddle

from ..errors import SqzError


class DistInfo(NamedTuple):
    """This process's rank and the number of processes; rank 0 alone writes files."""
    rank: int
    world_size: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def resolve_device(preference: str = "auto", key: str = "train.device") -> str:
    """``auto`` takes the GPU when Paddle was built with CUDA and sees one, else the CPU.

    The one device decision of the package: training, runs and every inference engine ask here.
    """
    if preference not in ("auto", "cpu", "gpu"):
        raise SqzError(f"{key}: unknown device {preference!r}; valid: auto, cpu, gpu")
    has_gpu = paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
    if preference == "gpu" and not has_gpu:
        raise SqzError(f"{key}: 'gpu' asked for, but this Paddle has no CUDA device (use auto or cpu)")
    return "gpu" if preference in ("auto", "gpu") and has_gpu else "cpu"


def select_device(preference: str = "auto") -> str:
    """:func:`resolve_device`, then make it Paddle's device (each process its own GPU when launched)."""
    device = resolve_device(preference)
    dist = dist_info()
    paddle.set_device(f"gpu:{paddle.distributed.ParallelEnv().dev_id}" if device == "gpu" and dist.world_size > 1
                      else device)
    return device


def dist_info() -> DistInfo:
    """Rank and world size as set by ``paddle.distributed.launch`` (1 process otherwise)."""
    env = paddle.distributed.ParallelEnv()
    return DistInfo(rank=env.rank, world_size=max(1, env.world_size))


def init_distributed() -> DistInfo:
    """Initialise the process group when launched with more than one process."""
    info = dist_info()
    if info.world_size > 1:
        paddle.distributed.init_parallel_env()
    return info


def amp_dtype(amp: str, device: str) -> str:
    """The mixed-precision dtype to train with: ``none`` on the CPU; on a GPU, refuse one it lacks.

    bfloat16 needs an Ampere or newer card (AI Studio's V100 has none); without this check
    Paddle would run it in slow emulation or fail deep inside a kernel.
    """
    if device != "gpu" or amp == "none":
        return "none"
    supported = (paddle.amp.is_bfloat16_supported() if amp == "bfloat16"
                 else paddle.amp.is_float16_supported())
    if not supported:
        raise SqzError(f"train.amp: this GPU does not support {amp}"
                       f"{' (use train.amp=float16)' if amp == 'bfloat16' else ''}")
    return amp
