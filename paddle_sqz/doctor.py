"""``python -m paddle_sqz.doctor``: what this machine has for paddle_sqz, on one screen.

Paddle's version and build, the devices, whether mixed precision will work, oneDNN, the
runtime tuning in force, a CJK font, VisualDL and free disk space. Each problem comes with its
fix. The doctor never stops at a problem (no Paddle at all is one too): it exits 0 whenever it
could write its report, so a notebook's set-up cell can call it and read on.
"""
import importlib.metadata
import shutil
import sys
from pathlib import Path
from typing import Callable, List, NamedTuple, Optional, Sequence

from . import __version__, paddle_installed, runtime

# Measured range (README, "AI Studio, GPUs and supported versions"); setup.py states the same.
SUPPORTED_PYTHON = ((3, 10), (3, 11))
OLDEST_PADDLE = (3, 0)
PADDLE_DISTRIBUTIONS = ("paddlepaddle", "paddlepaddle-gpu")
MIN_FREE_BYTES = 2 << 30  # a Paddle wheel, a data set and a few runs' checkpoints


class Finding(NamedTuple):
    """One line of the report; ``fix`` is set when the line is a problem."""
    topic: str
    text: str
    fix: Optional[str] = None


def _version_tuple(text: str) -> tuple:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_python() -> List[Finding]:
    here = sys.version_info[:2]
    text = f"{sys.version.split()[0]} ({sys.executable})"
    low, high = SUPPORTED_PYTHON
    if here < low:
        return [Finding("python", text, f"paddle_sqz needs Python {low[0]}.{low[1]} or newer")]
    if here > high:
        return [Finding("python", text + f"; tested up to {high[0]}.{high[1]}")]
    return [Finding("python", text)]


def _installed_paddle_distributions() -> List[str]:
    found = []
    for name in PADDLE_DISTRIBUTIONS:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def check_paddle(paddle) -> List[Finding]:
    """Version, build (CPU/GPU, CUDA, cuDNN) and which pip distributions provide it."""
    dists = _installed_paddle_distributions()
    cuda = paddle.device.is_compiled_with_cuda()
    build = (f"GPU build, CUDA {paddle.version.cuda()}, cuDNN {paddle.version.cudnn()}" if cuda
             else "CPU build")
    source = ", ".join(dists) if dists else "no pip distribution (a develop build or PYTHONPATH)"
    found = [Finding("paddle", f"{paddle.__version__}, {build} [{source}]")]
    if paddle.__version__ != "0.0.0" and _version_tuple(paddle.__version__) < OLDEST_PADDLE:
        found.append(Finding("paddle", f"{paddle.__version__} is older than the supported 3.0",
                             "on AI Studio pick an image with Paddle 3.x; elsewhere pip install -U paddlepaddle"))
    if len(dists) > 1:
        found.append(Finding("paddle", "both paddlepaddle and paddlepaddle-gpu are installed: they overwrite "
                             "each other's files", "pip uninstall -y paddlepaddle paddlepaddle-gpu, then install "
                             "the one you want (paddlepaddle-gpu on a GPU machine)"))
    return found


def _gpu_count(paddle) -> int:
    if not paddle.device.is_compiled_with_cuda():
        return 0
    try:
        return paddle.device.cuda.device_count()
    except (RuntimeError, OSError):  # a CUDA build on a machine without a driver
        return 0


def check_devices(paddle) -> List[Finding]:
    count = _gpu_count(paddle)
    if count == 0:
        found = [Finding("devices", "CPU only (train.device=auto trains on the CPU)")]
        if paddle.device.is_compiled_with_cuda():
            found.append(Finding("devices", "this is a CUDA build but no GPU is visible",
                                 "check nvidia-smi and CUDA_VISIBLE_DEVICES; on AI Studio start a GPU environment"))
        return found
    names = []
    for index in range(count):
        major, minor = paddle.device.cuda.get_device_capability(index)
        names.append(f"gpu:{index} {paddle.device.cuda.get_device_name(index)} (sm {major}.{minor})")
    return [Finding("devices", "; ".join(names) + " (train.device=auto picks gpu)")]


def check_amp(paddle) -> List[Finding]:
    """Whether ``train.amp=float16`` / ``bfloat16`` will run (the trainer ignores AMP on the CPU)."""
    if _gpu_count(paddle) == 0:
        return [Finding("amp", "float16 / bfloat16: not used on the CPU (train.amp is ignored there)")]
    fp16, bf16 = paddle.amp.is_float16_supported(), paddle.amp.is_bfloat16_supported()
    text = f"float16 {'yes' if fp16 else 'no'}, bfloat16 {'yes' if bf16 else 'no'}"
    if not bf16:
        return [Finding("amp", text + " (bfloat16 needs an Ampere or newer GPU: use train.amp=float16)")]
    return [Finding("amp", text)]


def check_onednn(paddle) -> List[Finding]:
    core = paddle.base.core
    probe = getattr(core, "is_compiled_with_onednn", None) or getattr(core, "is_compiled_with_mkldnn", None)
    if probe is None:
        return [Finding("onednn", "unknown (this Paddle does not say)")]
    if probe():
        return [Finding("onednn", "yes (the inference engine uses it on the CPU)")]
    return [Finding("onednn", "no: CPU inference with --engine inference runs without it (slower)",
                    None if _gpu_count(paddle) else "the paddlepaddle CPU wheel from pip has it")]


def check_runtime(applied: dict) -> List[Finding]:
    text = runtime.describe().replace("runtime: ", "")
    return [Finding("runtime", text + ("" if applied else " (nothing applied by paddle_sqz.runtime)"))]


def check_font() -> List[Finding]:
    try:
        from .report.fonts import NO_FONT_FIX, find_cjk_font
    except ImportError as exc:  # matplotlib missing
        return [Finding("cjk font", f"cannot look: {exc}", "pip install matplotlib")]
    name = find_cjk_font()
    if name is None:
        return [Finding("cjk font", "none: Chinese class names render as boxes", NO_FONT_FIX)]
    return [Finding("cjk font", name)]


def check_visualdl() -> List[Finding]:
    try:
        version = importlib.metadata.version("visualdl")
    except importlib.metadata.PackageNotFoundError:
        return [Finding("visualdl", "not installed: runs write no VisualDL logs", "pip install visualdl")]
    return [Finding("visualdl", f"{version} (visualdl --logdir output --port 8040)")]


def check_disk(folder: Path = Path(".")) -> List[Finding]:
    free = shutil.disk_usage(folder).free
    text = f"{free / 2**30:.1f} GiB free in {folder.resolve()}"
    if free < MIN_FREE_BYTES:
        return [Finding("disk", text, "free some space: each run keeps checkpoints (about 3 to 9 MB per epoch "
                        "kept) and the data sets need a few hundred MB")]
    return [Finding("disk", text)]


def collect(folder: Path = Path(".")) -> List[Finding]:
    """Every finding, in report order."""
    applied = runtime.configure()  # as the tools do, before Paddle loads
    found = check_python()
    if paddle_installed():
        import paddle
        for check in (check_paddle, check_devices, check_amp, check_onednn):
            found += _guarded(check.__name__, lambda: check(paddle))
    else:
        found.append(Finding("paddle", "not installed", "pip install paddlepaddle (CPU) or "
                             "pip install paddlepaddle-gpu (GPU); on AI Studio pick a Paddle image"))
    found += check_runtime(applied) + check_font() + check_visualdl() + check_disk(folder)
    return found


def _guarded(topic: str, check: Callable[[], List[Finding]]) -> List[Finding]:
    """A check that raises becomes a problem line instead of ending the report."""
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - the doctor reports, it does not crash
        return [Finding(topic.replace("check_", ""), f"could not check: {type(exc).__name__}: {exc}",
                        "report this with the output of python -m paddle_sqz.doctor")]


def format_report(found: Sequence[Finding]) -> str:
    problems = [f for f in found if f.fix]
    lines = [f"paddle_sqz {__version__} doctor"]
    for finding in found:
        lines.append(f"{'!' if finding.fix else ' '} {finding.topic:9s} {finding.text}")
        if finding.fix:
            lines.append(f"  {'':9s} fix: {finding.fix}")
    lines.append(f"{len(problems)} problem(s)" if problems else "no problems found")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    folder = Path(argv[0]) if argv else Path(".")
    print(format_report(collect(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
